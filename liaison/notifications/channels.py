"""Delivery channels behind one small interface: each takes one delivery of a message to its address.

A channel has a ``name``, ``address_of(user)`` (read when the message is written; None skips the
user) and ``deliver(outgoing)`` (called by the scheduler's delivery job only, never in a request),
which returns when the server accepted the message and raises ``DeliveryFailed`` otherwise. Two
ship with the product:

- ``EmailChannel``: SMTP with ``smtplib``, configured by LIAISON_SMTP_* variables; present only
  when LIAISON_SMTP_HOST is set, and it skips users who gave no email address.
- ``SmsChannel``: a short text through the gateway named by LIAISON_SMS_GATEWAY: ``outbox`` (the
  default) sends nothing and keeps the delivery "held" in the outbox staff read; ``http`` is
  ``HttpSmsGateway`` (a template id plus parameters, signed, see its docstring); a dotted path names
  another ``SmsGateway`` class taking the app config; ``none`` turns SMS off.
"""
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from werkzeug.utils import import_string

from liaison.extensions import db
from liaison.notifications.models import EmailAddress

log = logging.getLogger(__name__)

#: Two SMS segments of Chinese text; longer messages point to the inbox instead.
SMS_MAX = 140
SMS_SIGNATURE = "【代表联络平台】"
SMS_POINTER = "详情请登录代表联络平台查看消息。"
ERROR_MAX = 500


class DeliveryFailed(Exception):
    """A delivery the server or gateway did not accept.

    ``permanent``: a refusal that the same request would get again (no retry). ``channel_down``:
    the server could not be reached or answered as broken, so the delivery job leaves the
    channel's other deliveries for its next run instead of waiting out a timeout for each.
    """

    def __init__(self, reason, permanent=False, channel_down=False):
        super().__init__(reason)
        self.reason = str(reason)[:ERROR_MAX]
        self.permanent = permanent
        self.channel_down = channel_down


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to deliver one message, read before the send so no row stays open."""

    delivery_id: int
    address: str
    kind: str
    subject: str
    body: str


class Channel:
    """The interface every delivery channel implements."""

    name = "channel"
    #: True when deliveries are only kept for staff to read (the SMS outbox), never sent.
    holds = False

    def address_of(self, user):
        """Where this channel reaches ``user`` (an email address, a mobile number), or None."""
        raise NotImplementedError

    def deliver(self, outgoing):
        """Hand one message to the server; raise ``DeliveryFailed`` unless it was accepted."""
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
        self.timeout = config["LIAISON_SMTP_TIMEOUT"]
        self.sender = formataddr(("代表联络平台", config["LIAISON_SMTP_FROM"]))

    def address_of(self, user):
        """The address the user chose; None when they gave none."""
        address = db.session.get(EmailAddress, user.id)
        return address.address if address is not None and address.address else None

    def deliver(self, outgoing):
        """Send the email; an SMTP refusal (5xx) is permanent, anything else is worth a retry."""
        email = build_email(self.sender, outgoing.address, outgoing.subject, outgoing.body)
        try:
            self.send(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise DeliveryFailed(_smtp_reason(code, text), permanent=code >= 500) from error
        except smtplib.SMTPAuthenticationError as error:
            # Wrong credentials refuse every message alike: retry after staff fix the settings.
            raise DeliveryFailed(_smtp_reason(error.smtp_code, error.smtp_error),
                                 channel_down=True) from error
        except smtplib.SMTPResponseException as error:
            raise DeliveryFailed(_smtp_reason(error.smtp_code, error.smtp_error),
                                 permanent=error.smtp_code >= 500,
                                 channel_down=isinstance(error, smtplib.SMTPConnectError)) from error
        except (smtplib.SMTPException, OSError) as error:
            # Timeouts, refused connections, TLS failures, a server that hung up.
            raise DeliveryFailed(f"{type(error).__name__}: {error}", channel_down=True) from error

    def send(self, email):
        """Hand one email to the SMTP server."""
        if self.tls == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(email)


def _smtp_reason(code, text):
    """The server's answer as staff see it: "550 mailbox unavailable"."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


# --- SMS --------------------------------------------------------------------------------------

def sms_parts(subject, body):
    """(subject, content) for a text: the body when signature, subject and body fit two segments,
    else a pointer to the inbox."""
    if body and len(SMS_SIGNATURE) + len(subject) + 1 + len(body) <= SMS_MAX:
        return subject, body
    if not body:
        return subject, ""
    return subject, SMS_POINTER


def sms_text(subject, body):
    """The whole text as the outbox shows it (and as a gateway's template would render it)."""
    subject, content = sms_parts(subject, body)
    if content == SMS_POINTER:
        return f"{SMS_SIGNATURE}{subject}。{content}"[:SMS_MAX]
    return f"{SMS_SIGNATURE}{subject}：{content}" if content else f"{SMS_SIGNATURE}{subject}"


class SmsGateway:
    """The interface of an SMS provider: ``send`` one message to one mobile number."""

    #: True for a gateway that only keeps texts for staff to read.
    holds = False

    def __init__(self, config):
        self.config = config

    def send(self, outgoing):
        """Hand the text to the provider; raise ``DeliveryFailed`` unless it was accepted."""
        raise NotImplementedError


class OutboxGateway(SmsGateway):
    """The default gateway: sends nothing; its deliveries stay "held" in the outbox staff read."""

    holds = True

    def send(self, outgoing):
        raise DeliveryFailed("the outbox gateway sends nothing", permanent=True)


class HttpSmsGateway(SmsGateway):
    """An SMS gateway reached by one JSON POST per text, e.g. a small service in front of a
    provider's API (Chinese providers send only pre-approved templates).

    Request: ``POST LIAISON_SMS_URL`` with ``Content-Type: application/json`` and the body::

        {"request_id": "liaison-delivery-42", "mobile": "13912345678", "template": "SMS_0001",
         "params": {"subject": "...", "content": "..."}, "timestamp": 1796000000}

    ``template`` is the id configured for the message's kind in LIAISON_SMS_TEMPLATES (or its
    ``default``); ``request_id`` is the same on every retry of one delivery, so a gateway can drop a
    repeat. The header ``X-Liaison-Signature: sha256=<hex>`` is the HMAC-SHA256 of the exact body
    bytes with LIAISON_SMS_SECRET; the gateway should refuse a wrong signature or an old timestamp.

    Response: any 2xx means accepted. 4xx means refused for good (the reason is the JSON
    ``error``/``message`` field, or the text): the delivery fails at once. 5xx, a timeout
    (LIAISON_SMS_TIMEOUT seconds) or no connection: retried later with back-off.
    """

    def __init__(self, config):
        super().__init__(config)
        self.url = config["LIAISON_SMS_URL"]
        self.secret = config["LIAISON_SMS_SECRET"].encode()
        self.templates = config["LIAISON_SMS_TEMPLATES"]
        self.timeout = config["LIAISON_SMS_TIMEOUT"]

    def template_for(self, kind):
        """The template id for a kind of message, or the default one."""
        template = self.templates.get(kind) or self.templates.get("default")
        if not template:
            raise DeliveryFailed(f"no SMS template for kind {kind!r} (LIAISON_SMS_TEMPLATES)",
                                 permanent=True)
        return template

    def request_body(self, outgoing):
        """The JSON body, as bytes: exactly what the signature covers."""
        subject, content = sms_parts(outgoing.subject, outgoing.body)
        return json.dumps({"request_id": f"liaison-delivery-{outgoing.delivery_id}",
                           "mobile": outgoing.address,
                           "template": self.template_for(outgoing.kind),
                           "params": {"subject": subject, "content": content},
                           "timestamp": int(time.time())}, ensure_ascii=False).encode()

    def signature(self, body):
        return "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def send(self, outgoing):
        body = self.request_body(outgoing)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-Liaison-Signature": self.signature(body)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            with error:  # it holds the connection open until closed
                reason = f"HTTP {error.code}: {_gateway_reason(error)}"
            if error.code >= 500:
                raise DeliveryFailed(reason, channel_down=True) from error
            raise DeliveryFailed(reason, permanent=True) from error
        except (urllib.error.URLError, OSError) as error:
            # Includes timeouts (socket.timeout is an OSError) and refused connections.
            cause = getattr(error, "reason", error)
            raise DeliveryFailed(f"{type(cause).__name__}: {cause}", channel_down=True) from error


def _gateway_reason(error):
    """The gateway's own words for a refusal: its JSON ``error`` or ``message``, else the text."""
    text = error.read(ERROR_MAX).decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip() or error.reason
    if isinstance(data, dict):
        return str(data.get("error") or data.get("message") or text)
    return text


class SmsChannel(Channel):
    """Text messages through the configured gateway, to the mobile number the user signs in with."""

    name = "sms"

    def __init__(self, gateway):
        self.gateway = gateway
        self.holds = gateway.holds

    def address_of(self, user):
        return user.mobile or None

    def deliver(self, outgoing):
        self.gateway.send(outgoing)


# --- the configured set ---------------------------------------------------------------------

#: Short names for LIAISON_SMS_GATEWAY; anything else with a dot is a class path.
SMS_GATEWAYS = {"outbox": OutboxGateway, "http": HttpSmsGateway}


def build_channels(config):
    """The channels the configuration turns on, in delivery order."""
    channels = []
    if config.get("LIAISON_SMTP_HOST"):
        channels.append(EmailChannel(config))
    gateway = (config.get("LIAISON_SMS_GATEWAY") or "").strip()
    if gateway and gateway.lower() != "none":
        gateway_class = SMS_GATEWAYS.get(gateway.lower()) or import_string(gateway)
        channels.append(SmsChannel(gateway_class(config)))
    return channels


def configured_channels():
    """The current app's channels, built once per app."""
    extensions = current_app.extensions
    if "liaison_channels" not in extensions:
        extensions["liaison_channels"] = build_channels(current_app.config)
    return extensions["liaison_channels"]
