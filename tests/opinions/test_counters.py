"""民意 counters (接、登、转、复, overdue, 信访, satisfaction) against figures worked out by hand.

The fixture is the table in ``tests.opinions.sample.hand_computed_district``; each expected row below
was counted from that table, step by step, by the date of each step.
"""
from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.opinions import counters
from liaison.opinions.counters import OpinionCounts, opinion_counts, period_of
from liaison.opinions.queries import queue
from tests.opinions.sample import TODAY, hand_computed_district

#: Column order of the expected tuples: received, registered, referred, replied, overdue, handed_over,
#: rated, satisfied.
ZERO = (0,) * 8


@pytest.fixture()
def district(db):
    return hand_computed_district(db)


def figures(row):
    """The 接、登、转、复 counters of a row (without its key and name, reopened and days to answer)."""
    return tuple(row)[2:10]


def test_year_by_township(district):
    """2026 per township: each step once in the year, 信访 and rejected outside the station counters,
    overdue as of today (安平 #3; 清河 #10), satisfaction of the three rated replies."""
    rows = opinion_counts(*period_of(2026), by="township", today=TODAY)
    assert [(r.name, figures(r)) for r in rows] == [
        ("安平镇", (6, 5, 4, 3, 1, 1, 3, 2)),
        ("清河镇", (2, 2, 1, 1, 1, 1, 0, 0)),
    ]
    total = counters.totals(rows)
    assert figures(total) == (8, 7, 5, 4, 2, 2, 3, 2)
    assert total.satisfaction_rate == pytest.approx(2 / 3)
    assert rows[1].satisfaction_rate is None
    assert opinion_counts(*period_of(2026), today=TODAY) == [total]


def test_months_count_each_step_by_its_own_date(district):
    """By month: #8 received in September is registered and referred in October and answered in
    November; overdue is read at each month's end (October: #1 and #8, answered only later), December
    has not begun."""
    rows = opinion_counts(*period_of(2026), by="month", today=TODAY)
    assert [r.key for r in rows] == [202600 + m for m in range(1, 13)]
    by_month = {r.key: figures(r) for r in rows}
    assert by_month[202609] == (1, 0, 0, 0, 0, 0, 0, 0)
    assert by_month[202610] == (3, 4, 3, 1, 2, 1, 1, 1)
    assert by_month[202611] == (4, 3, 2, 3, 2, 1, 2, 1)
    assert all(by_month[202600 + m] == ZERO for m in (1, 2, 3, 4, 5, 6, 7, 8, 12))


def test_one_month_by_township(district):
    """October alone: overdue as of 31 October (安平 #1 and #8; 清河 #10 is due on 10 November)."""
    rows = opinion_counts(*period_of(2026, 10), by="township", today=TODAY)
    assert [(r.name, figures(r)) for r in rows] == [
        ("安平镇", (2, 3, 2, 1, 2, 1, 1, 1)),
        ("清河镇", (1, 1, 1, 0, 0, 0, 0, 0)),
    ]


def test_stations_of_one_township(district):
    """November in 安平镇 by station: the rejected #7 is not counted, the home with nothing is listed
    with zeros, 清河镇's station is out of scope."""
    rows = opinion_counts(*period_of(2026, 11), by="station", township_ids=[district.anping.id], today=TODAY)
    assert [(r.name, figures(r)) for r in rows] == [
        ("安平镇代表之家", ZERO),
        ("东升联络站", (2, 1, 1, 1, 1, 0, 1, 1)),
        ("红旗联络站", (1, 1, 1, 1, 0, 0, 1, 0)),
    ]


def test_an_inactive_station_is_listed_only_with_something_counted(district, db):
    """红旗站 closed: still listed for November, when its opinions were counted, not for 2025."""
    district.hongqi.active = False
    db.session.commit()
    anping = [district.anping.id]
    november = opinion_counts(*period_of(2026, 11), by="station", township_ids=anping, today=TODAY)
    assert [r.name for r in november] == ["安平镇代表之家", "东升联络站", "红旗联络站"]
    year_before = opinion_counts(*period_of(2025), by="station", township_ids=anping, today=TODAY)
    assert [(r.name, figures(r)) for r in year_before] == [("安平镇代表之家", ZERO), ("东升联络站", ZERO)]


def test_a_date_range_and_a_past_as_of(district):
    """Any range: 20 October – 5 November; overdue as of 5 November (#1 was answered on 3 November,
    #8 not yet, #10 not yet due)."""
    [row] = opinion_counts(date(2026, 10, 20), date(2026, 11, 5), today=TODAY)
    # received #2 #3 #6 #9; registered #2 #3 #6 #9; referred #3 (#6 on 6 November is after the range);
    # replied #2 #1 #9; rated #2 #1
    assert figures(row) == (4, 4, 1, 3, 1, 0, 2, 2)


def test_deputies(district):
    """李明 received #2 #4 #6 #8 (#5 went to 信访) and took #6 up as a suggestion; #2 and #8 are answered.
    His November: #4 #6 received, #6 suggested, #8 answered. A deputy with nothing gets zeros."""
    year = counters.deputy_counts([district.li.id, district.wang.id], *period_of(2026))
    assert tuple(year[district.li.id]) == (district.li.id, 4, 1, 2)
    assert tuple(year[district.wang.id]) == (district.wang.id, 1, 0, 0)
    november = counters.deputy_counts([district.li.id], *period_of(2026, 11))
    assert tuple(november[district.li.id]) == (district.li.id, 2, 1, 1)
    scoped = counters.deputy_counts([district.li.id], *period_of(2026), township_ids=[district.qinghe.id])
    assert tuple(scoped[district.li.id]) == (district.li.id, 0, 0, 0)
    assert counters.deputy_counts([], *period_of(2026)) == {}


def test_overdue_today_matches_the_queue_filter(district, db):
    """The overdue count as of today is the number of opinions the staff queue's overdue filter lists."""
    with freeze_time("2026-11-26 04:00:00"):
        listed = db.session.scalars(queue(overdue=True)).all()
        [row] = opinion_counts(*period_of(2026))
    assert row.overdue == len(listed) == 2


def test_one_statement_whatever_the_number_of_townships(district, db):
    """Each counter is one SQL statement, by township, station, month or deputy."""
    statements = []
    deputy_ids = [district.li.id, district.wang.id]  # loaded before counting
    db.session.execute(sa.select(1))  # the transaction is open (SQLite's BEGIN is a statement too)

    def count(*_args, **_kwargs):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for by in (None, "township", "station", "month"):
            statements.clear()
            opinion_counts(*period_of(2026), by=by, today=TODAY)
            assert len(statements) == 1, by
        statements.clear()
        counters.deputy_counts(deputy_ids, *period_of(2026))
        assert len(statements) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_a_period_not_begun_has_nothing_overdue(district):
    """2027 has not begun on 26 November 2026: nothing in it, not even the opinions overdue today."""
    assert figures(opinion_counts(*period_of(2027), today=TODAY)[0]) == ZERO
    assert all(figures(r) == ZERO for r in opinion_counts(*period_of(2027), by="township", today=TODAY))


def test_unknown_grouping_is_refused(db):
    with pytest.raises(ValueError):
        opinion_counts(*period_of(2026), by="category")
    assert OpinionCounts(None, "", *ZERO).satisfaction_rate is None
    assert OpinionCounts(None, "", *ZERO).average_answer_days is None
