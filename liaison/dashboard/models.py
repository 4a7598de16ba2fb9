"""What the dashboard writes: a closed term's frozen figures (换届), one version per freeze, and the
reminders sent to deputies whose 月进站 / 季回家 is still in progress."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class TermClosure(db.Model):
    """One frozen version of a closed term's figures (换届): version 1 is the closing, each later
    version a reopening by the committee (rule R14). Earlier versions are kept as they were.

    The figures and the workbook are computed once, when the version is frozen, as of the confirmed
    end date, from what had been recorded by then; anything recorded later (a late report, coverage
    or exemption) stays outside them until the committee freezes a new version.
    """

    __tablename__ = "term_closures"
    __table_args__ = (sa.UniqueConstraint("term_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    #: 1 for the closing, then 2, 3 … for each reopening; the highest is the term's figures.
    version: Mapped[int] = mapped_column(default=1)
    #: The confirmed last day of the term (local date), as entered when closing.
    final_end_date: Mapped[date]
    #: The frozen in-term figures: 应述 and 已述 as of ``final_end_date``.
    due: Mapped[int]
    done: Mapped[int]
    #: The official workbook as of ``final_end_date``, kept byte for byte (loaded only when asked for:
    #: the 换届 page lists every version).
    workbook: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    #: When this version was frozen (UTC): rows recorded up to this instant are in its figures.
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who closed the term (version 1) or reopened its figures (later versions).
    closed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: Why the committee reopened the figures; empty for the closing itself.
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    term = relationship("Term")
    closed_by = relationship("User")

    @property
    def rate(self):
        return self.done / self.due if self.due else None

    @property
    def reopening(self):
        """Whether this version came from a reopening rather than the closing."""
        return self.version > 1



class VisitReminder(db.Model):
    """One reminder sent by staff to a deputy whose 月进站 or 季回家 of a period is still in progress
    (rule R24): the list and the next reminder say how many the deputy has had for that period."""

    __tablename__ = "visit_reminders"
    __table_args__ = (
        # One row per reminder; ``sequence`` 1, 2, 3 … per deputy and period, so two staff sending at
        # the same moment cannot both write "the second".
        sa.UniqueConstraint("deputy_id", "figure", "period_key", "sequence"),
        # The list reads the counts of one period for the deputies on its page.
        sa.Index("ix_visit_reminders_period", "figure", "period_key", "deputy_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"))
    #: "month" (月进站) or "quarter" (季回家).
    figure: Mapped[str] = mapped_column(sa.String(10))
    #: The period's key: 202612 for a month, 20264 for a quarter.
    period_key: Mapped[int]
    #: 1 for the first reminder of the period, then 2, 3 …
    sequence: Mapped[int]
    #: The inbox message it wrote (NULL when the deputy had no enabled account).
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    deputy = relationship("Deputy")
    sent_by = relationship("User")
