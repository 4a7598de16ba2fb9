"""Constituents' opinions at stations (民意): intake, lookup by number, handling by staff (接、登、转、复)."""
from flask import Blueprint

bp = Blueprint("opinions", __name__)

from liaison.opinions import views  # noqa: E402,F401
