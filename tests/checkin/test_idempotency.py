"""Double taps, retries and crowds: one nonce is one check-in; many deputies at once all get through."""
import secrets
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from freezegun import freeze_time

from liaison.accounts.models import Role
from liaison.extensions import db as _db
from stations.checkin import operations
from stations.checkin.models import Checkin, Status
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import (AT_STATION, at_once, checkin_id_from, client_for, counts, hidden,
                                    new_deputy, scan_url, tap)
from tests.conftest import make_test_app, sign_in


def test_double_tap_gives_one_checkin(client, place):
    """The same nonce posted twice (a double tap, a retry on a weak signal): one row, the same page."""
    sign_in(client, place.user.mobile)
    nonce = hidden(client.get(scan_url(place.station.code)).get_data(as_text=True), "nonce")
    first = tap(client, place.station.code, nonce, location=AT_STATION)
    second = tap(client, place.station.code, nonce, location=AT_STATION)
    assert checkin_id_from(first) == checkin_id_from(second)
    assert counts() == (1, 0)


def test_retry_after_the_kiosk_token_expired_still_names_the_checkin(client, place):
    """A retry two minutes later, token now stale, returns the check-in already made, not a refusal."""
    start = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)
    with freeze_time(start) as frozen:
        sign_in(client, place.user.mobile)
        token = make_kiosk_token(place.station)
        nonce = secrets.token_urlsafe(16)
        first = checkin_id_from(tap(client, place.station.code, nonce, token=token))
        frozen.tick(timedelta(minutes=2))
        second = checkin_id_from(tap(client, place.station.code, nonce, token=token))
    assert first == second
    assert counts() == (1, 0)


def test_same_nonce_from_two_deputies_is_two_checkins(app, client, place):
    """The key is (deputy, nonce): another deputy's nonce never joins someone else's check-in."""
    _, other_user = new_deputy(place, "王磊")
    sign_in(client, place.user.mobile)
    other = client_for(app, other_user)
    nonce = secrets.token_urlsafe(16)
    code = place.station.code
    assert checkin_id_from(tap(client, code, nonce, token=make_kiosk_token(place.station))) != checkin_id_from(
        tap(other, code, nonce, token=make_kiosk_token(place.station)))
    assert counts() == (2, 0)


@pytest.mark.postgres
def test_twenty_concurrent_posts_with_one_nonce_make_one_row(app, db, place):
    """20 phones (the same deputy) post the same nonce at the same instant: one row, every answer names it."""
    clients = [client_for(app, place.user) for _ in range(20)]
    nonce = secrets.token_urlsafe(16)
    token = make_kiosk_token(place.station)
    code = place.station.code
    db.session.commit()

    def send(client):
        response = client.post(f"/s/{code}", data={"nonce": nonce, "t": token})
        return response.status_code, response.headers.get("Location")

    results = at_once(clients, send)
    assert all(not isinstance(r, Exception) for r in results), results
    assert {status for status, _ in results} == {303}
    assert len({location for _, location in results}) == 1
    assert counts() == (1, 0)
    assert results[0][1].endswith(f"/checkins/{db.session.scalar(sa.select(Checkin.id))}")


def test_fifty_deputies_check_in_at_once_on_sqlite(tmp_path):
    """50 deputies tap 签到 at once on an SQLite file database: all 50 saved, none "database is locked"."""
    app = make_test_app("sqlite:///" + str(tmp_path / "crowd.db"))
    # One cheap hash for everyone: this test is about the database, not password hashing.
    cheap_hash = factories.cheap_password_hash(factories.PASSWORD)
    with app.app_context():
        upgrade()
        term = factories.make_term(start_date=date(2020, 1, 1), end_date=date(2099, 12, 31))
        town = factories.make_township(name="白鹭镇")
        district = factories.make_district(term=term, township=town)
        station = factories.make_station(township=town, electoral_district=district, name="白鹭联络站",
                                         latitude=30.25, longitude=120.15)
        mobiles = []
        for n in range(50):
            deputy = factories.make_deputy(name=f"代表{n}")
            factories.make_mandate(deputy=deputy, term=term, township=town, electoral_district=district,
                                   station=station)
            user = factories.make_user(roles={Role.deputy}, deputy=deputy, password=None)
            user.password_hash = cheap_hash
            mobiles.append(user.mobile)
        code = station.code
        # Each kiosk code makes one check-in: the screen shows a new one after each use.
        tokens = [make_kiosk_token(station) for _ in mobiles]
        _db.session.commit()
        _db.session.remove()
    try:
        clients = []
        for mobile in mobiles:
            client = app.test_client()
            assert sign_in(client, mobile).status_code == 302
            clients.append(client)

        def send(client):
            # Half scan the screen, half the poster from inside the fence.
            data = {"nonce": secrets.token_urlsafe(16)}
            i = clients.index(client)
            data.update({"t": tokens[i]} if i % 2 else AT_STATION)
            response = client.post(f"/s/{code}", data=data)
            return response.status_code, response.get_data(as_text=True)

        results = at_once(clients, send)
        errors = [r for r in results if isinstance(r, Exception)]
        assert errors == []
        assert all("locked" not in body for _, body in results)
        assert [status for status, _ in results] == [303] * 50
        with app.app_context():
            rows = _db.session.execute(sa.select(Checkin.deputy_id, Checkin.status)).all()
            assert len(rows) == 50 and len({r.deputy_id for r in rows}) == 50
            assert {r.status for r in rows} == {Status.accepted}
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_losing_the_race_joins_the_winners_row(db, place, monkeypatch):
    """A request whose nonce another one saved first (a parallel double tap, or a retry) meets the unique
    key: the insert does nothing (ON CONFLICT DO NOTHING) and the winner's check-in is returned; the
    request's transaction goes on. The nonce is looked up only then, never before a first insert."""
    token = make_kiosk_token(place.station)
    winner = operations.record_checkin(place.user, place.station.code, "race-nonce-0123456789", token=token)
    db.session.commit()
    real_lookup = operations._existing
    calls = []

    def counted_lookup(deputy_id, nonce):
        calls.append(nonce)
        return real_lookup(deputy_id, nonce)

    monkeypatch.setattr(operations, "_existing", counted_lookup)
    joined = operations.record_checkin(place.user, place.station.code, "race-nonce-0123456789", token=token)
    assert joined.id == winner.id and calls == ["race-nonce-0123456789"]
    db.session.commit()
    assert counts() == (1, 0)


def test_a_check_in_rolled_back_leaves_nothing_behind_in_the_session(db, place):
    """A check-in written and then rolled back (the request failed later): the object no longer
    stands for a row, and the next check-in in the same session is saved normally (SQLite gives it
    the same id again)."""
    first = operations.record_checkin(place.user, place.station.code, "rolled-back-0123456789",
                                      token=make_kiosk_token(place.station))
    first_id = first.id
    db.session.rollback()
    assert first not in db.session and counts() == (0, 0)
    second = operations.record_checkin(place.user, place.station.code, "after-rollback-0123456",
                                       token=make_kiosk_token(place.station))
    db.session.commit()
    assert counts() == (1, 0) and second.id >= first_id and second.client_nonce == "after-rollback-0123456"
