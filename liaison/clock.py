"""The one clock: UTC instants from Python, calendar periods in the configured local zone."""
from datetime import date, datetime, timezone
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


#: Weekday names, Monday first, as ``date.weekday()`` counts.
WEEKDAY_LABELS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))


def day_label(day):
    """10月14日（周三）."""
    return f"{_l('%(m)s月%(d)s日', m=day.month, d=day.day)}（{WEEKDAY_LABELS[day.weekday()]}）"


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
