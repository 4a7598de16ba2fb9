"""The home/station network (代表之家/代表联络站); later its QR codes and check-in."""
from flask import Blueprint

bp = Blueprint("stations", __name__)

from stations import views  # noqa: E402,F401
