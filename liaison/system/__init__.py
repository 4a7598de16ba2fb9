"""The committee's system pages (定时任务, 操作日志)."""
from flask import Blueprint

bp = Blueprint("system", __name__)

from liaison.system import views  # noqa: E402,F401
