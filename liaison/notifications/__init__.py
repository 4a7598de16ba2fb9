"""Notifications: every user's in-app inbox (消息), delivery channels (email, SMS) and the SMS outbox."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from liaison.notifications import views  # noqa: E402,F401
