"""Deputies and their mandates: lists, records and management pages."""
from flask import Blueprint

bp = Blueprint("deputies", __name__)

from liaison.deputies import views  # noqa: E402,F401
