"""Rows for the dashboard pages, shaped from the rates queries (no counting here, only arranging)."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from liaison.clock import Month, Quarter
from liaison.dashboard.models import TermClosure, VisitReminder
from liaison.deputies.models import Deputy, Exemption, Mandate
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.opinions import counters as opinion_counters
from liaison.rates import queries as rates
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportSession, session_mandates
from liaison.reports.queries import target_term_ids
from liaison.rota.models import AssignmentStatus, RotaMonth, RotaStatus, Slot, SlotAssignment
from liaison.terms.models import Term
from stations.checkin.models import COUNTED, Checkin


class TargetRow(NamedTuple):
    """One of the two 100% targets: a term's 届内述职率 with its gap to 100%."""

    term_id: int
    term_name: str
    due: int
    done: int
    missing: int
    rate: float | None
    #: 1 − rate (None when nobody is due).
    gap: float | None
    #: The rate in whole percent, 0…100, for the bar's width class.
    percent: int


class OpinionPanel(NamedTuple):
    """民意 接、登、转、复 of a year or month: township rows, station rows (township staff), the total."""

    year: int
    #: 1–12, or None for the whole year.
    month: int | None
    townships: list
    #: Per station, for township staff; None for the whole district.
    stations: list | None
    total: object
    #: Whether the period includes today, so its overdue count is the queue's overdue list now.
    current: bool


class Matrix(NamedTuple):
    """A township × period table: the periods, the district row and one row per township."""

    periods: list
    district: list
    townships: list
    #: The district's periods that have ended, summed (rule R8: never mixed with the running one).
    ended: "EndedTotal | None" = None
    #: township id → its ``EndedTotal``.
    township_ended: dict | None = None
    #: The key of the period still running on the as-of date (shown 进行中, 截至目前), or None.
    running_key: int | None = None


class EndedTotal(NamedTuple):
    """月进站 or 季回家 over the periods that had ended by the as-of date: due and met summed over those
    periods (人次), the rate met / due (rule R8: the period still running stays outside)."""

    periods: int
    due: int
    met: int
    unmet: int
    rate: float | None


def ended_total(rows):
    """Sum the ended periods among ``VisitRow``s (None cells skipped)."""
    ended = [row for row in rows if row is not None and row.closed]
    due, met = sum(row.due for row in ended), sum(row.met for row in ended)
    return EndedTotal(len(ended), due, met, due - met, met / due if due else None)


class AnnualRow(NamedTuple):
    """年述职 of a target term for the dashboard: the district (township fields None) or a township."""

    term_id: int
    term_name: str
    township_id: int | None
    township_name: str | None
    #: Due by rule R11, reported, not yet reported, exempted for the year, begun after 30 June.
    due: int
    done: int
    missing: int
    exempted: int
    late_start: int
    rate: float | None
    percent: int


class AnnualTable(NamedTuple):
    """年述职 of the target terms for a year as of a date: a headline row per term, township rows."""

    year: int
    #: The date the figures are counted to (the as-of date capped at 31 December).
    as_of: date
    #: The year is finished or in its December (rule R15): the rate is the year's; else in progress.
    final: bool
    #: The year had begun by the as-of date.
    begun: bool
    district: list
    #: ``[(township_id, name, {term_id: AnnualRow})]`` in administrative order.
    townships: list


def target_terms(as_of):
    """The target terms (市 first), as Term objects."""
    ids = target_term_ids(as_of)
    found = db.session.scalars(sa.select(Term).where(Term.id.in_(ids))) if ids else []
    terms = {term.id: term for term in found}
    return [terms[term_id] for term_id in ids if term_id in terms]


def targets_of_townships(terms, townships):
    """The headline rows summed from a ``township_table`` (every mandate is in one township, so the
    sums are the district's counts): the workbook has the township table anyway and spares a query."""
    rows = []
    for term in terms:
        found = [by_term[term.id] for _township_id, _name, by_term in townships if term.id in by_term]
        mandates, ended, exempted, due, done = (sum(getattr(row, field) for row in found)
                                                for field in ("mandates", "ended", "exempted", "due", "done"))
        rows.append(_target_row(term, rates.TermReportingRow(None, None, mandates, ended, exempted, due, done,
                                                             due - done, done / due if due else None)))
    return rows


def _target_row(term, row):
    """Shape a district (or township) reporting row for the targets table."""
    gap = None if row.rate is None else 1 - row.rate
    percent = 0 if row.rate is None else max(0, min(100, int(row.rate * 100 + 0.5)))
    return TargetRow(term.id, term.name, row.due, row.done, row.missing, row.rate, gap, percent)


def township_table(terms, as_of, township_ids=None):
    """Townships (administrative order) × target terms: ``[(township_id, name, {term_id: TermReportingRow})]``."""
    by_township = {}
    order = []
    for term in terms:
        for row in rates.in_term_reporting(term.id, as_of, group_by="township", township_ids=township_ids):
            if row.township_id not in by_township:
                by_township[row.township_id] = (row.township_name, {})
                order.append(row.township_id)
            by_township[row.township_id][1][term.id] = row
    # Each term's rows come in administrative order; a township missing from the first term is appended
    # where the second term lists it, which keeps that order within each term.
    return [(township_id, *by_township[township_id]) for township_id in order]


def visit_matrices(year, term_id, as_of, township_ids=None):
    """{"month": Matrix, "quarter": Matrix} of a year, from one statement over the year's check-ins
    (``rates.visit_figures``)."""
    figures = rates.visit_figures(year, term_id, as_of, township_ids)
    return {kind: _matrix((rates.months if kind == "month" else rates.quarters)(year, as_of), as_of, *figures[kind])
            for kind in ("month", "quarter")}


def _matrix(periods, as_of, district, township_rows):
    """A ``Matrix`` of the district rows and the township rows of one kind."""
    townships = {}
    order = []
    for row in township_rows:
        if row.township_id not in townships:
            townships[row.township_id] = (row.township_name, {})
            order.append(row.township_id)
        townships[row.township_id][1][row.period_key] = row
    rows = [(tid, townships[tid][0], [townships[tid][1].get(p.key) for p in periods]) for tid in order]
    running = [period.key for period in periods if period.last > as_of]
    return Matrix(periods, district, rows, ended_total(district),
                  {tid: ended_total(cells) for tid, _name, cells in rows}, running[0] if running else None)


def annual_table(terms, year, as_of, township_ids=None):
    """年述职 (rule R11) of each target term for ``year`` as of a date: one grouped statement per term;
    the district rows are the township rows summed (every mandate is in one township)."""
    last = date(year, 12, 31)
    day = min(as_of, last)
    begun = day >= date(year, 1, 1)
    district, by_township, order = [], {}, []
    for term in terms:
        rows = rates.annual_reporting(year, as_of, term_id=term.id, group_by="township",
                                      township_ids=township_ids) if begun else []
        for row in rows:
            if row.township_id not in by_township:
                by_township[row.township_id] = (row.township_name, {})
                order.append(row.township_id)
            by_township[row.township_id][1][term.id] = _annual_row(term, row.township_id, row.township_name,
                                                                   row.due, row.done, row.exempted,
                                                                   row.late_start)
        sums = (sum(getattr(row, field) for row in rows) for field in ("due", "done", "exempted", "late_start"))
        district.append(_annual_row(term, None, None, *sums))
    return AnnualTable(year, day, day.month == 12 or as_of > last, begun, district,
                       [(tid, *by_township[tid]) for tid in order])


def _annual_row(term, township_id, township_name, due, done, exempted, late_start):
    rate = done / due if due else None
    percent = 0 if rate is None else max(0, min(100, int(rate * 100 + 0.5)))
    return AnnualRow(term.id, term.name, township_id, township_name, due, done, due - done, exempted,
                     late_start, rate, percent)


def period_label(kind, key):
    """A short column label: 3月 for a month key, 第1季度 for a quarter key."""
    return str((Month if kind == "month" else Quarter).from_key(key).short_label)


def parse_as_of(value, today):
    """The as-of date from a query parameter (YYYY-MM-DD), else today; a bad value gives today."""
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


def opinion_panel(year, month, today, township_ids=None):
    """The 民意 counters of the dashboard: one grouped statement per table, whatever the number of
    townships or deputies (the total is the sum of the township rows)."""
    first, last = opinion_counters.period_of(year, month)
    townships = opinion_counters.opinion_counts(first, last, by="township", township_ids=township_ids,
                                                today=today)
    stations = None
    if township_ids is not None:
        stations = opinion_counters.opinion_counts(first, last, by="station", township_ids=township_ids,
                                                   today=today)
    return OpinionPanel(year, month, townships, stations, opinion_counters.totals(townships),
                        first <= today <= last)


# --- closed terms (换届, rule R14) ---------------------------------------------------------------

def latest_closures(term_ids):
    """term id → its current frozen version (``TermClosure``), for the closed ones among ``term_ids``."""
    if not term_ids:
        return {}
    latest = (sa.select(TermClosure.term_id, sa.func.max(TermClosure.version).label("version"))
              .where(TermClosure.term_id.in_(term_ids)).group_by(TermClosure.term_id).subquery("latest"))
    query = sa.select(TermClosure).join(latest, sa.and_(latest.c.term_id == TermClosure.term_id,
                                                        latest.c.version == TermClosure.version))
    return {closure.term_id: closure for closure in db.session.scalars(query)}


def closure_versions():
    """term id → every frozen version of the term, the current (highest) first."""
    versions = {}
    query = sa.select(TermClosure).order_by(TermClosure.term_id, TermClosure.version.desc())
    for closure in db.session.scalars(query):
        versions.setdefault(closure.term_id, []).append(closure)
    return versions


class LateRecords(NamedTuple):
    """What was recorded for a closed term after its last freeze: kept, outside its figures."""

    reports: int
    exemptions: int
    mandates: int


def recorded_since_freeze(term):
    """How many reports (recorded for or marked as covering the term's mandates), exemptions and
    mandates of a closed term were recorded after its figures were last frozen."""
    frozen_at = term.figures_frozen_at
    if frozen_at is None:
        return LateRecords(0, 0, 0)
    of_term = sa.select(Mandate.id).where(Mandate.term_id == term.id)
    own = sa.select(DutyReport.id).where(DutyReport.mandate_id.in_(of_term), DutyReport.created_at > frozen_at)
    also = (sa.select(DutyReportCoverage.report_id)
            .where(DutyReportCoverage.mandate_id.in_(of_term), DutyReportCoverage.created_at > frozen_at))
    reports = sa.union(own, also).subquery("late_reports")
    count = sa.select(sa.func.count()).select_from
    return LateRecords(
        db.session.scalar(count(reports)),
        db.session.scalar(count(Exemption).where(Exemption.mandate_id.in_(of_term),
                                                 Exemption.created_at > frozen_at)),
        db.session.scalar(count(Mandate).where(Mandate.term_id == term.id, Mandate.created_at > frozen_at)))


# --- drill-down: the people behind a number ------------------------------------------------------

#: What each figure's people list can show, in the order of its filter links; each is a state of the
#: per-mandate rows of the rates queries (never new counting).
PEOPLE_FILTERS = {
    "term": ("due", "done", "missing", "exempted", "ended"),
    "year": ("due", "done", "missing", "exempted", "late_start"),
    "month": ("due", "met", "missed", "in_progress", "partial", "suspended", "exempted"),
    "quarter": ("due", "met", "missed", "in_progress", "partial", "suspended", "exempted"),
}


class PersonRow(NamedTuple):
    """One mandate behind a dashboard number: who, where, and its state in the figure."""

    deputy_id: int
    deputy_name: str
    township_id: int
    township_name: str
    #: The row's state: "done"/"missing"/"exempted"/"ended"/"late_start" for reporting figures,
    #: "met"/"missed"/"in_progress"/"partial"/"suspended"/"exempted" for a month or quarter.
    state: str
    #: The latest covering report's date (reporting figures), else None.
    report_date: date | None


def people(figure, term_id, as_of, year=None, period_key=None, township_ids=None):
    """Every mandate of a figure with its state, from the rates' per-mandate rows (one statement):
    ``figure`` "term" (届内述职率), "year" (年述职 of ``year``), "month" or "quarter" (the period
    ``period_key`` of ``year``). Ordered as the rates order them (township, then name)."""
    if figure == "term":
        rows = rates.in_term_reporting(term_id, as_of, group_by="deputy", township_ids=township_ids)
        return [_reporting_person(row) for row in rows]
    if figure == "year":
        rows = rates.annual_reporting(year, as_of, term_id=term_id, group_by="deputy",
                                      township_ids=township_ids)
        return [_reporting_person(row) for row in rows]
    query = rates.monthly_visits if figure == "month" else rates.quarterly_visits
    return [PersonRow(row.deputy_id, row.deputy_name, row.township_id, row.township_name, _visit_state(row),
                      None)
            for row in query(year, term_id, as_of, group_by="deputy", township_ids=township_ids, stream=True,
                             only=period_key)]


def _reporting_person(row):
    state = row.status if row.status != "due" else "done" if row.done else "missing"
    return PersonRow(row.deputy_id, row.deputy_name, row.township_id, row.township_name, state,
                     row.report_date)


def _visit_state(row):
    """A due mandate not met is missed once the period has ended, in progress before (rule R8)."""
    if row.status != "due":
        return row.status
    return "met" if row.met else "missed" if row.closed else "in_progress"


#: The states each filter keeps.
FILTER_STATES = {
    "due": {"done", "missing", "met", "missed", "in_progress"},
    "done": {"done"}, "missing": {"missing"}, "exempted": {"exempted"}, "ended": {"ended"},
    "late_start": {"late_start"}, "met": {"met"}, "missed": {"missed"}, "in_progress": {"in_progress"},
    "partial": {"partial"}, "suspended": {"suspended"},
}


def period_keys(figure, year, as_of):
    """The keys of the periods of ``year`` begun by the as-of date (months or quarters)."""
    return [period.key for period in (rates.months if figure == "month" else rates.quarters)(year, as_of)]


# --- the deputy's own page -------------------------------------------------------------------------

class YearDuty(NamedTuple):
    """One of a deputy's mandates and its 年述职 (rule R11) for a year, as of a date."""

    term_name: str
    #: "done", "missing" (not yet: the year is still running), "exempted", "late_start".
    state: str
    report_date: date | None
    #: The next 述职 session planned for the mandate this year, from the as-of date on (not yet done).
    session_date: date | None = None
    session_place: str = ""
    #: The voters' verdict at the report that met the duty: 满意, 基本满意, 不满意, and voters present.
    satisfied: int | None = None
    basically_satisfied: int | None = None
    dissatisfied: int | None = None
    voters_present: int | None = None


def year_duty(deputy_id, year, as_of):
    """The deputy's 年述职 (rule R11) per mandate held on the as-of date (capped at 31 December), with
    the next session planned for a duty still open and the voters' verdict of a duty done (我的履职,
    rule R34): four small statements."""
    rows = rates.annual_reporting(year, as_of, group_by="deputy", deputy_id=deputy_id)
    if not rows:
        return []
    term_ids = {row.term_id for row in rows}
    names = dict(db.session.execute(sa.select(Term.id, Term.name).where(Term.id.in_(term_ids))).all())
    mandate_ids = [row.mandate_id for row in rows]
    sessions, verdicts = _next_sessions(mandate_ids, year, as_of), _verdicts(mandate_ids, year)
    found = []
    for row in rows:
        state = _reporting_person(row).state
        session = sessions.get(row.mandate_id) if state == "missing" else None
        verdict = verdicts.get((row.mandate_id, row.report_date)) if state == "done" else None
        found.append(YearDuty(
            names.get(row.term_id, ""), state, row.report_date,
            session.session_date if session else None, _session_place(session) if session else "",
            *(verdict if verdict else (None, None, None, None))))
    return found


def _next_sessions(mandate_ids, year, as_of):
    """The first session of the year on or after the as-of date each mandate is planned to report at."""
    rows = db.session.execute(
        sa.select(session_mandates.c.mandate_id, ReportSession)
        .join(ReportSession, ReportSession.id == session_mandates.c.session_id)
        .where(session_mandates.c.mandate_id.in_(mandate_ids), ReportSession.session_date >= as_of,
               ReportSession.session_date <= date(year, 12, 31))
        .order_by(ReportSession.session_date, ReportSession.id)).all()
    first = {}
    for mandate_id, session in rows:
        first.setdefault(mandate_id, session)
    return first


def _session_place(session):
    names = [session.station.name if session.station is not None else "", session.place or ""]
    return " ".join(name for name in names if name)


def _verdicts(mandate_ids, year):
    """{(mandate id, report date): (满意, 基本满意, 不满意, voters present)} of the year's completed
    reports recorded for, or marked as covering, the mandates (rule R12)."""
    covered = (sa.select(DutyReportCoverage.report_id, DutyReportCoverage.mandate_id)
               .where(DutyReportCoverage.mandate_id.in_(mandate_ids)))
    found = {}
    reports = db.session.execute(
        sa.select(DutyReport.id, DutyReport.mandate_id, DutyReport.report_date, DutyReport.satisfied,
                  DutyReport.basically_satisfied, DutyReport.dissatisfied, DutyReport.voters_present)
        .where(DutyReport.completed.is_(True), DutyReport.report_date.between(date(year, 1, 1), date(year, 12, 31)),
               sa.or_(DutyReport.mandate_id.in_(mandate_ids),
                      DutyReport.id.in_(sa.select(covered.subquery().c.report_id))))
        .order_by(DutyReport.id)).all()
    coverage = {}
    for report_id, mandate_id in db.session.execute(covered).all():
        coverage.setdefault(report_id, set()).add(mandate_id)
    for report in reports:
        verdict = (report.satisfied, report.basically_satisfied, report.dissatisfied, report.voters_present)
        for mandate_id in {report.mandate_id} | coverage.get(report.id, set()):
            found[(mandate_id, report.report_date)] = verdict
    return found


class ClosedMandate(NamedTuple):
    """One of a deputy's mandates in a closed term (换届), with its place in the frozen figures (rule R14)."""

    term_name: str
    #: The term's real last day, the day it was closed on.
    closed_on: date
    #: The current frozen version of the term's figures.
    version: int
    #: In the frozen 届内述职率: "done", "missing", "exempted", "ended" (ended early, not due).
    state: str
    report_date: date | None


def closed_mandates(deputy_id):
    """The deputy's mandates in closed terms, newest term first, each as the term's frozen figures
    count it: the figures are computed as of the term's last day from what was recorded by its
    freeze, which is what the frozen version holds (rule R14)."""
    terms = db.session.scalars(
        sa.select(Term).join(Mandate, Mandate.term_id == Term.id)
        .where(Mandate.deputy_id == deputy_id, Term.figures_frozen_at.is_not(None))
        .order_by(Term.end_date.desc(), Term.id)).all()
    closures = latest_closures([term.id for term in terms])
    found = []
    for term in terms:
        closure = closures.get(term.id)
        if closure is None:
            continue
        for row in rates.in_term_reporting(term.id, term.end_date, group_by="deputy", deputy_id=deputy_id):
            found.append(ClosedMandate(term.name, closure.final_end_date, closure.version,
                                       _reporting_person(row).state, row.report_date))
    return found


# --- who is missing: the 进行中 list with what staff need to chase them (rule R24) -------------------

class MissingPerson(NamedTuple):
    """A deputy whose 月进站 / 季回家 of the period is still in progress, with what staff need to
    remind them: their own station (or home), next rota place, last counted visit, and reminders sent."""

    deputy_id: int
    deputy_name: str
    township_id: int
    township_name: str
    #: The deputy's own 联络站 (for a month) or 代表之家 (for a quarter) in this term, or None.
    station_id: int | None
    station_name: str
    mobile: str
    #: The next place on a rota from today on: (local date, starts, station name, published?) or None.
    next_slot: tuple | None
    #: The latest counted check-in's local date at any station of the figure's kind, or None.
    last_visit: date | None
    #: Reminders sent for this period, and when the last one went.
    reminders: int
    last_reminded_at: object


def missing_people(figure, term_id, as_of, year, period_key, township_ids=None, today=None):
    """The in-progress deputies of one month or quarter (rule R8), each with their station, next rota
    place, last visit and the reminders of the period (rule R24). Five statements whatever the
    number of deputies, each bounded by the deputies of the list (indexed by deputy)."""
    today = today or as_of
    rows = [row for row in people(figure, term_id, as_of, year, period_key, township_ids)
            if row.state == "in_progress"]
    ids = sorted({row.deputy_id for row in rows})
    if not ids:
        return []
    kind = StationKind.station if figure == "month" else StationKind.home
    own_column = Mandate.station_id if figure == "month" else Mandate.home_id
    own = {}
    for deputy_id, township_id, station_id, station_name in db.session.execute(
            sa.select(Mandate.deputy_id, Mandate.township_id, Station.id, Station.name)
            .join(Station, Station.id == own_column)
            .where(Mandate.term_id == term_id, Mandate.deputy_id.in_(ids))):
        own[(deputy_id, township_id)] = (station_id, station_name)
    mobiles = dict(db.session.execute(sa.select(Deputy.id, Deputy.mobile).where(Deputy.id.in_(ids))).all())
    slots = {}
    for deputy_id, day, starts, station_name, status in db.session.execute(
            sa.select(SlotAssignment.deputy_id, Slot.local_date, Slot.starts, Station.name, RotaMonth.status)
            .join(Slot, Slot.id == SlotAssignment.slot_id).join(RotaMonth, RotaMonth.id == Slot.rota_month_id)
            .join(Station, Station.id == Slot.station_id)
            .where(SlotAssignment.deputy_id.in_(ids), SlotAssignment.status == AssignmentStatus.assigned,
                   Slot.local_date >= today, Station.kind == kind)
            .order_by(SlotAssignment.deputy_id, Slot.local_date, Slot.starts)):
        slots.setdefault(deputy_id, (day, starts, station_name, status is RotaStatus.published))
    visits = dict(db.session.execute(
        sa.select(Checkin.deputy_id, sa.func.max(Checkin.local_date))
        .where(Checkin.deputy_id.in_(ids), Checkin.status.in_(COUNTED), Checkin.station_kind == kind)
        .group_by(Checkin.deputy_id)).all())
    reminders = {deputy_id: (count, last) for deputy_id, count, last in db.session.execute(
        sa.select(VisitReminder.deputy_id, sa.func.count(VisitReminder.id),
                  sa.func.max(VisitReminder.sent_at))
        .where(VisitReminder.figure == figure, VisitReminder.period_key == period_key,
               VisitReminder.deputy_id.in_(ids))
        .group_by(VisitReminder.deputy_id))}
    result = []
    for row in rows:
        station_id, station_name = own.get((row.deputy_id, row.township_id), (None, ""))
        count, last = reminders.get(row.deputy_id, (0, None))
        result.append(MissingPerson(row.deputy_id, row.deputy_name, row.township_id, row.township_name,
                                    station_id, station_name, mobiles.get(row.deputy_id, ""),
                                    slots.get(row.deputy_id), visits.get(row.deputy_id), count, last))
    return result
