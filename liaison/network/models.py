"""The network model: 代表之家 (home, one per township) and 代表联络站 (station, one per electoral district).

It sits in the core layer because a mandate points at its home and station; what people do at a
station (pages, posters, kiosk, check-in) lives in the top-level ``stations`` package."""
import enum
import secrets
from datetime import datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from liaison.clock import WEEKDAY_LABELS, UTCDateTime, utcnow
from liaison.extensions import db
from liaison.text import sort_key


class StationKind(enum.Enum):
    """家 for 季回家, 站 for 月进站."""

    home = "home"
    station = "station"

    @property
    def label(self):
        return {"home": _l("代表之家"), "station": _l("代表联络站")}[self.value]

    @property
    def short_label(self):
        return {"home": _l("家"), "station": _l("站")}[self.value]


class CheckinPolicy(enum.Enum):
    """What counts at once without a person looking (a kiosk scan always counts)."""

    #: A poster scan counts when the phone shared its location inside the fence; else pending.
    fence = "fence"
    #: Only kiosk scans count at once; every poster scan waits for staff.
    kiosk_only = "kiosk_only"
    #: Every scan waits for staff confirmation (e.g. against the paper sign-in book).
    staff_confirms = "staff_confirms"

    @property
    def label(self):
        return {
            "fence": _l("扫码屏即时有效；扫海报需定位在范围内，否则待核实"),
            "kiosk_only": _l("仅扫码屏即时有效；扫海报一律待核实"),
            "staff_confirms": _l("所有签到均需工作人员核实"),
        }[self.value]


#: Letters and digits that cannot be confused when read aloud or typed (no 0/o, 1/l/i).
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8


def new_station_code():
    """A fresh random short code for a station's QR URL (/s/<code>)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Station(db.Model):
    """A liaison home or station where deputies check in and receive constituents."""

    __tablename__ = "stations"
    __table_args__ = (
        sa.UniqueConstraint("township_id", "name"),
        sa.CheckConstraint("radius_m > 0 AND radius_m <= 5000", name="radius_sensible"),
        sa.CheckConstraint(
            "(latitude IS NULL AND longitude IS NULL) OR (latitude IS NOT NULL AND longitude IS NOT NULL)",
            name="coordinates_paired",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[StationKind] = mapped_column(sa.Enum(StationKind, native_enum=False, length=10))
    name: Mapped[str] = mapped_column(sa.String(80))
    name_sort_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("townships.id"), index=True)
    #: The 选区 a 联络站 serves; NULL for a 代表之家, which serves the whole township.
    electoral_district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("electoral_districts.id"))
    address: Mapped[str] = mapped_column(sa.String(200))
    #: WGS-84 degrees of the entrance; NULL when not surveyed (check-ins then wait for staff).
    latitude: Mapped[float | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[float | None] = mapped_column(sa.Numeric(9, 6))
    #: Radius in metres of the fence a phone must be inside for a poster scan to count at once.
    radius_m: Mapped[int] = mapped_column(default=200)
    #: Receives constituents on statutory holidays too (rota may then schedule them).
    open_on_holidays: Mapped[bool] = mapped_column(default=False)
    #: Inactive stations keep their history but take no check-ins and no rota slots.
    active: Mapped[bool] = mapped_column(default=True)
    #: Short code in the QR URL /s/<code>; re-keying replaces it and voids printed posters.
    code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_station_code)
    #: Incremented at each re-key; kiosk tokens carry it, so old screens' tokens fail too.
    key_version: Mapped[int] = mapped_column(default=1)
    checkin_policy: Mapped[CheckinPolicy] = mapped_column(
        sa.Enum(CheckinPolicy, native_enum=False, length=20), default=CheckinPolicy.fence)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township = relationship("Township")
    electoral_district = relationship("ElectoralDistrict")
    opening_hours = relationship(
        "OpeningHours", back_populates="station", cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )

    @validates("name")
    def _keep_sort_key(self, _key, value):
        self.name_sort_key = sort_key(value)
        return value

    def __repr__(self):
        return f"<Station {self.name}>"


class OpeningHours(db.Model):
    """One reception period of a station on one weekday (接待时间), in local time."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        sa.UniqueConstraint("station_id", "weekday", "opens"),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        sa.CheckConstraint("closes > opens", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("stations.id"), index=True)
    #: 0 = Monday … 6 = Sunday, as in ``date.weekday()``.
    weekday: Mapped[int]
    #: Local wall-clock times.
    opens: Mapped[time]
    closes: Mapped[time]

    station = relationship("Station", back_populates="opening_hours")

    @property
    def weekday_label(self):
        return WEEKDAY_LABELS[self.weekday]
