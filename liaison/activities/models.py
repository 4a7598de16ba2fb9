"""A collective activity at a 代表之家 (季回家) and the deputies invited to it."""
import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class ActivityType(enum.Enum):
    """What a collective activity at a home is (季回家)."""

    study = "study"
    inspection = "inspection"
    discussion = "discussion"
    other = "other"

    @property
    def label(self):
        return {"study": _l("学习培训"), "inspection": _l("视察调研"), "discussion": _l("座谈交流"),
                "other": _l("其他")}[self.value]


class Activity(db.Model):
    """A collective activity at a 代表之家; attendance comes from check-ins there at that time."""

    __tablename__ = "activities"
    __table_args__ = (sa.CheckConstraint("ends > starts", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The home (a station of kind ``home``) where it takes place.
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("stations.id"), index=True)
    #: Local date and wall-clock times.
    local_date: Mapped[date] = mapped_column(index=True)
    starts: Mapped[time]
    ends: Mapped[time]
    type: Mapped[ActivityType] = mapped_column(sa.Enum(ActivityType, native_enum=False, length=12))
    title: Mapped[str] = mapped_column(sa.String(100))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    station = relationship("Station")
    created_by = relationship("User")
    invitations = relationship("ActivityInvitation", back_populates="activity", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Activity {self.id} {self.local_date}>"


class ActivityInvitation(db.Model):
    """A deputy invited to an activity."""

    __tablename__ = "activity_invitations"
    __table_args__ = (sa.UniqueConstraint("activity_id", "deputy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"))
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)

    activity = relationship("Activity", back_populates="invitations")
    deputy = relationship("Deputy")
