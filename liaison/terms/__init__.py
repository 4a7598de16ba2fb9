"""Congress terms (届): management pages for the committee."""
from flask import Blueprint

bp = Blueprint("terms", __name__)

from liaison.terms import views  # noqa: E402,F401
