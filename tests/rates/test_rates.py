"""The rates of docs/rules.md on the hand-built fixture (tests/rates/conftest.py), worked out by hand.

Every expected number below is derived in the comment next to it from the fixture's table; the
same assertions run on SQLite and, with LIAISON_TEST_DATABASE_URL set, on PostgreSQL.
"""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.rates import queries as rates


def _by_period(rows):
    """{period_key: (due, met, partial, partial_met, suspended, exempted)}"""
    return {r.period_key: (r.due, r.met, r.partial, r.partial_met, r.suspended, r.exempted) for r in rows}


def _by_township(rows, township_id):
    return [r for r in rows if r.township_id == township_id]


# --- 届内述职率 ----------------------------------------------------------------------------------

def test_in_term_district_term_as_of_year_end(db, world):
    """Rule R9: 区第八届 as of 2024-12-31: 6 mandates begun (P1 P2 P3 P4 P5 P7); P3 ended early on 5-20 and
    leaves; 应述 5; 已述 2 (P1's own report, P2's report recorded for this mandate); P4's report is
    not completed, P5 and P7 have none: 未述 3, rate 2/5."""
    [row] = rates.in_term_reporting(world["D"], date(2024, 12, 31))
    assert (row.mandates, row.ended, row.exempted, row.due, row.done, row.missing) == (6, 1, 0, 5, 2, 3)
    assert row.rate == pytest.approx(0.4)


def test_in_term_per_township(db, world):
    """Rule R9: 东城镇 (A): P1 P2 P5 P7 due, P1 and P2 done: 2/4. 西湖街道 (B): P3 ended, P4 due, not done: 0/1."""
    rows = rates.in_term_reporting(world["D"], date(2024, 12, 31), group_by="township")
    assert [(r.township_name, r.mandates, r.ended, r.due, r.done, r.missing) for r in rows] == [
        ("东城镇", 4, 0, 4, 2, 2), ("西湖街道", 2, 1, 1, 0, 1)]
    assert [r.rate for r in rows] == [pytest.approx(0.5), 0.0]


def test_in_term_as_of_an_earlier_date(db, world):
    """Rule R9: As of 2024-05-01: P7 has not begun, P3 has not ended yet (5-20): 应述 5 (P1 … P5); 已述 2:
    P1 (4-10) and P3 (3-01); P2's report (6-18) comes later."""
    [row] = rates.in_term_reporting(world["D"], date(2024, 5, 1))
    assert (row.mandates, row.ended, row.due, row.done) == (5, 0, 5, 2)
    assert row.rate == pytest.approx(0.4)


def test_in_term_municipal_exemption_and_covering_report(db, world):
    """Rules R9, R10: 市第十五届 as of 2024-12-31: P2 and P6; P6 is exempted (approved 6-01): 应述 1; P2 is 已述 by the
    report recorded for the 区 mandate that also covers this one: 1/1.
    Per township: A has only P6, exempted (nobody due, rate None); B has P2, 1/1."""
    [row] = rates.in_term_reporting(world["M"], date(2024, 12, 31))
    assert (row.mandates, row.exempted, row.due, row.done, row.missing, row.rate) == (2, 1, 1, 1, 0, 1.0)
    rows = rates.in_term_reporting(world["M"], date(2024, 12, 31), group_by="township")
    assert [(r.township_name, r.exempted, r.due, r.done, r.rate) for r in rows] == [
        ("东城镇", 1, 0, 0, None), ("西湖街道", 0, 1, 1, 1.0)]


def test_in_term_exemption_applies_from_its_approval(db, world):
    """Rules R9, R10: As of 2024-05-31 the exemption (approved 6-01) does not apply yet and P2's report
    (6-18) is
    still to come: 应述 2 (P2, P6); 已述 1 (P6's report of 2023-09-01 lies within the term)."""
    [row] = rates.in_term_reporting(world["M"], date(2024, 5, 31))
    assert (row.exempted, row.due, row.done, row.rate) == (0, 2, 1, 0.5)


def test_in_term_is_capped_at_the_terms_end(db, world):
    """Rule R9: As of 2030 (after the term ended 2026-11-30) the term's mandates stay: a normal end of term
    removes nobody; the figures equal those at the term's end."""
    later = rates.in_term_reporting(world["D"], date(2030, 1, 1))
    at_end = rates.in_term_reporting(world["D"], date(2026, 11, 30))
    assert later == at_end
    assert (later[0].mandates, later[0].ended, later[0].due) == (6, 1, 5)


def test_missing_reporters_list(db, world):
    """Rule R9: 未述 for 区第八届 as of 2024-12-31: 冯五 and 韩七 in 东城镇, 邓四 (planned report only) in 西湖街道;
    the exempted, the ended early and those reported are not listed."""
    rows = rates.missing_reporters(world["D"], date(2024, 12, 31))
    assert [(r.deputy_name, r.township_name) for r in rows] == [("冯五", "东城镇"), ("韩七", "东城镇"),
                                                                  ("邓四", "西湖街道")]
    assert rows[2].by_election and rows[2].start_date == date(2024, 3, 15)
    only_b = rates.missing_reporters(world["D"], date(2024, 12, 31), township_ids={world["B"]})
    assert [r.deputy_name for r in only_b] == ["邓四"]


def test_per_deputy_reporting_rows(db, world):
    """Rules R9, R12: Drill-down: each mandate of 区第八届 with its status and latest report date (in
    姓氏笔画 order within each township, rule R16)."""
    rows = rates.in_term_reporting(world["D"], date(2024, 12, 31), group_by="deputy")
    assert [(r.deputy_name, r.status, r.done, r.report_date) for r in rows] == [
        ("白二", "due", True, date(2024, 6, 18)),
        ("冯五", "due", False, None),
        ("安一", "due", True, date(2024, 4, 10)),
        ("韩七", "due", False, None),
        ("邓四", "due", False, None),
        ("陈三", "ended", True, date(2024, 3, 1)),
    ]



def test_a_townships_own_figures_equal_its_row_of_the_district(db, world):
    """Issue 16 §4: a staff member's figures are computed on their townships' mandates only, and are
    exactly the district's row for that township. The cases that cross townships: P2's report is
    recorded for the 区 mandate in 东城镇 (A) and also covers the 市 mandate in 西湖街道 (B), so B's staff
    see P2 已述 in 市第十五届 (1/1) and A's staff see it in 区第八届 (2/4); P6's term-report exemption
    counts in A only (rule R10); in 2024 B's annual figure is P2 (covered) and P4 (not): 1/2, and A's
    keeps P5's exemption: 2 of 3."""
    as_of = date(2024, 12, 31)
    for term in (world["D"], world["M"]):
        by_township = {r.township_id: r for r in rates.in_term_reporting(term, as_of, group_by="township")}
        for township, row in by_township.items():
            [own] = rates.in_term_reporting(term, as_of, township_ids={township})
            assert own._replace(township_id=township, township_name=row.township_name) == row
            assert rates.in_term_reporting(term, as_of, group_by="township", township_ids={township}) == [row]
    [b_in_m] = rates.in_term_reporting(world["M"], as_of, township_ids={world["B"]})
    assert (b_in_m.due, b_in_m.done, b_in_m.exempted) == (1, 1, 0)
    [a_in_m] = rates.in_term_reporting(world["M"], as_of, township_ids={world["A"]})
    assert (a_in_m.due, a_in_m.done, a_in_m.exempted) == (0, 0, 1)
    [a_in_d] = rates.in_term_reporting(world["D"], as_of, township_ids={world["A"]})
    assert (a_in_d.due, a_in_d.done) == (4, 2)
    assert [r.deputy_name for r in rates.missing_reporters(world["M"], as_of, township_ids={world["B"]})] == []
    district_rows = {r.township_id: r for r in rates.annual_reporting(2024, as_of, group_by="township")}
    for township, row in district_rows.items():
        [own] = rates.annual_reporting(2024, as_of, township_ids={township})
        assert own._replace(township_id=township, township_name=row.township_name) == row
    assert [(r.due, r.done, r.exempted) for r in (district_rows[world["A"]], district_rows[world["B"]])] == [
        (3, 2, 1), (2, 1, 0)]
    mandates = rates.in_term_reporting(world["M"], as_of, group_by="deputy", township_ids={world["B"]})
    assert [(r.deputy_name, r.status, r.report_date) for r in mandates] == [("白二", "due", date(2024, 6, 18))]

# --- 年述职 ------------------------------------------------------------------------------------

def test_annual_reporting_district(db, world):
    """Rule R11: 2024 as of 12-31, every term: in force on 12-31: P1, P2(区), P2(市), P4, P5, P6, P7 = 7
    (P3 ended).
    P7 began 9-01, after 30 June: not due. P5 is exempted for 2024. 应述 5: P1, P2×2, P4, P6.
    已述 3: P1 (4-10), P2 twice (one report covering both mandates); P4's is not completed and P6's
    is from 2023. Rate 3/5. People: due P1 P2 P4 P6 = 4, done P1 P2 = 2."""
    [row] = rates.annual_reporting(2024, date(2024, 12, 31))
    assert (row.in_force, row.late_start, row.exempted, row.due, row.done, row.missing) == (7, 1, 1, 5, 3, 2)
    assert row.rate == pytest.approx(0.6)
    assert (row.people_due, row.people_done) == (4, 2)


def test_annual_reporting_per_township_counts_a_person_in_each_township(db, world):
    """Rule R11: A: P1, P2(区), P5 (exempted), P6, P7 (late) in force; 应述 3, 已述 2 (P1, P2), people 3/2.
    B: P2(市), P4; 应述 2, 已述 1 (P2 via the covering report), people 2/1. P2 counts as a person in
    both townships but once in the district (4, not 3 + 2)."""
    rows = rates.annual_reporting(2024, date(2024, 12, 31), group_by="township")
    assert [(r.township_name, r.in_force, r.late_start, r.exempted, r.due, r.done, r.people_due,
             r.people_done) for r in rows] == [("东城镇", 5, 1, 1, 3, 2, 3, 2), ("西湖街道", 2, 0, 0, 2, 1, 2, 1)]


def test_annual_reporting_per_term(db, world):
    """Rule R11: 区第八届 only: due P1, P2, P4 (P5 exempted, P7 late): 2 done of 3. 市第十五届: P2, P6 due (the term
    exemption does not touch the annual duty), P2 done: 1 of 2."""
    [d] = rates.annual_reporting(2024, date(2024, 12, 31), term_id=world["D"])
    [m] = rates.annual_reporting(2024, date(2024, 12, 31), term_id=world["M"])
    assert (d.due, d.done, m.due, m.done) == (3, 2, 2, 1)


def test_annual_reporting_mid_year(db, world):
    """Rule R11: As of 2024-06-30: in force P1, P2×2, P4, P5, P6 (P3 ended 5-20, P7 not begun) = 6; P5's
    exemption (approved 9-01) not yet: 应述 6; 已述 3 (P1 4-10, P2×2 6-18). People 5 due, 2 done."""
    [row] = rates.annual_reporting(2024, date(2024, 6, 30))
    assert (row.in_force, row.exempted, row.due, row.done) == (6, 0, 6, 3)
    assert (row.people_due, row.people_done) == (5, 2)


def test_annual_rates_worked_out_by_hand(db, world):
    """Rule R11, the rates themselves. As of 2024-12-31 (from the counts above): district 3/5 = 60%;
    东城镇 2/3 (P1 P2 of P1 P2 P6); 西湖街道 1/2 (P2's 市 seat covered, P4 not); 区第八届 2/3; 市第十五届 1/2.
    Per mandate of 区第八届 (姓氏笔画 order within each township, rule R16): P1 and P2 done, P4 due and
    not done, P5 exempted, P7 begun too late; P3 (ended 5-20) is not in force on 12-31 and is not listed."""
    [district] = rates.annual_reporting(2024, date(2024, 12, 31))
    assert (district.done, district.due, district.missing) == (3, 5, 2)
    assert district.rate == pytest.approx(3 / 5)
    towns = rates.annual_reporting(2024, date(2024, 12, 31), group_by="township")
    assert [(r.township_name, r.done, r.due, r.missing) for r in towns] == [("东城镇", 2, 3, 1), ("西湖街道", 1, 2, 1)]
    assert [r.rate for r in towns] == [pytest.approx(2 / 3), pytest.approx(1 / 2)]
    [d] = rates.annual_reporting(2024, date(2024, 12, 31), term_id=world["D"])
    [m] = rates.annual_reporting(2024, date(2024, 12, 31), term_id=world["M"])
    assert (d.rate, m.rate) == (pytest.approx(2 / 3), pytest.approx(1 / 2))
    rows = rates.annual_reporting(2024, date(2024, 12, 31), term_id=world["D"], group_by="deputy")
    assert [(r.deputy_name, r.status, r.done, r.report_date) for r in rows] == [
        ("白二", "due", True, date(2024, 6, 18)), ("冯五", "exempted", False, None),
        ("安一", "due", True, date(2024, 4, 10)), ("韩七", "late_start", False, None), ("邓四", "due", False, None)]


def test_annual_rate_mid_year_and_as_of_a_later_year(db, world):
    """Rule R11: as of 2024-06-30 the running year's figure is 3 of 6 = 50% (counts above); as of
    2025-03-01 the 2024 figure is the one of 31 December (capped), 3/5."""
    [mid] = rates.annual_reporting(2024, date(2024, 6, 30))
    assert mid.rate == pytest.approx(0.5)
    assert rates.annual_reporting(2024, date(2025, 3, 1)) == rates.annual_reporting(2024, date(2024, 12, 31))


def test_a_year_not_begun_is_not_counted(db, world):
    """Rule R11: Figures for 2025 as of 2024-12-31: nothing due yet."""
    [row] = rates.annual_reporting(2025, date(2024, 12, 31))
    assert (row.due, row.done, row.rate) == (0, 0, None)
    assert rates.annual_reporting(2025, date(2024, 12, 31), group_by="township") == []


# --- 月进站 ------------------------------------------------------------------------------------

#: 区第八届, district, 2024, as of 12-31: (due, met, partial, partial_met, suspended, exempted).
D_MONTHS = {
    202401: (4, 2, 0, 0, 0, 0),  # P1 P2 P3 P5 due; P1 (1-15) and P2 (1-10, at B: away counts) met
    202402: (4, 0, 0, 0, 0, 0),  # P1's is rejected, P3's pending: nobody met
    202403: (4, 1, 1, 1, 0, 0),  # P3's back entry 3-31 23:30 counts in March; P4 partial (3-15 on), met
    202404: (5, 1, 0, 0, 0, 0),  # P4 now due, met 4-02 (confirmed); P1's home visit is not a station
    202405: (4, 0, 1, 0, 0, 0),  # P3 ends 5-20: partial
    202406: (4, 0, 0, 0, 0, 0),
    202407: (3, 0, 0, 0, 1, 0),  # P5 suspended 7-10 – 8-05: not due (their 7-20 check-in is beside the point)
    202408: (3, 0, 0, 0, 1, 0),
    202409: (5, 1, 0, 0, 0, 0),  # P7 from 9-01 holds the whole month: due, met 9-03
    202410: (5, 0, 0, 0, 0, 0),
    202411: (5, 0, 0, 0, 0, 0),
    202412: (5, 1, 0, 0, 0, 0),  # P1 at 23:30 on 31 December (15:30 UTC) counts in December
}


def test_monthly_visits_district(db, world):
    """Rules R6, R7: The district's 月进站 per month of 2024 for 区第八届, as in D_MONTHS."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by=None)
    assert _by_period(rows) == D_MONTHS
    assert all(r.people_due == r.due for r in rows)  # one mandate per person within a term
    assert rows[0].rate == pytest.approx(0.5) and rows[1].rate == 0.0
    assert all(r.closed for r in rows)


def test_monthly_visits_per_township(db, world):
    """Rules R6, R7: A (P1 P2 P5 P7) and B (P3 P4) split the district's months."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by="township")
    a = _by_period(_by_township(rows, world["A"]))
    b = _by_period(_by_township(rows, world["B"]))
    assert a == {
        202401: (3, 2, 0, 0, 0, 0), 202402: (3, 0, 0, 0, 0, 0), 202403: (3, 0, 0, 0, 0, 0),
        202404: (3, 0, 0, 0, 0, 0), 202405: (3, 0, 0, 0, 0, 0), 202406: (3, 0, 0, 0, 0, 0),
        202407: (2, 0, 0, 0, 1, 0), 202408: (2, 0, 0, 0, 1, 0), 202409: (4, 1, 0, 0, 0, 0),
        202410: (4, 0, 0, 0, 0, 0), 202411: (4, 0, 0, 0, 0, 0), 202412: (4, 1, 0, 0, 0, 0),
    }
    assert b == {
        202401: (1, 0, 0, 0, 0, 0), 202402: (1, 0, 0, 0, 0, 0), 202403: (1, 1, 1, 1, 0, 0),
        202404: (2, 1, 0, 0, 0, 0), 202405: (1, 0, 1, 0, 0, 0), 202406: (1, 0, 0, 0, 0, 0),
        202407: (1, 0, 0, 0, 0, 0), 202408: (1, 0, 0, 0, 0, 0), 202409: (1, 0, 0, 0, 0, 0),
        202410: (1, 0, 0, 0, 0, 0), 202411: (1, 0, 0, 0, 0, 0), 202412: (1, 0, 0, 0, 0, 0),
    }
    # The townships add up to the district (mandates, not people).
    for key, expected in D_MONTHS.items():
        assert a[key][0] + b[key][0] == expected[0] and a[key][1] + b[key][1] == expected[1]


def test_monthly_visits_municipal_exemption(db, world):
    """Rules R6, R7, R10: 市第十五届: P2 (B) and P6 (A). January: both due, P2 met (its check-in at a 区
    station counts for
    the 市 seat too). February: P6 exempted (approved 3-01), so due 1; P6's 2-14 check-in is moot.
    Other months: 2 due, none met."""
    rows = _by_period(rates.monthly_visits(2024, world["M"], date(2024, 12, 31), group_by=None))
    assert rows[202401] == (2, 1, 0, 0, 0, 0)
    assert rows[202402] == (1, 0, 0, 0, 0, 1)
    assert all(rows[k] == (2, 0, 0, 0, 0, 0) for k in rows if k > 202402)


def test_monthly_exemption_and_checkins_as_of_a_date(db, world):
    """Rules R6, R7, R10: As of 2024-02-20, February is running (not closed), the exemption approved 3-01
    does not
    apply yet, and P6's 2-14 check-in meets it: 2 due, 1 met. March onwards is not counted yet."""
    rows = rates.monthly_visits(2024, world["M"], date(2024, 2, 20), group_by=None)
    assert [r.period_key for r in rows] == [202401, 202402]
    assert _by_period(rows)[202402] == (2, 1, 0, 0, 0, 0)
    assert [r.closed for r in rows] == [True, False]


def test_monthly_visits_all_terms_people_count_once(db, world):
    """Rules R6, R7: Every term, January: mandates due P1 P2(区) P3 P5 + P2(市) P6 = 6; met P1, P2×2 = 3.
    People: due P1 P2 P3 P5 P6 = 5, met P1 P2 = 2."""
    rows = rates.monthly_visits(2024, None, date(2024, 12, 31), group_by=None)
    january = rows[0]
    assert (january.due, january.met, january.people_due, january.people_met) == (6, 3, 5, 2)


def test_monthly_visits_per_deputy(db, world):
    """Rules R6, R7: Drill-down: P4's months: March partial (met), April due (met), May due (not met)."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by="deputy")
    p4 = [(r.period_key, r.status, r.met) for r in rows if r.mandate_id == world["P4"]]
    assert p4[:3] == [(202403, "partial", True), (202404, "due", True), (202405, "due", False)]
    assert len(p4) == 10
    p5 = {r.period_key: r.status for r in rows if r.mandate_id == world["P5"]}
    assert (p5[202406], p5[202407], p5[202408], p5[202409]) == ("due", "suspended", "suspended", "due")


# --- 季回家 ------------------------------------------------------------------------------------

#: 区第八届, district, 2024, as of 12-31: (due, met, partial, partial_met, suspended, exempted).
D_QUARTERS = {
    20241: (4, 1, 1, 0, 0, 0),  # P1 P2 P3 P5 due, P4 partial; P1 home at 23:30 on 31 March counts in Q1
    20242: (4, 2, 1, 0, 0, 0),  # P1 P2 P4 P5 due, P3 partial; P5 at 00:30 on 1 April (Q2), P2 at B on 5-5
    20243: (3, 0, 1, 0, 1, 0),  # P5 suspended, P7 partial (from 9-01)
    20244: (5, 1, 0, 0, 0, 0),  # P4 home at 23:30 on 31 December counts in Q4
}


def test_quarterly_visits_district(db, world):
    """Rules R6, R7: The district's 季回家 per quarter of 2024 for 区第八届, as in D_QUARTERS."""
    rows = rates.quarterly_visits(2024, world["D"], date(2024, 12, 31), group_by=None)
    assert _by_period(rows) == D_QUARTERS
    assert [r.rate for r in rows] == [pytest.approx(0.25), pytest.approx(0.5), 0.0, pytest.approx(0.2)]


def test_quarterly_visits_per_township(db, world):
    """Rules R6, R7: A: Q1 P1 P2 P5 due, P1 met; Q2 P2 and P5 met; Q3 P5 suspended, P7 partial; Q4 four due.
    B: Q1 P3 due, P4 partial; Q2 P4 due, P3 partial; Q4 P4 met."""
    rows = rates.quarterly_visits(2024, world["D"], date(2024, 12, 31), group_by="township")
    assert _by_period(_by_township(rows, world["A"])) == {
        20241: (3, 1, 0, 0, 0, 0), 20242: (3, 2, 0, 0, 0, 0), 20243: (2, 0, 1, 0, 1, 0),
        20244: (4, 0, 0, 0, 0, 0)}
    assert _by_period(_by_township(rows, world["B"])) == {
        20241: (1, 0, 1, 0, 0, 0), 20242: (1, 0, 1, 0, 0, 0), 20243: (1, 0, 0, 0, 0, 0),
        20244: (1, 1, 0, 0, 0, 0)}


def test_quarterly_visits_municipal(db, world):
    """Rules R6, R7: 市第十五届: P2 and P6 due every quarter; P2's home visit of 5-5 meets Q2."""
    rows = _by_period(rates.quarterly_visits(2024, world["M"], date(2024, 12, 31), group_by=None))
    assert rows == {20241: (2, 0, 0, 0, 0, 0), 20242: (2, 1, 0, 0, 0, 0), 20243: (2, 0, 0, 0, 0, 0),
                    20244: (2, 0, 0, 0, 0, 0)}


def test_quarters_beyond_the_as_of_date_are_not_counted(db, world):
    """Rule R6: As of 2024-05-01: Q1 and the running Q2 only; P2's home visit of 5-05 has not happened yet,
    P5's of 4-01 has: Q2 met 1."""
    rows = rates.quarterly_visits(2024, world["D"], date(2024, 5, 1), group_by=None)
    assert [(r.period_key, r.due, r.met, r.closed) for r in rows] == [(20241, 4, 1, True),
                                                                       (20242, 4, 1, False)]


# --- periods in progress (rule R8) -------------------------------------------------------------

def _states(rows):
    """{period_key: (due, met, unmet, in_progress, closed)}"""
    return {r.period_key: (r.due, r.met, r.unmet, r.in_progress, r.closed) for r in rows}


def test_as_of_mid_month_the_running_month_is_in_progress_not_missed(db, world):
    """Rule R8: 区第八届 as of 2024-02-20. January has ended: P1 P2 P3 P5 due, P1 and P2 met, P3 and P5
    missed. February runs to the 29th: the same four due, nobody met yet (P1's 2-20 check-in was
    rejected, P3's is pending), so all four are in progress and none missed; the running rate 0/4."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 2, 20), group_by=None)
    assert _states(rows) == {202401: (4, 2, 2, 0, True), 202402: (4, 0, 0, 4, False)}
    assert rows[1].rate == 0.0
    towns = rates.monthly_visits(2024, world["D"], date(2024, 2, 20), group_by="township")
    # A: P1 P2 P5 (P1 P2 met in January); B: P3.
    assert _states(_by_township(towns, world["A"])) == {202401: (3, 2, 1, 0, True), 202402: (3, 0, 0, 3, False)}
    assert _states(_by_township(towns, world["B"])) == {202401: (1, 0, 1, 0, True), 202402: (1, 0, 0, 1, False)}


def test_as_of_mid_month_no_mandate_of_the_running_month_reads_as_missed(db, world):
    """Rule R8: per mandate as of 2024-02-20: February's rows are not closed and the workbook's states
    say 进行中 (in_progress) for every due mandate not yet met, never unmet; January's say unmet for
    P3 and P5."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 2, 20), group_by="deputy")
    february = [(r.deputy_name, r.status, r.met, r.closed) for r in rows if r.period_key == 202402]
    assert february == [("白二", "due", False, False), ("冯五", "due", False, False), ("安一", "due", False, False),
                        ("陈三", "due", False, False)]  # 姓氏笔画 order (rule R16)
    assert all(r.closed for r in rows if r.period_key == 202401)
    states = {row.deputy_name: row.states
              for row in rates.visits_by_mandate("month", 2024, world["D"], date(2024, 2, 20))}
    assert states == {"安一": ("met", "in_progress"), "白二": ("met", "in_progress"),
                      "冯五": ("unmet", "in_progress"), "陈三": ("unmet", "in_progress")}


def test_the_last_day_of_a_month_ends_it(db, world):
    """Rule R8: as of 2024-02-29 February has ended: its four due mandates are missed."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 2, 29), group_by=None)
    assert _states(rows)[202402] == (4, 0, 4, 0, True)
    states = [row.states for row in rates.visits_by_mandate("month", 2024, world["D"], date(2024, 2, 29))]
    assert all(s[1] == "unmet" for s in states)


def test_a_running_quarter_counts_met_and_in_progress(db, world):
    """Rule R8: 季回家 as of 2024-05-01. Q1 ended: P1 P2 P3 P5 due, P1 met, three missed. Q2 runs: P1 P2
    P4 P5 due (P3 ends 5-20: partial), P5 met on 4-01, the other three in progress; running rate 1/4."""
    rows = rates.quarterly_visits(2024, world["D"], date(2024, 5, 1), group_by=None)
    assert _states(rows) == {20241: (4, 1, 3, 0, True), 20242: (4, 1, 0, 3, False)}
    assert rows[1].rate == pytest.approx(0.25)
    states = {row.deputy_name: row.states
              for row in rates.visits_by_mandate("quarter", 2024, world["D"], date(2024, 5, 1))}
    assert states == {"安一": ("met", "in_progress"), "白二": ("unmet", "in_progress"),
                      "冯五": ("unmet", "met"), "陈三": ("unmet", "partial"), "邓四": ("partial", "in_progress")}


def test_three_states_as_of_mid_september(db, world):
    """Rule R8, all three states at once: 区第八届 as of 2024-09-15. August has ended: P1 P2 P4 due and
    none met, so three missed; P5 is suspended (7-10 – 8-05); P7 not held yet. September runs: P1 P2 P4
    P5 (suspension over) and P7 (from 9-01, the whole month) due; P7 met on 9-03, the other four still
    have time (in progress, not missed); the running rate 1/5."""
    rows = rates.monthly_visits(2024, world["D"], date(2024, 9, 15), group_by=None)
    assert _states(rows)[202408] == (3, 0, 3, 0, True)
    assert _states(rows)[202409] == (5, 1, 0, 4, False)
    assert rows[-1].rate == pytest.approx(0.2)
    states = {row.deputy_name: row.states[7:9]
              for row in rates.visits_by_mandate("month", 2024, world["D"], date(2024, 9, 15))}
    assert states == {"安一": ("unmet", "in_progress"), "白二": ("unmet", "in_progress"),
                      "冯五": ("suspended", "in_progress"), "韩七": (None, "met"), "陈三": (None, None),
                      "邓四": ("unmet", "in_progress")}


def test_due_splits_into_met_missed_and_in_progress(db, world):
    """Rule R8: every row of every grouping: due = met + unmet + in_progress, and only one of unmet and
    in_progress is non-zero, by whether the period has ended."""
    for as_of in (date(2024, 2, 20), date(2024, 9, 15), date(2024, 12, 31)):
        for group in (None, "township"):
            for query in (rates.monthly_visits, rates.quarterly_visits):
                for r in query(2024, None, as_of, group_by=group):
                    assert r.due == r.met + r.unmet + r.in_progress
                    assert (r.in_progress if r.closed else r.unmet) == 0


# --- people and mandates ---------------------------------------------------------------------

def test_people_and_mandates(db, world):
    """Rule R4: On 2024-06-30: mandates in force P1, P2×2, P4, P5, P6 = 6 held by 5 people; A: P1 P2 P5 P6
    (4/4); B: P2(市) P4 (2/2): P2 is a person in both townships."""
    [row] = rates.people_and_mandates(date(2024, 6, 30))
    assert (row.mandates, row.people) == (6, 5)
    rows = rates.people_and_mandates(date(2024, 6, 30), group_by="township")
    assert [(r.township_name, r.mandates, r.people) for r in rows] == [("东城镇", 4, 4), ("西湖街道", 2, 2)]


# --- constant number of queries --------------------------------------------------------------

def test_queries_per_call_do_not_grow_with_townships_or_deputies(db, world):
    """Each rate call runs the same few statements whether grouped by township or per deputy."""
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for group in (None, "township", "deputy"):
            statements.clear()
            rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by=group)
            assert len(statements) == 2, group  # the terms' end dates, then the aggregate
            statements.clear()
            rates.in_term_reporting(world["D"], date(2024, 12, 31), group_by=group)
            assert len(statements) <= 2, group  # the term (unless cached), then the aggregate
            statements.clear()
            rates.annual_reporting(2024, date(2024, 12, 31), group_by=group)
            assert len(statements) == 1, group
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
