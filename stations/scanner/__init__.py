"""Scan mode (扫代表码): a station's device, held by staff, reads deputies' personal codes, also offline."""
from flask import Blueprint

bp = Blueprint("scanner", __name__)

from stations.scanner import views  # noqa: E402,F401
