"""Inbox messages, the SMS outbox the default gateway writes, and each user's email address."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class Message(db.Model):
    """One message in one user's inbox; the same (user, dedupe key) is never written twice."""

    __tablename__ = "messages"
    __table_args__ = (sa.UniqueConstraint("user_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
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

    @property
    def unread(self):
        return self.read_at is None

    def __repr__(self):
        return f"<Message {self.id} {self.kind}>"


class SmsStatus(enum.Enum):
    """Where a text message stands; the default gateway only queues (pending)."""

    pending = "pending"
    sent = "sent"
    failed = "failed"

    @property
    def label(self):
        return {"pending": _l("待发送"), "sent": _l("已发送"), "failed": _l("发送失败")}[self.value]


class SmsOutbox(db.Model):
    """A text message handed to the SMS gateway; the default gateway stops here for staff to read."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Normalised 11-digit mobile number; pages show it masked.
    mobile: Mapped[str] = mapped_column(sa.String(11))
    text: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status: Mapped[SmsStatus] = mapped_column(sa.Enum(SmsStatus, native_enum=False, length=10),
                                              default=SmsStatus.pending)
    #: The recipient's account and the inbox message it repeats, when known.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id", ondelete="SET NULL"))

    user = relationship("User")


class EmailAddress(db.Model):
    """The address a user wants messages emailed to (accounts themselves only hold a mobile number)."""

    __tablename__ = "email_addresses"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(254))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
