"""Accounts: sign-in, activation of deputies' accounts, passwords, roles and township scopes."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from liaison.accounts import views  # noqa: E402,F401  (routes register on import)
