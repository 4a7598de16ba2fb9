"""`liaison seed demo`: a plausible fictional district whose every record follows the domain rules."""

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role, User
from liaison.deputies.models import Deputy, Gender, Mandate, Suspension
from liaison.terms.models import Level, Term
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind
from liaison.clock import local_today
from liaison.network.models import Station, StationKind
from tests.conftest import sign_in

#: Both seeded terms must be running today, whatever year the demo is run in.
DEMO_DAY = local_today()


@pytest.fixture()
def seeded(app, db):
    """Run the command as an operator would, on the (empty) test database."""
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo district seeded" in result.output
    return result


def _count(db, query):
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def _mandates(db, level):
    return db.session.scalars(sa.select(Mandate).join(Term).where(Term.level == level)).all()


def test_district_has_townships_homes_stations_and_current_terms(db, seeded):
    """About 10 townships of both kinds, a home in each, about 40 stations each in its own 选区; terms on."""
    townships = db.session.scalars(sa.select(Township)).all()
    assert 8 <= len(townships) <= 12
    assert {t.kind for t in townships} == {TownshipKind.township, TownshipKind.subdistrict}

    homes = db.session.scalars(sa.select(Station).where(Station.kind == StationKind.home)).all()
    assert sorted(h.township_id for h in homes) == sorted(t.id for t in townships)
    stations = db.session.scalars(sa.select(Station).where(Station.kind == StationKind.station)).all()
    assert 35 <= len(stations) <= 45
    assert all(s.electoral_district is not None for s in stations)
    assert all(s.electoral_district.township_id == s.township_id for s in stations)
    assert len({s.electoral_district_id for s in stations}) == len(stations)
    for place in homes + stations:
        assert place.address and place.radius_m == 200 and place.opening_hours
        assert abs(float(place.latitude) - 30.2) < 0.1 and abs(float(place.longitude) - 120.1) < 0.1

    terms = {t.name: t for t in db.session.scalars(sa.select(Term))}
    assert set(terms) == {"区第八届", "市第十五届"}
    assert (terms["区第八届"].level, terms["区第八届"].ordinal) == (Level.district, 8)
    assert (terms["市第十五届"].level, terms["市第十五届"].ordinal) == (Level.municipal, 15)
    assert all(t.in_force_on(DEMO_DAY) and t.end_provisional for t in terms.values())
    districts = db.session.scalars(sa.select(ElectoralDistrict)).all()
    assert len(districts) == len(stations) and all(d.term is terms["区第八届"] for d in districts)


def test_deputies_mandates_early_ends_suspension_and_by_elections(db, seeded):
    """Hundreds of 区 and dozens of 市 deputies, some holding both, with the events a real term has."""
    district, municipal = _mandates(db, Level.district), _mandates(db, Level.municipal)
    assert len(district) >= 280 and len(municipal) >= 50
    both = {m.deputy_id for m in district} & {m.deputy_id for m in municipal}
    assert len(both) >= 15
    everyone = district + municipal
    assert 3 <= sum(m.end_date is not None for m in everyone) <= 5
    assert sum(m.by_election for m in everyone) >= 2
    assert all(m.start_date.year in (2023, 2024) for m in everyone if m.by_election)
    suspensions = db.session.scalars(sa.select(Suspension)).all()
    assert len(suspensions) == 1 and suspensions[0].end_date is None

    deputies = db.session.scalars(sa.select(Deputy)).all()
    mobiles = [d.mobile for d in deputies]
    assert len(set(mobiles)) == len(mobiles)
    assert [m for m in mobiles if m.startswith("139000000")] == ["13900000003"]
    assert {d.gender for d in deputies} == {Gender.male, Gender.female}
    ethnicities = [d.ethnicity for d in deputies]
    assert ethnicities.count("汉族") > 0.8 * len(deputies) and len(set(ethnicities)) > 1


def test_every_mandate_follows_the_domain_rules(db, seeded):
    """Districts, homes, stations and dates of every mandate agree with its term and township."""
    for m in db.session.scalars(sa.select(Mandate)):
        term = m.term
        assert term.start_date <= m.start_date <= term.end_date
        if m.end_date is not None:
            assert m.end_reason is not None and m.start_date < m.end_date <= term.end_date
        if term.level.directly_elected:
            assert m.electoral_district.term_id == term.id
            assert m.electoral_district.township_id == m.township_id
            assert m.station.electoral_district_id == m.electoral_district_id
        else:
            assert m.electoral_district is None
        assert m.home.kind is StationKind.home and m.home.township_id == m.township_id
        assert m.station.kind is StationKind.station and m.station.township_id == m.township_id
        last = m.end_date or term.end_date
        for s in m.suspensions:
            assert m.start_date <= s.start_date < last


def test_demo_accounts_sign_in_and_every_deputy_awaits_activation(app, db, seeded):
    """The three demo accounts sign in with liaison-demo; every other deputy's account awaits activation."""
    first = db.session.scalars(sa.select(Township).order_by(Township.name_sort_key)).first()
    committee = db.session.scalar(sa.select(User).where(User.mobile == "13900000001"))
    staff = db.session.scalar(sa.select(User).where(User.mobile == "13900000002"))
    deputy = db.session.scalar(sa.select(User).where(User.mobile == "13900000003"))
    assert committee.roles == {Role.committee}
    assert staff.roles == {Role.township_staff} and staff.township_ids == {first.id} and staff.deputy is None
    assert deputy.roles == {Role.deputy}
    held = {m.term.level: m for m in deputy.deputy.mandates}
    assert set(held) == {Level.district, Level.municipal}
    assert all(m.township_id == first.id and m.held_on(DEMO_DAY) for m in held.values())

    for mobile, expected in (("13900000001", "在任代表"), ("13900000002", first.name),
                             ("13900000003", "我的代表职务")):
        browser = app.test_client()
        assert sign_in(browser, mobile, "liaison-demo").status_code == 302
        assert expected in browser.get("/").get_data(as_text=True)

    accounts = db.session.execute(sa.select(User.deputy_id, User.password_hash)
                                  .where(User.deputy_id.is_not(None))).all()
    assert len(accounts) == db.session.scalar(sa.select(sa.func.count(Deputy.id)))
    assert [row for row in accounts if row.password_hash] == [(deputy.deputy_id, deputy.password_hash)]


def test_seeded_database_is_left_alone(app, db, seeded):
    """--if-empty on a seeded database changes nothing; without it the command refuses with an error."""
    def counts():
        return [db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (Township, Station, Term, Deputy, Mandate, User)]

    before = counts()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0 and "not seeded" in result.output
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "already holds data" in result.output
    assert counts() == before


def test_demo_has_a_year_of_checkins_with_gaps(db, seeded):
    """Rates must not all be 100%: some deputies skipped months, a few scans wait for staff, a few
    were back-entered by the township's staff from the paper book."""
    from stations.checkin.models import COUNTED, Checkin, Method, Status
    from liaison.network.models import StationKind

    checkins = db.session.scalars(sa.select(Checkin)).all()
    assert len(checkins) > 3000
    assert any(c.status is Status.pending for c in checkins)
    back_entries = [c for c in checkins if c.method is Method.back_entry]
    assert back_entries and all(c.entered_by_id and c.back_entry_reason for c in back_entries)
    months = {c.month_key for c in checkins}
    assert len(months) >= 12
    last_full_month = sorted(months)[-2]
    visited = {c.deputy_id for c in checkins if c.month_key == last_full_month
               and c.station_kind is StationKind.station and c.status in COUNTED}
    deputies = db.session.scalar(sa.select(sa.func.count()).select_from(Deputy))
    assert 0.6 * deputies < len(visited) < 0.99 * deputies


def test_demo_has_opinions_at_every_step_with_dates_in_order(db, seeded):
    """The 民意 table and the staff queue show real work on a fresh `make run`: opinions waiting,
    referred, overdue, answered and rated, each step dated after the one before and none in the future."""
    from liaison.opinions.models import Opinion, Status

    opinions = db.session.scalars(sa.select(Opinion)).all()
    assert len(opinions) >= 30
    statuses = {o.status for o in opinions}
    assert {Status.registered, Status.referred, Status.replied} <= statuses
    assert any(o.satisfaction is not None for o in opinions)
    assert any(o.is_overdue(DEMO_DAY) for o in opinions)
    for o in opinions:
        steps = [d for d in (o.received_on, o.registered_on, o.referred_on, o.replied_on) if d is not None]
        assert steps == sorted(steps) and steps[-1] <= DEMO_DAY, o.number
        assert o.received_month == o.received_on.strftime("%Y-%m")
        assert o.events and o.events[0].kind.value == "received"
