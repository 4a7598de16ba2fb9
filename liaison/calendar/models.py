"""Days recorded by committee staff: statutory holidays and swapped workdays (调休上班)."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class DayKind(enum.Enum):
    """What a recorded day is: a rest day by law, or a weekend day worked in exchange (调休)."""

    holiday = "holiday"
    swapped_workday = "swapped_workday"

    @property
    def label(self):
        return {"holiday": _l("法定节假日"), "swapped_workday": _l("调休上班")}[self.value]


class CalendarDay(db.Model):
    """One day whose status the State Council's notice fixes; recorded days win over the library."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The local calendar date (no time, no zone).
    local_date: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[DayKind] = mapped_column(sa.Enum(DayKind, native_enum=False, length=20))
    #: The holiday it belongs to, e.g. 春节; for a swapped workday the holiday it makes up for.
    name: Mapped[str] = mapped_column(sa.String(20), default="")
    #: Staff member who recorded it; NULL when recorded by a command or the demo seed.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by = relationship("User")

    def __repr__(self):
        return f"<CalendarDay {self.local_date} {self.kind.value}>"
