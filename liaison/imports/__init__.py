"""Imports: the deputy roster (代表名单) from a workbook, checked row by row, then written all at once."""
from flask import Blueprint

# The small script that shows "正在导入…" lives with the package that uses it.
bp = Blueprint("imports", __name__, static_folder="static", static_url_path="/imports/static")

from liaison.imports import views  # noqa: E402,F401
