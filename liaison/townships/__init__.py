"""Townships (乡镇/街道) and their electoral districts (选区): management pages."""
from flask import Blueprint

bp = Blueprint("townships", __name__)

from liaison.townships import views  # noqa: E402,F401
