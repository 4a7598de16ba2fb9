"""Inbox messages, their deliveries by email and SMS (the SMS outbox too), and users' email addresses."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class Message(db.Model):
    """One message in one user's inbox, or a text to a constituent who has no account (``user_id``
    NULL, SMS only); the same (user, dedupe key) is never written twice."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        # NULLs are distinct in the key above: texts to constituents get a unique key of their own.
        sa.Index("ux_messages_text_dedupe_key", "dedupe_key", unique=True,
                 postgresql_where=sa.text("user_id IS NULL"), sqlite_where=sa.text("user_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The recipient's account; NULL for a text to a constituent's number (rule R29), whose only copy
    #: is its SMS delivery.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: What rule sent it, e.g. ``month_end_station`` or ``rota_published``.
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: Names the rule and period, e.g. ``month_end_station:2026-03``, so a rule reaches each user
    #: once per period; a random value when the sender gave none. Never NULL: NULLs would not
    #: collide in the unique key on PostgreSQL.
    dedupe_key: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the user marked it read; NULL while unread.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    deliveries = relationship("Delivery", back_populates="message", cascade="all, delete-orphan",
                              passive_deletes=True, order_by="Delivery.id")

    @property
    def unread(self):
        return self.read_at is None

    def __repr__(self):
        return f"<Message {self.id} {self.kind}>"


class DeliveryStatus(enum.Enum):
    """Where one message stands on one channel."""

    #: Waiting for the scheduler's delivery job (first try, or a retry after ``next_try_at``).
    pending = "pending"
    sent = "sent"
    #: Given up: refused for good, or still failing after the last attempt; staff may retry.
    failed = "failed"
    #: Kept in the SMS outbox for staff to read: the default gateway sends nothing, ever.
    held = "held"

    @property
    def label(self):
        return {"pending": _l("等待发送"), "sent": _l("已发送"), "failed": _l("发送失败"),
                "held": _l("仅存发件箱")}[self.value]


class Delivery(db.Model):
    """One message on one channel (email, SMS): written with the message, sent later by the
    scheduler's delivery job, so nothing leaves the process inside a request."""

    __tablename__ = "deliveries"
    __table_args__ = (sa.UniqueConstraint("message_id", "channel"),
                      sa.Index("ix_deliveries_status_next_try_at", "status", "next_try_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"))
    #: The channel's name: ``email`` or ``sms``.
    channel: Mapped[str] = mapped_column(sa.String(10))
    #: Where it goes, taken when the message was written: an email address or an 11-digit mobile
    #: number (pages show it masked).
    address: Mapped[str] = mapped_column(sa.String(254))
    status: Mapped[DeliveryStatus] = mapped_column(
        sa.Enum(DeliveryStatus, native_enum=False, length=10), default=DeliveryStatus.pending)
    #: Tries made since the message was written or staff last asked for a retry.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Why the last try failed (the server's answer or the error); empty after a success.
    last_error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    #: When a pending delivery may be tried (again); NULL once it is sent, failed or held.
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the server or gateway accepted it; NULL until then.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message = relationship("Message", back_populates="deliveries")

    def __repr__(self):
        return f"<Delivery {self.id} {self.channel} {self.status.value}>"


class EmailAddress(db.Model):
    """The address a user wants messages emailed to (accounts themselves only hold a mobile number)."""

    __tablename__ = "email_addresses"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
