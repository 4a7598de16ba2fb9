"""Collective activities at homes (季回家): create, invite, and attendance from check-ins."""
from flask import Blueprint

bp = Blueprint("activities", __name__)

from liaison.activities import views  # noqa: E402,F401
