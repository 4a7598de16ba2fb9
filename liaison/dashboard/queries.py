"""Rows for the dashboard pages, shaped from the rates queries (no counting here, only arranging)."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from liaison.clock import Month, Quarter
from liaison.dashboard.models import TermClosure
from liaison.deputies.models import Exemption, Mandate
from liaison.extensions import db
from liaison.opinions import counters as opinion_counters
from liaison.rates import queries as rates
from liaison.reports.models import DutyReport, DutyReportCoverage
from liaison.reports.queries import target_term_ids
from liaison.terms.models import Term


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


def target_terms(as_of):
    """The target terms (市 first), as Term objects."""
    ids = target_term_ids(as_of)
    found = db.session.scalars(sa.select(Term).where(Term.id.in_(ids))) if ids else []
    terms = {term.id: term for term in found}
    return [terms[term_id] for term_id in ids if term_id in terms]


def targets(terms, as_of, township_ids=None):
    """The headline rows: each target term's 应述, 已述, 未述, rate and gap."""
    rows = []
    for term in terms:
        row = rates.in_term_reporting(term.id, as_of, township_ids=township_ids)[0]
        rows.append(_target_row(term, row))
    return rows


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


def visit_matrix(kind, year, term_id, as_of, township_ids=None):
    """月进站 (``kind`` "month") or 季回家 ("quarter") of a year: district and township rows per period."""
    query = rates.monthly_visits if kind == "month" else rates.quarterly_visits
    periods = (rates.months if kind == "month" else rates.quarters)(year, as_of)
    district = query(year, term_id, as_of, group_by=None, township_ids=township_ids)
    townships = {}
    order = []
    for row in query(year, term_id, as_of, group_by="township", township_ids=township_ids):
        if row.township_id not in townships:
            townships[row.township_id] = (row.township_name, {})
            order.append(row.township_id)
        townships[row.township_id][1][row.period_key] = row
    rows = [(tid, townships[tid][0], [townships[tid][1].get(p.key) for p in periods]) for tid in order]
    return Matrix(periods, district, rows)


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
