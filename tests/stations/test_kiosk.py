"""The kiosk screen (扫码屏): a QR with a signed token that changes every 20 s, and its refusals."""
import re
import time
from datetime import timedelta

import pytest
from freezegun import freeze_time

from liaison.clock import utcnow
from liaison.extensions import db as _db
from liaison.network.models import Station
from stations import operations
from stations.checkin.models import RejectReason
from liaison.network.models import Station
from stations.tokens import KIOSK_POLL_SECONDS, KIOSK_ROTATE_SECONDS, ScanRefused, check_kiosk_token
from tests import factories
from tests.conftest import sign_in, sign_in_page
from tests.stations.conftest import make_mandate, make_station
from tests.stations.qr_decode import decode_png, decode_svg, kiosk_image_source, token_of, without_query

PUBLIC = "http://liaison.test"


@pytest.fixture()
def station(network):
    """城关站, a 联络站 of 城关镇 (A)."""
    return make_station(network.a, electoral_district=network.a_district, name="城关站", address="城关路 1 号")


def fresh(station_id):
    """The station as stored now."""
    _db.session.expire_all()
    return _db.session.get(Station, station_id)


def kiosk_token(client, code):
    """Open the kiosk page, decode the QR it shows, and return (decoded URL, token)."""
    response = client.get(f"/s/{code}/kiosk")
    assert response.status_code == 200
    url = decode_svg(kiosk_image_source(response.get_data(as_text=True)))
    return url, token_of(url)


def test_kiosk_page_shows_a_qr_with_a_valid_token(client, login_as, network, station):
    """The page names the station, says it renews every 20 s, and its QR carries a token the
    check-in accepts for this station."""
    login_as("township_staff", townships=[network.a])
    code = station.code
    response = client.get(f"/s/{code}/kiosk")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "城关站" in page and "城关镇" in page and "代表联络站" in page
    assert f"每 {KIOSK_ROTATE_SECONDS} 秒更新" in page
    assert re.search(r'<time id="kiosk-clock"[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</time>', page)
    # The renewal: kiosk.js swaps the image; without JavaScript the page reloads itself.
    assert '<script src="/static/kiosk.js"></script>' in page
    # The display token stays in the page (kiosk.js sends it in a header), out of every URL.
    assert f'data-source="/s/{code}/kiosk/qr.svg"' in page and 'data-display-token="' in page
    assert "?d=" not in page and response.headers["Cache-Control"] == "no-store"
    assert f'data-refresh-seconds="{KIOSK_ROTATE_SECONDS}"' in page
    assert f'<noscript><meta http-equiv="refresh" content="{KIOSK_ROTATE_SECONDS}"></noscript>' in page
    assert "style=" not in page and not re.search(r"<script(?![^>]*\ssrc=)", page)

    url = decode_svg(kiosk_image_source(page))
    assert without_query(url) == f"{PUBLIC}/s/{code}"
    check_kiosk_token(token_of(url), fresh(station.id))


def test_kiosk_qr_image_is_fresh_svg_never_cached(client, login_as, network, station):
    """The image kiosk.js loads is an uncached SVG whose code carries a valid token."""
    login_as("committee")
    response = client.get(f"/s/{station.code}/kiosk/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    url = decode_svg(response.get_data(as_text=True))
    assert without_query(url) == f"{PUBLIC}/s/{station.code}"
    check_kiosk_token(token_of(url), fresh(station.id))


def test_kiosk_tokens_change_and_a_photo_of_an_old_one_expires(client, login_as, network, station):
    """Two renderings 30 s apart carry different tokens; the older one, scanned 90 s after it was
    shown, is refused as expired while the newer one still counts at that point 30 s later."""
    login_as("township_staff", townships=[network.a])
    code = station.code
    start = utcnow().replace(microsecond=0) + timedelta(seconds=1)
    with freeze_time(start):
        first_url, first = kiosk_token(client, code)
    with freeze_time(start + timedelta(seconds=30)):
        second_url, second = kiosk_token(client, code)
    assert first != second
    assert without_query(first_url) == without_query(second_url) == f"{PUBLIC}/s/{code}"

    current = fresh(station.id)
    check_kiosk_token(second, current, now=start + timedelta(seconds=30))
    check_kiosk_token(first, current, now=start + timedelta(seconds=30))  # still within its minute
    with pytest.raises(ScanRefused) as refused:
        check_kiosk_token(first, current, now=start + timedelta(seconds=90))
    assert refused.value.reason is RejectReason.expired_token


def test_a_kiosk_token_from_before_a_rekey_is_refused(client, login_as, network, station):
    """After a re-key the old screen's token is refused as invalid, and its link is void (410)."""
    login_as("township_staff", townships=[network.a])
    old_code = station.code
    _url, token = kiosk_token(client, old_code)
    assert client.post(f"/stations/{station.id}/rekey", data={"confirm": "y"}).status_code == 302
    current = fresh(station.id)
    with pytest.raises(ScanRefused) as refused:
        check_kiosk_token(token, current)
    assert refused.value.reason is RejectReason.invalid_token

    response = client.get(f"/s/{old_code}/kiosk")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "此二维码已作废" in page and "请从家站页面打开新的扫码屏" in page
    assert f"/stations/{station.id}" in page
    assert client.get(f"/s/{old_code}/kiosk/qr.svg").status_code == 410
    _url, token = kiosk_token(client, current.code)
    check_kiosk_token(token, current)


def test_unknown_code_gives_a_chinese_404(client, login_as):
    """A mistyped kiosk link says the station cannot be found."""
    login_as("committee")
    response = client.get("/s/zzzzzzzz/kiosk")
    assert response.status_code == 404
    assert "找不到这个站点，请检查二维码。" in response.get_data(as_text=True)
    assert client.get("/s/zzzzzzzz/kiosk/qr.svg").status_code == 404


def test_inactive_station_kiosk_gives_410(client, login_as, network):
    """An inactive station shows no kiosk QR: the page says it is out of use."""
    closed = make_station(network.a, electoral_district=network.a_district, name="旧站", active=False)
    login_as("township_staff", townships=[network.a])
    response = client.get(f"/s/{closed.code}/kiosk")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "此站点已停用，不能签到。" in page and "kiosk-qr" not in page


def test_deputies_and_other_townships_cannot_open_the_kiosk(client, login_as, network, station):
    """A deputy gets 403 and 柳溪乡's staff 404 on the kiosk page and its image."""
    code = station.code
    login_as("deputy")
    assert client.get(f"/s/{code}/kiosk").status_code == 403
    assert client.get(f"/s/{code}/kiosk/qr.svg").status_code == 403
    login_as("township_staff", townships=[network.b])
    assert client.get(f"/s/{code}/kiosk").status_code == 404
    assert client.get(f"/s/{code}/kiosk/qr.svg").status_code == 404


def test_voided_code_of_another_township_is_404(client, login_as, network, station, db):
    """Staff of 柳溪乡 are not told that 城关镇's old code was voided."""
    old_code = station.code
    operations.rekey_station(station)
    login_as("township_staff", townships=[network.b])
    assert client.get(f"/s/{old_code}/kiosk").status_code == 404


# --- in Chromium ---------------------------------------------------------------------------


def _decoded_screen(page):
    """Decode the QR code from a screenshot of what the screen shows."""
    return decode_png(page.screenshot())


def _shown_code(page):
    """The code (nonce) the kiosk image shows now, once its image has loaded."""
    page.wait_for_function("() => document.getElementById('kiosk-qr').complete")
    return page.get_attribute("#kiosk-qr", "data-code")


def _wait_for_a_new_code(page, old, step_ms=0, attempts=40):
    """Wait until the screen shows another code than ``old``; with a fake clock, move it ``step_ms`` each try."""
    for _ in range(attempts):
        if step_ms:
            page.clock.run_for(step_ms)
        page.wait_for_timeout(250)
        if _shown_code(page) != old:
            return
    raise AssertionError("the kiosk screen kept showing the same code")


@pytest.mark.browser
def test_kiosk_screen_in_chromium_shows_a_scannable_code_that_renews(db, network, station, live_server,
                                                                      page, screenshot):
    """Township staff open the kiosk on a phone-sized screen; the code read off a screenshot
    carries a valid token; 20 s later (on the page's clock) a new code with a new token shows;
    when the screen cannot renew it for a minute, the code is hidden and a notice says why."""
    mobile = factories.make_user(roles={"township_staff"}, townships=[network.a]).mobile
    station_id, code = station.id, station.code
    # Commit and read nothing more until the end: on SQLite an open read would hold the lock
    # the server thread needs.
    db.session.commit()
    page.clock.install()
    sign_in_page(page, live_server, mobile)

    page.goto(f"{live_server}/s/{code}/kiosk")
    assert "城关站" in page.inner_text("h1")
    assert f"每 {KIOSK_ROTATE_SECONDS} 秒更新" in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    first_url, first_code = _decoded_screen(page), _shown_code(page)
    screenshot("first")

    time.sleep(1.1)  # tokens are stamped to the second: make the next one differ
    page.clock.run_for(KIOSK_ROTATE_SECONDS * 1000)
    _wait_for_a_new_code(page, first_code, step_ms=KIOSK_POLL_SECONDS * 1000)
    second_url = _decoded_screen(page)
    screenshot("renewed")
    assert without_query(first_url) == without_query(second_url) == f"{PUBLIC}/s/{code}"
    assert token_of(first_url) != token_of(second_url)

    # A television on its side: the code on the left, still readable.
    page.set_viewport_size({"width": 1280, "height": 720})
    assert without_query(_decoded_screen(page)) == f"{PUBLIC}/s/{code}"
    screenshot("landscape")

    # The network goes away: the code stays for a while, then gives way to a notice.
    page.route("**/kiosk/qr.svg*", lambda route: route.abort())
    page.clock.run_for(70 * 1000)
    assert page.is_hidden("#kiosk-qr")
    assert "网络中断" in page.inner_text("#kiosk-stale")
    screenshot("stale")

    current = _db.session.get(Station, station_id)
    check_kiosk_token(token_of(first_url), current)
    check_kiosk_token(token_of(second_url), current)


@pytest.mark.browser
def test_kiosk_screen_in_chromium_shows_a_new_code_as_soon_as_one_is_used(app, db, network, station, live_server,
                                                                          page, screenshot):
    """A deputy checks in with the code read off the screen; within a few seconds (long before the
    20 s rotation) the screen shows another code, and the display token never appears in a URL."""
    mobile = factories.make_user(roles={"township_staff"}, townships=[network.a]).mobile
    deputy = make_mandate(network, network.a, station=station).deputy
    deputy_mobile = factories.make_user(roles={"deputy"}, deputy=deputy).mobile
    station_id, code = station.id, station.code
    db.session.commit()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/s/{code}/kiosk")
    first_url, first_code = _decoded_screen(page), _shown_code(page)
    token = page.get_attribute("#kiosk-qr", "data-display-token")

    phone = app.test_client()
    sign_in(phone, deputy_mobile)
    scan = phone.get(first_url.replace(PUBLIC, ""))
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', scan.get_data(as_text=True)).group(1)
    assert phone.post(f"/s/{code}", data={"nonce": nonce, "t": token_of(first_url)}).status_code == 303

    _wait_for_a_new_code(page, first_code, attempts=KIOSK_ROTATE_SECONDS * 2)
    second_url = _decoded_screen(page)
    screenshot("after-use")
    assert token_of(second_url) != token_of(first_url)
    assert check_kiosk_token(token_of(second_url), fresh(station_id)) == _shown_code(page)
    assert not [url for url in requested if token in url]


def test_kiosk_screen_keeps_working_after_staff_sign_out_without_keeping_them_signed_in(app, client, db, login_as):
    """The screen's own requests use the display token: staff may sign out, and the screen's
    requests do not count as staff activity."""
    import re

    from freezegun import freeze_time

    township = factories.make_township()
    station = factories.make_station(township=township)
    code = station.code
    with freeze_time("2026-11-26 02:00:00") as frozen:
        login_as("township_staff", townships=[township])
        page = client.get(f"/s/{code}/kiosk").get_data(as_text=True)
        source = re.search(r'data-source="([^"]+)"', page).group(1)
        header = {"X-Kiosk-Display": re.search(r'data-display-token="([^"]+)"', page).group(1)}
        frozen.tick(25 * 60)
        assert client.get(source, headers=header).status_code == 200
        frozen.tick(10 * 60)  # 35 idle minutes: the screen's fetches did not count as activity
        assert client.get("/stations").status_code == 302
        screen = app.test_client()  # no session at all, only the display token
        response = screen.get(source, headers=header)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert screen.get(source).status_code == 302  # no token: sign in
        # The token in the query string, where access logs would keep it, is not accepted.
        assert screen.get(f"{source}?d={header['X-Kiosk-Display']}").status_code == 302
