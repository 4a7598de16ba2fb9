"""Delivery channels behind one small interface: each takes a saved inbox message to its user.

A channel is an object with ``name`` and ``deliver(user, message)``. Two ship with the product:

- ``EmailChannel``: SMTP with ``smtplib``, configured by LIAISON_SMTP_* variables; present only
  when LIAISON_SMTP_HOST is set, and it skips users who gave no email address.
- ``SmsChannel``: hands a short text to the gateway named by LIAISON_SMS_GATEWAY (a dotted path
  to a class taking the app config). The default ``OutboxGateway`` writes an ``SmsOutbox`` row
  that committee staff can read; a real provider's gateway implements the same ``send``.
"""
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from werkzeug.utils import import_string

from liaison.extensions import db
from liaison.notifications.models import EmailAddress, SmsOutbox, SmsStatus

log = logging.getLogger(__name__)

#: Two SMS segments of Chinese text; longer messages point to the inbox instead.
SMS_MAX = 140
SMS_SIGNATURE = "【代表联络平台】"
SMTP_TIMEOUT_SECONDS = 15


class Channel:
    """The interface every delivery channel implements."""

    name = "channel"

    def deliver(self, user, message):
        """Take ``message`` (already in the user's inbox) to ``user`` by this channel."""
        raise NotImplementedError


# --- email ------------------------------------------------------------------------------------

def build_email(sender, recipient, subject, body):
    """The email for one message: plain UTF-8 text, so any mail client shows the Chinese."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = subject
    # An explicit domain: without one make_msgid asks DNS for this host's name.
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "liaison.invalid")
    email.set_content(body or subject, charset="utf-8")
    return email


class EmailChannel(Channel):
    """Email over SMTP: STARTTLS (port 587), implicit TLS (465) or plain (a relay on the LAN)."""

    name = "email"

    def __init__(self, config):
        self.host = config["LIAISON_SMTP_HOST"]
        self.port = config["LIAISON_SMTP_PORT"]
        self.user = config["LIAISON_SMTP_USER"]
        self.password = config["LIAISON_SMTP_PASSWORD"]
        self.tls = config["LIAISON_SMTP_TLS"]
        self.sender = formataddr(("代表联络平台", config["LIAISON_SMTP_FROM"]))

    def deliver(self, user, message):
        """Send the message to the user's address; users without one are skipped."""
        address = db.session.get(EmailAddress, user.id)
        if address is None or not address.address:
            return
        email = build_email(self.sender, address.address, message.subject, message.body)
        self.send(email)
        log.info("email sent: message=%s user=%s", message.id, user.id)

    def send(self, email):
        """Hand one email to the SMTP server."""
        if self.tls == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        with smtp:
            if self.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(email)


# --- SMS --------------------------------------------------------------------------------------

class SmsGateway:
    """The interface of an SMS provider: ``send`` one text to one mobile number."""

    def __init__(self, config):
        self.config = config

    def send(self, mobile, text, user=None, message=None):
        raise NotImplementedError


class OutboxGateway(SmsGateway):
    """The default gateway: sends nothing, writes the text to the outbox table for staff to read."""

    def send(self, mobile, text, user=None, message=None):
        """Queue the text as a pending outbox row (in the caller's transaction)."""
        row = SmsOutbox(mobile=mobile, text=text, status=SmsStatus.pending,
                        user_id=user.id if user is not None else None,
                        message_id=message.id if message is not None else None)
        db.session.add(row)
        db.session.flush()
        return row


def sms_text(message):
    """The text for one message: subject and body when they fit two segments, else a pointer to the inbox."""
    text = f"{SMS_SIGNATURE}{message.subject}"
    if message.body:
        text += f"：{message.body}"
    if len(text) <= SMS_MAX:
        return text
    return f"{SMS_SIGNATURE}{message.subject}。详情请登录代表联络平台查看消息。"[:SMS_MAX]


class SmsChannel(Channel):
    """Text messages through the configured gateway, to the mobile number the user signs in with."""

    name = "sms"

    def __init__(self, gateway):
        self.gateway = gateway

    def deliver(self, user, message):
        """Hand the short text to the gateway."""
        if not user.mobile:
            return
        self.gateway.send(user.mobile, sms_text(message), user=user, message=message)


# --- the configured set ---------------------------------------------------------------------

def build_channels(config):
    """The channels the configuration turns on, in delivery order."""
    channels = []
    if config.get("LIAISON_SMTP_HOST"):
        channels.append(EmailChannel(config))
    gateway_path = (config.get("LIAISON_SMS_GATEWAY") or "").strip()
    if gateway_path and gateway_path.lower() != "none":
        gateway_class = import_string(gateway_path)
        channels.append(SmsChannel(gateway_class(config)))
    return channels


def configured_channels():
    """The current app's channels, built once per app."""
    extensions = current_app.extensions
    if "liaison_channels" not in extensions:
        extensions["liaison_channels"] = build_channels(current_app.config)
    return extensions["liaison_channels"]
