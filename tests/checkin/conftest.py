"""Helpers for the check-in tests: a township with a surveyed station and home, a deputy whose own
they are, and a phone that opens a scan page and taps 签到."""
import re
import secrets
import threading
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role
from liaison.extensions import db as _db
from liaison.network.models import StationKind
from stations.checkin.models import Checkin, FailedScan
from tests import factories
from tests.conftest import sign_in

#: The station's surveyed entrance; the home lies about 2 km north of it.
STATION_POINT = (Decimal("30.250000"), Decimal("120.150000"))
HOME_POINT = (Decimal("30.268000"), Decimal("120.150000"))
#: A phone about 60 m from the station's entrance, with a good fix.
AT_STATION = {"latitude": "30.2505", "longitude": "120.1502", "accuracy": "25"}
#: A phone about 1.1 km away (at home, looking at a photo of the poster).
FAR_AWAY = {"latitude": "30.26", "longitude": "120.15", "accuracy": "20"}


@pytest.fixture()
def place(db):
    """城关镇: a 联络站 and a 代表之家 with fences, and 林晓燕, a 区 deputy whose own they are.

    The term runs from 2020 to 2099, so frozen dates in 2026 fall inside it.
    """
    term = factories.make_term(name="区第八届", start_date=date(2020, 1, 1), end_date=date(2099, 12, 31))
    town = factories.make_township(name="城关镇")
    district = factories.make_district(term=term, township=town, name="城关第一选区")
    station = factories.make_station(township=town, electoral_district=district, name="城关第一联络站",
                                     latitude=STATION_POINT[0], longitude=STATION_POINT[1], radius_m=200)
    home = factories.make_station(township=town, kind=StationKind.home, name="城关镇代表之家",
                                  latitude=HOME_POINT[0], longitude=HOME_POINT[1], radius_m=200)
    deputy = factories.make_deputy(name="林晓燕")
    mandate = factories.make_mandate(deputy=deputy, term=term, township=town, electoral_district=district,
                                     station=station, home=home)
    user = factories.make_user(roles={Role.deputy}, deputy=deputy)
    db.session.commit()
    return SimpleNamespace(term=term, town=town, district=district, station=station, home=home,
                           deputy=deputy, mandate=mandate, user=user)


def new_deputy(place, name, township=None, **mandate_kw):
    """Another deputy with an account and a mandate in the place's term, in ``township`` (default: 城关镇)."""
    township = township or place.town
    deputy = factories.make_deputy(name=name)
    district = place.district if township is place.town else factories.make_district(
        term=place.term, township=township)
    factories.make_mandate(deputy=deputy, term=place.term, township=township, electoral_district=district,
                           **mandate_kw)
    user = factories.make_user(roles={Role.deputy}, deputy=deputy)
    return deputy, user


def client_for(app, user):
    """A separate phone or browser, signed in as ``user``."""
    client = app.test_client()
    response = sign_in(client, user.mobile)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def hidden(html, name):
    """The value of the hidden input ``name`` on a page."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else ""
    raise AssertionError(f"no input {name} on the page")


def scan_url(code, token=None):
    """The URL a station QR encodes (poster), or a kiosk screen's (with its token)."""
    return f"/s/{code}" + (f"?t={token}" if token else "")


def deputy_door(code, token=None):
    """The same URL through the "我是代表，登录签到" link of the public page (rule R28)."""
    return scan_url(code, token) + ("&" if token else "?") + "door=deputy"


def open_and_tap(client, code, token=None, location=None):
    """Open the scan page as a phone would, then tap 签到 (with the phone's location, if shared)."""
    page = client.get(scan_url(code, token))
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    return tap(client, code, hidden(html, "nonce"), token=hidden(html, "t") or None, location=location)


def tap(client, code, nonce=None, token=None, location=None):
    """POST the scan form directly (a fresh nonce unless given)."""
    data = {"nonce": nonce or secrets.token_urlsafe(16), "t": token or ""}
    data.update(location or {})
    return client.post(f"/s/{code}", data=data)


def counts():
    """(check-ins, failed scans) in the database, read fresh."""
    _db.session.commit()  # saves what the test set up, and re-reads everything after
    return (_db.session.scalar(sa.select(sa.func.count()).select_from(Checkin)),
            _db.session.scalar(sa.select(sa.func.count()).select_from(FailedScan)))


def only_checkin():
    """The one check-in in the database, read fresh."""
    _db.session.commit()  # saves what the test set up, and re-reads everything after
    rows = _db.session.scalars(sa.select(Checkin)).all()
    assert len(rows) == 1, rows
    return rows[0]


def checkin_id_from(response):
    """The check-in a scan's redirect names (/checkins/<id>)."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    match = re.search(r"/checkins/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def at_once(clients, send):
    """Run ``send(client)`` in one thread per client, all released at once; return the results in order."""
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(i, client):
        barrier.wait()
        try:
            results[i] = send(client)
        except Exception as error:  # noqa: BLE001 - reported by the caller's assertion
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
