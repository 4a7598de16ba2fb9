"""The public face of a home or station (no sign-in): the page its QR poster opens for constituents,
and the accountability pages (履职公开) of each station and township."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from liaison.public import views  # noqa: E402,F401
