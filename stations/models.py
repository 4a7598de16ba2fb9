"""What the stations package keeps of its own: the station codes voided by a re-key."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db


class VoidedCode(db.Model):
    """A station code replaced by a re-key: scanning it answers "此二维码已作废"."""

    __tablename__ = "voided_codes"

    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("stations.id"), index=True)
    voided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    station = relationship("Station")
