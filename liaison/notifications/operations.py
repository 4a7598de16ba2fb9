"""Writes on notifications: send a message (inbox row, deliveries), retry a delivery, mark read, set email."""
import logging
import re
import uuid

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.audit.operations import record_event
from liaison.clock import utcnow
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.notifications.channels import configured_channels
from liaison.notifications.models import Delivery, DeliveryStatus, EmailAddress, Message

log = logging.getLogger(__name__)

SUBJECT_MAX = 100
EMAIL_MAX = 254
#: Good enough to catch typing mistakes; the mail server has the last word.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def send(user, subject, body="", kind="notice", dedupe_key=None):
    """Put a message in ``user``'s inbox and queue one delivery per configured channel that reaches them.

    Nothing leaves the process here: the message and its deliveries are rows in the caller's
    transaction, and the scheduler's delivery job sends them after the commit (a rollback sends
    nothing). With a ``dedupe_key`` (rule and period, e.g. ``month_end_station:2026-03``) the same
    user never gets the same key twice: the second call returns None and queues nothing.
    """
    key = dedupe_key or f"uuid:{uuid.uuid4().hex}"
    if dedupe_key and db.session.scalar(sa.select(Message.id).where(
            Message.user_id == user.id, Message.dedupe_key == key)) is not None:
        return None
    now = utcnow()
    message = Message(user_id=user.id, kind=kind, subject=str(subject)[:SUBJECT_MAX], body=str(body or ""),
                      dedupe_key=key, created_at=now)
    for channel in configured_channels():
        address = channel.address_of(user)
        if address:
            held = channel.holds
            message.deliveries.append(Delivery(
                channel=channel.name, address=address, created_at=now,
                status=DeliveryStatus.held if held else DeliveryStatus.pending,
                next_try_at=None if held else now))
    try:
        # A savepoint: a concurrent sender with the same key costs this message only, not the caller's work.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    log.info("message queued: message=%s kind=%s user=%s deliveries=%s", message.id, kind, user.id,
             ",".join(d.channel for d in message.deliveries) or "-")
    return message


def send_text(mobile, subject, body="", kind="notice", dedupe_key=None):
    """Queue a text to a mobile number that has no account (a constituent), on the SMS channel only.

    As ``send``: a row in the caller's transaction, sent by the delivery job after the commit; the
    same ``dedupe_key`` is never queued twice (a unique index of its own, for messages without a
    user). Returns the message, or None when SMS is turned off (``LIAISON_SMS_GATEWAY=none``), the
    number is blank, or the key was used.
    """
    channel = next((c for c in configured_channels() if c.name == "sms"), None)
    if channel is None or not mobile:
        return None
    key = dedupe_key or f"uuid:{uuid.uuid4().hex}"
    if dedupe_key and db.session.scalar(sa.select(Message.id).where(
            Message.user_id.is_(None), Message.dedupe_key == key)) is not None:
        return None
    now = utcnow()
    message = Message(user_id=None, kind=kind, subject=str(subject)[:SUBJECT_MAX], body=str(body or ""),
                      dedupe_key=key, created_at=now)
    message.deliveries.append(Delivery(
        channel=channel.name, address=mobile, created_at=now,
        status=DeliveryStatus.held if channel.holds else DeliveryStatus.pending,
        next_try_at=None if channel.holds else now))
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    log.info("text queued: message=%s kind=%s", message.id, kind)
    return message


def retry_delivery(delivery):
    """Queue a failed delivery again (a fresh round of tries), with an audit event naming the last error."""
    if delivery.status is not DeliveryStatus.failed:
        raise InvalidInput(_l("只有发送失败的消息可以重发。"))
    record_event("delivery.retried", target=delivery,
                 detail=f"{delivery.channel} message={delivery.message_id} after {delivery.attempts} "
                        f"attempts: {delivery.last_error}"[:500])
    delivery.status = DeliveryStatus.pending
    delivery.attempts = 0
    delivery.next_try_at = utcnow()
    db.session.flush()
    log.info("delivery retried: delivery=%s channel=%s", delivery.id, delivery.channel)
    return delivery


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
