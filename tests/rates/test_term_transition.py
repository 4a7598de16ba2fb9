"""换届 in the middle of a month: a re-elected deputy stays due; others are partial.

区第七届 runs 2016-12-01 – 2021-12-15, 区第八届 2021-12-16 – 2026-12-15. R1 is re-elected (a seat in
both), R2 leaves at the end of the seventh term, R3 is new in the eighth, R4 holds both seats but
the second only from 2021-12-20 (a gap of four days). R1 goes to a station on 2021-12-20 and
home on 2021-11-05.
"""
from datetime import date, datetime

import pytest

from liaison.network.models import StationKind
from liaison.rates import queries as rates
from liaison.terms.models import Level
from tests import factories
from tests.rates.conftest import add_checkin


@pytest.fixture()
def transition(db):
    """The two terms and four people above; returns the ids."""
    town = factories.make_township(name="南山镇")
    old = factories.make_term(level=Level.district, ordinal=7, name="区第七届", start_date=date(2016, 12, 1),
                              end_date=date(2021, 12, 15))
    new = factories.make_term(level=Level.district, ordinal=8, name="区第八届", start_date=date(2021, 12, 16),
                              end_date=date(2026, 12, 15))
    station = factories.make_station(township=town)
    home = factories.make_station(township=town, kind=StationKind.home)
    r1, r2, r3, r4 = (factories.make_deputy(name=n) for n in ("安平", "包容", "蔡明", "丁宁"))
    for deputy in (r1, r2, r4):
        factories.make_mandate(deputy=deputy, term=old, township=town)
    for deputy in (r1, r3):
        factories.make_mandate(deputy=deputy, term=new, township=town)
    factories.make_mandate(deputy=r4, term=new, township=town, start_date=date(2021, 12, 20),
                           by_election=True)
    add_checkin(r1, station, datetime(2021, 12, 20, 10, 0))
    add_checkin(r1, home, datetime(2021, 11, 5, 10, 0))
    db.session.commit()
    return {"old": old.id, "new": new.id}


def test_december_of_the_transition(db, transition):
    """December 2021: in the seventh term R1 is due (their seats together hold the whole month) and
    met (the 12-20 visit counts for each of their seats); R2 and R4 are partial. In the eighth term
    R1 is due and met; R3 and R4 (gap 12-16 – 12-19) are partial."""
    old = {r.period_key: r for r in rates.monthly_visits(2021, transition["old"], date(2021, 12, 31), None)}
    new = {r.period_key: r for r in rates.monthly_visits(2021, transition["new"], date(2021, 12, 31), None)}
    assert (old[202112].due, old[202112].met, old[202112].partial) == (1, 1, 2)
    assert (new[202112].due, new[202112].met, new[202112].partial) == (1, 1, 2)
    # November: the seventh term's three seats are whole; the eighth term has none yet.
    assert (old[202111].due, old[202111].partial) == (3, 0)
    assert (new[202111].due, new[202111].partial) == (0, 0)


def test_fourth_quarter_of_the_transition(db, transition):
    """Q4 2021: R1 due in both terms, met by the home visit of 11-05 (under the seventh term, it
    counts for the person); the others partial."""
    old = rates.quarterly_visits(2021, transition["old"], date(2021, 12, 31), None)[-1]
    new = rates.quarterly_visits(2021, transition["new"], date(2021, 12, 31), None)[-1]
    assert (old.period_key, old.due, old.met, old.partial) == (20214, 1, 1, 2)
    assert (new.period_key, new.due, new.met, new.partial) == (20214, 1, 1, 2)


def test_a_normal_end_of_term_removes_nobody(db, transition):
    """The seventh term's in-term rate after it ended still counts its three seats as due."""
    [row] = rates.in_term_reporting(transition["old"], date(2022, 6, 30))
    assert (row.mandates, row.ended, row.due, row.done) == (3, 0, 3, 0)


def test_people_across_the_transition(db, transition):
    """On 2021-12-20 the eighth term's three seats are held (R1, R3, R4 from that day)."""
    [row] = rates.people_and_mandates(date(2021, 12, 20))
    assert (row.mandates, row.people) == (3, 3)
