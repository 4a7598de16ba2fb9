"""The baseline of ``bench/rates.py``: the committee dashboard's figures written by hand in SQL over the
raw tables (check-ins, mandates, reports, exemptions, suspensions), the best statements we could
write for them, and the equality check of every figure against the app's rates.

The statements know what the schema guarantees (one mandate per person and term, so within a term a
count of people is a count of mandates) and what the bench's city is (open target terms: no frozen
figures, rule R14); they refuse anything else rather than compute it differently. They follow the
rules exactly otherwise (R3–R11): a mandate is due for a month or quarter when the person's mandates
of the same level hold every day of it, is not suspended on a day of it and not exempted for it; met
by a counted check-in at a station in the month (a home in the quarter) dated by the as-of date.

Three statements for the page's figures, whatever the district's size:

- 届内述职率 of every target term per township (the district row is the sum: every mandate is in one
  township),
- 年述职 of every target term per township,
- 月进站 and 季回家 of the visit term together: the year's counted check-ins are read once into two
  bit sets of months per person (at a station, at a home), a month met when its bit is set, a quarter
  when one of its three is.
"""
from datetime import date, timedelta

import sqlalchemy as sa

COUNTED = "('accepted', 'confirmed')"
OPEN_LAST_DAY = date(9000, 12, 31)


def _day(dialect, day):
    """A date literal: typed on PostgreSQL, ISO text on SQLite (how SQLite stores dates)."""
    return f"DATE '{day.isoformat()}'" if dialect == "postgresql" else f"'{day.isoformat()}'"


def _rows(dialect, name, columns, rows):
    """A CTE of literal rows: ``name(c1, c2) AS (SELECT … UNION ALL SELECT …)``."""
    def value(item):
        return _day(dialect, item) if isinstance(item, date) else str(int(item)) if isinstance(item, (bool, int)) \
            else f"'{item}'"
    selects = " UNION ALL ".join(
        "SELECT " + ", ".join(f"{value(item)} AS {column}" for column, item in zip(columns, row)) for row in rows)
    return f"{name} AS ({selects})"


class Term:
    """What the statements need of a term: id, level, first day, last day held (rule R5)."""

    def __init__(self, term_id, level, start_date, last_day):
        self.id, self.level, self.start_date, self.last_day = term_id, level, start_date, last_day


def terms_of(connection):
    """Every term (id → ``Term``), refusing frozen ones (rule R14 is not written here)."""
    found = {}
    for term_id, level, start, end, provisional, frozen in connection.execute(sa.text(
            "SELECT id, level, start_date, end_date, end_provisional, figures_frozen_at FROM terms")):
        if frozen is not None:
            raise SystemExit(f"hand SQL: term {term_id} is closed; the baseline handles open terms only")
        start, end = (date.fromisoformat(v) if isinstance(v, str) else v for v in (start, end))
        found[term_id] = Term(term_id, level, start, OPEN_LAST_DAY if provisional else end)
    return found


def in_term(connection, dialect, terms, as_of):
    """{(term_id, township_id): (mandates, ended, exempted, due, done)}: rules R9, R10, R12."""
    caps = _rows(dialect, "t", ("term_id", "first_day", "cap"),
                 [(term.id, term.start_date, min(as_of, term.last_day)) for term in terms])
    sql = f"""
WITH {caps},
m AS (
  SELECT m.term_id, m.township_id,
         CASE WHEN m.end_date <= t.cap THEN 1 ELSE 0 END AS ended,
         CASE WHEN EXISTS (SELECT 1 FROM exemptions e WHERE e.mandate_id = m.id AND e.scope = 'term_report'
                                                        AND e.approved_on <= t.cap) THEN 1 ELSE 0 END AS exempted,
         CASE WHEN EXISTS (SELECT 1 FROM duty_reports r WHERE r.mandate_id = m.id AND r.completed = TRUE
                                  AND r.report_date >= t.first_day AND r.report_date <= t.cap)
                OR EXISTS (SELECT 1 FROM duty_report_coverages c JOIN duty_reports r ON r.id = c.report_id
                           WHERE c.mandate_id = m.id AND r.completed = TRUE
                             AND r.report_date >= t.first_day AND r.report_date <= t.cap)
              THEN 1 ELSE 0 END AS done
  FROM mandates m JOIN t ON t.term_id = m.term_id
  WHERE m.start_date <= t.cap)
SELECT term_id, township_id, COUNT(*), SUM(ended), SUM((1 - ended) * exempted),
       SUM((1 - ended) * (1 - exempted)), SUM((1 - ended) * (1 - exempted) * done)
FROM m GROUP BY term_id, township_id"""
    found = {(row[0], row[1]): tuple(int(v) for v in row[2:]) for row in connection.execute(sa.text(sql))}
    for term in terms:
        rows = [counts for (term_id, _township), counts in found.items() if term_id == term.id]
        found[(term.id, None)] = tuple(sum(column) for column in zip(*rows)) if rows else (0,) * 5
    return found


def annual(connection, dialect, terms, year, as_of):
    """{(term_id, township_id): (in_force, late_start, exempted, due, done, people_due, people_done)}:
    rule R11 (people are mandates within a term: one mandate per person and term)."""
    day = min(as_of, date(year, 12, 31))
    if day < date(year, 1, 1):
        return {}
    spans = _rows(dialect, "t", ("term_id", "last_day"), [(term.id, term.last_day) for term in terms])
    d, mid, first = _day(dialect, day), _day(dialect, date(year, 6, 30)), _day(dialect, date(year, 1, 1))
    sql = f"""
WITH {spans},
m AS (
  SELECT m.term_id, m.township_id,
         CASE WHEN m.start_date > {mid} THEN 1 ELSE 0 END AS late,
         CASE WHEN EXISTS (SELECT 1 FROM exemptions e WHERE e.mandate_id = m.id AND e.scope = 'year_report'
                                  AND e.period_key = {year} AND e.approved_on <= {d}) THEN 1 ELSE 0 END AS exempted,
         CASE WHEN EXISTS (SELECT 1 FROM duty_reports r WHERE r.mandate_id = m.id AND r.completed = TRUE
                                  AND r.report_date >= {first} AND r.report_date <= {d})
                OR EXISTS (SELECT 1 FROM duty_report_coverages c JOIN duty_reports r ON r.id = c.report_id
                           WHERE c.mandate_id = m.id AND r.completed = TRUE
                             AND r.report_date >= {first} AND r.report_date <= {d})
              THEN 1 ELSE 0 END AS done
  FROM mandates m JOIN t ON t.term_id = m.term_id
  WHERE m.start_date <= {d} AND (m.end_date > {d} OR (m.end_date IS NULL AND t.last_day >= {d})))
SELECT term_id, township_id, COUNT(*), SUM(late), SUM((1 - late) * exempted),
       SUM((1 - late) * (1 - exempted)), SUM((1 - late) * (1 - exempted) * done)
FROM m GROUP BY term_id, township_id"""
    return {(row[0], row[1]): tuple(int(v) for v in row[2:]) + (int(row[5]), int(row[6]))
            for row in connection.execute(sa.text(sql))}


def _periods(year, as_of):
    """(kind, key, first, last, after, bits) of the months and quarters of ``year`` begun by ``as_of``;
    ``bits`` are the months of the period, bit 0 for January."""
    found = []
    for month in range(1, 13):
        first = date(year, month, 1)
        after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        if first <= as_of:
            found.append(("m", year * 100 + month, first, after - timedelta(days=1), after, 1 << (month - 1)))
    for quarter in range(1, 5):
        first = date(year, 3 * quarter - 2, 1)
        after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        if first <= as_of:
            found.append(("q", year * 10 + quarter, first, after - timedelta(days=1), after, 7 << (3 * quarter - 3)))
    return found


def _visit_rows(dialect, all_terms, term, year, as_of):
    """The per (period, mandate) select of 月进站 and 季回家: whole, suspended, exempted, met (1/0)."""
    periods = _periods(year, as_of)
    bounds = _rows(dialect, "tb", ("term_id", "end_excl", "level"),
                   [(t.id, t.last_day + timedelta(days=1), t.level) for t in all_terms.values()])
    p = _rows(dialect, "p", ("kind", "period_key", "p_first", "p_last", "p_after", "bits"), periods)
    m0 = year * 100 + 1
    a = _day(dialect, as_of)
    # A mandate's held end (rule R5) and the person's other same-level mandates, for the few
    # mandates that do not hold the period themselves.
    held = "COALESCE({m}.end_date, {b}.end_excl)"
    covers = f"""EXISTS (SELECT 1 FROM mandates i JOIN tb ib ON ib.term_id = i.term_id
                 WHERE i.deputy_id = m.deputy_id AND ib.level = '{term.level}'
                   AND i.start_date <= p.p_first AND {held.format(m='i', b='ib')} > p.p_first)
             AND NOT EXISTS (
                 SELECT 1 FROM mandates i JOIN tb ib ON ib.term_id = i.term_id
                 WHERE i.deputy_id = m.deputy_id AND ib.level = '{term.level}'
                   AND {held.format(m='i', b='ib')} > p.p_first AND {held.format(m='i', b='ib')} < p.p_after
                   AND NOT EXISTS (
                     SELECT 1 FROM mandates j JOIN tb jb ON jb.term_id = j.term_id
                     WHERE j.deputy_id = i.deputy_id AND jb.level = '{term.level}'
                       AND j.start_date <= {held.format(m='i', b='ib')}
                       AND {held.format(m='j', b='jb')} > {held.format(m='i', b='ib')}))"""
    return f"""
WITH {bounds}, {p},
seen AS (
  SELECT deputy_id,
         SUM(CASE WHEN station_kind = 'station' THEN bit ELSE 0 END) AS at_station,
         SUM(CASE WHEN station_kind = 'home' THEN bit ELSE 0 END) AS at_home
  FROM (SELECT DISTINCT deputy_id, station_kind, 1 << (month_key - {m0}) AS bit
        FROM checkins
        WHERE quarter_key BETWEEN {year * 10 + 1} AND {year * 10 + 4} AND status IN {COUNTED}
          AND local_date <= {a}) c
  GROUP BY deputy_id),
r AS (
  SELECT p.kind, p.period_key, m.id AS mandate_id, m.township_id,
         CASE WHEN m.start_date <= p.p_first AND {held.format(m='m', b='mb')} >= p.p_after THEN 1
              WHEN {covers} THEN 1 ELSE 0 END AS whole,
         CASE WHEN m.deputy_id IN (SELECT s.deputy_id FROM mandates s
                                   WHERE s.id IN (SELECT mandate_id FROM suspensions))
               AND EXISTS (SELECT 1 FROM suspensions s JOIN mandates k ON k.id = s.mandate_id
                           JOIN tb kb ON kb.term_id = k.term_id
                           WHERE k.deputy_id = m.deputy_id AND kb.level = '{term.level}'
                             AND s.start_date <= p.p_last AND (s.end_date IS NULL OR s.end_date >= p.p_first))
              THEN 1 ELSE 0 END AS suspended,
         CASE WHEN m.id IN (SELECT mandate_id FROM exemptions WHERE scope IN ('month', 'quarter'))
               AND EXISTS (SELECT 1 FROM exemptions e WHERE e.mandate_id = m.id
                             AND e.scope = CASE p.kind WHEN 'm' THEN 'month' ELSE 'quarter' END
                             AND e.period_key = p.period_key AND e.approved_on <= {a})
              THEN 1 ELSE 0 END AS exempted,
         CASE WHEN (CASE p.kind WHEN 'm' THEN seen.at_station ELSE seen.at_home END) & p.bits <> 0
              THEN 1 ELSE 0 END AS met
  FROM mandates m JOIN tb mb ON mb.term_id = m.term_id
  JOIN p ON m.start_date < p.p_after AND {held.format(m='m', b='mb')} > p.p_first
  LEFT JOIN seen ON seen.deputy_id = m.deputy_id
  WHERE m.term_id = {term.id})"""


def visits(connection, dialect, all_terms, term, year, as_of):
    """{(kind, period_key, township_id): (due, met, partial, partial_met, suspended, exempted, people_due,
    people_met)}, and the district rows under township None: rules R6–R8 (people are mandates within
    a term)."""
    sql = _visit_rows(dialect, all_terms, term, year, as_of) + """
SELECT kind, period_key, township_id,
       SUM(whole * (1 - suspended) * (1 - exempted)), SUM(whole * (1 - suspended) * (1 - exempted) * met),
       SUM(1 - whole), SUM((1 - whole) * met), SUM(whole * suspended), SUM(whole * (1 - suspended) * exempted)
FROM r GROUP BY kind, period_key, township_id"""
    found = {}
    for kind, key, township_id, *counts in connection.execute(sa.text(sql)):
        counts = tuple(int(v) for v in counts)
        counts += counts[:2]
        found[(kind, key, township_id)] = counts
        district = found.get((kind, key, None), (0,) * 8)
        found[(kind, key, None)] = tuple(a + b for a, b in zip(district, counts))
    return found


def visit_states(connection, dialect, all_terms, term, year, as_of):
    """{(kind, period_key, mandate_id): state} of every mandate held in each period: "met", "unmet"
    (due, not met), "partial", "suspended", "exempted" (the label order of rule R6)."""
    sql = _visit_rows(dialect, all_terms, term, year, as_of) + """
SELECT kind, period_key, mandate_id,
       CASE WHEN suspended = 1 THEN 'suspended' WHEN exempted = 1 THEN 'exempted' WHEN whole = 0 THEN 'partial'
            WHEN met = 1 THEN 'met' ELSE 'unmet' END
FROM r"""
    return {(kind, key, mandate_id): state for kind, key, mandate_id, state in connection.execute(sa.text(sql))}


def dashboard(connection, dialect, target_ids, visit_term_id, year, as_of):
    """Every rates figure of the committee dashboard, by hand: three statements (and the terms); the
    district rows are the township rows summed."""
    all_terms = terms_of(connection)
    terms = [all_terms[term_id] for term_id in target_ids]
    figures = {"in_term": in_term(connection, dialect, terms, as_of),
               "annual": annual(connection, dialect, terms, year, as_of)}
    if visit_term_id is not None:
        figures["visits"] = visits(connection, dialect, all_terms, all_terms[visit_term_id], year, as_of)
    return figures


# --- the same figures from the app -------------------------------------------------------------

def app_dashboard(target_ids, visit_term_id, year, as_of):
    """The figures the dashboard shows, from the app's own functions (in an app context)."""
    from liaison.dashboard import queries
    from liaison.extensions import db
    from liaison.rates import queries as rates
    from liaison.terms.models import Term
    terms = [db.session.get(Term, term_id) for term_id in target_ids]
    figures = {"in_term": {}, "annual": {}}
    for _tid, _name, by_term in queries.township_table(terms, as_of):
        for term_id, row in by_term.items():
            figures["in_term"][(term_id, row.township_id)] = (row.mandates, row.ended, row.exempted, row.due,
                                                              row.done)
    for target in terms:
        # The headline row of each target term, as the rates give it for the district.
        row = rates.in_term_reporting(target.id, as_of)[0]
        figures["in_term"][(target.id, None)] = (row.mandates, row.ended, row.exempted, row.due, row.done)
    for term in terms:
        for row in rates.annual_reporting(year, as_of, term_id=term.id, group_by="township"):
            figures["annual"][(term.id, row.township_id)] = (row.in_force, row.late_start, row.exempted, row.due,
                                                             row.done, row.people_due, row.people_done)
    if visit_term_id is not None:
        figures["visits"] = {}
        if hasattr(queries, "visit_matrices"):
            matrices = queries.visit_matrices(year, visit_term_id, as_of)
        else:  # the code before issue 16's one pass, for a before/after run
            matrices = {kind: queries.visit_matrix(kind, year, visit_term_id, as_of) for kind in ("month", "quarter")}
        for kind in ("month", "quarter"):
            matrix = matrices[kind]
            rows = list(matrix.district) + [cell for _tid, _name, cells in matrix.townships for cell in cells if cell]
            for row in rows:
                if row.due or row.partial or row.suspended or row.exempted:
                    figures["visits"][(kind[0], row.period_key, row.township_id)] = (
                        row.due, row.met, row.partial, row.partial_met, row.suspended, row.exempted, row.people_due,
                        row.people_met)
    return figures


def app_visit_states(visit_term_id, year, as_of):
    """{(kind, period_key, mandate_id): state} from the rates' per-mandate rows (the workbook's sheets)."""
    from liaison.rates import queries as rates
    found = {}
    for kind, periods in (("m", rates.months), ("q", rates.quarters)):
        keys = [period.key for period in periods(year, as_of)]
        for row in rates.visits_by_mandate("month" if kind == "m" else "quarter", year, visit_term_id, as_of):
            for key, state in zip(keys, row.states):
                if state is not None:
                    found[(kind, key, row.mandate_id)] = "unmet" if state == "in_progress" else state
    return found


def differences(hand, app):
    """The figures that differ (name, key, hand, app), at most 10 per kind; empty when all agree."""
    found = []
    for name in hand:
        mine, theirs = hand[name], app.get(name, {})
        if name == "visits":
            # The app lists a township's period only where a mandate was held; zeros elsewhere.
            mine = {k: v for k, v in mine.items() if any(v[:6])}
        wrong = [(name, key, mine.get(key), theirs.get(key)) for key in sorted(set(mine) | set(theirs), key=str)
                 if mine.get(key) != theirs.get(key)]
        found.extend(wrong[:10])
    return found
