"""What the dashboard writes: a closed term's frozen figures (换届), one version per freeze."""
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
