"""Reads for the public pages: who a station serves, its deputies, its rota of a month, and the
accountability figures (履职公开) of each station and township.

Names and levels only: no mobile number, no opinion text, nothing of a constituent.
"""
from collections import OrderedDict
from typing import NamedTuple
import sqlalchemy as sa

from liaison.clock import Month
from liaison.deputies.models import Deputy, Mandate, Suspension
from liaison.deputies.queries import held_on
from liaison.extensions import db
from liaison.network.models import Station
from liaison.opinions.counters import OpinionCounts, opinion_counts, period_of
from liaison.rota.models import HOLDING_PLACE
from liaison.rota.queries import published_slots, township_mandates
from liaison.terms.models import Level, Term
from stations.checkin.models import COUNTED, Checkin

#: The order levels are named in (四级代表, highest first).
LEVEL_ORDER = [Level.national, Level.municipal, Level.district, Level.township]


def station_deputies(station_id, day):
    """``[(name, [Level, …])]`` of the people whose mandate held on ``day`` names this home or station
    as their own, in pinyin order, each person once with every level they sit at. A mandate suspended
    that day (暂停执行代表职务) is left out: its holder does not receive constituents (rule R20)."""
    suspended = sa.exists().where(Suspension.mandate_id == Mandate.id, Suspension.start_date <= day,
                                  sa.or_(Suspension.end_date.is_(None), Suspension.end_date >= day))
    rows = db.session.execute(
        sa.select(Deputy.id, Deputy.name, Term.level)
        .join(Mandate, Mandate.deputy_id == Deputy.id).join(Term, Term.id == Mandate.term_id)
        .where(sa.or_(Mandate.home_id == station_id, Mandate.station_id == station_id),
               held_on(day), ~suspended)
        .order_by(Deputy.name_sort_key, Deputy.id)).all()
    people = OrderedDict()
    for deputy_id, name, level in rows:
        levels = people.setdefault(deputy_id, (name, set()))[1]
        levels.add(level)
    return [(name, [lv for lv in LEVEL_ORDER if lv in levels]) for name, levels in people.values()]


def month_rota(station_id, month: Month):
    """The published reception slots of a station from the first day of ``month`` on (the whole month,
    and a next month already published): ``{day: [(slot, names)]}``, in order."""
    days = OrderedDict()
    slots = published_slots(station_id, month.first)
    # Rule R20 read again here: a deputy who may no longer receive that day is never announced, even
    # when the change reached the rota some other way than the operations that take them off it.
    mandates = (township_mandates(slots[0].station.township_id, slots[0].local_date, slots[-1].local_date)
                if slots else [])

    def in_force(deputy_id, day):
        return any(m.deputy_id == deputy_id and m.held_on(day) and not m.suspended_on(day) for m in mandates)

    for slot in slots:
        names = [a.deputy.name for a in slot.assignments
                 if a.status in HOLDING_PLACE and in_force(a.deputy_id, slot.local_date)]
        if names:
            days.setdefault(slot.local_date, []).append((slot, names))
    return days




#: A public figure built from fewer opinions than this is shown as "少于5件" (rule R31).
FEWEST_SHOWN = 5


class AccountRow(NamedTuple):
    """One station's or township's public account of a year (rule R31)."""

    #: Station id or township id.
    key: int
    name: str
    #: The opinion figures, exactly as the staff dashboard counts them (``opinion_counts``).
    opinions: OpinionCounts
    #: Days on which a deputy's counted check-in was recorded there (each station's day once).
    reception_days: int


def reception_days(first_day, last_day, by, township_ids=None):
    """``{station or township id: days}``: distinct (station, local day) of counted check-ins."""
    key = Station.id if by == "station" else Station.township_id
    held = (sa.select(Checkin.station_id, Checkin.local_date)
            .where(Checkin.status.in_(COUNTED), Checkin.local_date >= first_day,
                   Checkin.local_date <= last_day)
            .distinct().subquery("held"))
    query = (sa.select(key, sa.func.count()).select_from(held).join(Station, Station.id == held.c.station_id)
             .group_by(key))
    if township_ids is not None:
        query = query.where(Station.township_id.in_(township_ids))
    return dict(db.session.execute(query).all())


def account(year, today, by, township_ids=None):
    """The public account of a year, per station or per township in scope (None: the whole
    district): the opinion figures from the same query the staff dashboard uses, and the reception
    days held up to today."""
    first, last = period_of(year)
    counted = opinion_counts(first, last, by=by, township_ids=township_ids, today=today)
    days = reception_days(first, min(last, today), by, township_ids)
    if by == "station":
        active = set(db.session.scalars(sa.select(Station.id).where(Station.active.is_(True))))
        counted = [row for row in counted if row.key in active]
    return [AccountRow(row.key, row.name, row, days.get(row.key, 0)) for row in counted]
