"""Duty reports (年述职): sessions, reports and the mandates they cover; the committee's settings."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class PlaceKind(enum.Enum):
    """Where a reporting session takes place."""

    home = "home"
    station = "station"
    other = "other"

    @property
    def label(self):
        return {"home": _l("代表之家"), "station": _l("代表联络站"), "other": _l("其他地点")}[self.value]


class ReportForm(enum.Enum):
    """How a deputy reported: face to face on site is the main form, the others supplement it."""

    on_site = "on_site"
    visits = "visits"
    written = "written"

    @property
    def label(self):
        return {"on_site": _l("现场面对面述职"), "visits": _l("个别走访述职"), "written": _l("书面述职")}[self.value]


#: The deputies planned to report at a session (their mandates).
session_mandates = sa.Table(
    "report_session_mandates",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("report_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("mandate_id", sa.ForeignKey("mandates.id"), primary_key=True),
)


class ReportSession(db.Model):
    """A reporting session (述职活动) planned by township staff: when, where, and who reports."""

    __tablename__ = "report_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("townships.id"), index=True)
    #: Local date of the session.
    session_date: Mapped[date] = mapped_column(index=True)
    place_kind: Mapped[PlaceKind] = mapped_column(sa.Enum(PlaceKind, native_enum=False, length=10))
    #: The home or station it takes place in; NULL for another place.
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stations.id"))
    #: The place in words (an address or a hall's name); may complete the home or station.
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: Staff member who planned it; NULL when made by a command (seed, import).
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township = relationship("Township")
    station = relationship("Station")
    created_by = relationship("User")
    mandates = relationship("Mandate", secondary=session_mandates, order_by="Mandate.id")
    reports = relationship("DutyReport", back_populates="session")

    def __repr__(self):
        return f"<ReportSession {self.id}>"


class DutyReport(db.Model):
    """One deputy's duty report (年述职), recorded for one mandate and possibly covering others."""

    __tablename__ = "duty_reports"
    __table_args__ = (
        # One report per deputy and session; reports outside a session (NULL) are not limited.
        sa.UniqueConstraint("session_id", "mandate_id"),
        sa.CheckConstraint("voters_present >= 0 AND satisfied >= 0 AND basically_satisfied >= 0 "
                           "AND dissatisfied >= 0", name="counts_not_negative"),
        sa.CheckConstraint("satisfied + basically_satisfied + dissatisfied <= voters_present",
                           name="evaluations_within_voters"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The mandate the report is recorded for; it decides the township (scope) of the record.
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("mandates.id"), index=True)
    #: The session it was given at; NULL for written reports and individual visits outside one.
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_sessions.id"), index=True)
    #: Local date of the report.
    report_date: Mapped[date] = mapped_column(index=True)
    form: Mapped[ReportForm] = mapped_column(sa.Enum(ReportForm, native_enum=False, length=10))
    #: Voters present (whole number); the evaluation counts below add up to at most this.
    voters_present: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
    basically_satisfied: Mapped[int] = mapped_column(default=0)
    dissatisfied: Mapped[int] = mapped_column(default=0)
    #: Only completed reports count as 已述.
    completed: Mapped[bool] = mapped_column(default=True)
    #: Random name of the stored attachment under the instance folder's attachments/; NULL when none.
    attachment_name: Mapped[str | None] = mapped_column(sa.String(64))
    #: The uploader's file name, shown and used for downloads (extension fixed to the real type).
    attachment_original: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Content type told from the file's bytes, not from its name.
    attachment_type: Mapped[str] = mapped_column(sa.String(100), default="")
    #: Size in bytes.
    attachment_size: Mapped[int | None]
    #: Optimistic lock: bumped on every update; an update from an older version is refused.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    mandate = relationship("Mandate")
    session = relationship("ReportSession", back_populates="reports")
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    coverages = relationship("DutyReportCoverage", back_populates="report", cascade="all, delete-orphan",
                             order_by="DutyReportCoverage.mandate_id")

    def __repr__(self):
        return f"<DutyReport {self.id}>"


class DutyReportCoverage(db.Model):
    """A report also covers another mandate of the same person (one session on 市 and 区 duties)."""

    __tablename__ = "duty_report_coverages"
    __table_args__ = (sa.UniqueConstraint("report_id", "mandate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_reports.id", ondelete="CASCADE"), index=True)
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("mandates.id"), index=True)
    #: When the coverage was recorded (a report may be marked as covering a mandate later than it was
    #: recorded): a closed term's figures leave out coverage recorded after their freeze (rule R14).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report = relationship("DutyReport", back_populates="coverages")
    mandate = relationship("Mandate")


#: The Setting holding the ids of the "two 100%" target terms (a JSON list); absent means the default.
TARGET_TERMS_KEY = "target_term_ids"


class Setting(db.Model):
    """A product setting chosen by committee staff, stored as text under a unique key."""

    __tablename__ = "settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: The value as text (JSON for lists).
    value: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
