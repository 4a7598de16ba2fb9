"""Reads for the inbox, the unread count in the menu, and the SMS outbox."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from liaison.extensions import db
from liaison.notifications.models import Message, SmsOutbox
from liaison.text import mobile_conditions


def inbox(user_id):
    """A user's messages, newest first (a select of ``Message``)."""
    return (sa.select(Message).where(Message.user_id == user_id)
            .order_by(Message.created_at.desc(), Message.id.desc()))


def unread_count(user_id):
    """How many of a user's messages are unread."""
    return db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.user_id == user_id, Message.read_at.is_(None))) or 0


def outbox(q=""):
    """Outbox rows, newest first; ``q`` matches the text or the mobile number as shown (the same
    rule as every list: liaison.text.shown_mobile_patterns)."""
    query = (sa.select(SmsOutbox).options(selectinload(SmsOutbox.user))
             .order_by(SmsOutbox.created_at.desc(), SmsOutbox.id.desc()))
    if q:
        query = query.where(sa.or_(SmsOutbox.text.contains(q, autoescape=True),
                                   *mobile_conditions(SmsOutbox.mobile, q)))
    return query
