"""The committee dashboard (述职率): the two 100% targets, townships, the official workbook, the bulletin."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from liaison.dashboard import views  # noqa: E402,F401
