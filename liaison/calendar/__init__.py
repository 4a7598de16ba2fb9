"""Holidays and working days (节假日与调休): the calendar functions and the committee's page."""
from flask import Blueprint

bp = Blueprint("calendar", __name__)

from liaison.calendar import views  # noqa: E402,F401
