"""`liaison seed synthetic`: a large fictional city written in bulk, whose records follow the domain rules."""
import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role, User, UserRole
from liaison.clock import local_today
from liaison.deputies.models import Deputy, Mandate
from liaison.network.models import Station, StationKind
from liaison.reports.models import DutyReport
from liaison.activities.models import Activity, ActivityInvitation
from liaison.activities.queries import attendance
from liaison.terms.models import Level, Term
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind
from stations.checkin.models import Checkin
from stations.checkin.queries import month_key_of, quarter_key_of
from tests.conftest import sign_in


def _seed(app, *extra):
    """Run the command as an operator would, with small numbers."""
    return app.test_cli_runner().invoke(
        args=["seed", "synthetic", "--deputies", "200", "--stations", "20", "--years", "2", *extra])


@pytest.fixture()
def seeded(app, db):
    """A small synthetic city in the (empty) test database."""
    result = _seed(app)
    assert result.exit_code == 0, result.output
    assert "Synthetic city seeded" in result.output
    return result


def _count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_city_has_townships_homes_stations_and_both_current_terms(db, seeded):
    """Townships of both kinds with one home each, the other stations each in a 选区 of the 区 term."""
    townships = db.session.scalars(sa.select(Township)).all()
    assert len(townships) == 2
    assert {t.kind for t in townships} == {TownshipKind.township, TownshipKind.subdistrict}
    assert _count(db, Station, Station.kind == StationKind.home) == 2
    assert {s.township_id for s in db.session.scalars(
        sa.select(Station).where(Station.kind == StationKind.home))} == {t.id for t in townships}
    assert _count(db, Station, Station.kind == StationKind.station) == 18

    today = local_today()
    terms = db.session.scalars(sa.select(Term)).all()
    assert sorted(t.level.value for t in terms) == ["district", "municipal"]
    assert all(t.in_force_on(today) for t in terms)
    district_term = next(t for t in terms if t.level is Level.district)
    for station in db.session.scalars(sa.select(Station).where(Station.kind == StationKind.station)):
        district = station.electoral_district
        assert district.term_id == district_term.id
        assert district.township_id == station.township_id
    assert _count(db, ElectoralDistrict) == 18


def test_deputies_hold_seats_at_their_own_station_and_home(db, seeded):
    """About 200 people, mostly 区 deputies, some holding both levels; every seat points at its township."""
    deputies = _count(db, Deputy)
    assert 200 <= deputies <= 210
    mandates = db.session.scalars(sa.select(Mandate)).all()
    by_level = {}
    for m in mandates:
        by_level.setdefault(m.term.level, set()).add(m.deputy_id)
        assert m.station.kind is StationKind.station and m.station.township_id == m.township_id
        assert m.home.kind is StationKind.home and m.home.township_id == m.township_id
        if m.term.level is Level.district:
            assert m.electoral_district.term_id == m.term_id
            assert m.electoral_district.township_id == m.township_id
            assert m.station.electoral_district_id == m.electoral_district_id
        else:
            assert m.electoral_district_id is None
    assert len(by_level[Level.district]) > 4 * len(by_level[Level.municipal]) > 0
    assert by_level[Level.district] & by_level[Level.municipal]
    assert any(m.end_date is not None for m in mandates)
    assert any(m.by_election for m in mandates)


def test_every_deputy_has_an_account_awaiting_activation(db, seeded):
    """One deputy account per person, no password yet, with the deputy role."""
    users = db.session.scalars(sa.select(User)).all()
    assert len(users) == _count(db, Deputy)
    assert all(u.deputy_id is not None and u.password_hash is None for u in users)
    assert _count(db, UserRole, UserRole.role == Role.deputy) == len(users)


def test_checkins_and_reports_cover_the_years(db, seeded):
    """Most months have station check-ins, period keys match the local date, reports exist."""
    station_visits = _count(db, Checkin, Checkin.station_kind == StationKind.station)
    # 200 people × 24 or 25 months × 0.9, less the seats not held all along.
    assert 3500 < station_visits < 5000
    assert _count(db, Checkin, Checkin.station_kind == StationKind.home) > 1000
    rows = db.session.execute(sa.select(Checkin.local_date, Checkin.month_key, Checkin.quarter_key,
                                        Checkin.station_id, Checkin.station_kind)).all()
    kinds = dict(db.session.execute(sa.select(Station.id, Station.kind)).all())
    today = local_today()
    for day, month_key, quarter_key, station_id, kind in rows:
        assert month_key == month_key_of(day) and quarter_key == quarter_key_of(day)
        assert kinds[station_id] is kind
        assert day <= today
    duplicates = db.session.execute(
        sa.select(Checkin.deputy_id, Checkin.client_nonce).group_by(Checkin.deputy_id, Checkin.client_nonce)
        .having(sa.func.count() > 1)).all()
    assert duplicates == []
    assert _count(db, DutyReport) > 100


def test_checkins_are_written_in_time_order(db, seeded):
    """As production writes them: each check-in's row comes after every earlier one's, so the table's
    order (and the planner's statistics on it) follow time, as in a running district."""
    instants = db.session.scalars(sa.select(Checkin.occurred_at).order_by(Checkin.id)).all()
    assert len(instants) > 4000
    assert all(earlier <= later for earlier, later in zip(instants, instants[1:]))


def test_homes_hold_collective_activities_that_deputies_attend(db, seeded):
    """Two activities per home and quarter, inviting the township's deputies; most home check-ins are
    made at one, so the attendance list of a past activity shows deputies who came."""
    activities = db.session.scalars(sa.select(Activity).order_by(Activity.local_date)).all()
    homes = {a.station_id for a in activities}
    assert homes == set(db.session.scalars(sa.select(Station.id).where(Station.kind == StationKind.home)))
    assert 2 * 2 * 8 <= len(activities) <= 2 * 2 * 9, "two homes, two a quarter, eight or nine quarters"
    assert all(a.local_date.weekday() < 5 for a in activities)
    assert _count(db, ActivityInvitation) > 100 * len(activities) // 2
    past = [a for a in activities if a.local_date < local_today()]
    came = [sum(1 for person in attendance(a) if person.checked_in_at) for a in past[-6:]]
    assert sum(came) > 0


def test_password_signs_in_the_committee_and_deputies(app, db, client):
    """With --password the committee and staff accounts exist and, like every deputy, sign in with it."""
    result = _seed(app, "--password", "synthetic-pass")
    assert result.exit_code == 0, result.output
    assert "13900000001" in result.output
    committee = db.session.scalar(sa.select(User).join(UserRole).where(UserRole.role == Role.committee))
    assert committee.mobile == "13900000001"
    deputy_account = db.session.scalar(sa.select(User).where(User.deputy_id.is_not(None)).limit(1))
    assert sign_in(client, deputy_account.mobile, "synthetic-pass").status_code == 302
    client.post("/logout")
    assert sign_in(client, committee.mobile, "wrong-password").status_code == 200
    assert sign_in(client, committee.mobile, "synthetic-pass").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_one_large_township(app, db):
    """--townships 1: one 街道-sized township holding every station and deputy (the rota's scale)."""
    result = app.test_cli_runner().invoke(
        args=["seed", "synthetic", "--deputies", "100", "--stations", "11", "--years", "1", "--townships", "1"])
    assert result.exit_code == 0, result.output
    assert _count(db, Township) == 1
    assert _count(db, Station, Station.kind == StationKind.station) == 10
    assert {m.township_id for m in db.session.scalars(sa.select(Mandate))} == {
        db.session.scalar(sa.select(Township.id))}
    refused = app.test_cli_runner().invoke(
        args=["seed", "synthetic", "--deputies", "100", "--stations", "11", "--townships", "6"])
    assert refused.exit_code != 0 and "at most 5 townships" in refused.output


def test_refuses_a_database_that_holds_data(app, db, seeded):
    """A second run fails with a clear message and adds nothing."""
    before = _count(db, Deputy)
    result = _seed(app)
    assert result.exit_code != 0
    assert "already holds data" in result.output
    assert _count(db, Deputy) == before


def test_longer_history_adds_previous_terms_with_re_elected_people(app, db):
    """Over five years, the previous 区 and 市 terms exist and some people sit in both 区 terms."""
    result = app.test_cli_runner().invoke(
        args=["seed", "synthetic", "--deputies", "60", "--stations", "8", "--years", "6"])
    assert result.exit_code == 0, result.output
    terms = db.session.scalars(sa.select(Term)).all()
    assert len(terms) == 4
    today = local_today()
    assert sum(t.in_force_on(today) for t in terms) == 2
    district_terms = [t.id for t in terms if t.level is Level.district]
    holders = db.session.execute(
        sa.select(Mandate.deputy_id).where(Mandate.term_id.in_(district_terms))
        .group_by(Mandate.deputy_id).having(sa.func.count() == 2)).all()
    assert holders


def test_bulk_rows_read_back_as_an_ordinary_insert_writes_them(app, db):
    """The seeder writes below SQLAlchemy (tuples to executemany, COPY on PostgreSQL): enums, instants,
    dates, None and the columns' Python defaults come back exactly as from ``table.insert()``."""
    from datetime import date, datetime, timezone

    from liaison.seed.synthetic import _insert
    from stations.checkin.models import Method, PendingReason, Status
    from tests.factories import make_deputy, make_station

    deputy, station = make_deputy(), make_station()
    at = datetime(2026, 3, 4, 1, 2, 3, tzinfo=timezone.utc)
    base = {"deputy_id": deputy.id, "station_id": station.id, "station_kind": StationKind.station,
            "occurred_at": at, "local_date": date(2026, 3, 4), "month_key": 202603, "quarter_key": 20261,
            "method": Method.poster, "status": Status.pending, "pending_reason": PendingReason.no_location,
            "inside_fence": None, "accuracy_m": 20, "created_at": at}
    # A row with every optional value set, and one leaving the defaulted columns out.
    full = dict(base, back_entry_reason="补", review_note="", matters_raised="事项\n两行",
                checked_out_at=at, duration_minutes=90, constituents_received=3, away_from_own=True)
    _insert(Checkin, [dict(full, client_nonce="bulk-full"), dict(base, client_nonce="bulk-bare")])
    db.session.execute(Checkin.__table__.insert(), dict(full, client_nonce="orm-full"))
    db.session.execute(Checkin.__table__.insert(), dict(base, client_nonce="orm-bare"))
    db.session.commit()
    rows = {row.client_nonce: row._asdict() for row in db.session.execute(sa.select(Checkin.__table__))}
    for kind in ("full", "bare"):
        bulk, ordinary = rows[f"bulk-{kind}"], rows[f"orm-{kind}"]
        for row in (bulk, ordinary):
            del row["id"], row["client_nonce"]
        assert bulk == ordinary
    assert rows["bulk-full"]["matters_raised"] == "事项\n两行" and rows["bulk-bare"]["travel_doubt"] is False
    assert rows["bulk-bare"]["status"] is Status.pending and rows["bulk-bare"]["occurred_at"] == at
