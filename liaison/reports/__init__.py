"""Duty reports (年述职): reporting sessions, each deputy's report, exemptions (应述尽述) and the target terms."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from liaison.reports import views  # noqa: E402,F401
