"""Writes on recorded calendar days; each validates, flushes and logs, the view commits."""
import logging

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.audit.operations import record_event
from liaison.calendar.models import CalendarDay, DayKind
from liaison.errors import InvalidInput
from liaison.extensions import db

log = logging.getLogger(__name__)

NAME_MAX = 20
#: Dates outside these years are typing mistakes, not holidays anyone will plan around.
YEAR_RANGE = (2000, 2100)


def _duplicate(local_date):
    """The message for a date recorded already."""
    return _l("%(day)s 已经录入过。如需更改类型或名称，请先删除原记录再重新录入。", day=local_date.isoformat())


def record_calendar_day(local_date, kind, name="", recorded_by=None):
    """Record a statutory holiday or a swapped workday (调休上班) for one local date."""
    if local_date is None:
        raise InvalidInput(_l("请填写日期，格式如 2027-01-01。"), "local_date")
    low, high = YEAR_RANGE
    if not low <= local_date.year <= high:
        raise InvalidInput(_l("日期的年份应在 %(low)s 到 %(high)s 之间，请检查。", low=low, high=high),
                           "local_date")
    if kind is None:
        raise InvalidInput(_l("请选择类型：法定节假日，或调休上班。"), "kind")
    name = (name or "").strip()
    if kind is DayKind.holiday and not name:
        raise InvalidInput(_l("请填写节日名称，如 元旦、春节、国庆节。"), "name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_l("名称最多 %(n)s 个字。", n=NAME_MAX), "name")
    if kind is DayKind.swapped_workday and local_date.weekday() < 5:
        # A weekday is a workday already; only a weekend day can be swapped into one.
        raise InvalidInput(_l("%(day)s 是%(weekday)s，本来就是工作日。调休上班日应为周六或周日，请检查日期。",
                              day=local_date.isoformat(), weekday=format_date(local_date, "EEEE")),
                           "local_date")
    if db.session.scalar(sa.select(CalendarDay.id).where(CalendarDay.local_date == local_date)) is not None:
        raise InvalidInput(_duplicate(local_date), "local_date")
    day = CalendarDay(local_date=local_date, kind=kind, name=name, recorded_by=recorded_by)
    db.session.add(day)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request recorded the same date in the meantime.
        raise InvalidInput(_duplicate(local_date), "local_date") from None
    log.info("calendar day recorded: calendar_day=%s kind=%s", day.id, kind.value)
    return day


def delete_calendar_day(day):
    """Delete a recorded day; the library or the weekend rule decides that date again. Audited."""
    record_event("record.deleted", target=day,
                 detail=f"calendar day {day.local_date.isoformat()} {day.kind.value} {day.name}")
    day_id = day.id
    db.session.delete(day)
    db.session.flush()
    log.info("calendar day deleted: calendar_day=%s", day_id)


def record_notice(notice, recorded_by=None):
    """Record the days of a State Council notice read by ``notice.parse_notice`` (rule R27), all or
    nothing. A date already recorded as the same kind is kept as it is; one recorded as the other
    kind is refused (with every such date named), so nothing staff entered by hand is overwritten
    silently. Returns (added, kept) counts."""
    first, last = notice.days[0].day, notice.days[-1].day
    existing = {row.local_date: row for row in db.session.scalars(
        sa.select(CalendarDay).where(CalendarDay.local_date.between(first, last)))}
    conflicts = [d for d in notice.days if d.day in existing and existing[d.day].kind is not d.kind]
    if conflicts:
        raise InvalidInput(_l("以下日期已录入为其他类型：%(days)s。请先在日历页删除这些记录，再保存通知。",
                              days="、".join(f"{d.day.isoformat()}（{existing[d.day].kind.label}）"
                                            for d in conflicts)), "text")
    added = [CalendarDay(local_date=d.day, kind=d.kind, name=d.name[:NAME_MAX], recorded_by=recorded_by)
             for d in notice.days if d.day not in existing]
    db.session.add_all(added)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request recorded some of these dates in the meantime.
        raise InvalidInput(_l("其他人刚刚录入了其中的日期，请刷新后重新核对。"), "text") from None
    log.info("calendar notice recorded: year=%s added=%s kept=%s", notice.year, len(added),
             len(notice.days) - len(added))
    return len(added), len(notice.days) - len(added)
