"""The start-up check and the recompute of stored local dates when the zone changes (rule R2).

A local date is a function of the stored UTC instant and the zone, so the recompute rewrites every
stored local date from its instant in the configured zone. It is set-based: the local days spanning
the stored instants go into a temporary table (each day's first UTC instant, its month and quarter
keys, computed by ``zoneinfo`` exactly as ``liaison.clock`` does when a row is written), and each
column is updated from the day its instant falls in, in one transaction with the new record.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.clock import Month, Quarter, UTCDateTime, utcnow
from liaison.extensions import db
from liaison.sqlite import reading
from liaison.opinions.models import EventKind, Opinion, OpinionEvent, month_key
from liaison.zone.models import THE_ROW, StoredZone
from liaison.zone.queries import has_zoned_data, stored_zone, zone_table_exists
from stations.checkin.models import Checkin

log = logging.getLogger(__name__)


class ZoneMismatch(RuntimeError):
    """The stored local dates were written in another zone than the configured one (rule R2)."""

    def __init__(self, stored, configured):
        self.stored, self.configured = stored, configured
        super().__init__(str(_l(
            "已存数据中的本地日期和月份按时区 %(stored)s 写入，而当前配置的 LIAISON_TIMEZONE 为 %(configured)s，"
            "系统拒绝启动（规则 R2）。请运行“liaison zone recompute”按 %(configured)s 重算已存日期，"
            "或把 LIAISON_TIMEZONE 改回 %(stored)s。",
            stored=stored, configured=configured)))


def check_zone_at_start():
    """Refuse to start when the recorded zone differs from LIAISON_TIMEZONE and data exists.

    Without data a changed zone is simply recorded. Nothing is checked before the migrations have
    made the table, nor when no zone is recorded. Runs in an app context; ends its own session.
    The reads take no write lock on SQLite, so a starting app never queues behind a writer.
    """
    configured = current_app.config["LIAISON_TIMEZONE"]
    try:
        with reading():
            record = stored_zone() if zone_table_exists() else None
            recorded = record.name if record is not None else None
            data = recorded not in (None, configured) and has_zoned_data()
            db.session.rollback()
        if recorded in (None, configured):
            return
        if data:
            db.session.remove()
            db.engine.dispose()  # the app does not start: it leaves no connection open
            raise ZoneMismatch(recorded, configured)
        log.info("no stored local dates: zone %s recorded in place of %s", configured, recorded)
        record_zone(configured)
        db.session.commit()
    except sa.exc.OperationalError as error:
        if db.engine.dialect.name == "sqlite":
            raise  # a local file: a real problem, never "not reachable yet"
        # The database server does not answer: the app starts (its pages say the system is
        # unavailable, liaison.errors) and the check happens at the next start.
        log.warning("stored zone not checked: %s", error.orig)
    finally:
        db.session.remove()


def record_zone(name):
    """Record ``name`` as the zone of the stored local dates (in the caller's transaction)."""
    record = db.session.get(StoredZone, THE_ROW)
    if record is None:
        db.session.add(StoredZone(id=THE_ROW, name=name, recorded_at=utcnow()))
    else:
        record.name, record.recorded_at = name, utcnow()
    db.session.flush()


#: The temporary table of local days of a zone (``which``: "new", or "old" for the recorded zone):
#: ``starts`` is the day's first UTC instant.
_days = sa.Table(
    "zone_days", sa.MetaData(),
    sa.Column("which", sa.String(3), primary_key=True),
    sa.Column("starts", UTCDateTime, primary_key=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("month_key", sa.Integer, nullable=False),
    sa.Column("quarter_key", sa.Integer, nullable=False),
    sa.Column("month_text", sa.String(7), nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass
class Recomputed:
    """What a recompute changed: rows whose stored local values moved, per table and column."""

    previous: str | None
    zone: str
    changed: dict = field(default_factory=dict)

    @property
    def detail(self):
        """For the audit trail: ``Asia/Shanghai -> UTC: checkins=12, opinions.received=3 …``."""
        counts = ", ".join(f"{key}={count}" for key, count in self.changed.items()) or "no stored local dates"
        return f"{self.previous or '-'} -> {self.zone}: {counts}"


def _instant_range():
    """The earliest and latest instant any stored local date derives from (None, None when none)."""
    columns = (Checkin.occurred_at, Opinion.received_at, Opinion.replied_at, OpinionEvent.at)
    lows, highs = [], []
    for column in columns:
        low, high = db.session.execute(sa.select(sa.func.min(column), sa.func.max(column))).one()
        if low is not None:
            lows.append(low)
            highs.append(high)
    return (min(lows), max(highs)) if lows else (None, None)


def _day_rows(which, zone, low, high):
    """One row per local day of ``zone`` from the day before ``low``'s to the day after ``high``'s
    (instants), so every instant between has a day starting at or before it."""
    day = low.astimezone(zone).date() - timedelta(days=1)
    last = high.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        # The first instant of the day: midnight, or (where midnight does not exist) the moment
        # the clocks jump past it, which is what fold=0 resolves to.
        starts = datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc)
        yield {"which": which, "starts": starts, "day": day, "month_key": Month.of(day).key,
               "quarter_key": Quarter.of(day).key, "month_text": month_key(day)}
        day += timedelta(days=1)


def _of(instant, column, which="new"):
    """The ``column`` of the local day ``instant`` falls in (a correlated scalar subquery)."""
    return (sa.select(_days.c[column]).where(_days.c.which == which, _days.c.starts <= instant)
            .order_by(_days.c.starts.desc()).limit(1).scalar_subquery())


def _update(model, where, values):
    """Update ``values`` (column -> new value) on the rows of ``model`` whose first column (the local
    date; the others are its period keys) differs: one lookup for a row that stays as it is."""
    column, value = next(iter(values.items()))
    differs = sa.or_(column != value, column.is_(None))
    result = db.session.execute(
        sa.update(model).where(where, differs).values({column.key: value for column, value in values.items()})
        .execution_options(synchronize_session=False))
    return result.rowcount


def _first_event_at(kinds):
    """The first instant of an event of ``kinds`` in the opinion's timeline (NULL when none)."""
    return (sa.select(sa.func.min(OpinionEvent.at))
            .where(OpinionEvent.opinion_id == Opinion.id, OpinionEvent.kind.in_(kinds))
            # Two levels down from the UPDATE: correlated explicitly, not to the days' SELECT.
            .correlate(Opinion).scalar_subquery())


def recompute(zone_name):
    """Rewrite every stored local date and period key in ``zone_name`` and record it (rule R2).

    Dates derived from the row's own instant (a check-in's, an opinion's receipt and reply) are
    rewritten from it. Dates of steps whose instant is in the opinion's timeline only (登记, 转办 or
    转为建议) move with their first such event, when they were that event's local date in the recorded
    zone; others are kept. Runs in the caller's transaction: the caller commits, and on any error
    nothing is written. Returns a ``Recomputed`` with the rows changed per column group.
    """
    previous = stored_zone()
    outcome = Recomputed(previous.name if previous else None, zone_name)
    low, high = _instant_range()
    if low is not None:
        connection = db.session.connection()
        _days.drop(connection, checkfirst=True)
        _days.create(connection)
        rows = list(_day_rows("new", ZoneInfo(zone_name), low, high))
        rows += _day_rows("old", ZoneInfo(outcome.previous or zone_name), low, high)
        connection.execute(_days.insert(), rows)
        for model, where, values, label in (
            (Checkin, sa.true(), {Checkin.local_date: _of(Checkin.occurred_at, "day"),
                                  Checkin.month_key: _of(Checkin.occurred_at, "month_key"),
                                  Checkin.quarter_key: _of(Checkin.occurred_at, "quarter_key")},
             "checkins"),
            (Opinion, sa.true(), {Opinion.received_on: _of(Opinion.received_at, "day"),
                                  Opinion.received_month: _of(Opinion.received_at, "month_text")},
             "opinions.received"),
            (Opinion, Opinion.replied_at.is_not(None), {Opinion.replied_on: _of(Opinion.replied_at, "day")},
             "opinions.replied"),
        ):
            outcome.changed[label] = _update(model, where, values)
        for column, kinds, label in ((Opinion.registered_on, (EventKind.registered,), "opinions.registered"),
                                     (Opinion.referred_on, (EventKind.referred, EventKind.suggestion),
                                      "opinions.referred")):
            at = _first_event_at(kinds)
            was_its_day = column == _of(at, "day", "old")
            outcome.changed[label] = _update(Opinion, was_its_day, {column: _of(at, "day")})
        _days.drop(connection)
    record_zone(zone_name)
    record_event("zone.recomputed", target_type="stored_zone", target_id=str(THE_ROW), detail=outcome.detail)
    return outcome
