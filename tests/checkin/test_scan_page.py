"""The scan page: what a phone sees after scanning, signing in and coming back; GET writes nothing."""
from urllib.parse import parse_qs, urlsplit

import pytest


from liaison.network.models import Station, StationKind
from stations.models import VoidedCode
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import (AT_STATION, checkin_id_from, counts, deputy_door, hidden, new_deputy,
                                    open_and_tap, scan_url, tap)
from tests.conftest import sign_in


def test_poster_page_shows_the_station_and_one_big_button(client, place):
    """A signed-in deputy sees the station's name, 站, township and one large 签到 button with a nonce."""
    sign_in(client, place.user.mobile)
    page = client.get(scan_url(place.station.code))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "城关第一联络站" in html and "城关镇" in html and ">站<" in html
    assert html.count("btn-huge") == 1 and ">签到</button>" in html
    assert 16 <= len(hidden(html, "nonce")) <= 64
    assert 'data-locate="1"' in html  # a poster at a surveyed station asks for the location
    assert "checkin.js" in html and "<script>" not in html and 'style="' not in html


def test_each_page_view_gets_its_own_nonce(client, place):
    """Two openings of the page are two check-ins in waiting: their nonces differ."""
    sign_in(client, place.user.mobile)
    first = hidden(client.get(scan_url(place.station.code)).get_data(as_text=True), "nonce")
    second = hidden(client.get(scan_url(place.station.code)).get_data(as_text=True), "nonce")
    assert first != second


def test_kiosk_page_carries_the_token_and_asks_for_location_like_the_poster(client, place):
    """Scanning the screen at a surveyed station: the token goes into the form, and the page asks for
    the location with the poster's notice (only used to judge the fence, never kept)."""
    sign_in(client, place.user.mobile)
    token = make_kiosk_token(place.station)
    html = client.get(scan_url(place.station.code, token)).get_data(as_text=True)
    assert hidden(html, "t") == token
    assert 'data-locate="1"' in html
    assert "请允许获取位置" in html and "位置只用于判断是否在站点，不会保存。" in html


def test_kiosk_page_of_a_station_without_a_fence_does_not_ask_for_location(client, place):
    """No surveyed point to compare with: the kiosk page does not ask, and says the scan counts at once."""
    place.station.latitude = place.station.longitude = None
    sign_in(client, place.user.mobile)
    token = make_kiosk_token(place.station)
    html = client.get(scan_url(place.station.code, token)).get_data(as_text=True)
    assert 'data-locate="0"' in html and "签到即时有效" in html


def test_anonymous_visitor_signs_in_and_comes_straight_back(client, place):
    """Not signed in: the public page, whose 我是代表 link leads to 登录后签到; signing in leads back to
    the same URL, token kept (rule R28)."""
    token = make_kiosk_token(place.station)
    public = client.get(scan_url(place.station.code, token)).get_data(as_text=True)
    assert "我要留言" in public and "登录后签到" not in public
    with client.session_transaction() as session:
        assert "kiosk_scan" not in session  # no note for a visitor who has not said they are a deputy
    url = deputy_door(place.station.code, token)
    assert f'href="{url}"' in public.replace("&amp;", "&")
    html = client.get(url).get_data(as_text=True)
    assert "城关第一联络站" in html and "登录后签到" in html and "checkin-form" not in html
    login_link = html.split('id="login-to-check-in"')[0].rsplit('href="', 1)[1].split('"')[0]
    next_url = parse_qs(urlsplit(login_link.replace("&amp;", "&")).query)["next"][0]
    assert next_url == url
    response = sign_in(client, place.user.mobile, next_url=next_url)
    assert response.status_code == 302 and response.headers["Location"] == url
    back = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ">签到</button>" in back and hidden(back, "t") == token


def test_anonymous_post_goes_to_sign_in_and_writes_nothing(client, place):
    """A POST without a session is sent to sign in, with next back to the GET page (token included)."""
    response = tap(client, place.station.code, token="abc")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/login" in location
    assert parse_qs(urlsplit(location).query)["next"][0] == deputy_door(place.station.code, "abc")
    assert counts() == (0, 0)


@pytest.mark.parametrize("who", ["anonymous", "deputy", "staff"])
def test_get_of_any_checkin_url_writes_nothing(db, client, place, who):
    """Opening scan pages (good, kiosk, other station's token, tampered, voided, unknown, inactive) and the
    check-in pages writes no row: no check-in and no failed scan."""
    other = factories.make_station(township=place.town, kind=StationKind.home, name="另一个家")
    inactive = factories.make_station(township=place.town, kind=StationKind.home, name="停用的家", active=False)
    old_code = place.station.code
    place.station.code, place.station.key_version = "newcode22", place.station.key_version + 1
    db.session.add(VoidedCode(code=old_code, station_id=place.station.id))
    if who == "deputy":
        sign_in(client, place.user.mobile)
    elif who == "staff":
        staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
        sign_in(client, staff.mobile)
    station = db.session.get(Station, place.station.id)
    urls = [
        scan_url(station.code), scan_url(station.code, make_kiosk_token(station)),
        scan_url(station.code, make_kiosk_token(other)), scan_url(station.code, "tampered.token"),
        scan_url(old_code), scan_url("nosuchcode"), scan_url(inactive.code),
        "/me", "/checkins/today", "/checkins/pending", "/checkins/back-entry", "/checkins/1",
    ]
    doors = [deputy_door(station.code, "tampered.token"), deputy_door(station.code, make_kiosk_token(other))]
    before = counts()
    statuses = [client.get(url).status_code for url in urls + doors]
    assert counts() == before == (0, 0)
    if who == "deputy":
        assert statuses[:7] == [200, 200, 400, 400, 410, 404, 410]
    else:
        # Not a signed-in deputy: the public page, whatever token the URL carries (rule R28) …
        assert statuses[:7] == [200, 200, 200, 200, 410, 404, 410]
    # … and the token is weighed at the deputy's door.
    assert statuses[-2:] == [400, 400]


def test_refused_code_pages_say_why_in_chinese(db, client, place):
    """Voided, unknown and inactive codes show their message and a 410/404 status on GET."""
    old_code = place.station.code
    place.station.code = "fresh2345"
    db.session.add(VoidedCode(code=old_code, station_id=place.station.id))
    voided = client.get(scan_url(old_code))
    assert voided.status_code == 410 and "此二维码已作废" in voided.get_data(as_text=True)
    unknown = client.get(scan_url("zzzzzzzz"))
    assert unknown.status_code == 404 and "找不到这个站点" in unknown.get_data(as_text=True)
    place.home.active = False
    inactive = client.get(scan_url(place.home.code))
    assert inactive.status_code == 410 and "此站点已停用" in inactive.get_data(as_text=True)


def test_staff_who_is_not_a_deputy_sees_no_button(client, place):
    """A staff account scanning a poster sees the public page; at the deputy's door it is told only
    deputies check in; no button to tap."""
    staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
    sign_in(client, staff.mobile)
    assert "我要留言" in client.get(scan_url(place.station.code)).get_data(as_text=True)
    html = client.get(deputy_door(place.station.code)).get_data(as_text=True)
    assert "只有人大代表本人可以签到" in html and "checkin-form" not in html


def test_tap_leads_to_the_confirmation_page_of_the_owner_only(app, client, place):
    """POST redirects (303) to /checkins/<id>; another deputy opening it gets 404."""
    sign_in(client, place.user.mobile)
    checkin_id = checkin_id_from(open_and_tap(client, place.station.code, location=AT_STATION))
    page = client.get(f"/checkins/{checkin_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "签到成功，已生效" in html and "城关第一联络站" in html
    assert "本月已进站" in html and "本季度未回家" in html and "签退" in html
    _, other_user = new_deputy(place, "王磊")
    other = app.test_client()
    sign_in(other, other_user.mobile)
    assert other.get(f"/checkins/{checkin_id}").status_code == 404
    assert other.get(f"/checkins/{checkin_id}/checkout").status_code == 404


def test_scan_form_carries_its_csrf_token(client, place, csrf_enabled):
    """With CSRF checking on, the page's own form goes through; a forged POST without it saves nothing."""
    sign_in_with_csrf = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"mobile": place.user.mobile, "password": factories.PASSWORD,
                                "csrf_token": hidden(sign_in_with_csrf, "csrf_token")})
    html = client.get(scan_url(place.station.code)).get_data(as_text=True)
    forged = client.post(f"/s/{place.station.code}", data={"nonce": hidden(html, "nonce")})
    assert forged.status_code == 400 and ">签到</button>" in forged.get_data(as_text=True)
    assert counts() == (0, 0)
    response = client.post(f"/s/{place.station.code}", data={
        "nonce": hidden(html, "nonce"), "csrf_token": hidden(html, "csrf_token"), **AT_STATION})
    assert checkin_id_from(response)
    assert counts() == (1, 0)


def test_links_to_the_checkin_pages(app, client, place):
    """Deputies find 我的履职 at the top of the home page; staff find 今日签到 and 待核实 in the menu."""
    sign_in(client, place.user.mobile)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/me"' in home and "我的履职" in home
    staff = app.test_client()
    sign_in(staff, factories.make_user(roles={"township_staff"}, townships=[place.town]).mobile)
    menu = staff.get("/").get_data(as_text=True)
    assert 'href="/checkins/today"' in menu and 'href="/checkins/pending"' in menu
    assert 'href="/me"' not in menu
