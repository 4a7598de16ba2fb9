"""Station QR codes: the A4 poster, PNG and SVG downloads, re-keying, the check-in policy, and access."""
import re
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.extensions import db as _db
from liaison.network.models import CheckinPolicy, Station, StationKind
from stations import operations
from stations.checkin.models import RejectReason
from stations.models import VoidedCode
from stations.tokens import ScanRefused, check_kiosk_token, make_kiosk_token, station_for_code
from tests import factories
from tests.conftest import sign_in_page
from tests.stations.conftest import count, make_station, station_form, station_named
from tests.stations.qr_decode import decode_png, decode_svg

PUBLIC = "http://liaison.test"


@pytest.fixture()
def stations(network):
    """城关站 in 城关镇 (A) and 柳溪站 in 柳溪乡 (B)."""
    a = make_station(network.a, electoral_district=network.a_district, name="城关站", address="城关路 1 号")
    b = make_station(network.b, electoral_district=network.b_district, name="柳溪站", address="柳溪路 2 号")
    return a, b


def fresh(station_id):
    """The station as stored now."""
    _db.session.expire_all()
    return _db.session.get(Station, station_id)


def _disposition_name(response):
    """The UTF-8 file name a download announces (filename*)."""
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment;")
    match = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert match, header
    return match.group(1)


# --- poster and downloads ------------------------------------------------------------------

def test_poster_png_decodes_to_the_station_url(client, login_as, network, stations):
    """The PNG download is a QR code that a scanner reads as LIAISON_PUBLIC_URL/s/<code>."""
    a, _b = stations
    login_as("township_staff", townships=[network.a])
    response = client.get(f"/stations/{a.id}/poster.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    assert _disposition_name(response) == quote("城关站-签到二维码.png", safe="")
    assert decode_png(response.data) == f"{PUBLIC}/s/{fresh(a.id).code}"


def test_poster_svg_download_is_valid_svg_with_a_chinese_name(client, login_as, network, stations):
    """The SVG download parses as SVG, is named after the station, and decodes to the same URL."""
    a, _b = stations
    login_as("committee")
    response = client.get(f"/stations/{a.id}/poster.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert _disposition_name(response) == quote("城关站-签到二维码.svg", safe="")
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert decode_svg(text) == f"{PUBLIC}/s/{fresh(a.id).code}"


def test_poster_page_shows_station_kind_township_qr_and_instructions(client, login_as, network, stations):
    """The A4 poster names the station, 站, its township, has the QR inline and says how to check in."""
    a, _b = stations
    login_as("township_staff", townships=[network.a])
    response = client.get(f"/stations/{a.id}/poster")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    code = fresh(a.id).code
    assert "城关站" in page and "代表联络站" in page and ">站<" in page and "城关镇" in page
    assert "用微信或手机相机扫描上方二维码" in page and "我是代表，登录签到" in page and "允许" in page
    assert "选民扫码留言 · 代表扫码签到" in page and "我要留言" in page
    assert f"liaison.test/s/{code}" in page
    assert "/static/poster.css" in page
    svg = re.search(r'<div class="poster-qr">(<svg.*?</svg>)</div>', page, re.S).group(1)
    assert decode_svg(svg) == f"{PUBLIC}/s/{code}"
    # The strict Content-Security-Policy allows neither inline scripts nor style attributes.
    assert "style=" not in page and not re.search(r"<script(?![^>]*\ssrc=)", page)


def test_home_poster_says_daibiao_zhijia(client, login_as, network):
    """A 代表之家's poster carries 家 and 代表之家."""
    home = make_station(network.a, kind=StationKind.home, name="城关镇人大代表之家")
    login_as("committee")
    page = client.get(f"/stations/{home.id}/poster").get_data(as_text=True)
    assert "代表之家" in page and ">家<" in page


def test_detail_and_list_show_the_code_and_the_qr_links(client, login_as, network, stations):
    """The detail page shows the code, policy, poster/PNG/SVG/kiosk links and the re-key warning;
    the list shows the code and finds a station by it."""
    a, b = stations
    login_as("committee")
    code = fresh(a.id).code
    page = client.get(f"/stations/{a.id}").get_data(as_text=True)
    assert code in page and "第 1 版" in page
    assert str(CheckinPolicy.fence.label) in page
    for url in (f"/stations/{a.id}/poster", f"/stations/{a.id}/poster.png",
                f"/stations/{a.id}/poster.svg", f"/s/{code}/kiosk", f"/stations/{a.id}/rekey"):
        assert url in page, url
    assert "此前打印的二维码将全部作废" in page
    assert f"{PUBLIC}/s/{code}" in page

    listing = client.get("/stations").get_data(as_text=True)
    assert code in listing and fresh(b.id).code in listing
    found = client.get(f"/stations?q={code.upper()}").get_data(as_text=True)
    assert "城关站" in found and "柳溪站" not in found


def test_inactive_station_detail_offers_no_kiosk(client, login_as, network, db):
    """An inactive station's page says scans will not work and has no kiosk link."""
    station = make_station(network.a, electoral_district=network.a_district, name="旧站", active=False)
    login_as("committee")
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "不能签到" in page and "/kiosk" not in page
    assert "此家站已停用" in client.get(f"/stations/{station.id}/poster").get_data(as_text=True)


# --- re-key --------------------------------------------------------------------------------

def test_rekey_voids_the_old_code_and_old_kiosk_tokens(client, login_as, network, stations):
    """After a re-key the old poster answers voided_code, the new code differs, key_version goes
    up, the event is audited, and a kiosk token shown before is refused as invalid."""
    a, _b = stations
    user = login_as("township_staff", townships=[network.a])
    old_code = fresh(a.id).code
    old_token = make_kiosk_token(fresh(a.id))

    response = client.post(f"/stations/{a.id}/rekey", data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == f"/stations/{a.id}"

    station = fresh(a.id)
    assert station.code != old_code and station.key_version == 2
    with pytest.raises(ScanRefused) as refused:
        station_for_code(old_code)
    assert refused.value.reason is RejectReason.voided_code and refused.value.station.id == a.id
    assert refused.value.message == "此二维码已作废，请扫描站点张贴的新二维码。"
    assert station_for_code(station.code).id == a.id
    voided = _db.session.get(VoidedCode, old_code)
    assert voided.station_id == a.id and voided.voided_by_id == user.id

    with pytest.raises(ScanRefused) as refused:
        check_kiosk_token(old_token, station)
    assert refused.value.reason is RejectReason.invalid_token
    check_kiosk_token(make_kiosk_token(station), station)

    events = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "station.rekeyed")).all()
    assert [(e.actor_id, e.target_type, e.target_id, e.township_id) for e in events] == [
        (user.id, "stations", str(a.id), network.a.id)]

    page = client.get(f"/stations/{a.id}").get_data(as_text=True)
    assert "已为“城关站”重新生成二维码" in page and station.code in page and "第 2 版" in page
    assert decode_png(client.get(f"/stations/{a.id}/poster.png").data) == f"{PUBLIC}/s/{station.code}"


def test_rekey_twice_keeps_both_old_codes_void(client, login_as, network, stations):
    """Each re-key voids the code in use; every earlier poster stays void."""
    a, _b = stations
    login_as("committee")
    first = fresh(a.id).code
    client.post(f"/stations/{a.id}/rekey", data={"confirm": "y"})
    second = fresh(a.id).code
    client.post(f"/stations/{a.id}/rekey", data={"confirm": "y"})
    station = fresh(a.id)
    assert len({first, second, station.code}) == 3 and station.key_version == 3
    for code in (first, second):
        with pytest.raises(ScanRefused) as refused:
            station_for_code(code)
        assert refused.value.reason is RejectReason.voided_code


def test_rekey_needs_the_box_ticked(client, login_as, network, stations):
    """Without the confirmation box nothing changes and the page says what to do."""
    a, _b = stations
    login_as("committee")
    old_code = fresh(a.id).code
    response = client.post(f"/stations/{a.id}/rekey", data={}, follow_redirects=True)
    assert "二维码未重新生成：请先勾选" in response.get_data(as_text=True)
    station = fresh(a.id)
    assert station.code == old_code and station.key_version == 1
    assert count(VoidedCode) == 0


def test_rekey_refuses_a_post_without_csrf_token(client, login_as, network, stations, request):
    """A forged POST (no CSRF token) re-keys nothing."""
    a, _b = stations
    login_as("committee")
    request.getfixturevalue("csrf_enabled")  # after signing in, which posts without a token
    old_code = fresh(a.id).code
    response = client.post(f"/stations/{a.id}/rekey", data={"confirm": "y"})
    assert response.status_code == 400
    assert fresh(a.id).code == old_code and count(VoidedCode) == 0


def test_rekey_never_hands_out_a_code_in_use_or_voided(db, network, stations, monkeypatch):
    """A drawn code that another station uses, or that was voided, is drawn again."""
    a, b = stations
    in_use = b.code
    db.session.add(VoidedCode(code="vvvvvvvv", station_id=b.id))
    db.session.flush()
    draws = iter([in_use, "vvvvvvvv", "nnnnnnnn"])
    monkeypatch.setattr(operations, "new_station_code", lambda: next(draws))
    operations.rekey_station(a)
    assert a.code == "nnnnnnnn"


def test_audit_page_names_the_rekey(client, login_as, network, stations):
    """The audit trail lists the re-key in Chinese."""
    a, _b = stations
    login_as("committee")
    client.post(f"/stations/{a.id}/rekey", data={"confirm": "y"})
    assert "二维码重新生成" in client.get("/audit").get_data(as_text=True)


# --- check-in policy -----------------------------------------------------------------------

def test_policy_is_saved_and_shown(client, login_as, network):
    """Staff choose 仅扫码屏即时有效 when adding a station; the page shows it and the edit form keeps it."""
    login_as("township_staff", townships=[network.a])
    response = client.post("/stations/new", data=station_form(
        network.a, network.a_district, name="城关新站", checkin_policy="kiosk_only"))
    assert response.status_code == 302
    station = station_named("城关新站")
    assert station.checkin_policy is CheckinPolicy.kiosk_only
    assert str(CheckinPolicy.kiosk_only.label) in client.get(f"/stations/{station.id}").get_data(as_text=True)
    form_page = client.get(f"/stations/{station.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="kiosk_only"|<input[^>]*value="kiosk_only"[^>]*checked',
                     form_page)

    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, network.a_district, name="城关新站", checkin_policy="staff_confirms"))
    assert response.status_code == 302
    assert station_named("城关新站").checkin_policy is CheckinPolicy.staff_confirms


def test_policy_defaults_to_the_fence(client, login_as, network):
    """A station added without choosing keeps the default: poster scans count inside the fence."""
    login_as("committee")
    client.post("/stations/new", data=station_form(network.a, network.a_district, name="默认站"))
    assert station_named("默认站").checkin_policy is CheckinPolicy.fence


def test_unknown_policy_is_refused_with_a_message(client, login_as, network):
    """A made-up policy value shows the Chinese message and saves nothing."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(
        network.a, network.a_district, name="乱填站", checkin_policy="anything"))
    assert response.status_code == 200
    assert "请选择签到核实方式" in response.get_data(as_text=True)
    assert count(Station) == 0


# --- access --------------------------------------------------------------------------------

def _qr_routes(station):
    """Every QR route of a station as (method, url, form data), the re-key last."""
    return [
        ("get", f"/stations/{station.id}/poster", None),
        ("get", f"/stations/{station.id}/poster.png", None),
        ("get", f"/stations/{station.id}/poster.svg", None),
        ("get", f"/s/{station.code}/kiosk", None),
        ("get", f"/s/{station.code}/kiosk/qr.svg", None),
        # Last: a re-key voids the code in the kiosk URLs above.
        ("post", f"/stations/{station.id}/rekey", {"confirm": "y"}),
    ]


def test_deputies_get_403_on_every_qr_route(client, login_as, stations):
    """A deputy may not print posters, re-key or show the kiosk; nothing changes."""
    a, _b = stations
    code = a.code
    login_as("deputy")
    for method, url, data in _qr_routes(a):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert fresh(a.id).code == code


def test_anonymous_visitors_are_sent_to_sign_in(client, stations):
    """Without signing in every QR route leads to the login page."""
    for method, url, data in _qr_routes(stations[0]):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_staff_of_another_township_get_404_on_every_qr_route(client, login_as, network, stations):
    """Staff of 城关镇 get 404 for 柳溪站's poster, downloads, re-key and kiosk; its code stays."""
    _a, b = stations
    code = b.code
    login_as("township_staff", townships=[network.a])
    for method, url, data in _qr_routes(b):
        assert getattr(client, method)(url, data=data).status_code == 404, url
    assert fresh(b.id).code == code and count(VoidedCode) == 0


@pytest.mark.parametrize("role", ["committee", "admin"])
def test_district_staff_use_every_qr_route(client, login_as, stations, role):
    """Committee staff and admins may use the QR routes of any township."""
    _a, b = stations
    login_as(role)
    for method, url, data in _qr_routes(b):
        response = getattr(client, method)(url, data=data)
        assert response.status_code in (200, 302), (url, response.status_code)


def test_voided_kiosk_link_of_another_township_is_404_not_410(client, login_as, network, stations, db):
    """A voided code does not tell staff of another township that the station exists."""
    _a, b = stations
    old_code = b.code
    operations.rekey_station(b)
    login_as("township_staff", townships=[network.a])
    assert client.get(f"/s/{old_code}/kiosk").status_code == 404
    assert client.get(f"/s/{old_code}/kiosk/qr.svg").status_code == 404



# --- in Chromium ---------------------------------------------------------------------------

@pytest.mark.browser
def test_poster_fits_a_phone_and_prints_on_one_a4_sheet(db, network, stations, live_server, page, screenshot):
    """On a phone the poster fits the width and its code scans off the screen; printed, it is one
    A4 sheet without the menu or the toolbar, and the code still scans."""
    a, _b = stations
    a.name = "城关镇第一选区人大代表联络站（人民路社区）"  # long enough to wrap on the poster
    mobile = factories.make_user(roles={"township_staff"}, townships=[network.a]).mobile
    station_id, code = a.id, a.code
    db.session.commit()  # and read nothing more: the server thread needs SQLite's lock
    sign_in_page(page, live_server, mobile)

    page.goto(f"{live_server}/stations/{station_id}/poster")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "人民路社区" in page.inner_text(".poster-name")
    sheet = page.locator(".poster-sheet")
    assert sheet.evaluate("s => s.scrollHeight <= s.clientHeight + 1"), "the poster overflows its sheet"
    assert decode_png(sheet.screenshot()) == f"{PUBLIC}/s/{code}"
    screenshot("phone")

    # A4 at 96 dpi, as the print preview lays it out.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    assert page.is_hidden("header.site-head") and page.is_hidden("text=下载 PNG")
    box = page.locator(".poster-sheet").bounding_box()
    assert box["x"] <= 1 and box["y"] <= 1
    assert abs(box["width"] - 794) <= 1 and 1110 <= box["height"] <= 1123
    assert page.evaluate("document.documentElement.scrollHeight") <= 1123
    assert sheet.evaluate("s => s.scrollHeight <= s.clientHeight + 1"), "the poster overflows its sheet"
    assert page.is_visible(".poster-url") and page.is_visible(".poster-note")
    assert decode_png(page.screenshot()) == f"{PUBLIC}/s/{code}"
    screenshot("a4")
