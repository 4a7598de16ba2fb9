"""The reporting and visiting rates of docs/rules.md (rules R4 and R6-R12), as SQL aggregates.

Every function runs a constant number of queries (at most one small read of the term or of the
terms' end dates, then one aggregate), whatever the number of townships or deputies, and returns plain rows
(named tuples). Python only shapes result rows (rates, empty periods); it never loops over
check-ins, reports or deputies.

Portability (SQLite and PostgreSQL): no database date functions or date arithmetic. Period
boundaries and "the day after a term's end" are computed in Python and enter the SQL as typed
literal rows joined like tables. A mandate's days held are the half-open range
``[start_date, end_excl)`` where ``end_excl`` is its early end date (not held from that day on)
or the day after its term's last day (rule R5: the recorded end once the term is closed, far away
while it is open; the expressions are liaison/deputies/queries.py's).

As-of semantics, decided here: figures "as of" a date use what had happened by then: check-ins
and reports dated on or before it, exemptions approved on or before it (capped like the figure,
rule R10), and mandates begun on or before it. A period (month, quarter) counts once it has begun; ``closed`` tells whether it had
ended by the as-of date.
"""
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from liaison.clock import Month, Quarter
from liaison.deputies.models import Deputy, Mandate, Suspension, first_day_not_held, last_day_held_in
from liaison.deputies.queries import held_end, held_on
from liaison.extensions import db
from liaison.network.models import StationKind
from liaison.deputies.models import Exemption, ExemptionScope
from liaison.reports.models import DutyReport, DutyReportCoverage
from liaison.terms.models import Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township
from stations.checkin.models import COUNTED, Checkin

GROUPS = (None, "township", "deputy")


# --- row shapes ------------------------------------------------------------------------------

class TermReportingRow(NamedTuple):
    """届内述职率 for the district (township fields None) or one township."""

    township_id: int | None
    township_name: str | None
    #: The term's mandates begun by the as-of date (capped at the term's end).
    mandates: int
    #: Of those, ended early on or before that date: they leave the denominator.
    ended: int
    #: Not ended, but exempted from the term's reporting.
    exempted: int
    #: 应述, 已述, 未述 and 已述/应述 (None when nobody is due).
    due: int
    done: int
    missing: int
    rate: float | None


class AnnualReportingRow(NamedTuple):
    """年述职 for one year, for the district (township fields None) or one township."""

    township_id: int | None
    township_name: str | None
    #: Mandates in force on the as-of date (capped at 31 December).
    in_force: int
    #: Of those, begun after 30 June: not due that year.
    late_start: int
    #: Begun by 30 June but exempted for the year.
    exempted: int
    due: int
    done: int
    missing: int
    rate: float | None
    #: The same counted in people (each person once, whatever their mandates).
    people_due: int
    people_done: int


class MandateReportingRow(NamedTuple):
    """One mandate's reporting status (per-deputy drill-down, 代表明细)."""

    mandate_id: int
    deputy_id: int
    deputy_name: str
    township_id: int
    township_name: str
    term_id: int
    #: "due", or why not: "ended" (early end), "exempted", "late_start" (annual: begun after 30 June).
    status: str
    #: A completed report covering the mandate counts (for every status, not only "due").
    done: bool
    #: Date of the latest such report, or None.
    report_date: date | None


class VisitRow(NamedTuple):
    """月进站 for one month or 季回家 for one quarter, for the district or one township."""

    period_key: int
    township_id: int | None
    township_name: str | None
    #: Due: the person's mandates of that level hold the whole period, no suspension, no exemption.
    due: int
    met: int
    #: Due and not met in a period that has ended (missed); always 0 for a period still running.
    unmet: int
    #: met / due; for a period still running, the running figure ("截至目前", rule R8).
    rate: float | None
    #: Held for part of the period only (by-election, early end): shown apart, outside the rate.
    partial: int
    partial_met: int
    #: Held the whole period but suspended on some day of it, or exempted for it: not due.
    suspended: int
    exempted: int
    people_due: int
    people_met: int
    #: The period had ended by the as-of date (else it is still running).
    closed: bool
    #: Due and not met yet in a period still running: they still have time (进行中, rule R8); 0 once
    #: the period has ended. Always ``due = met + unmet + in_progress``.
    in_progress: int


class MandateVisitRow(NamedTuple):
    """One mandate in one month or quarter (per-deputy drill-down)."""

    period_key: int
    mandate_id: int
    deputy_id: int
    deputy_name: str
    township_id: int
    township_name: str
    #: "due", "partial", "suspended" or "exempted".
    status: str
    met: bool
    #: The period had ended by the as-of date: a due mandate not met is missed only then (rule R8).
    closed: bool


class MissingRow(NamedTuple):
    """A mandate due to report in the term that has not (the 未述 list)."""

    mandate_id: int
    deputy_id: int
    deputy_name: str
    township_id: int
    township_name: str
    start_date: date
    by_election: bool


class PeopleRow(NamedTuple):
    """Mandates in force on a date and the people holding them (each person once)."""

    township_id: int | None
    township_name: str | None
    mandates: int
    people: int


# --- building blocks -------------------------------------------------------------------------

def plain_rows(query, **options):
    """Run a select on the session's connection: a Core result, without the ORM's per-row work
    (these queries select columns, never entities; per-mandate results have tens of thousands of rows)."""
    return db.session.connection().execute(query, **options)


def _rate(done, due):
    """done / due, or None when nobody is due."""
    return done / due if due else None


def _count_if(condition):
    """How many rows the condition holds for (0, not NULL, over no rows)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _people_if(condition, deputy_id):
    """COUNT(DISTINCT person) where the condition holds: each person once."""
    return sa.func.count(sa.distinct(sa.case((condition, deputy_id))))


def _flag(condition):
    """A condition as 1/0, the same on both databases (EXISTS is boolean on one, integer on the other)."""
    return sa.case((condition, 1), else_=0)


def _literal_rows(name, columns, rows):
    """A CTE of literal rows (``SELECT :a AS x, :b AS y UNION ALL ...``), typed per column.

    Portable where ``VALUES`` with column names is not (SQLite). ``rows`` must not be empty.
    """
    selects = [sa.select(*(sa.literal(value, type_).label(col) for (col, type_), value in zip(columns, row)))
               for row in rows]
    compound = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    return compound.cte(name)


def _scoped_mandates(term_id=None, township_ids=None, deputy_id=None):
    """A select of the ids of the mandates a figure is limited to (a term, a staff member's townships,
    one person), or None when it is not limited to a township or a person: the committee's
    district-wide figures need every mandate anyway.

    The derived tables below (covering reports, exemptions) are grouped per mandate; limited by this
    set, their cost follows the township, not the district (issue 16: a township's pages cost the
    same whatever the district's size). Its own alias of the mandates, so it never correlates with
    the query it is used in."""
    if township_ids is None and deputy_id is None:
        return None
    scope, _scope_term = _aliases("scope")
    query = sa.select(scope.id)
    if term_id is not None:
        query = query.where(scope.term_id == term_id)
    if township_ids is not None:
        query = query.where(scope.township_id.in_(township_ids))
    if deputy_id is not None:
        query = query.where(scope.deputy_id == deputy_id)
    return query


def _reported(first, last, recorded_by=None, mandates=None):
    """A derived table (mandate_id, last_date): completed reports covering each mandate (the one
    recorded for and the others marked), dated from ``first`` to ``last``; with ``recorded_by``, only
    reports and coverage recorded by that instant (a closed term's freeze, rule R14); with
    ``mandates`` (a ``_scoped_mandates`` select), only for those mandates."""
    def dated(column):
        """Completed, and dated within the range."""
        return sa.and_(DutyReport.completed.is_(True), column >= first, column <= last)

    own = sa.select(DutyReport.mandate_id.label("mandate_id"), DutyReport.report_date.label("report_date")) \
        .where(dated(DutyReport.report_date))
    also = (
        sa.select(DutyReportCoverage.mandate_id.label("mandate_id"),
                  DutyReport.report_date.label("report_date"))
        .join(DutyReport, DutyReport.id == DutyReportCoverage.report_id)
        .where(dated(DutyReport.report_date))
    )
    if recorded_by is not None:
        own = own.where(DutyReport.created_at <= recorded_by)
        also = also.where(DutyReportCoverage.created_at <= recorded_by)
    if mandates is not None:
        own = own.where(DutyReport.mandate_id.in_(mandates))
        also = also.where(DutyReportCoverage.mandate_id.in_(mandates))
    both = sa.union_all(own, also).subquery("covering")
    return (sa.select(both.c.mandate_id, sa.func.max(both.c.report_date).label("last_date"))
            .group_by(both.c.mandate_id).subquery("reported"))


def _exempted(scope, as_of, with_period=False, recorded_by=None, mandates=None):
    """A derived table of the mandates (and periods) exempted for a scope, approved by ``as_of``
    (and recorded by ``recorded_by`` when given: a closed term's freeze, rule R14); with ``mandates``
    (a ``_scoped_mandates`` select), only for those mandates."""
    columns = [Exemption.mandate_id] + ([Exemption.period_key] if with_period else [])
    query = sa.select(*columns).where(Exemption.scope == scope, Exemption.approved_on <= as_of)
    if recorded_by is not None:
        query = query.where(Exemption.created_at <= recorded_by)
    if mandates is not None:
        query = query.where(Exemption.mandate_id.in_(mandates))
    return query.distinct().subquery("exempt")


def _term_ends():
    """(term_id, end_excl) per term: the first day a mandate of the term without an early end is no
    longer held (rule R5), as a tuple (a cache key).

    Reads the terms' end dates first (a small table) so the SQL needs no date arithmetic.
    """
    return tuple((term_id, first_day_not_held(None, last)) for term_id, last in plain_rows(_TERM_ENDS))


_TERM_ENDS = sa.select(Term.id, last_day_held_in(Term)).order_by(Term.id)


def _term_bounds(ends):
    """A CTE (term_id, end_excl) of the rows of ``_term_ends`` (not empty)."""
    return _literal_rows("term_bounds", (("term_id", sa.Integer), ("end_excl", sa.Date)), ends)


#: Statements kept, keyed by everything they are built from: building a statement and its cache key
#: was most of a dashboard request's own time, and the same page asks the same statements again.
STATEMENTS_KEPT = 256


def _scope_key(township_ids):
    """``township_ids`` as a cache key (the order of an IN list changes nothing)."""
    return None if township_ids is None else tuple(sorted(township_ids))


class _TermSpan(NamedTuple):
    """The fields of a term the in-term statements are built from (hashable, unlike the ORM object)."""

    id: int
    start_date: date
    #: The term's last day held (rule R5): its recorded end once closed, else far away (still open).
    last_day: date
    #: A closed term's freeze (``Term.figures_frozen_at``): rows recorded later are left out (rule R14).
    figures_frozen_at: datetime | None


_ALIASES = {}


def _aliases(name):
    """The named aliases of mandates and terms, made once: they never change, and making them anew
    (a proxy for every column) was a large part of a dashboard request's own time."""
    if name not in _ALIASES:
        _ALIASES[name] = (aliased(Mandate, name=name), aliased(Term, name=f"{name}_term"))
    return _ALIASES[name]


def _held(bounds, name):
    """An alias of the mandates with its term and bounds, as (mandate, term, joined FROM, h_end):
    the mandate holds the days ``[start_date, h_end)`` (rule R5)."""
    mandate, term = _aliases(name)
    bound = bounds.alias(f"{name}_bounds")
    joined = sa.join(mandate, term, term.id == mandate.term_id) \
        .join(bound, bound.c.term_id == mandate.term_id)
    return mandate, term, joined, held_end(mandate, bound.c.end_excl)


def _check_group(group_by):
    """Refuse a grouping the functions do not offer."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")


def _names(query, township_col, deputy_col=None):
    """Join township (and deputy) names for the rows' labels and order (townships in administrative order)."""
    query = query.join(Township, Township.id == township_col)
    if deputy_col is not None:
        query = query.join(Deputy, Deputy.id == deputy_col)
    return query


# --- 届内述职率 ----------------------------------------------------------------------------------

class _TermMandates(NamedTuple):
    """The pieces of the in-term query: the scoped select of a term's mandates begun by the capped
    date (joined to their exemptions and covering reports) and the raw conditions on it."""

    query: sa.Select
    ended: sa.ColumnElement
    exempted: sa.ColumnElement
    report_date: sa.ColumnElement


def _term_span(term):
    """The ``_TermSpan`` of a ``Term``."""
    return _TermSpan(term.id, term.start_date, last_day_held_in(term), term.figures_frozen_at)


def _term_mandates(term, as_of, township_ids, *columns, deputy_id=None):
    """The term's mandates begun by the as-of date (capped at the term's last day), selecting ``columns``.

    The cap is the term's last day held (rule R5): its recorded end once the term is closed; an open
    term is not capped, its mandates are held past the provisional end. Exemptions are capped the
    same way (rule R10): one approved after the term's last day changes nothing.

    For a closed term, only what had been recorded when its figures were last frozen: mandates,
    reports, coverage and exemptions recorded later are kept but left out (rule R14), so every
    figure of the term (district, townships, 未述, per mandate) is the frozen one.
    """
    cap = min(as_of, term.last_day)
    frozen_at = term.figures_frozen_at
    # A staff member's figures group only their townships' reports and exemptions (issue 16).
    scoped = _scoped_mandates(term.id, township_ids, deputy_id)
    reported = _reported(term.start_date, cap, recorded_by=frozen_at, mandates=scoped)
    exempt = _exempted(ExemptionScope.term_report, cap, recorded_by=frozen_at, mandates=scoped)
    query = (
        sa.select(*columns)
        .select_from(Mandate)
        .outerjoin(exempt, exempt.c.mandate_id == Mandate.id)
        .outerjoin(reported, reported.c.mandate_id == Mandate.id)
        .where(Mandate.term_id == term.id, Mandate.start_date <= cap)
    )
    query = _narrowed(query, frozen_at, township_ids, deputy_id)
    return _TermMandates(query, sa.and_(Mandate.end_date.is_not(None), Mandate.end_date <= cap),
                         exempt.c.mandate_id.is_not(None), reported.c.last_date)


def _narrowed(query, frozen_at, township_ids, deputy_id, term_id=None):
    """A mandate query narrowed to those recorded by a term's freeze (rule R14), to the townships, to
    one deputy and to one term, each when given."""
    if term_id is not None:
        query = query.where(Mandate.term_id == term_id)
    if frozen_at is not None:
        query = query.where(Mandate.created_at <= frozen_at)
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    if deputy_id is not None:
        query = query.where(Mandate.deputy_id == deputy_id)
    return query


def _term_flags(term, as_of, township_ids, deputy_id=None):
    """Per mandate: ended / exempted flags and the latest covering report date (a subquery)."""
    parts = _term_mandates(term, as_of, township_ids, deputy_id=deputy_id)
    query = parts.query.add_columns(
        Mandate.id.label("mandate_id"), Mandate.deputy_id, Mandate.township_id, Mandate.term_id,
        _flag(parts.ended).label("ended"), _flag(parts.exempted).label("exempted"),
        parts.report_date.label("report_date"))
    return query.subquery("term_mandates")


def in_term_reporting(term_id, as_of, group_by=None, township_ids=None, deputy_id=None):
    """届内述职率 of a term as of a local date (capped at the term's last day, rule R5); rules R9 and R10.

    应述 = the term's mandates minus those ended early on or before the date, minus term-report
    exemptions; 已述 = those with a completed report covering the mandate dated within the term
    and on or before the date. ``group_by``: None (one district row), "township" (one row per
    township with mandates, administrative order) or "deputy" (``MandateReportingRow`` per mandate).
    ``township_ids`` limits to a staff member's townships, ``deputy_id`` to one person's mandates.
    """
    _check_group(group_by)
    term = db.session.get(Term, term_id)
    if term is None:
        raise LookupError(f"no term {term_id}")
    query = _in_term_statement(_term_span(term), as_of, group_by, _scope_key(township_ids), deputy_id)
    if group_by == "deputy":
        return _per_mandate(query, lambda row: "ended" if row.ended else "exempted" if row.exempted else "due")
    return _totals(query, group_by, _term_row)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _in_term_statement(term, as_of, group_by, township_ids, deputy_id=None):
    """The statement of ``in_term_reporting`` (kept: see ``STATEMENTS_KEPT``)."""
    if group_by == "deputy":
        return _per_mandate_query(_term_flags(term, as_of, township_ids, deputy_id))
    r = _term_totals_flags(term, as_of, township_ids, deputy_id)
    ended = r.c.ended == 1
    exempted = sa.and_(r.c.ended == 0, r.c.exempted == 1)
    due = sa.and_(r.c.ended == 0, r.c.exempted == 0)
    totals = (sa.func.count().label("mandates"), _count_if(ended).label("ended"),
              _count_if(exempted).label("exempted"), _count_if(due).label("due"),
              _count_if(sa.and_(due, r.c.done == 1)).label("done"))
    return _totals_query(r, totals, group_by)


def _covered(first, last, recorded_by=None):
    """SQL: a completed report covering the mandate (the one recorded for it, or one marked as also
    covering it, rule R12) is dated from ``first`` to ``last`` (and recorded, with its coverage, by
    ``recorded_by`` when given: a closed term's freeze, rule R14). The condition ``_reported``
    groups, as two probes of the mandate's reports (indexed by mandate): the totals need only
    whether there is one, and a probe per mandate costs less than grouping every report of the
    district (issue 16)."""
    def dated(column):
        return sa.and_(DutyReport.completed.is_(True), column >= first, column <= last)

    own = sa.select(DutyReport.id).where(DutyReport.mandate_id == Mandate.id, dated(DutyReport.report_date))
    also = (sa.select(DutyReportCoverage.id).join(DutyReport, DutyReport.id == DutyReportCoverage.report_id)
            .where(DutyReportCoverage.mandate_id == Mandate.id, dated(DutyReport.report_date)))
    if recorded_by is not None:
        own = own.where(DutyReport.created_at <= recorded_by)
        also = also.where(DutyReportCoverage.created_at <= recorded_by)
    return sa.or_(own.exists(), also.exists())


def _exempted_from(scope, as_of, period_key=None, recorded_by=None):
    """SQL: the mandate has an exemption of ``scope`` (for ``period_key``) approved by ``as_of`` (and
    recorded by ``recorded_by``): ``_exempted``'s condition as a probe of the mandate's exemptions."""
    query = sa.select(Exemption.id).where(Exemption.mandate_id == Mandate.id, Exemption.scope == scope,
                                          Exemption.approved_on <= as_of)
    if period_key is not None:
        query = query.where(Exemption.period_key == period_key)
    if recorded_by is not None:
        query = query.where(Exemption.created_at <= recorded_by)
    return query.exists()


def _term_totals_flags(term, as_of, township_ids, deputy_id=None):
    """Per mandate, for the totals of ``in_term_reporting``: ended, exempted and done (1/0), the
    mandates and conditions of ``_term_mandates`` (a subquery)."""
    cap = min(as_of, term.last_day)
    frozen_at = term.figures_frozen_at
    query = (
        sa.select(Mandate.id.label("mandate_id"), Mandate.deputy_id, Mandate.township_id, Mandate.term_id,
                  _flag(sa.and_(Mandate.end_date.is_not(None), Mandate.end_date <= cap)).label("ended"),
                  _flag(_exempted_from(ExemptionScope.term_report, cap, recorded_by=frozen_at)).label("exempted"),
                  _flag(_covered(term.start_date, cap, recorded_by=frozen_at)).label("done"))
        .where(Mandate.term_id == term.id, Mandate.start_date <= cap)
    )
    query = _narrowed(query, frozen_at, township_ids, deputy_id)
    return query.subquery("term_mandates")


def _per_mandate_query(r):
    """One row per mandate of the per-mandate select ``r`` with its names: townships in administrative
    order, names in 姓氏笔画 order (rule R16)."""
    query = _names(sa.select(r, Deputy.name.label("deputy_name"), Township.name.label("township_name")),
                   r.c.township_id, r.c.deputy_id)
    return query.order_by(*ADMINISTRATIVE_ORDER, Deputy.stroke_sort_key, Deputy.name_sort_key, r.c.mandate_id)


def _per_mandate(query, status_of):
    """One ``MandateReportingRow`` per row of a ``_per_mandate_query``."""
    return [MandateReportingRow(
        row.mandate_id, row.deputy_id, row.deputy_name, row.township_id, row.township_name, row.term_id,
        status_of(row), row.report_date is not None, row.report_date) for row in plain_rows(query)]


def _totals_query(r, totals, group_by):
    """Aggregate ``totals`` over the per-mandate select ``r``: once for the district, or per township."""
    if group_by is None:
        return sa.select(*totals).select_from(r)
    query = _names(sa.select(r.c.township_id, Township.name.label("township_name"), *totals), r.c.township_id)
    return (query.group_by(r.c.township_id, Township.id, Township.name, Township.position)
            .order_by(*ADMINISTRATIVE_ORDER))


def _totals(query, group_by, shape):
    """Shape the rows of a ``_totals_query``."""
    if group_by is None:
        return [shape(None, None, plain_rows(query).one())]
    return [shape(row.township_id, row.township_name, row) for row in plain_rows(query)]


def _term_row(township_id, township_name, row):
    """Shape one aggregate row: 未述 and the rate are derived from 应述 and 已述."""
    return TermReportingRow(township_id, township_name, row.mandates, row.ended, row.exempted, row.due,
                            row.done, row.due - row.done, _rate(row.done, row.due))


def missing_reporters(term_id, as_of, township_ids=None):
    """The 未述 list: mandates due to report in the term (as of the date) without a covering report.

    Ordered by township (administrative order), then name in 姓氏笔画 order (rule R16).
    """
    term = db.session.get(Term, term_id)
    if term is None:
        raise LookupError(f"no term {term_id}")
    # Filtered on the raw conditions (not on 1/0 flags) so the planner can tell how many rows pass.
    parts = _term_mandates(_term_span(term), as_of, township_ids, Mandate.id, Mandate.deputy_id, Deputy.name,
                           Mandate.township_id, Township.name, Mandate.start_date, Mandate.by_election)
    query = (_names(parts.query, Mandate.township_id, Mandate.deputy_id)
             .where(~parts.ended, ~parts.exempted, parts.report_date.is_(None))
             .order_by(*ADMINISTRATIVE_ORDER, Deputy.stroke_sort_key, Deputy.name_sort_key, Mandate.id))
    return [MissingRow(*row) for row in plain_rows(query)]


# --- 年述职 ------------------------------------------------------------------------------------

def annual_reporting(year, as_of, term_id=None, group_by=None, township_ids=None, deputy_id=None):
    """年述职 for a year, as of a local date (capped at 31 December); rule R11.

    Due = mandates in force on that date that began on or before 30 June, minus exemptions for
    the year; met by a completed report covering the mandate dated in the year (and on or before
    the date). ``term_id`` None takes every term's mandates (people then count each person once).
    ``group_by`` as for ``in_term_reporting``. A year not begun by the as-of date gives zeros.
    Suspensions do not change the annual duty (rule R11 names only the start and exemptions).
    ``deputy_id`` limits to one person's mandates (their own page).
    """
    _check_group(group_by)
    first, mid, last = date(year, 1, 1), date(year, 6, 30), date(year, 12, 31)
    day = min(as_of, last)
    if day < first:
        return [] if group_by else [AnnualReportingRow(None, None, 0, 0, 0, 0, 0, 0, None, 0, 0)]
    query = (
        sa.select(Mandate.id.label("mandate_id"), Mandate.deputy_id, Mandate.township_id, Mandate.term_id,
                  _flag(Mandate.start_date > mid).label("late_start"))
        .select_from(Mandate)
        .join(Term, Term.id == Mandate.term_id)
        .where(held_on(day))
    )
    if group_by == "deputy":
        # The latest covering report's date per mandate: grouped, for the mandates of a figure.
        # A staff member's (or one person's) figures group only their own reports and exemptions (issue 16).
        scoped = _scoped_mandates(term_id, township_ids, deputy_id)
        reported = _reported(first, day, mandates=scoped)
        # Capped like the figure (rule R10): an exemption approved after 31 December changes nothing.
        # The mandates counted are held on ``day``, so their term's last day is not before it.
        exempt = sa.select(Exemption.mandate_id).where(
            Exemption.scope == ExemptionScope.year_report, Exemption.period_key == year, Exemption.approved_on <= day)
        if scoped is not None:
            exempt = exempt.where(Exemption.mandate_id.in_(scoped))
        exempt = exempt.distinct().subquery("exempt")
        query = (query.add_columns(_flag(exempt.c.mandate_id.is_not(None)).label("exempted"),
                                   reported.c.last_date.label("report_date"))
                 .outerjoin(exempt, exempt.c.mandate_id == Mandate.id)
                 .outerjoin(reported, reported.c.mandate_id == Mandate.id))
    else:
        # The totals need only whether there is one: probes per mandate (see ``_covered``).
        query = query.add_columns(
            _flag(_exempted_from(ExemptionScope.year_report, day, period_key=year)).label("exempted"),
            _flag(_covered(first, day)).label("done"))
    query = _narrowed(query, None, township_ids, deputy_id, term_id=term_id)
    r = query.subquery("annual_mandates")
    late = r.c.late_start == 1
    exempt = sa.and_(r.c.late_start == 0, r.c.exempted == 1)
    due = sa.and_(r.c.late_start == 0, r.c.exempted == 0)

    if group_by == "deputy":
        return _per_mandate(
            _per_mandate_query(r),
            lambda row: "late_start" if row.late_start else "exempted" if row.exempted else "due")

    totals = (sa.func.count().label("in_force"), _count_if(late).label("late_start"),
              _count_if(exempt).label("exempted"), _count_if(due).label("due"),
              _count_if(sa.and_(due, r.c.done == 1)).label("done"),
              _people_if(due, r.c.deputy_id).label("people_due"),
              _people_if(sa.and_(due, r.c.done == 1), r.c.deputy_id).label("people_done"))
    return _totals(_totals_query(r, totals, group_by), group_by, _annual_row)


def _annual_row(township_id, township_name, row):
    """Shape one aggregate row: 未述 and the rate are derived from 应述 and 已述."""
    return AnnualReportingRow(township_id, township_name, row.in_force, row.late_start, row.exempted, row.due,
                              row.done, row.due - row.done, _rate(row.done, row.due), row.people_due,
                              row.people_done)


# --- 月进站 / 季回家 ------------------------------------------------------------------------------

def months(year, as_of):
    """The ``Month``s of a year begun by the as-of date (later ones are not counted yet)."""
    return [period for period in (Month(year, month) for month in range(1, 13)) if period.first <= as_of]


def quarters(year, as_of):
    """The ``Quarter``s of a year begun by the as-of date."""
    return [period for period in (Quarter(year, quarter) for quarter in range(1, 5)) if period.first <= as_of]


def monthly_visits(year, term_id, as_of, group_by="township", township_ids=None, stream=False, only=None):
    """月进站 per month of a year (rules R6, R7): due mandates, those met by a counted check-in at any 联络站.

    A mandate is due for a month when the person's mandates of the same level together hold every
    day of it (a re-elected deputy stays due across 换届), none of them is suspended on any day of
    it, and the mandate has no exemption for it. Mandates held for part of the month only are
    counted apart as partial. ``term_id`` None takes every term's mandates. ``group_by``: None
    (district rows, one per month begun), "township" (per township and month) or "deputy"
    (``MandateVisitRow`` per mandate and month). ``stream`` (with "deputy") gives an iterator that
    fetches the rows in batches instead of a list, so memory stays flat at any size; nothing else may
    use the session until it is exhausted. ``only`` (a period key) limits to that one period.
    """
    return _visits(_only(months(year, as_of), only), StationKind.station, ExemptionScope.month, term_id, as_of,
                   group_by, township_ids, stream)


def quarterly_visits(year, term_id, as_of, group_by="township", township_ids=None, stream=False, only=None):
    """季回家 per quarter of a year (rules R6, R7): as ``monthly_visits``, met at any 代表之家."""
    return _visits(_only(quarters(year, as_of), only), StationKind.home, ExemptionScope.quarter, term_id, as_of,
                   group_by, township_ids, stream)


def _only(periods, key):
    """The periods, or only the one of ``key`` among them (a drill-down asks for one month, not the year)."""
    return periods if key is None else [period for period in periods if period.key == key]


#: Rows fetched per batch when per-mandate rows are streamed.
STREAM_BATCH = 2000


def _visits(periods, kind, exemption_scope, term_id, as_of, group_by, township_ids, stream=False):
    """The shared query of 月进站 and 季回家 (see ``monthly_visits``)."""
    _check_group(group_by)
    if not periods:
        return []
    if group_by != "deputy":
        district, townships = _visit_totals({kind: periods}, term_id, as_of, township_ids)[kind]
        return district if group_by is None else townships
    ends = _term_ends()
    if not ends:
        return []
    query = _visits_statement(tuple(periods), kind, exemption_scope, term_id, as_of, group_by,
                              _scope_key(township_ids), ends)
    # Tens of thousands of rows: unpacked by position.
    closed = _closed(periods, as_of)
    result = plain_rows(query, execution_options={"yield_per": STREAM_BATCH} if stream else {})
    rows = (MandateVisitRow(key, mandate_id, deputy_id, deputy_name, township_id, township_name,
                            _visit_status(whole, suspended, exempted), bool(met), closed[key])
            for key, mandate_id, deputy_id, deputy_name, township_id, township_name, whole, suspended,
            exempted, met in result)
    return rows if stream else list(rows)


def visit_figures(year, term_id, as_of, township_ids=None):
    """月进站 and 季回家 of a year together, from one statement (the dashboard shows both): ``{"month":
    (district rows, township rows), "quarter": (…)}`` as ``monthly_visits`` and ``quarterly_visits``
    give them with ``group_by`` None and "township"."""
    periods = {StationKind.station: months(year, as_of), StationKind.home: quarters(year, as_of)}
    found = _visit_totals({kind: found for kind, found in periods.items() if found}, term_id, as_of, township_ids)
    return {name: found.get(kind, ([], [])) for name, kind in (("month", StationKind.station),
                                                               ("quarter", StationKind.home))}


class _Totals(NamedTuple):
    """The counts of one township (or the district) in one period, as ``_visit_row`` reads them."""

    period_key: int
    due: int
    met: int
    partial: int
    partial_met: int
    suspended: int
    exempted: int
    people_due: int
    people_met: int


def _visit_totals(periods, term_id, as_of, township_ids):
    """{kind: (district rows, township rows)} for ``periods`` ({StationKind: [periods of one year]}),
    from ``_visit_totals_statement``: the district rows are the township rows summed, people counted
    once (rule R4)."""
    if not periods:
        return {}
    ends = _term_ends()
    if not ends:
        return {kind: (_shape_district([], found, as_of), []) for kind, found in periods.items()}
    keyed = tuple((kind, tuple(found)) for kind, found in sorted(periods.items(), key=lambda item: item[0].value))
    query = _visit_totals_statement(keyed, term_id, as_of, _scope_key(township_ids), ends)
    townships = {kind: {} for kind in periods}
    district = {kind: {} for kind in periods}
    # People holding mandates in two townships (only possible across terms): counted once in the
    # district, so their rows come apart (one group per person and township).
    split = {}
    for at_home, key, township_id, township_name, person, *counts in plain_rows(query):
        kind = StationKind.home if at_home else StationKind.station
        place = townships[kind].setdefault(township_id, (township_name, {}))[1]
        place[key] = [a + b for a, b in zip(place.get(key, (0,) * 8), counts)]
        whole = district[kind].setdefault(key, [0] * 8)
        for index, count in enumerate(counts[:6]):
            whole[index] += count
        if person is None:
            whole[6] += counts[6]
            whole[7] += counts[7]
        else:
            due, met = split.setdefault((kind, key), (set(), set()))
            if counts[6]:
                due.add(person)
            if counts[7]:
                met.add(person)
    for (kind, key), (due, met) in split.items():
        district[kind][key][6] += len(due)
        district[kind][key][7] += len(met)
    shaped = {}
    for kind, found in periods.items():
        closed = _closed(found, as_of)
        rows = [_Totals(key, *counts) for key, counts in district[kind].items()]
        shaped[kind] = (_shape_district(rows, found, as_of),
                        [_visit_row(_Totals(key, *counts), township_id, name, closed[key])
                         for township_id, (name, by_key) in townships[kind].items()
                         for key, counts in sorted(by_key.items())])
    return shaped


@lru_cache(maxsize=STATEMENTS_KEPT)
def _visit_totals_statement(periods, term_id, as_of, township_ids, ends):
    """The totals of 月进站 and 季回家 per kind, period and township, in one pass (kept: see
    ``STATEMENTS_KEPT``). ``periods``: ((StationKind, (period, …)), …), periods of one year.

    The year's counted check-ins are read once into two sets of months per person, as bits (bit 0
    January): the months with one at a station, the months with one at a home. A month is met when
    its bit is set in the first, a quarter when one of its three is in the second (rule R7). The
    flags of rule R6 are ``_period_flags``'. Grouped per township only: the district's counts are
    their sums, each person once (rule R4; see ``_visit_totals``)."""
    years = {period.year for _kind, found in periods for period in found}
    if len(years) != 1:
        raise ValueError("the periods must be of one year")
    year = years.pop()
    first_month = Month(year, 1).key
    bounds = _term_bounds(ends)
    scopes = {StationKind.station: ExemptionScope.month, StationKind.home: ExemptionScope.quarter}
    p = _literal_rows("periods", (("at_home", sa.Integer), ("period_key", sa.Integer), ("p_first", sa.Date),
                                  ("p_last", sa.Date), ("p_after", sa.Date), ("scope", sa.String),
                                  ("bits", sa.Integer)),
                      [(int(kind is StationKind.home), period.key, period.first, period.last, period.after,
                        scopes[kind].name, sum(1 << (month.key - first_month) for month in period.months))
                       for kind, found in periods for period in found])
    h, h_from, whole, suspended, exempted = _period_flags(bounds, p, as_of)

    scope, _scope_term = _aliases("scope")
    in_scope = []
    if term_id is not None:
        in_scope.append(scope.term_id == term_id)
    if township_ids is not None:
        in_scope.append(scope.township_id.in_(township_ids))
    bit = sa.literal_column("1").op("<<")(sa.cast(Checkin.month_key - first_month, sa.Integer))
    if township_ids is None:
        of_the_year = (Checkin.quarter_key >= Quarter(year, 1).key, Checkin.quarter_key <= Quarter(year, 4).key)
    else:
        # A township's people only, through the (deputy_id, month_key) index: its figures cost the
        # same whatever the district's size (issue 16). The year as a range of months, so that
        # PostgreSQL reads that index person by person; given as quarters, it read the district's
        # whole year and hashed it (87 ms against 8 ms for a township's dashboard at 10k deputies).
        of_the_year = (Checkin.month_key >= first_month, Checkin.month_key <= Month(year, 12).key,
                       Checkin.deputy_id.in_(sa.select(scope.deputy_id).where(*in_scope)))
    counted = (sa.select(Checkin.deputy_id, Checkin.station_kind, bit.label("bit"))
               .where(*of_the_year, Checkin.status.in_(COUNTED), Checkin.local_date <= as_of))
    counted = counted.distinct().subquery("counted")
    seen = (sa.select(counted.c.deputy_id,
                      sa.func.sum(sa.case((counted.c.station_kind == StationKind.station, counted.c.bit),
                                          else_=0)).label("at_station"),
                      sa.func.sum(sa.case((counted.c.station_kind == StationKind.home, counted.c.bit),
                                          else_=0)).label("at_home"))
            .group_by(counted.c.deputy_id).subquery("seen"))
    months_seen = sa.case((p.c.at_home == 1, seen.c.at_home), else_=seen.c.at_station)
    met = months_seen.op("&")(p.c.bits) != 0
    if term_id is None:
        # One mandate per person and term (the unique key): a person is in two townships only
        # across terms.
        two_townships = (sa.select(scope.deputy_id).where(*in_scope).group_by(scope.deputy_id)
                         .having(sa.func.min(scope.township_id) != sa.func.max(scope.township_id)))
        person = sa.case((h.deputy_id.in_(two_townships), h.deputy_id))
    else:
        person = sa.null()
    per_mandate = (
        sa.select(p.c.at_home, p.c.period_key, h.township_id, h.deputy_id, person.label("person"),
                  whole.label("whole"), _flag(suspended).label("suspended"), _flag(exempted).label("exempted"),
                  _flag(met).label("met"))
        .select_from(h_from.outerjoin(seen, seen.c.deputy_id == h.deputy_id))
    )
    if term_id is not None:
        per_mandate = per_mandate.where(h.term_id == term_id)
    if township_ids is not None:
        per_mandate = per_mandate.where(h.township_id.in_(township_ids))
    # OFFSET 0: see _visits_statement.
    r = per_mandate.offset(0).subquery("per_mandate")

    whole, is_met = r.c.whole == 1, r.c.met == 1
    due = sa.and_(whole, r.c.suspended == 0, r.c.exempted == 0)
    # Within one term people are mandates (one mandate per person and term); across terms the
    # people of one township are counted once each.
    people = _count_if if term_id is not None else (lambda condition: _people_if(condition, r.c.deputy_id))
    totals = (_count_if(due), _count_if(sa.and_(due, is_met)), _count_if(~whole), _count_if(sa.and_(~whole, is_met)),
              _count_if(sa.and_(whole, r.c.suspended == 1)),
              _count_if(sa.and_(whole, r.c.suspended == 0, r.c.exempted == 1)),
              people(due), people(sa.and_(due, is_met)))
    keys = (r.c.at_home, r.c.period_key, r.c.township_id, r.c.person)
    counted = sa.select(*keys, *(total.label(f"n{index}") for index, total in enumerate(totals))) \
        .group_by(*keys).subquery("counted")
    # Grouped on the keys alone, then named: grouping by the names too made PostgreSQL sort every
    # (mandate, period) row instead of hashing them into the few groups.
    query = _names(sa.select(counted.c.at_home, counted.c.period_key, counted.c.township_id, Township.name,
                             counted.c.person, *(counted.c[f"n{index}"] for index in range(len(totals)))),
                   counted.c.township_id)
    return query.order_by(*ADMINISTRATIVE_ORDER, counted.c.at_home, counted.c.period_key)


def _period_flags(bounds, p, as_of):
    """The mandates joined to the periods ``p`` they were held in (at least a day), with the flags
    of rule R6 per (mandate, period): (h, FROM, whole, suspended, exempted) where ``h`` is the
    mandates' alias. ``p`` has the columns period_key, p_first, p_last, p_after and scope (the
    exemption scope's stored name, "month" or "quarter")."""
    h, h_term, h_from, h_end = _held(bounds, "h")
    i, i_term, i_from, i_end = _held(bounds, "i")
    j, j_term, j_from, j_end = _held(bounds, "j")
    k, k_term, k_from, _k_end = _held(bounds, "k")

    # Every flag is a correlated EXISTS on the base tables, so the indexes on mandates.deputy_id,
    # suspensions.mandate_id and exemptions.mandate_id answer each probe (derived tables or CTEs
    # have no index, and SQLite then scans them per row).
    #
    # The person's same-level mandates hold every day of the period when one of them holds its
    # first day, and none stops inside the period without another taking over on the day it
    # stops (the first day not held would follow such a stop).
    first_day_held = sa.select(i.id).select_from(i_from).where(
        i.deputy_id == h.deputy_id, i_term.level == h_term.level,
        i.start_date <= p.c.p_first, i_end > p.c.p_first,
    ).exists()
    taken_over = sa.select(j.id).select_from(j_from).where(
        j.deputy_id == i.deputy_id, j_term.level == i_term.level, j.start_date <= i_end, j_end > i_end,
    ).exists()
    gap = sa.select(i.id).select_from(i_from).where(
        i.deputy_id == h.deputy_id, i_term.level == h_term.level,
        i_end > p.c.p_first, i_end < p.c.p_after, ~taken_over,
    ).exists()
    suspended = sa.select(Suspension.id).select_from(
        sa.join(Suspension, k_from, k.id == Suspension.mandate_id)).where(
        k.deputy_id == h.deputy_id, k_term.level == h_term.level,
        Suspension.start_date <= p.c.p_last,
        sa.or_(Suspension.end_date.is_(None), Suspension.end_date >= p.c.p_first),
    ).exists()
    # Few people are ever suspended, few mandates ever exempted for a month or quarter: sets
    # computed once (uncorrelated, so both databases build them a single time) spare the probes
    # for everyone else. Written from the suspensions and exemptions, so they never scan every
    # mandate of the district: a township's figures cost the same at any size (issue 16).
    ever_suspended = h.deputy_id.in_(
        sa.select(Mandate.deputy_id).where(Mandate.id.in_(sa.select(Suspension.mandate_id))))
    ever_exempted = h.id.in_(sa.select(Exemption.mandate_id).where(
        Exemption.scope.in_((ExemptionScope.month, ExemptionScope.quarter))))
    exempted = sa.select(Exemption.id).where(
        Exemption.mandate_id == h.id, Exemption.scope == p.c.scope,
        Exemption.period_key == p.c.period_key, Exemption.approved_on <= as_of,
    ).exists()
    # Most mandates hold the whole period themselves; only the others need the person's other
    # same-level mandates (CASE stops at the first branch that holds, on both databases).
    whole = sa.case((sa.and_(h.start_date <= p.c.p_first, h_end >= p.c.p_after), 1),
                    (sa.and_(first_day_held, ~gap), 1), else_=0)
    joined = h_from.join(p, sa.and_(h.start_date < p.c.p_after, h_end > p.c.p_first))
    return h, joined, whole, sa.and_(ever_suspended, suspended), sa.and_(ever_exempted, exempted)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _visits_statement(periods, kind, exemption_scope, term_id, as_of, group_by, township_ids, ends):
    """The per-mandate statement of ``_visits`` (``group_by`` "deputy") and ``visits_by_mandate``
    ("mandate"), kept: see ``STATEMENTS_KEPT``. The totals are ``_visit_totals_statement``'s; a test
    checks that they are these rows summed."""
    bounds = _term_bounds(ends)
    p = _literal_rows("periods", (("period_key", sa.Integer), ("p_first", sa.Date), ("p_last", sa.Date),
                                  ("p_after", sa.Date), ("m_first", sa.Integer), ("m_last", sa.Integer),
                                  ("scope", sa.String)),
                      [(period.key, period.first, period.last, period.after, period.months[0].key,
                        period.months[-1].key, exemption_scope.name) for period in periods])
    h, h_from, whole, suspended, exempted = _period_flags(bounds, p, as_of)
    # The period's stored local month keys (a quarter's three) pick the check-ins: the index on
    # (deputy_id, month_key) then answers quarters as well as months.
    met = sa.select(Checkin.id).where(
        Checkin.deputy_id == h.deputy_id, Checkin.month_key >= p.c.m_first, Checkin.month_key <= p.c.m_last,
        Checkin.station_kind == kind, Checkin.status.in_(COUNTED), Checkin.local_date <= as_of,
    ).exists()
    per_mandate = (
        sa.select(p.c.period_key, h.id.label("mandate_id"), h.deputy_id, h.township_id,
                  whole.label("whole"), _flag(suspended).label("suspended"),
                  _flag(exempted).label("exempted"), _flag(met).label("met"))
        .select_from(h_from)
    )
    if term_id is not None:
        per_mandate = per_mandate.where(h.term_id == term_id)
    if township_ids is not None:
        per_mandate = per_mandate.where(h.township_id.in_(township_ids))
    # OFFSET 0 changes nothing but keeps both databases from merging this subquery into the
    # query above it, which would run each EXISTS once per use there.
    r = per_mandate.offset(0).subquery("per_mandate")

    if group_by == "mandate":
        return _period_codes_query(r, periods)
    if group_by == "deputy":
        query = _names(sa.select(r.c.period_key, r.c.mandate_id, r.c.deputy_id, Deputy.name, r.c.township_id,
                                 Township.name, r.c.whole, r.c.suspended, r.c.exempted, r.c.met),
                       r.c.township_id, r.c.deputy_id)
        return query.order_by(*ADMINISTRATIVE_ORDER, Deputy.stroke_sort_key, Deputy.name_sort_key,
                              r.c.mandate_id, r.c.period_key)
    raise ValueError(f"no per-mandate statement grouped by {group_by!r}")


#: A mandate's state in one period as ``visits_by_mandate`` gives it, by the code the SQL computes
#: (the last, "in_progress", replaces "unmet" in Python for a period still running: rule R8).
PERIOD_STATES = ("unmet", "met", "partial", "suspended", "exempted", "in_progress")


def _period_codes_query(r, periods):
    """One row per mandate of the per-(mandate, period) select ``r``: its names, then one column per
    period holding the index of its state in ``PERIOD_STATES`` (NULL when not held that period), in
    姓氏笔画 order (rule R16). Aggregated in SQL so a year of months is one row, not twelve."""
    # Suspended and exempted come before partial: a period both partial and suspended or exempted
    # is labelled 暂停 / 免 (rule R6); the counts do not depend on the label.
    code = sa.case((r.c.suspended == 1, 3), (r.c.exempted == 1, 4), (r.c.whole == 0, 2), else_=r.c.met)
    cells = [sa.func.max(sa.case((r.c.period_key == period.key, code))).label(f"p{index}")
             for index, period in enumerate(periods)]
    grouped = (sa.select(r.c.mandate_id, r.c.deputy_id, r.c.township_id, *cells)
               .group_by(r.c.mandate_id, r.c.deputy_id, r.c.township_id).subquery("mandate_periods"))
    query = _names(sa.select(grouped.c.mandate_id, Deputy.name, Township.name,
                             *[grouped.c[f"p{index}"] for index in range(len(periods))]),
                   grouped.c.township_id, grouped.c.deputy_id)
    return query.order_by(*ADMINISTRATIVE_ORDER, Deputy.stroke_sort_key, Deputy.name_sort_key,
                          grouped.c.mandate_id)


class MandatePeriodsRow(NamedTuple):
    """One mandate across the periods of a year (the workbook's 月进站 and 季回家 sheets)."""

    mandate_id: int
    deputy_name: str
    township_name: str
    #: Per period begun: "met", "unmet" (due, not met, the period has ended: missed), "in_progress"
    #: (due, not met yet, the period is still running: rule R8), "partial", "suspended", "exempted",
    #: or None when the mandate was not held in it.
    states: tuple


def visits_by_mandate(kind, year, term_id, as_of, township_ids=None):
    """月进站 (``kind`` "month") or 季回家 ("quarter") of a term's mandates, one ``MandatePeriodsRow``
    per mandate in 姓氏笔画 order (rule R16), streamed in batches (memory stays flat; nothing else may use the
    session until the iterator is exhausted). The states follow ``monthly_visits`` exactly."""
    if kind == "month":
        periods, station_kind, scope = months(year, as_of), StationKind.station, ExemptionScope.month
    else:
        periods, station_kind, scope = quarters(year, as_of), StationKind.home, ExemptionScope.quarter
    ends = _term_ends() if periods else ()
    if not ends:
        return iter(())
    query = _visits_statement(tuple(periods), station_kind, scope, term_id, as_of, "mandate",
                              _scope_key(township_ids), ends)
    # Per period, the state of each code; a NULL code reads as index -1: the trailing None. A due
    # mandate not met in a period still running is in progress, never missed (rule R8).
    running = tuple("in_progress" if state == "unmet" else state for state in PERIOD_STATES) + (None,)
    states = [PERIOD_STATES + (None,) if period.last <= as_of else running for period in periods]
    return (MandatePeriodsRow(mandate_id, deputy_name, township_name,
                              tuple(states[index][-1 if code is None else code]
                                    for index, code in enumerate(codes)))
            for mandate_id, deputy_name, township_name, *codes
            in plain_rows(query, execution_options={"yield_per": STREAM_BATCH}))


def _visit_status(whole, suspended, exempted):
    """Why a mandate is or is not due in a period: suspended first, then exempted, then partial (a
    period both partial and suspended or exempted is labelled 暂停 / 免, rule R6)."""
    if suspended:
        return "suspended"
    if exempted:
        return "exempted"
    if not whole:
        return "partial"
    return "due"


def _closed(periods, as_of):
    """{period key: the period had ended by the as-of date}."""
    return {period.key: period.last <= as_of for period in periods}


def _visit_row(row, township_id, township_name, closed):
    """Shape one aggregate row: the due mandates not met are missed (unmet) once the period has ended,
    in progress while it runs (rule R8); the rate is met / due either way."""
    not_met = row.due - row.met
    return VisitRow(row.period_key, township_id, township_name, row.due, row.met, not_met if closed else 0,
                    _rate(row.met, row.due), row.partial, row.partial_met, row.suspended, row.exempted,
                    row.people_due, row.people_met, closed, 0 if closed else not_met)


def _shape_district(rows, periods, as_of):
    """One district row per period begun, zeros where no mandate was held."""
    found = {row.period_key: row for row in rows}
    shaped = []
    for period in periods:
        row = found.get(period.key)
        closed = period.last <= as_of
        if row is None:
            shaped.append(VisitRow(period.key, None, None, 0, 0, 0, None, 0, 0, 0, 0, 0, 0, closed, 0))
        else:
            shaped.append(_visit_row(row, None, None, closed))
    return shaped


# --- people and mandates ---------------------------------------------------------------------

def people_and_mandates(as_of, group_by=None, term_ids=None, township_ids=None):
    """Mandates in force on a date and the people holding them: a person with a 市 and a 区 seat
    counts once among people (per township: once in each township where they hold a seat).

    ``group_by``: None (one district row) or "township".
    """
    if group_by not in (None, "township"):
        raise ValueError("group_by must be None or 'township'")
    counts = (sa.func.count(Mandate.id).label("mandates"),
              sa.func.count(sa.distinct(Mandate.deputy_id)).label("people"))
    query = (sa.select(*counts).select_from(Mandate).join(Term, Term.id == Mandate.term_id)
             .where(held_on(as_of)))
    if term_ids is not None:
        query = query.where(Mandate.term_id.in_(term_ids))
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    if group_by is None:
        row = plain_rows(query).one()
        return [PeopleRow(None, None, row.mandates, row.people)]
    query = query.add_columns(Township.id.label("township_id"), Township.name.label("township_name")) \
        .join(Township, Township.id == Mandate.township_id) \
        .group_by(Township.id, Township.name, Township.position).order_by(*ADMINISTRATIVE_ORDER)
    return [PeopleRow(row.township_id, row.township_name, row.mandates, row.people)
            for row in plain_rows(query)]
