"""The narrowing options the drill-down and 我的履职 use give exactly the rows of the full query."""
from datetime import date

from liaison.rates import queries as rates

AS_OF = date(2024, 12, 15)


def test_one_period_is_the_full_years_rows_of_that_period(world):
    """``only`` (a period key) gives that period's rows of the whole year, per mandate and per township."""
    for query, key in ((rates.monthly_visits, 202411), (rates.monthly_visits, 202412),
                       (rates.quarterly_visits, 20244)):
        for group_by in ("deputy", "township", None):
            full = [row for row in query(2024, world["D"], AS_OF, group_by=group_by) if row.period_key == key]
            assert full and query(2024, world["D"], AS_OF, group_by=group_by, only=key) == full


def test_one_persons_annual_rows(world):
    """``deputy_id`` gives that person's mandates' 年述职 rows: 白二 holds a 区 and a 市 seat."""
    everyone = rates.annual_reporting(2024, AS_OF, group_by="deputy")
    deputy_id = next(row.deputy_id for row in everyone if row.mandate_id == world["P2D"])
    mine = rates.annual_reporting(2024, AS_OF, group_by="deputy", deputy_id=deputy_id)
    assert mine == [row for row in everyone if row.deputy_id == deputy_id]
    assert {row.mandate_id for row in mine} == {world["P2D"], world["P2M"]}
    assert all(row.status == "due" and row.done for row in mine)
