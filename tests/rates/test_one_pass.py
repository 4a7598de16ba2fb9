"""The one-pass totals of 月进站 and 季回家 (issue 16) against the per-mandate rows they summarise.

The totals read the year's check-ins once into months per person and sum the district from the
townships; the per-mandate rows (the drill-down, the workbook's sheets) probe each mandate and period
on their own. On the hand-built fixture (tests/rates/conftest.py: a partial period, a suspension,
exemptions, an early end, a person with mandates in two townships, check-ins on the last evening of
a month) every total must be the per-mandate rows counted, for every term, scope and as-of date.
"""
from datetime import date

import pytest

from liaison.rates import queries as rates

AS_OF = (date(2024, 12, 31), date(2024, 8, 15), date(2024, 3, 31), date(2024, 1, 1), date(2025, 2, 1))


def _counted(rows):
    """{period_key: (due, met, partial, partial_met, suspended, exempted, people_due, people_met)} of
    per-mandate rows, each person once."""
    found = {}
    for row in rows:
        counts = found.setdefault(row.period_key, ([0] * 6, set(), set()))
        due = row.status == "due"
        for index, holds in enumerate((due, due and row.met, row.status == "partial",
                                       row.status == "partial" and row.met, row.status == "suspended",
                                       row.status == "exempted")):
            counts[0][index] += holds
        if due:
            counts[1].add(row.deputy_id)
            if row.met:
                counts[2].add(row.deputy_id)
    return {key: (*counts, len(due), len(met)) for key, (counts, due, met) in found.items()}


def _totals(rows):
    return {row.period_key: (row.due, row.met, row.partial, row.partial_met, row.suspended, row.exempted,
                             row.people_due, row.people_met) for row in rows
            if row.due or row.partial or row.suspended or row.exempted}


@pytest.mark.parametrize("as_of", AS_OF)
@pytest.mark.parametrize("term", ("D", "M", None))
@pytest.mark.parametrize("scope", (None, ("A",), ("A", "B")))
def test_totals_are_the_per_mandate_rows_counted(db, world, as_of, term, scope):
    """Rules R4, R6–R8: the district row, each township's row and both kinds agree with the drill-down."""
    term_id = world[term] if term else None
    township_ids = None if scope is None else [world[name] for name in scope]
    both = rates.visit_figures(2024, term_id, as_of, township_ids)
    for kind, query in (("month", rates.monthly_visits), ("quarter", rates.quarterly_visits)):
        per_mandate = query(2024, term_id, as_of, group_by="deputy", township_ids=township_ids)
        district = query(2024, term_id, as_of, group_by=None, township_ids=township_ids)
        townships = query(2024, term_id, as_of, group_by="township", township_ids=township_ids)
        assert _totals(district) == _counted(per_mandate), kind
        for township_id in {row.township_id for row in per_mandate} | {row.township_id for row in townships}:
            assert _totals(row for row in townships if row.township_id == township_id) == \
                _counted(row for row in per_mandate if row.township_id == township_id), (kind, township_id)
        # The dashboard's single statement for both kinds gives the same rows.
        assert both[kind] == (district, townships), kind
