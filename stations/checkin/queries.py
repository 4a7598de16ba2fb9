"""Reads on check-ins: a deputy's 月进站 / 季回家 status, their history, today's check-ins and the pending queue.

Totals are SQL over the stored local period keys (``Month.key`` and ``Quarter.key`` of liaison/clock.py;
rule R2), so they are the same on SQLite and PostgreSQL whatever zone either runs in.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from liaison.accounts.access import refuse_out_of_scope, scope
from liaison.clock import Month, Quarter, quarter_of, to_local
from liaison.deputies.models import Deputy, Mandate
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.townships.models import Township
from stations.checkin.models import COUNTED, Checkin, Status


def month_key_of(day: date) -> int:
    """The month key of a local date: 202603 for March 2026."""
    return Month.of(day).key


def quarter_key_of(day: date) -> int:
    """The quarter key of a local date: 20261 for the first quarter of 2026."""
    return Quarter.of(day).key


def period_keys(instant):
    """``(local_date, month_key, quarter_key)`` of a UTC instant, counted in the local zone."""
    day = to_local(instant).date()
    return day, month_key_of(day), quarter_key_of(day)


@dataclass
class DeputyStatus:
    """One deputy's duties at a glance: this month (月进站), this quarter (季回家), this year."""

    today: date
    #: 月进站 met this month: a counted check-in at any 联络站.
    month_met: bool = False
    #: 季回家 met this quarter: a counted check-in at any 代表之家.
    quarter_met: bool = False
    #: Pending (待核实) check-ins that would meet this month's or this quarter's duty once confirmed.
    month_pending: int = 0
    quarter_pending: int = 0
    #: Pending check-ins this year, of either kind.
    year_pending: int = 0
    #: Months (1–12) and quarters (1–4) of this year met.
    months_met: set = field(default_factory=set)
    quarters_met: set = field(default_factory=set)
    #: Months and quarters of this year with a check-in still pending (待核实) of the kind that meets them.
    months_pending: set = field(default_factory=set)
    quarters_pending: set = field(default_factory=set)
    #: Days this year with a counted check-in at a station, and at a home.
    station_days: int = 0
    home_days: int = 0

    @property
    def quarter(self):
        return quarter_of(self.today)

    @property
    def months(self):
        """This year's months so far, each with whether it was met: [(1, True), …]."""
        return [(m, m in self.months_met) for m in range(1, self.today.month + 1)]

    @property
    def quarters(self):
        """This year's quarters so far, each with whether it was met."""
        return [(q, q in self.quarters_met) for q in range(1, self.quarter + 1)]

    @staticmethod
    def _state(met, pending, running):
        # A scan waiting for staff is never shown as met, even when an earlier visit met the period:
        # the deputy who just scanned reads 待核实, not a green tick (rule R34).
        if pending and (running or not met):
            return "pending"
        return "met" if met else "running" if running else "missed"

    @property
    def month_states(self):
        """This year's months so far as ``(month, state)``: met, pending (待核实), running (进行中) or missed."""
        return [(m, self._state(m in self.months_met, m in self.months_pending, m == self.today.month))
                for m in range(1, self.today.month + 1)]

    @property
    def quarter_states(self):
        """This year's quarters so far as ``(quarter, state)``, as ``month_states``."""
        return [(q, self._state(q in self.quarters_met, q in self.quarters_pending, q == self.quarter))
                for q in range(1, self.quarter + 1)]


def deputy_status(deputy_id, today):
    """The deputy's status for ``today``'s local month, quarter and year, in two small SQL totals."""
    status = DeputyStatus(today=today)
    year_range = Checkin.month_key.between(Month(today.year, 1).key, Month(today.year, 12).key)
    mine = (Checkin.deputy_id == deputy_id, year_range)
    counted = db.session.execute(
        sa.select(Checkin.month_key, Checkin.quarter_key, Checkin.station_kind,
                  sa.func.count(sa.distinct(Checkin.local_date)).label("days"))
        .where(*mine, Checkin.status.in_(COUNTED))
        .group_by(Checkin.month_key, Checkin.quarter_key, Checkin.station_kind)
    ).all()
    for row in counted:
        if row.station_kind is StationKind.station:
            status.months_met.add(Month.from_key(row.month_key).month)
            status.station_days += row.days
        else:
            status.quarters_met.add(Quarter.from_key(row.quarter_key).quarter)
            status.home_days += row.days
    status.month_met = today.month in status.months_met
    status.quarter_met = quarter_of(today) in status.quarters_met
    pending = db.session.execute(
        sa.select(Checkin.month_key, Checkin.quarter_key, Checkin.station_kind, sa.func.count().label("n"))
        .where(*mine, Checkin.status == Status.pending)
        .group_by(Checkin.month_key, Checkin.quarter_key, Checkin.station_kind)
    ).all()
    for row in pending:
        status.year_pending += row.n
        if row.station_kind is StationKind.station:
            status.months_pending.add(Month.from_key(row.month_key).month)
        else:
            status.quarters_pending.add(Quarter.from_key(row.quarter_key).quarter)
        if row.station_kind is StationKind.station and row.month_key == month_key_of(today):
            status.month_pending += row.n
        if row.station_kind is StationKind.home and row.quarter_key == quarter_key_of(today):
            status.quarter_pending += row.n
    return status


def history(deputy_id):
    """The deputy's check-ins, newest first, with their stations (for the 我的履职 list)."""
    return (
        sa.select(Checkin)
        .options(joinedload(Checkin.station).joinedload(Station.township))
        .where(Checkin.deputy_id == deputy_id)
        .order_by(Checkin.occurred_at.desc(), Checkin.id.desc())
    )


def _with_people(query):
    """Load each check-in's station, township and deputy with it."""
    return query.options(joinedload(Checkin.station).joinedload(Station.township), joinedload(Checkin.deputy),
                         joinedload(Checkin.entered_by))


def todays_checkins(today, user=None):
    """Check-ins of that local date at the stations the user may see, newest first."""
    query = (
        sa.select(Checkin).join(Station, Station.id == Checkin.station_id)
        .where(Checkin.local_date == today)
        .order_by(Checkin.occurred_at.desc(), Checkin.id.desc())
    )
    return db.session.scalars(_with_people(scope(query, Station.township_id, user))).all()


def todays_counts(today, user=None):
    """``{Status: count}`` of that local date's check-ins at the user's stations."""
    query = (
        sa.select(Checkin.status, sa.func.count().label("n"))
        .join(Station, Station.id == Checkin.station_id)
        .where(Checkin.local_date == today)
        .group_by(Checkin.status)
    )
    return {row.status: row.n for row in db.session.execute(scope(query, Station.township_id, user))}


def pending_queue(user=None, township_id=None):
    """Pending check-ins at the user's stations, oldest first (the order the paper book is read)."""
    query = (
        sa.select(Checkin).join(Station, Station.id == Checkin.station_id)
        .join(Township, Township.id == Station.township_id)
        .where(Checkin.status == Status.pending)
        .order_by(Checkin.occurred_at, Checkin.id)
    )
    if township_id:
        query = query.where(Station.township_id == township_id)
    return _with_people(scope(query, Station.township_id, user))


def checkins_by_ids(ids):
    """The check-ins with these ids, with their stations (the caller checks each one's township)."""
    if not ids:
        return []
    return db.session.scalars(
        sa.select(Checkin).options(joinedload(Checkin.station)).where(Checkin.id.in_(ids))
        .order_by(Checkin.id)).all()


def stations_in_scope(user=None):
    """Homes and stations the user may back-enter at: active ones first, each group in pinyin order."""
    query = sa.select(Station).options(joinedload(Station.township))
    query = scope(query, Station.township_id, user)
    return db.session.scalars(query.order_by(Station.active.desc(), Station.name_sort_key, Station.id)).all()


def deputies_in_scope(q=None, user=None, ids=None, limit=100):
    """Deputies with a mandate in the user's townships, found by name (or picked by id), in pinyin order."""
    in_scope = sa.select(Mandate.id).where(Mandate.deputy_id == Deputy.id)
    in_scope = scope(in_scope, Mandate.township_id, user)
    query = sa.select(Deputy).where(in_scope.exists())
    q = (q or "").strip()
    if q:
        query = query.where(Deputy.name.icontains(q, autoescape=True))
    if ids is not None:
        query = query.where(Deputy.id.in_(ids))
    return db.session.scalars(query.order_by(Deputy.name_sort_key, Deputy.id).limit(limit)).all()


def own_checkin_or_404(checkin_id):
    """A check-in of the signed-in deputy, with its station and township (its pages name both, so
    they load in the same statement); anyone else's answers 404."""
    checkin = db.session.get(Checkin, checkin_id,
                             options=[joinedload(Checkin.station).joinedload(Station.township)])
    if checkin is None:
        abort(404)
    if current_user.deputy_id is None or checkin.deputy_id != current_user.deputy_id:
        refuse_out_of_scope(checkin.station.township_id)
    return checkin
