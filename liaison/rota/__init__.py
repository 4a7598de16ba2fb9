"""The monthly visit rota (排班、公示), leave and swaps, no-shows, and collective activities at homes (季回家)."""
from flask import Blueprint

bp = Blueprint("rota", __name__)

from liaison.rota import views  # noqa: E402,F401
