"""Audit events: append-only rows; the database itself refuses updates (see the migration)."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class Outcome(enum.Enum):
    success = "success"
    failure = "failure"
    denied = "denied"

    @property
    def label(self):
        return {"success": _l("成功"), "failure": _l("失败"), "denied": _l("拒绝")}[self.value]


class AuditEvent(db.Model):
    """One audited action. Never holds a full phone number or coordinates."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_action_occurred_at", "action", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The signed-in user who acted; NULL for anonymous attempts (a failed sign-in).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The actor's name at the time, kept even if the account changes later.
    actor_name: Mapped[str] = mapped_column(sa.String(50), default="")
    #: Dotted code, e.g. ``login.failure``, ``user.access_changed``, ``mobile.revealed``.
    action: Mapped[str] = mapped_column(sa.String(50))
    outcome: Mapped[Outcome] = mapped_column(sa.Enum(Outcome, native_enum=False, length=10))
    #: What was acted on: a table name and its id, or empty.
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Township of the target when it has one, so township-scoped reviews are possible.
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("townships.id"))
    #: Client address (behind the configured reverse proxy); IPv6 fits.
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Short free text for reviewers (masked phone numbers only).
    detail: Mapped[str] = mapped_column(sa.String(500), default="")

    @property
    def action_label(self):
        from liaison.audit.operations import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)
