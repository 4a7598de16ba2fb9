"""Proposing a month: holidays, swapped workdays, own stations, even load, capacity and opening hours,
reasons for whoever cannot be placed, years the holiday library does not know, and speed."""
import random
import time as clock
from collections import Counter, defaultdict
from datetime import date, time, timedelta

import sqlalchemy as sa

from liaison.calendar.models import DayKind
from liaison.clock import Month
from liaison.calendar.operations import record_calendar_day
from liaison.rota import planning, queries
from liaison.rota.models import HOLDING_PLACE, Slot
from liaison.rota.operations import propose_rota
from liaison.rota.planning import Reason
from tests.rota.conftest import AFTERNOON, MORNING

SEPTEMBER_20 = date(2026, 9, 20)


def oct_days(*days):
    """Dates in October 2026."""
    return {date(2026, 10, d) for d in days}


#: The days each station of the fixture receives in October 2026 (1–7 are 国庆; the 10th is 调休).
RECEIVING = {
    "东升站": oct_days(10, 14, 21, 28),
    "红旗站": oct_days(10, 13, 17, 20, 24, 27, 31),
    "新塘站": oct_days(9, 10, 12, 16, 19, 23, 26, 30),
}


def _slots(db, rota_month):
    """A month's slots."""
    return db.session.scalars(sa.select(Slot).where(Slot.rota_month_id == rota_month.id)).all()


def _propose_october(db, october):
    """Propose October 2026 as on 20 September; (month, proposal, slots)."""
    rota_month, proposal = propose_rota(october.township, 2026, 10, today=SEPTEMBER_20)
    db.session.commit()
    return rota_month, proposal, _slots(db, rota_month)


def test_october_respects_holidays_swapped_workdays_and_opening_hours(db, october):
    """No slot on 1–7 October; Saturday 10 October is worked; every slot lies within its station's hours."""
    _rota_month, _proposal, slots = _propose_october(db, october)
    assert slots
    assert not [s for s in slots if date(2026, 10, 1) <= s.local_date <= date(2026, 10, 7)]
    by_station = defaultdict(set)
    for slot in slots:
        by_station[slot.station.name].add(slot.local_date)
        assert slot.local_date.month == 10
    for name, days in by_station.items():
        assert days <= RECEIVING[name], name
    on_tenth = {s.station.name: (s.starts, s.ends) for s in slots if s.local_date == date(2026, 10, 10)}
    # 红旗站 keeps its Saturday 接待日 hours; the others work it with their first weekday's hours.
    assert on_tenth.get("红旗站") == MORNING
    assert on_tenth.get("东升站", MORNING) == MORNING
    assert on_tenth.get("新塘站", AFTERNOON) == AFTERNOON
    for slot in slots:
        weekday = slot.local_date.weekday()
        periods = [(h.opens, h.closes) for h in slot.station.opening_hours if h.weekday == weekday]
        if slot.local_date == date(2026, 10, 10) and not periods:
            periods = [(h.opens, h.closes) for h in slot.station.opening_hours if h.weekday < 5][:1]
        assert (slot.starts, slot.ends) in periods, (slot.station.name, slot.local_date)


def test_every_due_deputy_has_a_place_or_a_reason(db, october):
    """Each due deputy has exactly one place, except 全月出差, reported as 全月不可用; the suspended and
    the by-elected deputy (not due for the whole month) are not planned."""
    _rota_month, proposal, slots = _propose_october(db, october)
    placed = Counter(a.deputy_id for s in slots for a in s.assignments if a.status in HOLDING_PLACE)
    due = {d.id for d in october.due} - {october.people["全月出差"].id}
    assert set(placed) == due
    assert set(placed.values()) == {1}
    assert [(u.deputy_id, u.reason) for u in proposal.unplaced] == [
        (october.people["全月出差"].id, Reason.unavailable_all_month)]
    assert str(Reason.unavailable_all_month.label) == "全月不可用"
    assert october.suspended.id not in placed and october.late.id not in placed


def test_unavailable_dates_are_respected(db, october):
    """半月出差 (away 8–20 October) is placed on a day outside those dates."""
    _rota_month, _proposal, slots = _propose_october(db, october)
    away = october.people["半月出差"].id
    days = [s.local_date for s in slots for a in s.assignments if a.deputy_id == away]
    assert len(days) == 1 and not date(2026, 10, 8) <= days[0] <= date(2026, 10, 20)


def test_capacity_is_never_exceeded_and_load_is_even(db, october):
    """No slot holds more than its capacity, and on each station the busiest and quietest receiving
    days differ by at most one deputy."""
    _rota_month, _proposal, slots = _propose_october(db, october)
    per_day = {name: dict.fromkeys(days, 0) for name, days in RECEIVING.items()}
    for slot in slots:
        holding = [a for a in slot.assignments if a.status in HOLDING_PLACE]
        assert 1 <= len(holding) <= slot.capacity == 3
        per_day[slot.station.name][slot.local_date] += len(holding)
    for name, loads in per_day.items():
        assert max(loads.values()) - min(loads.values()) <= 1, (name, loads)
    assert set(per_day["东升站"].values()) == {3}, "12 places for 13 deputies: every day is full"


def test_most_deputies_get_their_own_station(db, october):
    """At least 80% of placed deputies are at their own station; the one who is not is listed with why."""
    _rota_month, proposal, slots = _propose_october(db, october)
    own = {d.id: d.mandates[0].station_id for d in october.due}
    places = [(a.deputy_id, s.station_id) for s in slots for a in s.assignments]
    at_own = [d for d, station in places if own[d] == station]
    assert len(at_own) / len(places) >= 0.8
    assert len(places) - len(at_own) == len(proposal.away) == 1
    assert proposal.away[0].reason is Reason.own_full
    assert own[proposal.away[0].deputy_id] == october.dongsheng.id


def test_a_station_open_on_holidays_receives_during_national_day(db, october):
    """A station that opts in receives on the holidays that fall on its weekdays."""
    october.xintang.open_on_holidays = True
    _rota_month, _proposal, slots = _propose_october(db, october)
    days = {s.local_date for s in slots if s.station_id == october.xintang.id}
    assert days & oct_days(2, 5), "Friday 2 and Monday 5 October are holidays it now receives on"
    assert not [s for s in slots if s.station_id != october.xintang.id and s.local_date <= date(2026, 10, 7)]


def test_proposing_again_replaces_the_draft(db, october):
    """A second proposal for the same draft month replaces its slots instead of adding to them."""
    _rota_month, _proposal, first = _propose_october(db, october)
    rota_month, _proposal, second = _propose_october(db, october)
    assert len(second) == len(first)
    assert db.session.scalar(sa.select(sa.func.count(Slot.id))) == len(second)


def test_2027_uses_the_weekend_fallback_and_recorded_days(db, october):
    """January 2027 is beyond the holiday library: weekdays are workdays until staff record a holiday
    (1 January) and a swapped workday (Saturday 9 January), which the proposal then follows."""
    today = date(2026, 12, 20)
    _rota_month, proposal = propose_rota(october.township, 2027, 1, today=today)
    db.session.commit()
    xintang = {w.day for w in proposal.windows if w.station_id == october.xintang.id}
    assert date(2027, 1, 1) in xintang, "a Friday is a workday in the fallback"
    assert date(2027, 1, 9) not in {w.day for w in proposal.windows if w.station_id == october.dongsheng.id}

    record_calendar_day(date(2027, 1, 1), DayKind.holiday, "元旦")
    record_calendar_day(date(2027, 1, 9), DayKind.swapped_workday, "元旦")
    db.session.commit()
    rota_month, proposal = propose_rota(october.township, 2027, 1, today=today)
    db.session.commit()
    days = {s.local_date for s in _slots(db, rota_month)}
    assert date(2027, 1, 1) not in {w.day for w in proposal.windows}
    assert date(2027, 1, 9) in {w.day for w in proposal.windows if w.station_id == october.dongsheng.id}
    assert days and all(d.year == 2027 and d.month == 1 for d in days)
    assert [u.reason for u in proposal.unplaced] == []


def test_a_past_month_or_a_published_month_is_refused(db, october):
    """Proposing a month that has passed, or one already published, says why and writes nothing."""
    import pytest

    from liaison.errors import InvalidInput
    from liaison.rota.operations import publish_rota

    with pytest.raises(InvalidInput) as error:
        propose_rota(october.township, 2026, 8, today=SEPTEMBER_20)
    assert "已经过去" in str(error.value.message)
    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=SEPTEMBER_20)
    publish_rota(rota_month, notify=False, today=SEPTEMBER_20)
    db.session.commit()
    with pytest.raises(InvalidInput) as error:
        propose_rota(october.township, 2026, 10, today=SEPTEMBER_20)
    assert "已经公示" in str(error.value.message)


# --- the planner alone: reasons and speed ----------------------------------------------------------

def _plain_days(year, month):
    """Monday to Friday workdays, no holidays (the planner takes the calendar as data)."""
    period = Month(year, month)
    dates = (period.first + timedelta(days=i) for i in range((period.after - period.first).days))
    return tuple(planning.Day(d, d.weekday() < 5) for d in dates)


def test_reasons_when_nothing_fits():
    """No receiving station, no reception on someone's free days, all places taken: each has its reason."""
    days = _plain_days(2026, 11)
    free_only_weekends = frozenset(d.day for d in days if d.day.weekday() < 5)
    plan = planning.PlanInput(2026, 11, days, stations=(), deputies=(planning.DeputyIn(1),))
    assert planning.propose(plan).unplaced[0].reason is Reason.no_reception_in_township
    station = planning.StationIn(10, hours=(planning.Hours(0, time(9), time(11)),), capacity=1)
    deputies = (planning.DeputyIn(1, (10,), free_only_weekends),) + tuple(
        planning.DeputyIn(i, (10,)) for i in range(2, 8))
    result = planning.propose(planning.PlanInput(2026, 11, days, (station,), deputies))
    reasons = {u.deputy_id: u.reason for u in result.unplaced}
    assert reasons[1] is Reason.no_reception_when_available
    assert len(result.placed) == 5, "five Mondays in November 2026, one place each"
    assert set(reasons.values()) == {Reason.no_reception_when_available, Reason.full}
    assert len(result.placed) + len(result.unplaced) == len(deputies), "nobody is dropped silently"


def _synthetic(deputy_count=1000, station_count=100, seed=7):
    """A township-sized input scaled up: stations receiving one to three times a week, deputies with
    an own station (a few without), some away on a few dates, a few away all month."""
    rng = random.Random(seed)
    days = _plain_days(2026, 11)
    periods = (planning.Hours(0, time(9), time(11, 30)),)
    stations = []
    for sid in range(1, station_count + 1):
        weekdays = rng.sample(range(6), rng.choice((1, 1, 2, 3)))
        hours = tuple(planning.Hours(w, p.opens, p.closes) for w in weekdays for p in periods)
        stations.append(planning.StationIn(sid, hours=hours, capacity=rng.choice((2, 3, 3, 4))))
    dates = [d.day for d in days]
    deputies = []
    for did in range(1, deputy_count + 1):
        own = (rng.randrange(1, station_count + 1),) if rng.random() > 0.03 else ()
        roll = rng.random()
        if roll < 0.01:
            unavailable = frozenset(dates)
        elif roll < 0.3:
            start = rng.randrange(len(dates))
            unavailable = frozenset(dates[start:start + rng.randrange(1, 10)])
        else:
            unavailable = frozenset()
        deputies.append(planning.DeputyIn(did, own, unavailable, name=f"d{did:05d}"))
    return planning.PlanInput(2026, 11, days, tuple(stations), tuple(deputies))


def test_a_thousand_deputies_across_a_hundred_stations(capsys):
    """1,000 deputies and 100 stations: everyone is placed or has a reason, nobody twice, no window
    over capacity or on a day its deputy is away, most at their own station, each station's days
    within one of each other where the deputies' dates allow. The time is printed, not asserted."""
    plan = _synthetic()
    started = clock.perf_counter()
    result = planning.propose(plan)
    elapsed = clock.perf_counter() - started
    with capsys.disabled():
        print(f"\npropose: 1000 deputies, 100 stations, {len(result.windows)} windows: "
              f"{elapsed * 1000:.0f} ms")

    deputies = {d.id: d for d in plan.deputies}
    placed = [d for w in result.windows for d in w.deputy_ids]
    assert len(placed) == len(set(placed))
    assert len(placed) + len(result.unplaced) == len(plan.deputies)
    for window in result.windows:
        assert len(window.deputy_ids) <= window.capacity
        assert all(window.day not in deputies[d].unavailable for d in window.deputy_ids)
    whole_month = {d.id for d in plan.deputies if len(d.unavailable) == len(plan.days)}
    assert {u.deputy_id for u in result.unplaced if u.reason is Reason.unavailable_all_month} == whole_month
    with_own = [d for d in placed if deputies[d].own_station_ids]
    at_own = [d for w in result.windows for d in w.deputy_ids if w.station_id in deputies[d].own_station_ids]
    assert len(at_own) / len(with_own) >= 0.8
    by_station = defaultdict(lambda: defaultdict(int))
    for window in result.windows:
        by_station[window.station_id][window.day] += len(window.deputy_ids)
    uneven = [sid for sid, loads in by_station.items() if max(loads.values()) - min(loads.values()) > 1]
    assert len(uneven) <= len(by_station) // 20, "only stations whose deputies' dates forbid it"
    assert all(r.reason in (Reason.unavailable_all_month, Reason.full, Reason.no_reception_when_available)
               for r in result.unplaced)


def test_the_loader_builds_the_planners_input(db, october):
    """The loader gives the due deputies with their own station and dates, and the receiving stations."""
    plan = queries.plan_input(october.township.id, 2026, 10)
    ids = {d.id for d in plan.deputies}
    assert ids == {d.id for d in october.due}
    assert {s.id for s in plan.stations} == {october.dongsheng.id, october.hongqi.id, october.xintang.id}
    away = next(d for d in plan.deputies if d.id == october.people["半月出差"].id)
    assert away.own_station_ids == (october.dongsheng.id,)
    assert away.unavailable == frozenset(date(2026, 10, 8) + timedelta(days=i) for i in range(13))
    municipal = next(d for d in plan.deputies if d.id == october.people["市代表"].id)
    assert municipal.own_station_ids == (october.hongqi.id,)
