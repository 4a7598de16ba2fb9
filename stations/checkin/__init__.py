"""Check-in at homes and stations (月进站 / 季回家): the scan page, 签退, 补登, staff review and 我的履职."""
from flask import Blueprint

bp = Blueprint("checkin", __name__)

from stations.checkin import views  # noqa: E402,F401
