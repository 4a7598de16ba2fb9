"""Kiosk codes are single-use and weighed against the phone's location: a code forwarded to a chat group
counts for one person at most, the screen shows a new code once one is used, and a phone that reports
a place outside the fence is held for review."""
import re
import secrets

import sqlalchemy as sa

from liaison.extensions import db as _db
from stations.checkin.models import FailedScan, KioskCodeUse, Method, PendingReason, RejectReason, Status
from stations.tokens import check_kiosk_token, make_kiosk_token
from tests.checkin.conftest import (AT_STATION, FAR_AWAY, at_once, checkin_id_from, client_for, counts,
                                    new_deputy, only_checkin, open_and_tap, scan_url, tap)
from tests.conftest import sign_in
from tests.stations.qr_decode import decode_svg, kiosk_image_source, token_of

USED = "这个二维码已被使用过"


def test_a_kiosk_code_makes_one_checkin_in_total(app, client, place):
    """林晓燕 checks in with the code on the screen; 王磊, sent a photo of the same code, is told it was
    used, on opening the page and on tapping 签到; his refusal is kept for the statistics."""
    _, other_user = new_deputy(place, "王磊", station=place.station)
    token = make_kiosk_token(place.station)
    sign_in(client, place.user.mobile)
    checkin_id_from(open_and_tap(client, place.station.code, token=token))
    other = client_for(app, other_user)
    page = other.get(scan_url(place.station.code, token))
    assert page.status_code == 400 and USED in page.get_data(as_text=True)
    response = tap(other, place.station.code, token=token)
    assert response.status_code == 400 and USED in response.get_data(as_text=True)
    assert counts() == (1, 1)
    assert _db.session.scalar(sa.select(FailedScan.reason)) is RejectReason.used_token


def test_the_deputy_who_used_a_code_gets_the_same_checkin_again(client, place):
    """Back on the scan page (a new page, a new nonce) and 签到 again with the same code: the first check-in."""
    token = make_kiosk_token(place.station)
    sign_in(client, place.user.mobile)
    first = checkin_id_from(open_and_tap(client, place.station.code, token=token))
    second = checkin_id_from(open_and_tap(client, place.station.code, token=token))
    assert first == second
    assert counts() == (1, 0)


def test_deputies_racing_for_one_code_give_one_winner(app, db, place):
    """Five deputies tap 签到 with one photographed code at the same instant: one check-in, four refusals
    (the unique code decides, on SQLite and PostgreSQL)."""
    users = [place.user] + [new_deputy(place, f"代表{n}", station=place.station)[1] for n in range(4)]
    clients = [client_for(app, user) for user in users]
    token, code = make_kiosk_token(place.station), place.station.code
    db.session.commit()

    def send(phone):
        response = phone.post(f"/s/{code}", data={"nonce": secrets.token_urlsafe(16), "t": token})
        return response.status_code, response.get_data(as_text=True)

    results = at_once(clients, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [303, 400, 400, 400, 400]
    assert all(USED in body for status, body in results if status == 400)
    assert counts() == (1, 4)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskCodeUse)) == 1


def test_kiosk_scan_from_a_phone_outside_the_fence_is_held_for_review(client, place):
    """A kiosk code scanned by a phone that reports a place 1 km away: 待核实 (位置不在站点范围内),
    only the verdict and the accuracy stored."""
    sign_in(client, place.user.mobile)
    open_and_tap(client, place.station.code, token=make_kiosk_token(place.station), location=FAR_AWAY)
    checkin = only_checkin()
    assert (checkin.method, checkin.status, checkin.pending_reason, checkin.inside_fence, checkin.accuracy_m) == (
        Method.kiosk, Status.pending, PendingReason.outside_fence, False, 20)


def test_kiosk_scan_inside_the_fence_or_without_location_counts_at_once(app, client, place):
    """Inside the fence: counts, verdict kept. A phone sharing nothing: the single-use code still counts."""
    sign_in(client, place.user.mobile)
    open_and_tap(client, place.station.code, token=make_kiosk_token(place.station), location=AT_STATION)
    checkin = only_checkin()
    assert (checkin.status, checkin.inside_fence, checkin.accuracy_m) == (Status.accepted, True, 25)
    _, other_user = new_deputy(place, "王磊", station=place.station)
    other = client_for(app, other_user)
    checkin_id = checkin_id_from(open_and_tap(other, place.station.code, token=make_kiosk_token(place.station)))
    assert _db.session.get(type(checkin), checkin_id).status is Status.accepted


def _kiosk_screen(client, code):
    """Open the kiosk page as staff: (its code's nonce, the token in its QR, the display-token header)."""
    page = client.get(f"/s/{code}/kiosk").get_data(as_text=True)
    shown = re.search(r'data-code="([^"]+)"', page).group(1)
    header = {"X-Kiosk-Display": re.search(r'data-display-token="([^"]+)"', page).group(1)}
    return shown, token_of(decode_svg(kiosk_image_source(page))), header


def test_the_kiosk_screen_gets_a_new_code_as_soon_as_its_code_is_used(app, client, login_as, place):
    """While nobody has used the code on screen the screen keeps it (204); once a deputy checks in with
    it, the screen's next ask brings a new code, which the next deputy can use."""
    login_as("township_staff", townships=[place.town])
    code = place.station.code
    shown, token, header = _kiosk_screen(client, code)
    screen = app.test_client()  # the screen itself: no session, only the display token
    ask = {**header, "X-Kiosk-Shown": shown}
    unused = screen.get(f"/s/{code}/kiosk/qr.svg", headers=ask)
    assert unused.status_code == 204 and unused.headers["Cache-Control"] == "no-store"

    checkin_id_from(open_and_tap(client_for(app, place.user), code, token=token))
    renewed = screen.get(f"/s/{code}/kiosk/qr.svg", headers=ask)
    assert renewed.status_code == 200 and renewed.mimetype == "image/svg+xml"
    new_token = token_of(decode_svg(renewed.get_data(as_text=True)))
    assert check_kiosk_token(new_token, place.station) == renewed.headers["X-Kiosk-Code"] != shown
    _, other_user = new_deputy(place, "王磊", station=place.station)
    checkin_id_from(open_and_tap(client_for(app, other_user), code, token=new_token))
    assert counts() == (2, 0)
