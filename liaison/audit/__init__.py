"""The audit trail (操作日志): who did what, when, from where, and how it ended."""
from flask import Blueprint

bp = Blueprint("audit", __name__)

from liaison.audit import views  # noqa: E402,F401
