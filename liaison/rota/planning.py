"""Proposing a month's rota (排班建议): a pure function over plain data, no database inside.

``queries.plan_input`` loads a township's month into a ``PlanInput``; ``propose`` returns the
receiving windows with the deputies placed in them, and who could not be placed (or not at their
own station) with the reason. Nothing is dropped silently: every deputy of the input is either in
a window or in ``unplaced``.

Rules, decided here:

* A station receives on a date when its opening hours (接待时间) have that weekday: one window per
  opening-hours row, with its times. A Saturday or Sunday 接待日 is an ordinary receiving day.
* Statutory holidays (法定节假日): no window, unless the station opts in (``open_on_holidays``);
  it then receives with that weekday's hours.
* Swapped workdays (调休上班, a Saturday or Sunday worked in exchange for a holiday) are worked like
  a weekday: the station receives with its hours for that weekday if it has any (a Saturday
  接待日), else with the hours of the first weekday, Monday to Friday, on which it receives. Which
  weekday a swapped day stands in for is not published anywhere, so "its usual weekday hours" is
  the closest honest reading; staff delete the slot when the station will not open that day.
* Every deputy gets one place (月进站 needs one visit), preferably at their own station, never on a
  date they are unavailable, never beyond a window's capacity.
* Within each station the load is spread evenly over its receiving days: the most constrained
  deputies are placed first, each into the least-loaded day they can take, then a repair pass moves
  deputies from the busiest to the quietest day until they differ by at most one where the
  deputies' dates and the capacity allow.
* Deputies whose own station is full (or does not receive, or only on dates they are away) go to
  another station of the township, the one least loaded per receiving day first.
"""
import enum
from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import lazy_gettext as _l

#: Places per window unless the propose form or the station says otherwise.
DEFAULT_CAPACITY = 3
WEEKDAYS = range(5)


@dataclass(frozen=True)
class Day:
    """What the calendar says about one local date."""

    day: date
    workday: bool
    #: A statutory holiday (法定节假日); an ordinary weekend is a rest day but not a holiday.
    holiday: bool = False

    @property
    def swapped_workday(self):
        """A Saturday or Sunday that is worked (调休上班)."""
        return self.workday and self.day.weekday() >= 5


@dataclass(frozen=True)
class Hours:
    """One opening-hours row: local wall-clock times on a weekday (0 = Monday)."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class StationIn:
    """A station that may receive deputies."""

    id: int
    hours: tuple = ()
    open_on_holidays: bool = False
    #: Places per window at this station; None takes the input's capacity.
    capacity: int | None = None
    name: str = ""


@dataclass(frozen=True)
class DeputyIn:
    """A deputy due this month."""

    id: int
    #: Their own stations (联络站) in this township, most preferred first; may be empty.
    own_station_ids: tuple = ()
    #: Local dates they cannot receive constituents.
    unavailable: frozenset = frozenset()
    name: str = ""


@dataclass(frozen=True)
class PlanInput:
    """Everything ``propose`` needs, as plain values."""

    year: int
    month: int
    #: Every date of the month with its calendar facts.
    days: tuple
    stations: tuple
    deputies: tuple
    capacity: int = DEFAULT_CAPACITY
    #: No window before this date (e.g. tomorrow, when proposing the current month); None = the 1st.
    first_day: date | None = None


@dataclass
class Window:
    """One station's reception on one date at one time: a slot, with the deputies placed in it."""

    station_id: int
    day: date
    starts: time
    ends: time
    capacity: int
    deputy_ids: list = field(default_factory=list)

    @property
    def room(self):
        """Places still free."""
        return self.capacity - len(self.deputy_ids)


class Reason(enum.Enum):
    """Why a deputy has no place, or no place at their own station."""

    # No place at all.
    unavailable_all_month = "unavailable_all_month"
    no_reception_in_township = "no_reception_in_township"
    no_reception_when_available = "no_reception_when_available"
    full = "full"
    not_yet_placed = "not_yet_placed"
    # A place, but not at their own station.
    no_own_station = "no_own_station"
    own_no_reception = "own_no_reception"
    own_unavailable = "own_unavailable"
    own_full = "own_full"
    own_has_room = "own_has_room"

    @property
    def label(self):
        return {
            "unavailable_all_month": _l("全月不可用"),
            "no_reception_in_township": _l("本乡镇（街道）本月没有联络站接待时间"),
            "no_reception_when_available": _l("本人可用的日子没有联络站接待"),
            "full": _l("名额已满：本人可用的接待时段都已排满"),
            "not_yet_placed": _l("尚未安排：仍有空余名额，可手动添加"),
            "no_own_station": _l("未指定本人联络站（或不在本乡镇）"),
            "own_no_reception": _l("本站本月无接待时间"),
            "own_unavailable": _l("本站接待日本人均不可用"),
            "own_full": _l("本站名额已满"),
            "own_has_room": _l("本站仍有名额，可调整"),
        }[self.value]


@dataclass(frozen=True)
class Unplaced:
    deputy_id: int
    reason: Reason


@dataclass(frozen=True)
class Away:
    """A deputy placed at a station other than their own."""

    deputy_id: int
    station_id: int
    reason: Reason


@dataclass
class Proposal:
    """``propose``'s answer: every window (also empty ones), and the deputies not placed as wished."""

    windows: list
    unplaced: list
    away: list
    #: Why there is no slot to fill at all, in words (set by the caller that knows the township; rule R21).
    why_empty: object = None

    @property
    def placed(self):
        """{deputy id: window}."""
        return {d: w for w in self.windows for d in w.deputy_ids}

    @property
    def filled_windows(self):
        """Windows with at least one deputy: the slots to create."""
        return [w for w in self.windows if w.deputy_ids]


# --- receiving windows -------------------------------------------------------------------------

def _hours_by_weekday(station):
    """{weekday: [(opens, closes), ...]} in time order."""
    by_day = {}
    for row in sorted(station.hours, key=lambda h: (h.weekday, h.opens)):
        by_day.setdefault(row.weekday, []).append((row.opens, row.closes))
    return by_day


def hours_on(station, info, by_day=None):
    """The (opens, closes) periods a station receives on a date (see the module's rules)."""
    by_day = by_day if by_day is not None else _hours_by_weekday(station)
    if info.holiday and not station.open_on_holidays:
        return []
    weekday = info.day.weekday()
    hours = by_day.get(weekday, [])
    if not hours and info.swapped_workday:
        usual = [d for d in WEEKDAYS if d in by_day]
        hours = by_day[usual[0]] if usual else []
    return list(hours)


def receiving_windows(plan, station):
    """The station's empty windows in the month, in date and time order."""
    by_day = _hours_by_weekday(station)
    capacity = station.capacity or plan.capacity
    first = plan.first_day or date(plan.year, plan.month, 1)
    windows = []
    for info in plan.days:
        if info.day < first:
            continue
        for opens, closes in hours_on(station, info, by_day):
            windows.append(Window(station.id, info.day, opens, closes, capacity))
    return windows


# --- explanations ---------------------------------------------------------------------------------

def _remaining_days(plan):
    """The dates of the month that can still be planned."""
    first = plan.first_day or date(plan.year, plan.month, 1)
    return [d.day for d in plan.days if d.day >= first]


def why_unplaced(plan, deputy, windows):
    """Why a deputy has no place, given every window of the township (with their current load)."""
    days = _remaining_days(plan)
    if days and all(d in deputy.unavailable for d in days):
        return Reason.unavailable_all_month
    if not windows:
        return Reason.no_reception_in_township
    open_to_them = [w for w in windows if w.day not in deputy.unavailable]
    if not open_to_them:
        return Reason.no_reception_when_available
    if all(w.room <= 0 for w in open_to_them):
        return Reason.full
    return Reason.not_yet_placed


def why_away(deputy, windows_by_station):
    """Why a placed deputy is not at their own station, given each station's windows and load."""
    own = [sid for sid in deputy.own_station_ids if sid in windows_by_station]
    if not own:
        return Reason.no_own_station
    own_windows = [w for sid in own for w in windows_by_station[sid]]
    if not own_windows:
        return Reason.own_no_reception
    open_to_them = [w for w in own_windows if w.day not in deputy.unavailable]
    if not open_to_them:
        return Reason.own_unavailable
    if all(w.room <= 0 for w in open_to_them):
        return Reason.own_full
    return Reason.own_has_room


# --- the proposal --------------------------------------------------------------------------------

class _StationState:
    """One station's windows and how many deputies each of its receiving days holds."""

    __slots__ = ("id", "windows", "day_load", "placed", "days")

    def __init__(self, station_id, windows):
        self.id = station_id
        self.windows = windows
        self.days = sorted({w.day for w in windows})
        self.day_load = dict.fromkeys(self.days, 0)
        self.placed = 0

    def best_window(self, deputy):
        """The window this deputy can take with the least-loaded day (then window), or None."""
        best, best_key = None, None
        unavailable = deputy.unavailable
        day_load = self.day_load
        for w in self.windows:
            if len(w.deputy_ids) >= w.capacity or w.day in unavailable:
                continue
            key = (day_load[w.day], len(w.deputy_ids), w.day, w.starts)
            if best_key is None or key < best_key:
                best, best_key = w, key
        return best

    def place(self, window, deputy_id):
        """Put a deputy in one of this station's windows."""
        window.deputy_ids.append(deputy_id)
        self.day_load[window.day] += 1
        self.placed += 1

    def load_per_day(self):
        """Deputies per receiving day: orders the stations that take overflow."""
        return self.placed / len(self.days) if self.days else float("inf")

    def rebalance(self, deputies):
        """Move deputies from the busiest to the quietest days until they differ by at most one
        wherever a deputy's dates and the capacity allow."""
        by_day = {}
        for w in self.windows:
            by_day.setdefault(w.day, []).append(w)
        # Each move lowers the spread's sum of squares, so this ends; the bound is a safety net.
        for _ in range(4 * (self.placed + 1)):
            if not self._move_one(by_day, deputies):
                return

    def _move_one(self, by_day, deputies):
        """Make one move from a day to another holding at least two fewer; False when none exists."""
        load = self.day_load
        busiest = sorted(self.days, key=lambda d: -load[d])
        quietest = sorted(self.days, key=lambda d: load[d])
        for high in busiest:
            for low in quietest:
                if load[high] - load[low] <= 1:
                    break
                targets = [w for w in by_day[low] if w.room > 0]
                if not targets:
                    continue
                for source in by_day[high]:
                    for deputy_id in source.deputy_ids:
                        if low in deputies[deputy_id].unavailable:
                            continue
                        target = min(targets, key=lambda w: (len(w.deputy_ids), w.starts))
                        source.deputy_ids.remove(deputy_id)
                        target.deputy_ids.append(deputy_id)
                        load[high] -= 1
                        load[low] += 1
                        return True
        return False


def propose(plan):
    """Place every deputy of ``plan`` in one window; return a ``Proposal`` (see the module's rules)."""
    states = {s.id: _StationState(s.id, receiving_windows(plan, s)) for s in plan.stations}
    deputies = {d.id: d for d in plan.deputies}
    placed = {}

    # 1. Own stations first, the deputies with the fewest own-station options first (they have
    #    the least choice), so the flexible ones fill the remaining days evenly.
    def own_options(deputy):
        """How many windows at the deputy's own stations fall on days they can come."""
        return sum(1 for sid in deputy.own_station_ids if sid in states
                   for w in states[sid].windows if w.day not in deputy.unavailable)

    with_own = [d for d in plan.deputies if any(sid in states for sid in d.own_station_ids)]
    for deputy in sorted(with_own, key=lambda d: (own_options(d), d.name, d.id)):
        best, best_state, best_key = None, None, None
        for sid in deputy.own_station_ids:
            state = states.get(sid)
            window = state.best_window(deputy) if state else None
            if window is None:
                continue
            key = (state.day_load[window.day], len(window.deputy_ids))
            if best_key is None or key < best_key:
                best, best_state, best_key = window, state, key
        if best is not None:
            best_state.place(best, deputy.id)
            placed[deputy.id] = best_state.id

    # 2. Everyone else at the station least loaded per receiving day that can take them; the
    #    deputies away most days go first.
    rest = [d for d in plan.deputies if d.id not in placed]
    for deputy in sorted(rest, key=lambda d: (-len(d.unavailable), d.name, d.id)):
        for state in sorted(states.values(), key=lambda s: (s.load_per_day(), s.id)):
            window = state.best_window(deputy)
            if window is not None:
                state.place(window, deputy.id)
                placed[deputy.id] = state.id
                break

    # 3. Even out each station's days.
    for state in states.values():
        state.rebalance(deputies)

    windows = [w for sid in sorted(states) for w in states[sid].windows]
    windows.sort(key=lambda w: (w.day, w.starts, w.station_id))
    by_station = {sid: state.windows for sid, state in states.items()}
    unplaced = [Unplaced(d.id, why_unplaced(plan, d, windows)) for d in plan.deputies if d.id not in placed]
    away = [Away(d.id, placed[d.id], why_away(d, by_station)) for d in plan.deputies
            if d.id in placed and placed[d.id] not in d.own_station_ids]
    return Proposal(windows=windows, unplaced=unplaced, away=away)
