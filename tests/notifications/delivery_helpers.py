"""Helpers for delivery tests: point email at a test SMTP server, run the delivery job, read deliveries."""
from contextlib import contextmanager

import sqlalchemy as sa

from liaison.extensions import db
from liaison.notifications.jobs import deliver_messages
from liaison.notifications.models import Delivery
from tests.notifications.smtp_sink import SmtpSink


@contextmanager
def configured(app, monkeypatch, **settings):
    """Change delivery settings for one test; the channels are rebuilt from them, and again after."""
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    app.extensions.pop("liaison_channels", None)
    try:
        yield
    finally:
        app.extensions.pop("liaison_channels", None)


def smtp_settings(port, timeout=15):
    """Plain SMTP without login to a loopback port."""
    return {"LIAISON_SMTP_HOST": "127.0.0.1", "LIAISON_SMTP_PORT": port, "LIAISON_SMTP_TLS": "none",
            "LIAISON_SMTP_USER": "", "LIAISON_SMTP_FROM": "noreply@liaison.test",
            "LIAISON_SMTP_TIMEOUT": timeout}


@contextmanager
def smtp_server(app, monkeypatch, mode="accept", timeout=15):
    """A real SMTP server (``SmtpSink`` mode) with email delivery pointed at it."""
    with SmtpSink(mode) as sink, configured(app, monkeypatch, **smtp_settings(sink.port, timeout)):
        yield sink


def run_delivery_job():
    """What the scheduler does every 30 seconds: the deliver_messages task, once."""
    return deliver_messages()


def deliveries(channel="email"):
    """The deliveries of one channel, oldest first, read fresh."""
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Delivery).where(Delivery.channel == channel).order_by(Delivery.id)).all()
