"""Reads for the inbox, the unread count in the menu, and deliveries (the SMS outbox among them)."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from liaison.accounts.models import User, user_townships
from liaison.clock import local_zone, to_local
from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.notifications.channels import sms_text
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from liaison.text import mask_address, mobile_conditions


def inbox(user_id):
    """A user's messages, newest first (a select of ``Message``)."""
    return (sa.select(Message).where(Message.user_id == user_id)
            .order_by(Message.created_at.desc(), Message.id.desc()))


def unread_count(user_id):
    """How many of a user's messages are unread."""
    return db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.user_id == user_id, Message.read_at.is_(None))) or 0


def recipient_in_townships(township_ids):
    """A condition on ``User``: staff scoped to one of the townships, or a deputy with a mandate there."""
    township_ids = list(township_ids)
    return sa.or_(
        sa.exists().where(user_townships.c.user_id == User.id,
                          user_townships.c.township_id.in_(township_ids)),
        sa.exists().where(Mandate.deputy_id == User.deputy_id, Mandate.township_id.in_(township_ids)))


def deliveries(township_ids=None, status=None, channel=None, q="", since=None, until=None):
    """Deliveries with their message and recipient, newest first (a select of ``Delivery``).

    ``township_ids`` None means the whole district; otherwise only messages to people of those
    townships. ``status`` is one ``DeliveryStatus`` or a tuple of them. ``q`` matches the subject or
    body, or a full mobile number. ``since`` / ``until`` are local dates (both included) of when the
    message was written.
    """
    # An outer join: a text to a constituent has no account (only the committee's outbox shows it).
    query = (sa.select(Delivery).join(Delivery.message).outerjoin(Message.user)
             .options(contains_eager(Delivery.message).contains_eager(Message.user))
             .order_by(Delivery.created_at.desc(), Delivery.id.desc()))
    if township_ids is not None:
        query = query.where(recipient_in_townships(township_ids))
    if isinstance(status, tuple):
        query = query.where(Delivery.status.in_(status))
    elif status is not None:
        query = query.where(Delivery.status == status)
    if since is not None:
        query = query.where(Delivery.created_at >= local_midnight(since))
    if until is not None:
        query = query.where(Delivery.created_at < local_midnight(until + timedelta(days=1)))
    if channel:
        query = query.where(Delivery.channel == channel)
    if q:
        query = query.where(sa.or_(Message.subject.contains(q, autoescape=True),
                                   Message.body.contains(q, autoescape=True),
                                   *mobile_conditions(Delivery.address, q)))
    return query


def outbox(q=""):
    """The SMS deliveries, newest first, as the outbox page lists them."""
    return deliveries(channel="sms", q=q)


def local_midnight(day):
    """The instant a local date begins."""
    return datetime.combine(day, time(0), tzinfo=local_zone())


#: Not (yet) delivered: waiting, given up, or kept in the outbox by the default gateway.
UNDELIVERED = (DeliveryStatus.pending, DeliveryStatus.failed, DeliveryStatus.held)


def undelivered_rows(township_id):
    """A township's messages not (yet) delivered, for staff to pass on by hand: plain rows, oldest
    first, numbers masked: recipient, channel, address, subject, the text as sent, state, tries,
    last error, written at (local time)."""
    query = (deliveries([township_id], status=UNDELIVERED).order_by(None)
             .order_by(Delivery.created_at, Delivery.id))
    for delivery in db.session.scalars(query):
        message = delivery.message
        text = sms_text(message.subject, message.body) if delivery.channel == "sms" else message.body
        yield (message.user.name, str(_l("短信") if delivery.channel == "sms" else _l("邮件")),
               mask_address(delivery.address),
               message.subject, text, str(delivery.status.label), delivery.attempts, delivery.last_error,
               to_local(delivery.created_at).replace(tzinfo=None))
