"""Working days and holidays, for any year.

Each date is decided by the first source that knows it:

1. a day recorded by committee staff (``CalendarDay``), so a correction or a year the library has
   not reached yet wins;
2. chinesecalendar, which knows the State Council's holidays and swapped workdays for the years it
   ships with (2004–2026 in version 1.11) and raises ``NotImplementedError`` for any other year;
3. otherwise weekends only: Monday to Friday are workdays, Saturday and Sunday rest days.

A "holiday" here is a statutory holiday (法定节假日, e.g. 国庆节), not an ordinary weekend; a
swapped workday (调休上班) is a Saturday or Sunday worked in exchange for a holiday.
"""
import enum
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from liaison.calendar.models import CalendarDay, DayKind
from liaison.extensions import db

#: chinesecalendar names holidays in English; the product shows the usual Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class Source(enum.Enum):
    """Who decided a day (or a year): staff, the library, or the weekend rule."""

    recorded = "recorded"
    builtin = "builtin"
    weekends = "weekends"

    @property
    def label(self):
        return {"recorded": _l("人工录入"), "builtin": _l("内置"), "weekends": _l("仅按周末")}[self.value]


@dataclass(frozen=True)
class DayInfo:
    """What one local date is, and which source said so."""

    day: date
    workday: bool
    #: A statutory holiday (法定节假日); ordinary weekends are rest days but not holidays.
    holiday: bool
    #: The holiday's name (also on a swapped workday: the holiday it makes up for), or "".
    name: str
    source: Source
    #: The ``CalendarDay`` id when staff recorded this day.
    record_id: int | None = None

    @property
    def swapped_workday(self):
        """A Saturday or Sunday that is worked (调休上班)."""
        return self.workday and self.day.weekday() >= 5

    @property
    def special(self):
        """A holiday or a swapped workday: what the calendar page lists."""
        return self.holiday or self.swapped_workday


@lru_cache(maxsize=None)
def library_knows(year):
    """Tell whether chinesecalendar has the official holidays of ``year``."""
    try:
        chinese_calendar.get_holiday_detail(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _library_day(day):
    """The day as chinesecalendar sees it (only for years it knows)."""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if name is None:
        # An ordinary day: weekends rest, weekdays work.
        return DayInfo(day, workday=not on_holiday, holiday=False, name="", source=Source.builtin)
    name = HOLIDAY_NAMES.get(name, name)
    # A named day is either the holiday itself or a weekend day worked in exchange for it.
    return DayInfo(day, workday=not on_holiday, holiday=on_holiday, name=name, source=Source.builtin)


def _weekend_day(day):
    """The fallback for years nobody knows: Monday to Friday work."""
    return DayInfo(day, workday=day.weekday() < 5, holiday=False, name="", source=Source.weekends)


def _recorded_day(record):
    """A day as committee staff recorded it."""
    holiday = record.kind is DayKind.holiday
    return DayInfo(record.local_date, workday=not holiday, holiday=holiday, name=record.name,
                   source=Source.recorded, record_id=record.id)


def recorded_between(first, last):
    """Recorded days from ``first`` to ``last`` (both included), in date order."""
    return db.session.scalars(sa.select(CalendarDay).where(CalendarDay.local_date.between(first, last))
                              .order_by(CalendarDay.local_date)).all()


def _recorded_between(first, last):
    """Recorded days from ``first`` to ``last`` (both included), by date."""
    rows = db.session.scalars(
        sa.select(CalendarDay).where(CalendarDay.local_date.between(first, last)))
    return {row.local_date: row for row in rows}


def days_between(first, last):
    """Every date from ``first`` to ``last`` (both included) as a ``DayInfo``, in one query."""
    recorded = _recorded_between(first, last)
    days = []
    day = first
    while day <= last:
        if day in recorded:
            days.append(_recorded_day(recorded[day]))
        elif library_knows(day.year):
            days.append(_library_day(day))
        else:
            days.append(_weekend_day(day))
        day += timedelta(days=1)
    return days


def day_info(day):
    """What one date is."""
    return days_between(day, day)[0]


def is_workday(day):
    """True on working days, swapped workdays (调休上班) included."""
    return day_info(day).workday


def special_days_in_year(year):
    """The holidays and swapped workdays of a year, whoever decided them, in date order."""
    return [d for d in days_between(date(year, 1, 1), date(year, 12, 31)) if d.special or d.record_id]


def recorded_years():
    """Years in which staff recorded at least one day."""
    dates = db.session.scalars(sa.select(CalendarDay.local_date)).all()
    return {d.year for d in dates}


def recorded_counts(year):
    """How many holidays and swapped workdays staff recorded in a year, by kind."""
    rows = db.session.execute(
        sa.select(CalendarDay.kind, sa.func.count(CalendarDay.id))
        .where(CalendarDay.local_date.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(CalendarDay.kind))
    return {kind: count for kind, count in rows}


def year_source(year, recorded=None):
    """Which source decides a year: the library when it knows it, else staff records, else weekends."""
    if library_knows(year):
        return Source.builtin
    if recorded is None:
        recorded = year in recorded_years()
    return Source.recorded if recorded else Source.weekends


def builtin_special_days(year):
    """chinesecalendar's holidays and swapped workdays of a year as two sets of dates, or None for a
    year it does not know: the review of a pasted notice compares with them (rule R27)."""
    if not library_knows(year):
        return None
    days = [_library_day(date(year, 1, 1) + timedelta(days=i))
            for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    return {d.day for d in days if d.holiday}, {d.day for d in days if d.swapped_workday}
