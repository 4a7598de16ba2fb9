"""Writes on notifications: send a message (inbox row, then each channel), mark read, set an email address."""
import logging
import re
import uuid

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.clock import utcnow
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.notifications.channels import configured_channels
from liaison.notifications.models import EmailAddress, Message

log = logging.getLogger(__name__)

SUBJECT_MAX = 100
EMAIL_MAX = 254
#: Good enough to catch typing mistakes; the mail server has the last word.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def send(user, subject, body="", kind="notice", dedupe_key=None):
    """Put a message in ``user``'s inbox and hand it to every configured channel.

    With a ``dedupe_key`` (rule and period, e.g. ``month_end_station:2026-03``) the same user
    never gets the same key twice: the second call returns None and delivers nothing. A channel
    that fails is logged and does not undo the inbox row.
    """
    key = dedupe_key or f"uuid:{uuid.uuid4().hex}"
    if dedupe_key and db.session.scalar(sa.select(Message.id).where(
            Message.user_id == user.id, Message.dedupe_key == key)) is not None:
        return None
    message = Message(user_id=user.id, kind=kind, subject=str(subject)[:SUBJECT_MAX], body=str(body or ""),
                      dedupe_key=key, created_at=utcnow())
    try:
        # A savepoint: a concurrent sender with the same key costs this message only, not the caller's work.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    for channel in configured_channels():
        try:
            with db.session.begin_nested():
                channel.deliver(user, message)
        except Exception:  # noqa: BLE001 - one channel's failure must not lose the inbox message
            log.exception("delivery failed: channel=%s message=%s", channel.name, message.id)
    log.info("message sent: message=%s kind=%s user=%s", message.id, kind, user.id)
    return message


def mark_read(message):
    """Mark one message read (again is harmless)."""
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.flush()
        log.info("message read: message=%s", message.id)
    return message


def mark_all_read(user):
    """Mark every unread message of a user read; returns how many."""
    result = db.session.execute(
        sa.update(Message).where(Message.user_id == user.id, Message.read_at.is_(None))
        .values(read_at=utcnow()))
    log.info("messages read: user=%s count=%s", user.id, result.rowcount)
    return result.rowcount


def set_email_address(user, address):
    """Set (or with a blank value, remove) the address messages are emailed to."""
    address = (address or "").strip()
    row = db.session.get(EmailAddress, user.id)
    if not address:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        log.info("email address removed: user=%s", user.id)
        return None
    if len(address) > EMAIL_MAX or not EMAIL_PATTERN.match(address):
        raise InvalidInput(_l("电子邮箱格式不对，应类似 name@example.com，请检查。"), "address")
    if row is None:
        row = EmailAddress(user_id=user.id, address=address)
        db.session.add(row)
    else:
        row.address = address
    db.session.flush()
    log.info("email address set: user=%s", user.id)
    return row


def notify_deputy(deputy, subject, body, kind, dedupe_key=None):
    """Message a deputy through their account, if they have an enabled one; returns the message or None."""
    user = deputy.account
    if user is None or not user.enabled:
        return None
    return send(user, subject, body, kind=kind, dedupe_key=dedupe_key)
