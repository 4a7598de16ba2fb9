"""The counting rules decided in December 2026 (docs/rules.md R5, R6, R10, R13) on the hand-built
fixture of tests/rates/conftest.py and on an open term held past its planned end."""
from datetime import date, datetime

import pytest

from liaison.deputies.models import Mandate, Suspension
from liaison.deputies.models import ExemptionScope
from liaison.extensions import db as _db
from liaison.network.models import StationKind
from liaison.rates import queries as rates
from liaison.rota.queries import due_deputies
from liaison.terms.models import Level, Term
from tests import factories
from tests.rates.conftest import add_checkin, add_exemption, add_report


def _mandate(world, key):
    return _db.session.get(Mandate, world[key])


# --- R10: exemptions are capped like the figure -------------------------------------------------

def test_an_exemption_approved_after_the_terms_end_changes_nothing(db, world):
    """Rule R10: 区第八届 ended 2026-11-30 (its end confirmed). A term-report exemption for P5 approved
    on 2026-12-15 does not lower the term's 应述, whatever the as-of date: still 5 due, 2 done (the
    figures of tests/rates/test_rates.py). One approved on the last day does (P4: 应述 4)."""
    add_exemption(_mandate(world, "P5"), ExemptionScope.term_report, 0, date(2026, 12, 15))
    _db.session.commit()
    for as_of in (date(2026, 12, 31), date(2030, 1, 1)):
        [row] = rates.in_term_reporting(world["D"], as_of)
        assert (row.exempted, row.due, row.done) == (0, 5, 2)
    assert "冯五" in [r.deputy_name for r in rates.missing_reporters(world["D"], date(2030, 1, 1))]
    add_exemption(_mandate(world, "P4"), ExemptionScope.term_report, 0, date(2026, 11, 30))
    _db.session.commit()
    [row] = rates.in_term_reporting(world["D"], date(2030, 1, 1))
    assert (row.exempted, row.due, row.done) == (1, 4, 2)


def test_an_annual_exemption_approved_after_31_december_changes_nothing(db, world):
    """Rule R10: P4's 2024 report exempted on 2025-01-05: the 2024 figure as of any later date keeps
    P4 due (应述 5, 已述 3, as of 31 December); P5's exemption (approved 2024-09-01) still applies."""
    add_exemption(_mandate(world, "P4"), ExemptionScope.year_report, 2024, date(2025, 1, 5))
    _db.session.commit()
    [row] = rates.annual_reporting(2024, date(2025, 6, 30))
    assert (row.exempted, row.due, row.done) == (1, 5, 3)
    statuses = {r.deputy_name: r.status
                for r in rates.annual_reporting(2024, date(2025, 6, 30), group_by="deputy")}
    assert (statuses["邓四"], statuses["冯五"]) == ("due", "exempted")


def test_a_past_years_month_applies_an_exemption_approved_the_next_year(db, world):
    """Rule R10: month and quarter figures of 2024 as of 2025-03-01 apply a 月进站 exemption for
    October 2024 approved on 2025-02-01 (P1): October's due drops from 5 to 4, exempted 1."""
    add_exemption(_mandate(world, "P1"), ExemptionScope.month, 202410, date(2025, 2, 1))
    _db.session.commit()
    rows = {r.period_key: r for r in rates.monthly_visits(2024, world["D"], date(2025, 3, 1), group_by=None)}
    assert (rows[202410].due, rows[202410].exempted) == (4, 1)
    before = {r.period_key: r for r in rates.monthly_visits(2024, world["D"], date(2025, 1, 31), group_by=None)}
    assert (before[202410].due, before[202410].exempted) == (5, 0)


# --- R6: 暂停 / 免 before 部分 -------------------------------------------------------------------

def test_a_partial_month_also_suspended_is_labelled_suspended(db, world):
    """Rule R6: P3 ends early on 2024-05-20 (May partial) and is also suspended 5-01 – 5-10: May reads
    暂停 (suspended) per mandate and in the workbook's states; the district counts are unchanged
    (D_MONTHS: due 4, partial 1)."""
    _db.session.add(Suspension(mandate=_mandate(world, "P3"), start_date=date(2024, 5, 1),
                               end_date=date(2024, 5, 10), reason="接受调查"))
    _db.session.commit()
    rows = rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by="deputy")
    assert [r.status for r in rows if r.mandate_id == world["P3"] and r.period_key == 202405] == ["suspended"]
    states = {r.deputy_name: r.states for r in rates.visits_by_mandate("month", 2024, world["D"], date(2024, 12, 31))}
    assert states["陈三"][4] == "suspended"
    [may] = [r for r in rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by=None)
             if r.period_key == 202405]
    assert (may.due, may.met, may.partial, may.suspended) == (4, 0, 1, 0)


def test_a_partial_quarter_also_exempted_is_labelled_exempted(db, world):
    """Rule R6: P7 (from 2024-09-01) holds Q3 in part and is exempted from Q3's 季回家 (approved 9-02):
    Q3 reads 免 (exempted); the district's Q3 counts are unchanged (D_QUARTERS: due 3, partial 1)."""
    add_exemption(_mandate(world, "P7"), ExemptionScope.quarter, 20243, date(2024, 9, 2))
    _db.session.commit()
    states = {r.deputy_name: r.states
              for r in rates.visits_by_mandate("quarter", 2024, world["D"], date(2024, 12, 31))}
    assert states["韩七"][2] == "exempted"
    rows = rates.quarterly_visits(2024, world["D"], date(2024, 12, 31), group_by="deputy")
    assert [r.status for r in rows if r.mandate_id == world["P7"] and r.period_key == 20243] == ["exempted"]
    [q3] = [r for r in rates.quarterly_visits(2024, world["D"], date(2024, 12, 31), group_by=None)
            if r.period_key == 20243]
    assert (q3.due, q3.partial, q3.suspended, q3.exempted) == (3, 1, 1, 0)


# --- R6: suspension of any same-level mandate on any day ---------------------------------------

def test_one_day_of_suspension_takes_the_month_out_at_that_level_only(db, world):
    """Rule R6: P2's 市 seat suspended on 2024-10-31 only: October is 暂停 for the 市 term (due 1 of 2),
    while P2's 区 seat stays due in October (another level)."""
    _db.session.add(Suspension(mandate=_mandate(world, "P2M"), start_date=date(2024, 10, 31),
                               end_date=date(2024, 10, 31), reason="接受调查"))
    _db.session.commit()
    municipal = {r.period_key: r for r in rates.monthly_visits(2024, world["M"], date(2024, 12, 31), group_by=None)}
    assert (municipal[202410].due, municipal[202410].suspended) == (1, 1)
    assert (municipal[202411].due, municipal[202411].suspended) == (2, 0)
    district = rates.monthly_visits(2024, world["D"], date(2024, 12, 31), group_by="deputy")
    assert [r.status for r in district if r.mandate_id == world["P2D"] and r.period_key == 202410] == ["due"]


def test_suspension_of_the_other_same_level_seat_counts_across_a_transition(db):
    """Rule R6: a re-elected 区 deputy, suspended in the seventh term on 2021-12-10 (its last days),
    is 暂停 for all of December 2021 in the eighth term too: a suspension of any of the person's
    mandates of that level on any day of the period."""
    town = factories.make_township()
    old = factories.make_term(level=Level.district, ordinal=7, start_date=date(2016, 12, 1),
                              end_date=date(2021, 12, 15))
    new = factories.make_term(level=Level.district, ordinal=8, start_date=date(2021, 12, 16),
                              end_date=date(2026, 12, 15))
    person = factories.make_deputy(name="安平")
    seventh = factories.make_mandate(deputy=person, term=old, township=town)
    factories.make_mandate(deputy=person, term=new, township=town)
    _db.session.add(Suspension(mandate=seventh, start_date=date(2021, 12, 10), end_date=date(2021, 12, 10),
                               reason="接受调查"))
    _db.session.commit()
    [december] = [r for r in rates.monthly_visits(2021, new.id, date(2021, 12, 31), group_by=None)
                  if r.period_key == 202112]
    assert (december.due, december.suspended) == (0, 1)
    [november] = [r for r in rates.monthly_visits(2021, old.id, date(2021, 12, 31), group_by=None)
                  if r.period_key == 202111]
    assert (november.due, november.suspended) == (1, 0)


# --- R5 / R13: a term is open until it is closed -----------------------------------------------

@pytest.fixture()
def open_term(db):
    """区第八届 as the demo has it: planned end 2027-01-10, still provisional (not closed); one deputy
    from the start, with a station check-in on 2027-01-20 and a report dated 2027-01-25."""
    town = factories.make_township(name="城关镇")
    term = factories.make_term(level=Level.district, ordinal=8, start_date=date(2022, 1, 10),
                               end_date=date(2027, 1, 10), end_provisional=True)
    station = factories.make_station(township=town)
    home = factories.make_station(township=town, kind=StationKind.home)
    person = factories.make_deputy(name="林晓燕")
    mandate = factories.make_mandate(deputy=person, term=term, township=town, start_date=date(2022, 1, 10),
                                     station=station, home=home)
    add_checkin(person, station, datetime(2027, 1, 20, 10, 0))
    add_report(mandate, date(2027, 1, 25))
    _db.session.commit()
    return {"term": term.id, "mandate": mandate.id, "town": town.id}


def test_an_open_term_is_held_past_its_planned_end(db, open_term):
    """Rule R5: until the closing, January 2027 is a whole month of the open term: due and met by the
    2027-01-20 check-in, not 部分; the quarter too; the mandate is held on 2027-03-01; the report of
    2027-01-25 counts for 届内述职率 (not capped at the planned end); the rota lists the deputy as due."""
    rows = rates.monthly_visits(2027, open_term["term"], date(2027, 1, 31), group_by=None)
    assert [(r.period_key, r.due, r.met, r.partial) for r in rows] == [(202701, 1, 1, 0)]
    [q1] = rates.quarterly_visits(2027, open_term["term"], date(2027, 3, 31), group_by=None)
    assert (q1.due, q1.partial) == (1, 0)
    assert _db.session.get(Mandate, open_term["mandate"]).held_on(date(2027, 3, 1))
    [row] = rates.in_term_reporting(open_term["term"], date(2027, 2, 1))
    assert (row.due, row.done) == (1, 1)
    [annual] = rates.annual_reporting(2027, date(2027, 2, 1))
    assert (annual.due, annual.done) == (1, 1)
    assert [d.name for d in due_deputies(open_term["town"], 2027, 2)] == ["林晓燕"]
    assert _db.session.get(Term, open_term["term"]).in_force_on(date(2027, 2, 1))


def test_the_closing_sets_the_last_day_every_figure_uses(db, open_term):
    """Rule R13: once the term's real last day is set (2027-01-15, as the closing sets it), January is
    partial (outside the rate), February is not held at all, the report of 2027-01-25 falls after the
    term, and the rota no longer lists the deputy for February."""
    term = _db.session.get(Term, open_term["term"])
    term.end_date, term.end_provisional = date(2027, 1, 15), False
    _db.session.commit()
    rows = rates.monthly_visits(2027, open_term["term"], date(2027, 2, 28), group_by=None)
    assert [(r.period_key, r.due, r.partial, r.partial_met) for r in rows] == [(202701, 0, 1, 1), (202702, 0, 0, 0)]
    [row] = rates.in_term_reporting(open_term["term"], date(2027, 2, 1))
    assert (row.due, row.done) == (1, 0)
    assert due_deputies(open_term["town"], 2027, 2) == []
    assert not term.in_force_on(date(2027, 2, 1))
