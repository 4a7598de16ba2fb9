"""The monthly visit rota (排班、公示), leave and swaps, and no-shows."""
from flask import Blueprint

bp = Blueprint("rota", __name__)

from liaison.rota import views  # noqa: E402,F401
