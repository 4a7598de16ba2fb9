"""The one clock: UTC instants from Python, calendar periods in the configured local zone."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

DEFAULT_ZONE = "Asia/Shanghai"


def utcnow():
    """Return the current instant as an aware UTC datetime (never the database's ``now()``)."""
    return datetime.now(timezone.utc)


def local_zone():
    """Return the zone in which months, quarters and years are counted."""
    name = current_app.config["LIAISON_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def to_local(instant):
    """Convert a UTC instant to local wall-clock time."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(local_zone())


def local_today():
    """Return today's date in the local zone."""
    return to_local(utcnow()).date()


def quarter_of(day: date) -> int:
    """Return the calendar quarter (1–4) of a date."""
    return (day.month - 1) // 3 + 1


# Months and quarters are local calendar periods (rule R1). Their keys are what the database stores
# (checkins.month_key and quarter_key, exemptions.period_key; rule R2): derive them only here.

class _Period:
    """What months and quarters share: checking and stepping the number (``month`` or ``quarter``,
    1 to ``PER_YEAR``), the day after, the last day, and containing a date."""

    def __post_init__(self):
        if not 1 <= self._number <= self.PER_YEAR:
            raise ValueError(f"not a {type(self).__name__.lower()}: {self._number!r}")

    @classmethod
    def from_key(cls, key):
        """The period of a stored key (202403, 20241)."""
        return cls(key // cls.KEY_BASE, key % cls.KEY_BASE)

    @property
    def key(self):
        """The stored form: year * ``KEY_BASE`` + number."""
        return self.year * self.KEY_BASE + self._number

    def _shift(self, by):
        index = self.year * self.PER_YEAR + self._number - 1 + by
        return type(self)(index // self.PER_YEAR, index % self.PER_YEAR + 1)

    def next(self):
        return self._shift(1)

    def previous(self):
        return self._shift(-1)

    @property
    def after(self):
        """The first day of the next period (the period is ``[first, after)``)."""
        return self.next().first

    @property
    def last(self):
        return self.after - timedelta(days=1)

    def __contains__(self, day):
        return self.first <= day <= self.last


@dataclass(frozen=True, order=True)
class Month(_Period):
    """A local calendar month; ``key`` is its stored form, 202403 for March 2024."""

    year: int
    month: int

    PER_YEAR, KEY_BASE = 12, 100

    @property
    def _number(self):
        return self.month

    @classmethod
    def of(cls, day):
        """The month containing a local date."""
        return cls(day.year, day.month)

    @property
    def first(self):
        return date(self.year, self.month, 1)

    @property
    def months(self):
        """The months of the period: itself (so months and quarters pick check-ins alike)."""
        return (self,)

    @property
    def quarter(self):
        """The quarter this month is in."""
        return Quarter.of(self.first)

    @property
    def label(self):
        """2024年3月."""
        return _l("%(y)s年%(m)s月", y=self.year, m=self.month)

    @property
    def short_label(self):
        """3月 (a column of a year's table)."""
        return _l("%(m)s月", m=self.month)


@dataclass(frozen=True, order=True)
class Quarter(_Period):
    """A local calendar quarter; ``key`` is its stored form, 20241 for the first quarter of 2024."""

    year: int
    quarter: int

    PER_YEAR, KEY_BASE = 4, 10

    @property
    def _number(self):
        return self.quarter

    @classmethod
    def of(cls, day):
        """The quarter containing a local date."""
        return cls(day.year, quarter_of(day))

    @property
    def months(self):
        """Its three months, in order."""
        return tuple(Month(self.year, 3 * self.quarter - offset) for offset in (2, 1, 0))

    @property
    def first(self):
        return self.months[0].first

    @property
    def label(self):
        """2024年第1季度."""
        return _l("%(y)s年第%(q)s季度", y=self.year, q=self.quarter)

    @property
    def short_label(self):
        """第1季度 (a column of a year's table)."""
        return _l("第%(q)s季度", q=self.quarter)


#: Weekday names, Monday first, as ``date.weekday()`` counts.
WEEKDAY_LABELS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))


def date_words(day):
    """12月8日: a date as notices and labels say it."""
    return str(_l("%(m)s月%(d)s日", m=day.month, d=day.day))


def day_label(day):
    """10月14日（周三）."""
    return f"{date_words(day)}（{WEEKDAY_LABELS[day.weekday()]}）"


def times_label(starts, ends):
    """09:00–11:30."""
    return f"{starts:%H:%M}–{ends:%H:%M}"


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned aware.

    SQLite drops ``tzinfo`` while PostgreSQL keeps it; normalising both ways makes the two
    databases give the same answers at period boundaries.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
