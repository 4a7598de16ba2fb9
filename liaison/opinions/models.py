"""Constituents' opinions at stations (民意 接、登、转、复): the opinion, and its visible timeline.

The status says where an opinion stands now; the dates beside it say when each step happened,
so counters per month read the date of the step (``received_month``, ``registered_on``,
``referred_on``, ``replied_on``), never the current status.
"""
import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db

#: Capital letters and digits that cannot be confused when read aloud or typed (no 0/O, 1/I/L).
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 8


def new_lookup_number():
    """A fresh random lookup number (31⁸ ≈ 8.5×10¹¹ values: not sequential, not guessable)."""
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def normalise_lookup_number(text):
    """What a constituent typed, as stored: upper case, spaces and dashes dropped; '' if malformed."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -－—\t")
    if len(cleaned) != NUMBER_LENGTH or any(ch not in NUMBER_ALPHABET for ch in cleaned):
        return ""
    return cleaned


def month_key(day: date) -> str:
    """The month a local date falls in, as stored for counting: '2026-11'."""
    return f"{day.year:04d}-{day.month:02d}"


class Channel(enum.Enum):
    """How the opinion reached the station."""

    #: Left by the constituent on the station's public page (扫码留言), without an account.
    public_page = "public_page"
    #: Heard during a reception and recorded by the deputy on duty or staff (接待登记).
    reception = "reception"

    @property
    def label(self):
        # 接待登记 is also the name of the recording page ("Record a reception"); here it says how the
        # opinion came in, hence the context.
        return {"public_page": _l("扫码留言"),
                "reception": lazy_pgettext("opinion channel", "接待登记")}[self.value]


class Category(enum.Enum):
    """What the opinion is about, as the constituent or staff chose it."""

    construction = "construction"
    social_security = "social_security"
    education_health = "education_health"
    environment = "environment"
    transport = "transport"
    economy = "economy"
    governance = "governance"
    other = "other"

    @property
    def label(self):
        return {
            "construction": _l("城乡建设"), "social_security": _l("社会保障"),
            "education_health": _l("教育卫生"), "environment": _l("环境保护"),
            "transport": _l("交通出行"), "economy": _l("经济发展"),
            "governance": _l("社会治理"), "other": _l("其他"),
        }[self.value]


class Status(enum.Enum):
    """Where an opinion stands now (接、登、转、复).

    received → registered → referred | suggestion → replied; registered → replied directly or on
    the spot (``handling`` tells which). ``handed_over`` (a petition passed to 信访) and
    ``rejected`` (spam, abuse, nothing to handle) are final and leave the station's counters.
    """

    received = "received"
    registered = "registered"
    referred = "referred"
    suggestion = "suggestion"
    replied = "replied"
    handed_over = "handed_over"
    rejected = "rejected"
    #: The constituent rated the reply 不满意: back in staff's queue with the reason (rule R30).
    reopened = "reopened"

    @property
    def label(self):
        return {
            "received": _l("已接收"), "registered": _l("已登记"), "referred": _l("已转办"),
            "suggestion": _l("已转为建议"), "replied": _l("已答复"), "handed_over": _l("已转信访"),
            "rejected": _l("不予受理"), "reopened": _l("重新办理"),
        }[self.value]


#: Statuses still waiting for a reply.
OPEN_STATUSES = (Status.received, Status.registered, Status.referred, Status.suggestion, Status.reopened)
#: Statuses of opinions waiting on someone else by a due date (overdue when past it unanswered).
AWAITING_STATUSES = (Status.referred, Status.suggestion)


class Handling(enum.Enum):
    """How the opinion was (or is being) handled, kept after the reply."""

    #: 当场答复: answered at once, during the reception or by staff on first reading.
    on_spot = "on_spot"
    #: 转办: referred to a government department with a due date.
    referral = "referral"
    #: 转为建议: taken up by a deputy as a suggestion.
    suggestion = "suggestion"
    #: 直接答复: staff replied after registering it, without a referral.
    direct = "direct"

    @property
    def label(self):
        return {"on_spot": _l("当场答复"), "referral": _l("转办"), "suggestion": _l("转为建议"),
                "direct": _l("直接答复")}[self.value]


class Satisfaction(enum.Enum):
    """The constituent's verdict on the reply, given once."""

    satisfied = "satisfied"
    basically = "basically"
    unsatisfied = "unsatisfied"

    @property
    def label(self):
        return {"satisfied": _l("满意"), "basically": _l("基本满意"), "unsatisfied": _l("不满意")}[self.value]


class Opinion(db.Model):
    """One constituent's opinion received at a home or station."""

    __tablename__ = "opinions"
    __table_args__ = (
        sa.Index("ix_opinions_township_month", "township_id", "received_month"),
        sa.Index("ix_opinions_station_month", "station_id", "received_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lookup number given to the constituent (8 characters of NUMBER_ALPHABET, shown as ABCD-EFGH).
    number: Mapped[str] = mapped_column(sa.String(NUMBER_LENGTH), unique=True, default=new_lookup_number)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("stations.id"))
    #: The station's township when received, copied so counters and scope need no join.
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("townships.id"))
    channel: Mapped[Channel] = mapped_column(
        sa.Enum(Channel, name="opinionchannel", native_enum=False, length=12))
    category: Mapped[Category] = mapped_column(
        sa.Enum(Category, name="opinioncategory", native_enum=False, length=20))
    #: What the constituent said (at most CONTENT_MAX characters, checked by the forms).
    content: Mapped[str] = mapped_column(sa.Text)
    #: Optional; never shown on public pages.
    constituent_name: Mapped[str] = mapped_column(sa.String(50), default="")
    #: Optional mainland mobile number (11 digits); shown in full only to staff of the township
    #: and the committee, masked (139****0001) everywhere else. Kept only with the constituent's
    #: consent (``phone_consented_at``), and emptied a set time after the opinion closes (rule R29).
    phone: Mapped[str] = mapped_column(sa.String(11), default="")
    #: UTC instant the constituent agreed that the number be kept to tell them of each step by SMS;
    #: NULL when no number was kept.
    phone_consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: UTC instant the retention job emptied ``phone``; NULL while it is kept (or none was given).
    phone_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Random hex name of the stored photo in the attachments folder; NULL when none.
    photo_name: Mapped[str | None] = mapped_column(sa.String(64))
    #: Content type told from the photo's bytes (image/jpeg or image/png).
    photo_type: Mapped[str] = mapped_column(sa.String(20), default="")
    #: Size in bytes.
    photo_size: Mapped[int | None]

    #: UTC instant it was received, and its local date and month ('2026-11') for counting.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date]
    received_month: Mapped[str] = mapped_column(sa.String(7))
    #: Who typed it in (deputy or staff, channel reception); NULL when left on the public page.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The deputy who received it during a reception; NULL when none was named.
    deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    #: The check-in whose 签退 recorded it (one line of the reception record); NULL otherwise.
    checkin_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checkins.id"), index=True)

    status: Mapped[Status] = mapped_column(
        sa.Enum(Status, name="opinionstatus", native_enum=False, length=12),
        default=Status.received, index=True)
    #: How it was handled; NULL until staff decide.
    handling: Mapped[Handling | None] = mapped_column(
        sa.Enum(Handling, name="opinionhandling", native_enum=False, length=12))

    #: 登记: local date staff accepted it into the queue; NULL until then.
    registered_on: Mapped[date | None]
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    #: 转办: the department it was referred to; ``referred_on`` is the local date it was passed on
    #: (to a department, or to a deputy as a suggestion).
    department: Mapped[str] = mapped_column(sa.String(100), default="")
    referred_on: Mapped[date | None]
    #: Local date a reply is due (referral or suggestion); overdue when past and not replied.
    due_on: Mapped[date | None] = mapped_column(index=True)

    #: 转为建议: the deputy who takes it up, and the suggestion's text.
    suggestion_deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deputies.id"))
    suggestion_text: Mapped[str] = mapped_column(sa.Text, default="")

    #: 答复: the reply shown to the constituent, when and by whom; NULL/empty until replied.
    reply: Mapped[str] = mapped_column(sa.Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Local date of the reply, for counting replies per month.
    replied_on: Mapped[date | None]
    replied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    #: The constituent's verdict after the reply; NULL until given (once only).
    satisfaction: Mapped[Satisfaction | None] = mapped_column(
        sa.Enum(Satisfaction, name="opinionsatisfaction", native_enum=False, length=12))
    satisfaction_comment: Mapped[str] = mapped_column(sa.String(500), default="")
    satisfaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: Local date the overdue reminder was sent; NULL while none was, so it goes out once.
    overdue_reminded_on: Mapped[date | None]

    #: Local date the opinion was last closed (办结: replied, handed over or rejected); NULL while open.
    #: The phone number is removed a set number of days after it (rule R29).
    concluded_on: Mapped[date | None] = mapped_column(index=True)
    #: Times the constituent rated a reply 不满意, which sent it back to staff (rule R30).
    reopened_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Local date of the last reopening, for counting reopenings per period; NULL if never reopened.
    reopened_on: Mapped[date | None]
    #: Why the constituent was not satisfied, as they wrote it (staff only; may be empty).
    reopen_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    #: 转信访 or 不予受理: why, for staff (never shown publicly).
    closing_note: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    #: Optimistic lock: two staff acting on the same opinion at once cannot both win.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    station = relationship("Station")
    township = relationship("Township")
    deputy = relationship("Deputy", foreign_keys=[deputy_id])
    suggestion_deputy = relationship("Deputy", foreign_keys=[suggestion_deputy_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    registered_by = relationship("User", foreign_keys=[registered_by_id])
    replied_by = relationship("User", foreign_keys=[replied_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    checkin = relationship("Checkin")
    events = relationship("OpinionEvent", back_populates="opinion", cascade="all, delete-orphan",
                          order_by="(OpinionEvent.at, OpinionEvent.id)")

    @property
    def grouped_number(self):
        """The lookup number as shown and read aloud: ABCD-EFGH."""
        half = NUMBER_LENGTH // 2
        return f"{self.number[:half]}-{self.number[half:]}"

    def is_overdue(self, today: date) -> bool:
        """Waiting on a department or deputy past its due date, without a reply."""
        return self.status in AWAITING_STATUSES and self.due_on is not None and self.due_on < today

    @property
    def can_be_rated(self):
        """The constituent may give a verdict once, after a reply."""
        return self.status is Status.replied and self.satisfaction is None

    def __repr__(self):
        return f"<Opinion {self.number}>"


class EventKind(enum.Enum):
    """A step in an opinion's timeline."""

    received = "received"
    registered = "registered"
    answered_on_spot = "answered_on_spot"
    referred = "referred"
    suggestion = "suggestion"
    replied = "replied"
    rated = "rated"
    handed_over = "handed_over"
    rejected = "rejected"
    #: The overdue reminder went to the township's staff (written by the reminder job).
    reminded = "reminded"
    #: A remark by staff, for staff.
    note = "note"
    #: The constituent rated the reply 不满意: back to staff (rule R30).
    reopened = "reopened"
    #: Closed with its result on the lookup page: the constituent left no contact (rule R30).
    closed_no_contact = "closed_no_contact"
    #: The phone number was removed after the retention period (rule R29; staff only).
    phone_removed = "phone_removed"

    @property
    def label(self):
        return {
            "received": _l("已接收"), "registered": _l("已登记"), "answered_on_spot": _l("当场答复"),
            "referred": _l("已转办"), "suggestion": _l("已转为代表建议"), "replied": _l("已答复"),
            "rated": _l("已评价"), "handed_over": _l("已转信访部门"), "rejected": _l("不予受理"),
            "reminded": _l("逾期提醒"), "note": _l("备注"), "reopened": _l("群众不满意，重新办理"),
            "closed_no_contact": _l("已办结（群众未留联系方式）"), "phone_removed": _l("联系电话已按期删除"),
        }[self.value]


class OpinionEvent(db.Model):
    """One step of an opinion's handling: a timeline for staff and, when public, for the constituent."""

    __tablename__ = "opinion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(sa.ForeignKey("opinions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(
        sa.Enum(EventKind, name="opinioneventkind", native_enum=False, length=20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The user who acted; NULL for the constituent or a scheduled job.
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Short text for the timeline (the department, the due date); no names or phone numbers.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Shown on the constituent's lookup page; staff-only steps (notes, hand-over reasons) are not.
    public: Mapped[bool] = mapped_column(default=True)

    opinion = relationship("Opinion", back_populates="events")
    by = relationship("User")
