"""A deputy not yet signed in on their phone scans the kiosk, signs in, and still checks in by kiosk,
even though the code they scanned expired while they were typing their password."""
from datetime import timedelta

from freezegun import freeze_time

from liaison.clock import utcnow
from stations.checkin.models import Method, Status
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import counts, deputy_door, hidden, new_deputy, only_checkin, scan_url, tap
from tests.conftest import sign_in


def scan_signed_out(client, station):
    """Scan the code on the station's screen on a phone not signed in and tap 我是代表; returns the
    code's token."""
    token = make_kiosk_token(station)
    assert "我是代表" in client.get(scan_url(station.code, token)).get_data(as_text=True)
    assert "登录后签到" in client.get(deputy_door(station.code, token)).get_data(as_text=True)
    return token


def test_kiosk_scan_survives_a_slow_first_sign_in(app, client, place):
    code, mobile = place.station.code, place.user.mobile
    with freeze_time(utcnow().replace(tzinfo=None)) as frozen:
        token = scan_signed_out(client, place.station)
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
        token = scan_signed_out(client, place.station)
        frozen.tick(timedelta(minutes=3))
        elsewhere = app.test_client()
        sign_in(elsewhere, mobile)
        assert "二维码已过期" in elsewhere.get(scan_url(code, token)).get_data(as_text=True)
        response = tap(elsewhere, code, token=token)
        assert "二维码已过期" in response.get_data(as_text=True)
    assert counts() == (0, 1)


def test_the_note_of_a_signed_out_scan_expires_after_five_minutes(app, client, place):
    """Signing in six minutes after the scan is too late: the code on the screen must be scanned again."""
    code, mobile = place.station.code, place.user.mobile
    with freeze_time(utcnow().replace(tzinfo=None)) as frozen:
        token = scan_signed_out(client, place.station)
        frozen.tick(timedelta(minutes=6))
        sign_in(client, mobile)
        response = tap(client, code, token=token)
        assert response.status_code == 400 and "二维码已过期" in response.get_data(as_text=True)
    assert counts() == (0, 1)


def test_a_copied_cookie_cannot_move_the_note_after_its_check_in(app, client, place):
    """王磊 scans signed out and checks in; a copy of his browser's cookie taken before, handed to 林晓燕
    two minutes later, does not check her in with that code: the note named one code, now used."""
    _, other_user = new_deputy(place, "王磊", station=place.station)
    code = place.station.code
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    with freeze_time(utcnow().replace(tzinfo=None)) as frozen:
        token = scan_signed_out(client, place.station)
        copied = client.get_cookie(cookie_name).value
        frozen.tick(timedelta(minutes=2))  # the token itself has expired
        sign_in(client, other_user.mobile)
        page = client.get(scan_url(code, token)).get_data(as_text=True)
        assert tap(client, code, hidden(page, "nonce"), token=token).status_code == 303
        elsewhere = app.test_client()
        elsewhere.set_cookie(cookie_name, copied)
        sign_in(elsewhere, place.user.mobile)
        response = tap(elsewhere, code, token=token)
        assert response.status_code == 400
    assert counts() == (1, 1)
    assert only_checkin().deputy_id != place.deputy.id


def test_the_note_is_dropped_once_used(app, client, place):
    """After the check-in the browser's session no longer carries the note."""
    code = place.station.code
    with freeze_time(utcnow().replace(tzinfo=None)):
        token = scan_signed_out(client, place.station)
        with client.session_transaction() as session:
            assert "kiosk_scan" in session
        sign_in(client, place.user.mobile)
        page = client.get(scan_url(code, token)).get_data(as_text=True)
        assert tap(client, code, hidden(page, "nonce"), token=token).status_code == 303
        with client.session_transaction() as session:
            assert "kiosk_scan" not in session
