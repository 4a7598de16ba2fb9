"""Refused scans: each reason shows its Chinese message, writes no check-in and exactly one failed scan."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.clock import local_today
from liaison.deputies.models import EndReason, Suspension
from stations.checkin.models import FailedScan, RejectReason
from stations.models import VoidedCode
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import counts, tap
from tests.conftest import sign_in


def assert_refused(db, response, reason, station=None, user=None, code=None):
    """The page says why, nothing was checked in, and one failed scan names the reason."""
    html = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, response.status_code
    assert str(reason.message) in html
    assert counts() == (0, 1)
    scan = db.session.scalar(sa.select(FailedScan))
    assert scan.reason is reason
    assert scan.station_id == (station.id if station is not None else None)
    assert scan.user_id == (user.id if user is not None else None)
    if code is not None:
        assert scan.scanned_code == code


def test_expired_kiosk_token(db, client, place):
    """A photo of the kiosk QR scanned 90 s later: 二维码已过期 (400)."""
    start = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    with freeze_time(start) as frozen:
        sign_in(client, place.user.mobile)
        token = make_kiosk_token(place.station)
        frozen.tick(timedelta(seconds=90))
        response = tap(client, place.station.code, token=token)
    assert response.status_code == 400
    assert_refused(db, response, RejectReason.expired_token, place.station, place.user)


def test_token_still_fresh_is_accepted(db, client, place):
    """The same token 30 s after it was shown still checks in (the screen changes every 20 s)."""
    start = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    with freeze_time(start) as frozen:
        sign_in(client, place.user.mobile)
        token = make_kiosk_token(place.station)
        frozen.tick(timedelta(seconds=30))
        response = tap(client, place.station.code, token=token)
    assert response.status_code == 303
    assert counts() == (1, 0)


def test_tampered_token_one_byte_changed(db, client, place):
    """A token with one character of its signature changed: 二维码无效或已被改动 (400)."""
    sign_in(client, place.user.mobile)
    token = make_kiosk_token(place.station)
    middle = len(token) - 10
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    assert len(tampered) == len(token) and tampered != token
    response = tap(client, place.station.code, token=tampered)
    assert response.status_code == 400
    assert_refused(db, response, RejectReason.invalid_token, place.station, place.user)


def test_token_of_another_station(db, client, place):
    """The home's kiosk token posted to the station's code: 此二维码属于另一个站点 (400)."""
    sign_in(client, place.user.mobile)
    response = tap(client, place.station.code, token=make_kiosk_token(place.home))
    assert response.status_code == 400
    assert_refused(db, response, RejectReason.other_station, place.station, place.user)


def rekey(db, station):
    """Re-key a station as staff would: the old code is voided, a new code and key version take over."""
    old_code = station.code
    db.session.add(VoidedCode(code=old_code, station_id=station.id))
    station.code = "rekeyed23"
    station.key_version += 1
    db.session.flush()
    return old_code


def test_voided_poster_after_a_rekey(db, client, place):
    """An old poster's code after a re-key: 此二维码已作废 (410)."""
    sign_in(client, place.user.mobile)
    old_code = rekey(db, place.station)
    response = tap(client, old_code)
    assert response.status_code == 410
    assert_refused(db, response, RejectReason.voided_code, place.station, place.user, code=old_code)


def test_kiosk_token_from_before_a_rekey(db, client, place):
    """A token shown before the re-key, posted with the new code, is no longer trusted (invalid token)."""
    sign_in(client, place.user.mobile)
    token = make_kiosk_token(place.station)
    rekey(db, place.station)
    response = tap(client, "rekeyed23", token=token)
    assert_refused(db, response, RejectReason.invalid_token, place.station, place.user)


def test_unknown_code(db, client, place):
    """A code that names no station: 找不到这个站点 (404), the failed scan keeps the code."""
    sign_in(client, place.user.mobile)
    response = tap(client, "nosuch23")
    assert response.status_code == 404
    assert_refused(db, response, RejectReason.unknown_code, None, place.user, code="nosuch23")


def test_inactive_station(db, client, place):
    """A deactivated station: 此站点已停用 (410)."""
    sign_in(client, place.user.mobile)
    place.station.active = False
    response = tap(client, place.station.code)
    assert response.status_code == 410
    assert_refused(db, response, RejectReason.inactive_station, place.station, place.user)


def test_staff_account_that_is_not_a_deputy(db, client, place):
    """Township staff without a deputy record: 只有人大代表本人可以签到 (403)."""
    staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
    sign_in(client, staff.mobile)
    response = tap(client, place.station.code)
    assert response.status_code == 403
    assert_refused(db, response, RejectReason.not_deputy, place.station, staff)


@pytest.mark.parametrize("how", ["ended", "suspended", "not_yet"])
def test_deputy_without_a_mandate_in_force_today(db, client, place, how):
    """Mandate ended, suspended today, or starting later: 您今天没有在任的代表职务 (403)."""
    sign_in(client, place.user.mobile)
    today = local_today()
    if how == "ended":
        place.mandate.end_date, place.mandate.end_reason = today - timedelta(days=30), EndReason.moved_away
    elif how == "suspended":
        db.session.add(Suspension(mandate=place.mandate, start_date=today - timedelta(days=3), reason="审查"))
    else:
        place.mandate.start_date = today + timedelta(days=30)
    response = tap(client, place.station.code)
    assert response.status_code == 403
    assert_refused(db, response, RejectReason.no_mandate, place.station, place.user)


def test_missing_nonce_is_refused_without_any_row(db, client, place):
    """A POST without a nonce (not from the page) is a bad request: no check-in, no failed scan."""
    sign_in(client, place.user.mobile)
    for nonce in ("", "short", "x" * 65, "bad nonce with spaces!!"):
        response = client.post(f"/s/{place.station.code}", data={"nonce": nonce})
        assert response.status_code == 400
        assert "重新扫码" in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_failed_scan_page_offers_a_way_on(db, client, place):
    """A token refusal tells the deputy to scan the screen at the station again."""
    sign_in(client, place.user.mobile)
    html = tap(client, place.station.code, token="garbage").get_data(as_text=True)
    assert "请在站点现场重新扫描二维码" in html and "返回首页" in html
    assert counts() == (0, 1)
