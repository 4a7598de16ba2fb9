"""Scheduled jobs: the registry, one scheduler process (`liaison scheduler`), runs recorded per period."""
from flask import Blueprint

bp = Blueprint("jobs", __name__)

from liaison.jobs import views  # noqa: E402,F401
