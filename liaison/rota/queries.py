"""Reads for the rota: who is due, the planner's input, months, slots, requests, activities and attendance."""
from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from liaison.accounts.access import scope
from liaison.calendar import queries as calendar
from liaison.clock import Month
from liaison.deputies.models import (Deputy, Exemption, ExemptionScope, Mandate, Suspension,
                                     first_day_not_held, last_day_held_in, term_end_is_real)
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.rota import planning
from liaison.rota.models import (HOLDING_PLACE, AssignmentStatus, LeaveRequest, RequestStatus, RotaMonth,
                                 RotaStatus, Slot, SlotAssignment, Unavailability)
from liaison.terms.models import Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township
from stations.checkin.models import Checkin, Status

#: Levels in the order a deputy's own station is preferred when they hold several seats.
LEVEL_ORDER = ("district", "township", "municipal", "national")


# --- who is due ----------------------------------------------------------------------------------

class DueDeputy(NamedTuple):
    """A deputy due to visit a station in a month (月进站), in one township."""

    deputy_id: int
    name: str
    name_sort_key: str
    #: Their own stations in this township, the lower level's first.
    own_station_ids: tuple


def _covers(mandates, first, last):
    """True when the mandates' held days together cover every date from ``first`` to ``last``.

    Each mandate is a row with ``start_date`` and ``held_end`` (the first date no longer held, rule R5).
    """
    reach = first
    for mandate in sorted(mandates, key=lambda m: m.start_date):
        if mandate.start_date > reach:
            break
        reach = max(reach, mandate.held_end)
    return reach > last


def _blocked_for_month(mandate_ids, year, month):
    """Mandates (among the ``mandate_ids`` subquery) suspended on a day of the month or exempted
    from 月进站 for it (an approved 免于进站)."""
    period = Month(year, month)
    first, last = period.first, period.last
    suspended = sa.select(Suspension.mandate_id).where(
        Suspension.mandate_id.in_(mandate_ids), Suspension.start_date <= last,
        sa.or_(Suspension.end_date.is_(None), Suspension.end_date >= first))
    exempted = sa.select(Exemption.mandate_id).where(
        Exemption.mandate_id.in_(mandate_ids), Exemption.scope == ExemptionScope.month,
        Exemption.period_key == period.key)
    return set(db.session.scalars(sa.union(suspended, exempted)))


class _HeldMandate(NamedTuple):
    """The columns of a mandate that decide whether its deputy is due in a month."""

    id: int
    deputy_id: int
    township_id: int
    station_id: int | None
    level: str
    start_date: date
    #: The first local date the mandate is no longer held (rule R5).
    held_end: date
    name: str
    name_sort_key: str


def _held_mandates(people, last):
    """Mandates of the ``people`` subquery begun by ``last``, as plain rows (the month's who-is-due
    reads ~1,000 of them: ORM objects with their term, deputy and suspensions cost most of its time)."""
    rows = db.session.execute(
        sa.select(Mandate.id, Mandate.deputy_id, Mandate.township_id, Mandate.station_id, Term.level,
                  Mandate.start_date, Mandate.end_date, last_day_held_in(Term), Deputy.name,
                  Deputy.name_sort_key)
        .join(Term, Term.id == Mandate.term_id).join(Deputy, Deputy.id == Mandate.deputy_id)
        .where(Mandate.deputy_id.in_(people), Mandate.start_date <= last).order_by(Mandate.id))
    return [_HeldMandate(mandate_id, deputy_id, township_id, station_id, level.value, start,
                         first_day_not_held(end, term_last), name, name_sort_key)
            for (mandate_id, deputy_id, township_id, station_id, level, start, end, term_last, name,
                 name_sort_key) in rows]


def due_deputies(township_id, year, month):
    """Deputies due for 月进站 in that month with a mandate shown under that township.

    Per rule R6 (docs/rules.md): the person's mandates of one level together hold the whole month, none of
    them is suspended on a day of it or exempted for it, and one of them is in this township.
    """
    period = Month(year, month)
    first, last = period.first, period.last
    people = sa.select(Mandate.deputy_id).where(Mandate.township_id == township_id)
    mandates = [m for m in _held_mandates(people, last) if m.held_end > first]
    blocked = _blocked_for_month(
        sa.select(Mandate.id).where(Mandate.deputy_id.in_(people), Mandate.start_date <= last), year, month)
    groups = defaultdict(list)
    for mandate in mandates:
        groups[(mandate.deputy_id, mandate.level)].append(mandate)
    due = {}
    for (deputy_id, level), group in groups.items():
        if not any(m.township_id == township_id for m in group) or not _covers(group, first, last):
            continue
        if any(m.id in blocked for m in group):
            continue
        entry = due.setdefault(deputy_id, {"deputy": group[0], "stations": []})
        entry["stations"].append((LEVEL_ORDER.index(level), [
            m.station_id for m in group if m.township_id == township_id and m.station_id]))
    rows = []
    for deputy_id, entry in due.items():
        own = []
        for _rank, ids in sorted(entry["stations"], key=lambda pair: pair[0]):
            own += [i for i in ids if i not in own]
        deputy = entry["deputy"]
        rows.append(DueDeputy(deputy_id, deputy.name, deputy.name_sort_key, tuple(own)))
    rows.sort(key=lambda r: (r.name_sort_key, r.deputy_id))
    return rows


def in_force_in_township(deputy_id, township_id, day):
    """True when the deputy holds a mandate in that township on ``day`` and is not suspended."""
    mandates = db.session.scalars(
        sa.select(Mandate).where(Mandate.deputy_id == deputy_id, Mandate.township_id == township_id)
        .options(joinedload(Mandate.term), selectinload(Mandate.suspensions))).unique().all()
    return any(m.held_on(day) and not m.suspended_on(day) for m in mandates)


# --- the planner's input -------------------------------------------------------------------------

def unavailable_dates(deputy_ids, first, last):
    """{deputy id: frozenset of dates from ``first`` to ``last`` they recorded as unavailable}."""
    dates = defaultdict(set)
    if not deputy_ids:
        return {}
    rows = db.session.scalars(sa.select(Unavailability).where(
        Unavailability.deputy_id.in_(list(deputy_ids)), Unavailability.first_day <= last,
        Unavailability.last_day >= first))
    for row in rows:
        day = max(row.first_day, first)
        while day <= min(row.last_day, last):
            dates[row.deputy_id].add(day)
            day += timedelta(days=1)
    return {deputy_id: frozenset(days) for deputy_id, days in dates.items()}


def receiving_stations(township_id):
    """The township's active 联络站 (not homes) with their opening hours, by pinyin."""
    return db.session.scalars(
        sa.select(Station).where(Station.township_id == township_id, Station.kind == StationKind.station,
                                 Station.active.is_(True))
        .options(selectinload(Station.opening_hours)).order_by(Station.name_sort_key, Station.id)).all()


def station_input(station):
    """A station as the planner sees it."""
    return planning.StationIn(
        id=station.id, name=station.name, open_on_holidays=station.open_on_holidays,
        hours=tuple(planning.Hours(h.weekday, h.opens, h.closes) for h in station.opening_hours))


def calendar_days(year, month):
    """The month's dates with their calendar facts (holidays, swapped workdays; any year)."""
    period = Month(year, month)
    days = calendar.days_between(period.first, period.last)
    return tuple(planning.Day(d.day, d.workday, d.holiday) for d in days)


def plan_input(township_id, year, month, capacity=planning.DEFAULT_CAPACITY, first_day=None, due=None):
    """Load one township's month into a ``planning.PlanInput`` (a few queries, whatever the size)."""
    period = Month(year, month)
    first, last = period.first, period.last
    due = due if due is not None else due_deputies(township_id, year, month)
    unavailable = unavailable_dates([d.deputy_id for d in due], first, last)
    return planning.PlanInput(
        year=year, month=month, days=calendar_days(year, month),
        stations=tuple(station_input(s) for s in receiving_stations(township_id)),
        deputies=tuple(planning.DeputyIn(d.deputy_id, d.own_station_ids,
                                         unavailable.get(d.deputy_id, frozenset()), d.name_sort_key)
                       for d in due),
        capacity=capacity, first_day=first_day)


# --- what the month page and the proposal say about the month (rule R21) ------------------------------

def provisional_ends(township_id, year, month):
    """Terms with mandates in the township whose recorded end date falls before the month's end but is
    only provisional (the term is not closed): their deputies are scheduled past it (rules R5, R21).
    As (term name, recorded end date), by end date."""
    last = Month(year, month).last
    terms = db.session.scalars(
        sa.select(Term).where(Term.id.in_(sa.select(Mandate.term_id).where(Mandate.township_id == township_id)),
                              Term.end_date < last).order_by(Term.end_date, Term.id)).all()
    return [(t.name, t.end_date) for t in terms if not term_end_is_real(t)]


def holidays_missing(year, month):
    """The month's year when nobody knows its statutory holidays and swapped workdays: chinesecalendar
    does not, and committee staff recorded none (rule R21). None when they are known."""
    source = calendar.year_source(year)
    return year if source is calendar.Source.weekends else None


def ended_terms(township_id, year, month):
    """Terms with mandates in the township whose real last day comes before the month's end (closed, or
    the end confirmed), with no term of the same level held there through the month: nobody of that
    level holds the whole month until the next term's roster comes in. As (term name, last day)."""
    period = Month(year, month)
    terms = db.session.scalars(
        sa.select(Term).where(Term.id.in_(sa.select(Mandate.term_id).where(Mandate.township_id == township_id)))
    ).all()
    running = {t.level for t in terms if t.start_date <= period.first and last_day_held_in(t) >= period.last}
    return [(t.name, t.end_date) for t in sorted(terms, key=lambda t: t.end_date)
            if last_day_held_in(t) < period.last and t.level not in running]


def why_no_slots(township_id, year, month, plan):
    """Why a month has no slot to fill, in words (rule R21): no station, no receiving time, or nobody
    due (and why nobody). None when there is something to fill."""
    if not plan.stations:
        return _l("本乡镇（街道）没有启用的联络站，无法排班。请先在“家站”中启用联络站。")
    if not any(planning.receiving_windows(plan, s) for s in plan.stations):
        return _l("各联络站在本月剩余日期都没有接待时间（未设置接待时间，或都在法定节假日）。请先在家站设置中填写接待时间。")
    if plan.deputies:
        return None
    ended = ended_terms(township_id, year, month)
    if ended:
        names = "、".join(f"{name}（{end.isoformat()}）" for name, end in ended)
        return _l("本月没有应进站的代表：%(terms)s已届满（已换届或届满日期已确认），本月没有全月在任的代表，"
                  "新一届代表名单尚未导入。请先导入新一届代表名单。", terms=names)
    return _l("本月没有应进站的代表：本乡镇（街道）没有全月在任的代表，或他们本月都已暂停执行代表职务、免于进站。")


# --- months and slots -----------------------------------------------------------------------------

def townships_in_scope():
    """The townships the user may plan, by pinyin."""
    return db.session.scalars(scope(sa.select(Township), Township.id).order_by(*ADMINISTRATIVE_ORDER)).all()


def rota_months(township_id=None):
    """Months in the user's townships, newest first, then by township (pinyin)."""
    query = (sa.select(RotaMonth).join(Township, Township.id == RotaMonth.township_id)
             .options(joinedload(RotaMonth.township))
             .order_by(RotaMonth.year.desc(), RotaMonth.month.desc(), *ADMINISTRATIVE_ORDER))
    if township_id:
        query = query.where(RotaMonth.township_id == township_id)
    return scope(query, RotaMonth.township_id)


def month_counts(rota_month_ids):
    """{month id: (slots, places held, no-shows)} for a page of months, in one query."""
    if not rota_month_ids:
        return {}
    rows = db.session.execute(
        sa.select(Slot.rota_month_id, sa.func.count(sa.distinct(Slot.id)),
                  sa.func.count(sa.case((SlotAssignment.status.in_(HOLDING_PLACE), SlotAssignment.id))),
                  sa.func.count(sa.case((SlotAssignment.status == AssignmentStatus.no_show,
                                         SlotAssignment.id))))
        .outerjoin(SlotAssignment, SlotAssignment.slot_id == Slot.id)
        .where(Slot.rota_month_id.in_(rota_month_ids)).group_by(Slot.rota_month_id))
    return {month_id: (slots, places, no_shows) for month_id, slots, places, no_shows in rows}


def township_mandates(township_id, first, last):
    """The township's mandates that may be held on a day from ``first`` to ``last`` (deputy, term and
    suspensions loaded), for checking many dates at once."""
    mandates = db.session.scalars(
        sa.select(Mandate).where(Mandate.township_id == township_id, Mandate.start_date <= last)
        .options(joinedload(Mandate.term), selectinload(Mandate.suspensions), joinedload(Mandate.deputy))
    ).unique().all()
    return [m for m in mandates if m.held_end > first]


def month_slots(rota_month_id):
    """A month's slots with station and assignments (deputies loaded), by date, time and station."""
    return db.session.scalars(
        sa.select(Slot).where(Slot.rota_month_id == rota_month_id)
        .join(Station, Station.id == Slot.station_id)
        .options(joinedload(Slot.station),
                 selectinload(Slot.assignments).joinedload(SlotAssignment.deputy),
                 selectinload(Slot.assignments).selectinload(SlotAssignment.requests))
        .order_by(Slot.local_date, Slot.starts, Station.name_sort_key, Slot.id)).all()


def find_rota_month(township_id, year, month):
    """The township's rota for that month, or None."""
    return db.session.scalar(sa.select(RotaMonth).where(
        RotaMonth.township_id == township_id, RotaMonth.year == year, RotaMonth.month == month))


def live_windows(plan, slots):
    """The month as windows with their current load: existing slots, plus receiving times that have
    no slot yet (empty, with the default capacity); for explaining who is not placed."""
    windows, taken = [], set()
    for slot in slots:
        holding = [a.deputy_id for a in slot.assignments if a.status in HOLDING_PLACE]
        windows.append(planning.Window(slot.station_id, slot.local_date, slot.starts, slot.ends,
                                       slot.capacity, holding))
        taken.add((slot.station_id, slot.local_date, slot.starts))
    for station in plan.stations:
        for window in planning.receiving_windows(plan, station):
            if (window.station_id, window.day, window.starts) not in taken:
                windows.append(window)
    return windows


class Shortfall(NamedTuple):
    """A due deputy without a place this month, or placed away from their own station, and why."""

    deputy_id: int
    name: str
    reason: planning.Reason


def shortfalls(rota_month, slots, today, capacity=planning.DEFAULT_CAPACITY):
    """(unplaced, away): due deputies without a place, and those placed only away from their own station.

    Existing slots count whatever their date; receiving times without a slot count from ``today`` on.
    """
    first = Month(rota_month.year, rota_month.month).first
    plan = plan_input(rota_month.township_id, rota_month.year, rota_month.month, capacity,
                      first_day=max(first, today))
    windows = live_windows(plan, slots)
    by_station = defaultdict(list)
    for window in windows:
        by_station[window.station_id].append(window)
    for station in plan.stations:
        by_station.setdefault(station.id, [])
    placed = defaultdict(set)
    for window in windows:
        for deputy_id in window.deputy_ids:
            placed[deputy_id].add(window.station_id)
    unplaced, away = [], []
    for deputy in plan.deputies:
        stations = placed.get(deputy.id)
        if not stations:
            unplaced.append(Shortfall(deputy.id, "", planning.why_unplaced(plan, deputy, windows)))
        elif not stations & set(deputy.own_station_ids):
            away.append(Shortfall(deputy.id, "", planning.why_away(deputy, by_station)))
    names = dict(db.session.execute(sa.select(Deputy.id, Deputy.name).where(
        Deputy.id.in_([s.deputy_id for s in unplaced + away]))).all()) if unplaced or away else {}
    return ([s._replace(name=names[s.deputy_id]) for s in unplaced],
            [s._replace(name=names[s.deputy_id]) for s in away])


def own_station_ids(township_id, year, month):
    """{deputy id: own station ids} for the due deputies (to mark places away from home)."""
    return {d.deputy_id: set(d.own_station_ids) for d in due_deputies(township_id, year, month)}


def deputy_slots_in_month(deputy_id, rota_month_id):
    """The deputy's places in one month that still hold (for messages)."""
    return db.session.scalars(
        sa.select(SlotAssignment).join(Slot, Slot.id == SlotAssignment.slot_id)
        .where(SlotAssignment.deputy_id == deputy_id, Slot.rota_month_id == rota_month_id,
               SlotAssignment.status.in_(HOLDING_PLACE))
        .options(joinedload(SlotAssignment.slot).joinedload(Slot.station))
        .order_by(Slot.local_date, Slot.starts)).all()


def deputy_places_from(deputy_id, first_day, last_day, statuses):
    """The deputy's places in ``statuses`` on dates from ``first_day`` to ``last_day`` (None: on), in any
    draft or published month, with slot, month, station and leave requests loaded, by date."""
    query = (sa.select(SlotAssignment).join(Slot, Slot.id == SlotAssignment.slot_id)
             .where(SlotAssignment.deputy_id == deputy_id, Slot.local_date >= first_day,
                    SlotAssignment.status.in_(statuses))
             .options(joinedload(SlotAssignment.slot).joinedload(Slot.station),
                      joinedload(SlotAssignment.slot).joinedload(Slot.rota_month),
                      selectinload(SlotAssignment.requests))
             .order_by(Slot.local_date, Slot.starts, SlotAssignment.id))
    if last_day is not None:
        query = query.where(Slot.local_date <= last_day)
    return db.session.scalars(query).all()


def slots_on(rota_month_id, station_id, day):
    """The month's slots at a station on a date."""
    return db.session.scalars(sa.select(Slot).where(
        Slot.rota_month_id == rota_month_id, Slot.station_id == station_id, Slot.local_date == day)).all()


def deputy_places_on(deputy_id, day):
    """The deputy's places on a date, in any published or draft month (to refuse double booking)."""
    return db.session.scalars(
        sa.select(SlotAssignment).join(Slot, Slot.id == SlotAssignment.slot_id)
        .where(SlotAssignment.deputy_id == deputy_id, Slot.local_date == day,
               SlotAssignment.status.in_(HOLDING_PLACE))
        .options(joinedload(SlotAssignment.slot))).all()


# --- public page, notice, deputies' own -------------------------------------------------------------

def published_slots(station_id, since):
    """Published slots at a station from ``since`` on, with the deputies who hold a place."""
    return db.session.scalars(
        sa.select(Slot).join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
        .where(Slot.station_id == station_id, Slot.local_date >= since,
               RotaMonth.status == RotaStatus.published)
        .options(selectinload(Slot.assignments).joinedload(SlotAssignment.deputy))
        .order_by(Slot.local_date, Slot.starts)).all()


def my_places(deputy_id, since):
    """The deputy's places in published slots from ``since`` on (any status), with their requests."""
    return db.session.scalars(
        sa.select(SlotAssignment).join(Slot, Slot.id == SlotAssignment.slot_id)
        .join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
        .where(SlotAssignment.deputy_id == deputy_id, Slot.local_date >= since,
               RotaMonth.status == RotaStatus.published)
        .options(joinedload(SlotAssignment.slot).joinedload(Slot.station),
                 selectinload(SlotAssignment.requests))
        .order_by(Slot.local_date, Slot.starts)).all()


def my_unavailability(deputy_id, since):
    """The deputy's unavailable periods that end on or after ``since``."""
    return db.session.scalars(
        sa.select(Unavailability)
        .where(Unavailability.deputy_id == deputy_id, Unavailability.last_day >= since)
        .order_by(Unavailability.first_day)).all()


def unavailability_in_scope(since, township_id=None):
    """Unavailable periods ending on or after ``since`` of deputies with a mandate in the user's townships."""
    people = scope(sa.select(Mandate.deputy_id), Mandate.township_id)
    if township_id:
        people = people.where(Mandate.township_id == township_id)
    return (sa.select(Unavailability).join(Deputy, Deputy.id == Unavailability.deputy_id)
            .where(Unavailability.deputy_id.in_(people), Unavailability.last_day >= since)
            .options(joinedload(Unavailability.deputy))
            .order_by(Unavailability.first_day, Deputy.name_sort_key, Unavailability.id))


def deputies_in_scope():
    """Deputies with a mandate in the user's townships, by pinyin (for staff choosing a person)."""
    people = scope(sa.select(Mandate.deputy_id), Mandate.township_id)
    return db.session.scalars(sa.select(Deputy).where(Deputy.id.in_(people))
                              .order_by(Deputy.name_sort_key, Deputy.id)).all()


# --- requests ------------------------------------------------------------------------------------------

def requests_in_scope(status=RequestStatus.pending):
    """Leave and swap requests in the user's townships (pending ones, or all), oldest first."""
    query = (sa.select(LeaveRequest)
             .join(SlotAssignment, SlotAssignment.id == LeaveRequest.assignment_id)
             .join(Slot, Slot.id == SlotAssignment.slot_id)
             .join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
             .options(joinedload(LeaveRequest.assignment).joinedload(SlotAssignment.slot)
                      .joinedload(Slot.station),
                      joinedload(LeaveRequest.assignment).joinedload(SlotAssignment.deputy),
                      joinedload(LeaveRequest.swap_with))
             .order_by(LeaveRequest.requested_at.desc() if status is None else LeaveRequest.requested_at,
                       LeaveRequest.id))
    if status is not None:
        query = query.where(LeaveRequest.status == status)
    return scope(query, RotaMonth.township_id)


# --- jobs ----------------------------------------------------------------------------------------------

def places_on(day, statuses=HOLDING_PLACE):
    """Places in published slots on a date, with slot, station and deputy (with account) loaded."""
    return db.session.scalars(
        sa.select(SlotAssignment).join(Slot, Slot.id == SlotAssignment.slot_id)
        .join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
        .where(Slot.local_date == day, RotaMonth.status == RotaStatus.published,
               SlotAssignment.status.in_(statuses))
        .options(joinedload(SlotAssignment.slot).joinedload(Slot.station),
                 joinedload(SlotAssignment.deputy).joinedload(Deputy.account))
        .order_by(SlotAssignment.id)).all()


def unsettled_days(before):
    """Dates before ``before`` with places in published slots still marked assigned: days whose
    no-shows were never recorded (the scheduler was down), oldest first."""
    return db.session.scalars(
        sa.select(Slot.local_date).join(SlotAssignment, SlotAssignment.slot_id == Slot.id)
        .join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
        .where(Slot.local_date < before, RotaMonth.status == RotaStatus.published,
               SlotAssignment.status == AssignmentStatus.assigned)
        .distinct().order_by(Slot.local_date)).all()


def may_receive(deputy_id, township_id, day):
    """True when the deputy may receive constituents for that township on ``day``: a mandate there in
    force and not suspended, and no unavailability recorded for the day (rule R20)."""
    if not in_force_in_township(deputy_id, township_id, day):
        return False
    return db.session.scalar(sa.select(Unavailability.id).where(
        Unavailability.deputy_id == deputy_id, Unavailability.first_day <= day,
        Unavailability.last_day >= day).limit(1)) is None


def checked_in_pairs(day, deputy_station_pairs):
    """The (deputy, station) pairs with a check-in that day in any status but rejected."""
    if not deputy_station_pairs:
        return set()
    deputy_ids = {d for d, _ in deputy_station_pairs}
    rows = db.session.execute(
        sa.select(Checkin.deputy_id, Checkin.station_id).where(
            Checkin.local_date == day, Checkin.deputy_id.in_(deputy_ids), Checkin.status != Status.rejected)
        .distinct())
    return {(d, s) for d, s in rows} & set(deputy_station_pairs)


def unpublished_townships(year, month):
    """Townships with an active 联络站 whose rota for that month is missing or still a draft."""
    published = sa.select(RotaMonth.township_id).where(
        RotaMonth.year == year, RotaMonth.month == month, RotaMonth.status == RotaStatus.published)
    receiving = sa.select(Station.township_id).where(Station.kind == StationKind.station,
                                                     Station.active.is_(True))
    return db.session.scalars(
        sa.select(Township).where(Township.id.in_(receiving), ~Township.id.in_(published))
        .order_by(*ADMINISTRATIVE_ORDER)).all()


def next_place(deputy_id, today):
    """The deputy's next place in a published slot still to come (我的履职, rule R34): the first one
    from ``today`` on that is assigned to them (not given up), with its requests; None when none."""
    return db.session.scalars(
        sa.select(SlotAssignment).join(Slot, Slot.id == SlotAssignment.slot_id)
        .join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
        .where(SlotAssignment.deputy_id == deputy_id, Slot.local_date >= today,
               SlotAssignment.status == AssignmentStatus.assigned, RotaMonth.status == RotaStatus.published)
        .options(joinedload(SlotAssignment.slot).joinedload(Slot.station),
                 selectinload(SlotAssignment.requests))
        .order_by(Slot.local_date, Slot.starts).limit(1)).first()
