"""Rule R5 (a mandate is held on a day): its Python form and its SQL form agree on the rates fixture.

The same assertions run on SQLite and, with LIAISON_TEST_DATABASE_URL set, on PostgreSQL.
"""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from liaison.deputies.models import Mandate, first_day_not_held, last_day_held_in
from liaison.deputies.queries import held_end, held_end_after, held_on
from liaison.extensions import db
from liaison.terms.models import Term
from tests.rates.conftest import world  # noqa: F401  (the hand-built fixture)


def _days(mandates):
    """Every day where the rule can turn, one day either side, and the first of every month from
    the terms' starts to after their ends."""
    edges = set()
    for mandate in mandates:
        for day in (mandate.start_date, mandate.end_date, mandate.term.start_date, mandate.term.end_date):
            if day is not None:
                edges |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    months = {date(year, month, 1) for year in range(2021, 2028) for month in range(1, 13)}
    return sorted(edges | months)


def _mandates():
    return db.session.scalars(sa.select(Mandate).order_by(Mandate.id)).all()


def _held_in_sql(day, mandate=Mandate, term=Term):
    """Ids of the mandates the SQL form says are held on ``day``."""
    query = (sa.select(mandate.id).join(term, term.id == mandate.term_id)
             .where(held_on(day, mandate, term)))
    return set(db.session.scalars(query))


def test_python_and_sql_agree_on_every_mandate_and_day(db, world):  # noqa: F811
    """Whether a deputy counts as holding their seat on a day is the same on every page, whether the
    page asks the database (rates, dashboard, reminders) or Python (the deputy's own page, check-in):
    for every mandate of the fixture and every day around term ends, an early end and by-election
    starts."""
    mandates = _mandates()
    days = _days(mandates)
    assert date(2024, 5, 20) in days and date(2024, 3, 14) in days and date(2026, 12, 1) in days
    for day in days:
        python = {m.id for m in mandates if m.held_on(day)}
        assert _held_in_sql(day) == python, day
        not_over = set(db.session.scalars(
            sa.select(Mandate.id).join(Term, Term.id == Mandate.term_id).where(held_end_after(day))))
        assert not_over == {m.id for m in mandates if m.held_end > day}, day


def test_sql_form_takes_aliases(db, world):  # noqa: F811
    """The rates statements hold several aliases of mandates and terms at once: the SQL form gives
    the same answer on aliases as on the entities."""
    mandate, term = aliased(Mandate, name="other"), aliased(Term, name="other_term")
    for day in _days(_mandates()):
        assert _held_in_sql(day, mandate, term) == _held_in_sql(day), day


def test_held_end_agrees(db, world):  # noqa: F811
    """The first day no longer held is the same in SQL (given the term's bound, computed in Python as
    the rates statements do) as in Python."""
    for term in db.session.scalars(sa.select(Term)):
        bound = sa.literal(first_day_not_held(None, last_day_held_in(term)), sa.Date)
        sql = dict(db.session.execute(
            sa.select(Mandate.id, held_end(Mandate, bound)).where(Mandate.term_id == term.id)).all())
        assert sql == {m.id: m.held_end for m in term.mandates}


@pytest.mark.parametrize("key, day, held", [
    # P3 ended early on 2024-05-20 (moved away): the end day itself is no longer held.
    ("P3", date(2024, 5, 19), True), ("P3", date(2024, 5, 20), False),
    # P4 was elected in a by-election from 2024-03-15.
    ("P4", date(2024, 3, 14), False), ("P4", date(2024, 3, 15), True),
    # 区第八届 ends 2026-11-30 (included); 市第十五届 on 2026-12-31.
    ("P1", date(2026, 11, 30), True), ("P1", date(2026, 12, 1), False),
    ("P2M", date(2026, 12, 31), True), ("P2M", date(2027, 1, 1), False),
    # Before the term's first session nobody holds a seat of it.
    ("P1", date(2021, 11, 30), False), ("P1", date(2021, 12, 1), True),
])
def test_rule_r5_by_hand(db, world, key, day, held):  # noqa: F811
    """Rule R5 on the days worked out by hand: an early end date is the first day no longer held, a
    by-election seat is held from its start, a normal end is held up to and including the term's end."""
    mandate = db.session.get(Mandate, world[key])
    assert mandate.held_on(day) is held
    assert (mandate.id in _held_in_sql(day)) is held


def test_open_and_closed_terms_agree(db, world):  # noqa: F811
    """Rule R5 with the term's state: 市第十五届 made open (end still provisional) holds its mandates
    past 2026-12-31; 区第八届 closed (figures frozen, even with the provisional flag left on) ends on
    its recorded end. Python and SQL agree on every day, and on the first day no longer held."""
    from datetime import datetime, timezone

    municipal, district = db.session.get(Term, world["M"]), db.session.get(Term, world["D"])
    municipal.end_provisional = True
    district.end_provisional, district.figures_frozen_at = True, datetime(2026, 12, 5, tzinfo=timezone.utc)
    db.session.commit()
    mandates = _mandates()
    for day in _days(mandates) + [date(2030, 6, 1)]:
        assert _held_in_sql(day) == {m.id for m in mandates if m.held_on(day)}, day
    assert world["P2M"] in _held_in_sql(date(2030, 6, 1)) and world["P6"] in _held_in_sql(date(2027, 1, 1))
    assert world["P1"] not in _held_in_sql(date(2026, 12, 1))
    test_held_end_agrees(db, world)
