"""The record of the zone the stored local dates were written in (rule R2)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db

#: The one row's id: the table holds a single record.
THE_ROW = 1


class StoredZone(db.Model):
    """The zone (an IANA name such as Asia/Shanghai) every stored local date and period key is in."""

    __tablename__ = "stored_zone"
    __table_args__ = (sa.CheckConstraint(f"id = {THE_ROW}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=THE_ROW)
    name: Mapped[str] = mapped_column(sa.String(64))
    #: When the zone was recorded: the migration that made the table, or the last recompute.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
