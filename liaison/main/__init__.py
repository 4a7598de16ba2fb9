"""The home page each role lands on after sign-in."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from liaison.main import views  # noqa: E402,F401
