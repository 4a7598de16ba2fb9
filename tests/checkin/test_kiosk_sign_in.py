"""A deputy not yet signed in on their phone scans the kiosk, signs in, and still checks in by kiosk,
even though the code they scanned expired while they were typing their password."""
from datetime import timedelta

from freezegun import freeze_time

from liaison.clock import utcnow
from stations.checkin.models import Method, Status
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import counts, hidden, only_checkin, scan_url, tap
from tests.conftest import sign_in


def test_kiosk_scan_survives_a_slow_first_sign_in(app, client, place):
    code, mobile = place.station.code, place.user.mobile
    with freeze_time(utcnow().replace(tzinfo=None)) as frozen:
        token = make_kiosk_token(place.station)
        first = client.get(scan_url(code, token))
        assert "登录后签到" in first.get_data(as_text=True)
        frozen.tick(timedelta(minutes=3))  # the 60-second token is long gone
        sign_in(client, mobile, factories.PASSWORD, next_url=scan_url(code, token))
        page = client.get(scan_url(code, token)).get_data(as_text=True)
        response = tap(client, code, hidden(page, "nonce"), token=token)
        assert response.status_code == 303
    checkin = only_checkin()
    assert checkin.method is Method.kiosk and checkin.status is Status.accepted


def test_the_same_link_in_another_browser_is_still_expired(app, client, place):
    """The note lives in the scanning browser's own session: a forwarded link gains nothing."""
    code, mobile = place.station.code, place.user.mobile
    with freeze_time(utcnow().replace(tzinfo=None)) as frozen:
        token = make_kiosk_token(place.station)
        client.get(scan_url(code, token))
        frozen.tick(timedelta(minutes=3))
        elsewhere = app.test_client()
        sign_in(elsewhere, mobile)
        assert "二维码已过期" in elsewhere.get(scan_url(code, token)).get_data(as_text=True)
        response = tap(elsewhere, code, token=token)
        assert "二维码已过期" in response.get_data(as_text=True)
    assert counts() == (0, 1)
