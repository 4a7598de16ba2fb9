"""The monthly rota (排班): months, slots and assignments; unavailability; leave and swap requests;
collective activities at homes (季回家) with their invitations."""
import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class RotaStatus(enum.Enum):
    """A month is planned as a draft, then published (公示): deputies and the public see it."""

    draft = "draft"
    published = "published"

    @property
    def label(self):
        return {"draft": _l("草稿"), "published": _l("已公示")}[self.value]


class AssignmentStatus(enum.Enum):
    """Where one deputy's place in one slot stands."""

    assigned = "assigned"
    #: Leave approved: the place no longer counts against the slot's capacity.
    on_leave = "on_leave"
    #: A colleague took the place over (换班 approved).
    swapped_out = "swapped_out"
    #: The slot passed without a check-in by the deputy at that station that day.
    no_show = "no_show"
    attended = "attended"
    #: Taken off the slot because the deputy may no longer receive that day (mandate ended early,
    #: suspended, or recorded unavailable after the rota was made; rule R20). ``status_note`` says why.
    removed = "removed"

    @property
    def label(self):
        return {"assigned": _l("已安排"), "on_leave": _l("已请假"), "swapped_out": _l("已换班"),
                "no_show": _l("未到"), "attended": _l("已到"), "removed": _l("已移出")}[self.value]

    @property
    def holds_place(self):
        """True when the deputy still takes one of the slot's places."""
        return self in HOLDING_PLACE


#: Statuses that take a place in the slot (count against its capacity, shown on the notice).
HOLDING_PLACE = (AssignmentStatus.assigned, AssignmentStatus.no_show, AssignmentStatus.attended)


class RotaMonth(db.Model):
    """One township's rota for one calendar month."""

    __tablename__ = "rota_months"
    __table_args__ = (
        sa.UniqueConstraint("township_id", "year", "month"),
        sa.CheckConstraint("month >= 1 AND month <= 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("townships.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    status: Mapped[RotaStatus] = mapped_column(sa.Enum(RotaStatus, native_enum=False, length=10),
                                               default=RotaStatus.draft)
    #: When and by whom it was published (公示); NULL while a draft.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township = relationship("Township")
    published_by = relationship("User")
    slots = relationship("Slot", back_populates="rota_month", cascade="all, delete-orphan",
                         order_by="(Slot.local_date, Slot.starts, Slot.station_id)")

    @property
    def published(self):
        """True once the month is published (公示)."""
        return self.status is RotaStatus.published

    @property
    def key(self):
        """``2026-10``: the month as jobs and messages name it."""
        return f"{self.year}-{self.month:02d}"

    def __repr__(self):
        return f"<RotaMonth {self.township_id} {self.key}>"


class Slot(db.Model):
    """A time at one station on one date when deputies receive constituents (接待时段)."""

    __tablename__ = "slots"
    __table_args__ = (
        sa.CheckConstraint("ends > starts", name="ends_after_starts"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.Index("ix_slots_station_id_local_date", "station_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rota_month_id: Mapped[int] = mapped_column(sa.ForeignKey("rota_months.id", ondelete="CASCADE"),
                                               index=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("stations.id"))
    #: Local calendar date; ``starts`` and ``ends`` are local wall-clock times.
    local_date: Mapped[date] = mapped_column(index=True)
    starts: Mapped[time]
    ends: Mapped[time]
    #: What the reception is about (e.g. 听取群众对乡村振兴的意见); may be blank.
    theme: Mapped[str] = mapped_column(sa.String(100), default="")
    #: How many deputies receive at once at most.
    capacity: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rota_month = relationship("RotaMonth", back_populates="slots")
    station = relationship("Station")
    assignments = relationship("SlotAssignment", back_populates="slot", cascade="all, delete-orphan",
                               order_by="SlotAssignment.id")

    @property
    def holding(self):
        """Assignments that take a place (not on leave, not swapped out)."""
        return [a for a in self.assignments if a.status.holds_place]

    @property
    def free_places(self):
        """Places still free in the slot."""
        return self.capacity - len(self.holding)

    def __repr__(self):
        return f"<Slot {self.station_id} {self.local_date} {self.starts}>"


class SlotAssignment(db.Model):
    """One deputy's place in one slot."""

    __tablename__ = "slot_assignments"
    __table_args__ = (sa.UniqueConstraint("slot_id", "deputy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("slots.id", ondelete="CASCADE"))
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    status: Mapped[AssignmentStatus] = mapped_column(sa.Enum(AssignmentStatus, native_enum=False, length=12),
                                                     default=AssignmentStatus.assigned)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the no-show job (or a decision) last changed the status; NULL while as created.
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the place was removed (status ``removed``), as the month page and the notices say it,
    #: e.g. 黄刚 已于12月8日终止代表资格（迁出或调离本行政区域）; "" otherwise.
    status_note: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")

    slot = relationship("Slot", back_populates="assignments")
    deputy = relationship("Deputy")
    requests = relationship("LeaveRequest", back_populates="assignment", cascade="all, delete-orphan",
                            order_by="LeaveRequest.id")

    def __repr__(self):
        return f"<SlotAssignment {self.slot_id} {self.deputy_id} {self.status.value}>"


class Unavailability(db.Model):
    """Dates a deputy cannot receive constituents (出差、住院…); the rota keeps them free."""

    __tablename__ = "unavailabilities"
    __table_args__ = (sa.CheckConstraint("last_day >= first_day", name="last_after_first"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    #: Local dates, both included.
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The deputy themself or a staff member.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deputy = relationship("Deputy")
    recorded_by = relationship("User")


class RequestKind(enum.Enum):
    """请假 (the place is freed) or 换班 (a colleague takes it over)."""

    leave = "leave"
    swap = "swap"

    @property
    def label(self):
        return {"leave": _l("请假"), "swap": _l("换班")}[self.value]


class RequestStatus(enum.Enum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    #: The place was taken off the rota while the request waited (rule R20): nothing left to decide.
    closed = "closed"

    @property
    def label(self):
        return {"pending": _l("待审批"), "approved": _l("已批准"), "refused": _l("未批准"),
                "closed": _l("接待已取消，无需审批")}[self.value]


class LeaveRequest(db.Model):
    """A deputy's request for leave from, or a swap of, one assigned slot; staff decide."""

    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("slot_assignments.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[RequestKind] = mapped_column(sa.Enum(RequestKind, native_enum=False, length=10))
    reason: Mapped[str] = mapped_column(sa.String(200))
    #: For a swap: the colleague who takes the slot over; NULL for leave.
    swap_with_deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deputies.id"))
    status: Mapped[RequestStatus] = mapped_column(sa.Enum(RequestStatus, native_enum=False, length=10),
                                                  default=RequestStatus.pending, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The staff member who decided, when, and what they said; NULL while pending.
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.String(200), default="")

    assignment = relationship("SlotAssignment", back_populates="requests")
    swap_with = relationship("Deputy", foreign_keys=[swap_with_deputy_id])
    decided_by = relationship("User")

    def __repr__(self):
        return f"<LeaveRequest {self.id} {self.kind.value} {self.status.value}>"
