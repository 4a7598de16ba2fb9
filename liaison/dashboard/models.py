"""What the dashboard writes: a closed term's frozen figures (换届)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class TermClosure(db.Model):
    """A closed term (换届): its end confirmed and its final figures frozen.

    The figures and the workbook are computed once, at closing, as of the confirmed end date;
    anything entered later (a late back-entry, a corrected report) no longer changes them.
    """

    __tablename__ = "term_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), unique=True)
    #: The confirmed last day of the term (local date), as entered when closing.
    final_end_date: Mapped[date]
    #: The frozen in-term figures: 应述 and 已述 as of ``final_end_date``.
    due: Mapped[int]
    done: Mapped[int]
    #: The official workbook as of ``final_end_date``, kept byte for byte.
    workbook: Mapped[bytes] = mapped_column(sa.LargeBinary)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    term = relationship("Term")
    closed_by = relationship("User")

    @property
    def rate(self):
        return self.done / self.due if self.due else None
