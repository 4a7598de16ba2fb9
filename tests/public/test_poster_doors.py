"""One poster, two doors (rule R28): the station's QR opens the public page for everyone who is not a
signed-in deputy, and the check-in for deputies; posters printed before keep working."""
import io
import re
from datetime import date

import qrcode
from freezegun import freeze_time

from liaison.accounts.models import Role
from liaison.network.models import StationKind
from tests import factories
from tests.checkin.conftest import deputy_door
from tests.conftest import sign_in
from tests.rota.conftest import october  # noqa: F401 - the fixture
from tests.stations.qr_decode import decode_png, decode_svg

PUBLIC = "http://liaison.test"  # LIAISON_PUBLIC_URL of the test app


def _place(db):
    term = factories.make_term(name="区第八届")
    town = factories.make_township(name="城关镇")
    district = factories.make_district(term=term, township=town, name="城关第一选区")
    station = factories.make_station(township=town, name="城关第一联络站", electoral_district=district)
    home = factories.make_station(township=town, kind=StationKind.home, name="城关镇代表之家")
    deputy = factories.make_deputy(name="李明")
    factories.make_mandate(deputy=deputy, term=term, township=town, station=station, home=home)
    user = factories.make_user(roles={Role.deputy}, deputy=deputy)
    staff = factories.make_user(roles={Role.township_staff}, townships=[town])
    db.session.commit()
    return town, station, user, staff


def _path(url):
    assert url.startswith(PUBLIC), url
    return url[len(PUBLIC):]


def _doors_of(client, path):
    """What the URL a poster carries opens, for whoever the client is."""
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _assert_public_page(html, station):
    assert station.name in html and "我要留言" in html and "查询办理进度" in html
    assert "我是代表，登录签到" in html and "李明" in html and "区人大代表" in html
    assert "checkin-form" not in html and "登录后签到" not in html


def test_the_new_poster_decodes_and_opens_both_doors(app, db, client):
    """zxing-cpp reads the new poster (inline SVG and PNG); the URL is the public page for a visitor
    (no kiosk note written), the 签到 button for a signed-in deputy; the poster says both uses."""
    town, station, user, staff = _place(db)
    sign_in(client, staff.mobile)
    poster = client.get(f"/stations/{station.id}/poster").get_data(as_text=True)
    assert "选民扫码留言 · 代表扫码签到" in poster and "我要留言" in poster and "我是代表，登录签到" in poster
    svg = re.search(r'<div class="poster-qr">(<svg.*?</svg>)</div>', poster, re.S).group(1)
    url = decode_svg(svg)
    png = client.get(f"/stations/{station.id}/poster.png").data
    assert url == decode_png(png) == f"{PUBLIC}/s/{station.code}"

    visitor = app.test_client()
    _assert_public_page(_doors_of(visitor, _path(url)), station)
    with visitor.session_transaction() as session:
        assert "kiosk_scan" not in session and "_user_id" not in session

    # Staff who are not deputies see the public page as well.
    _assert_public_page(_doors_of(client, _path(url)), station)

    deputy = app.test_client()
    sign_in(deputy, user.mobile)
    html = _doors_of(deputy, _path(url))
    assert ">签到</button>" in html and "我要留言" not in html


def test_a_poster_printed_before_still_works(app, db, client):
    """A poster printed before this page existed (the same /s/<code> URL, drawn by the qrcode library
    with its defaults) decodes and opens both doors."""
    _town, station, user, _staff = _place(db)
    old = qrcode.make(f"{PUBLIC}/s/{station.code}")  # the library's defaults: error correction M, box 10
    buffer = io.BytesIO()
    old.save(buffer)
    url = decode_png(buffer.getvalue())
    visitor = app.test_client()
    _assert_public_page(_doors_of(visitor, _path(url)), station)
    door = _doors_of(visitor, deputy_door(station.code))
    assert "登录后签到" in door
    deputy = app.test_client()
    sign_in(deputy, user.mobile)
    assert ">签到</button>" in _doors_of(deputy, _path(url))


@freeze_time("2026-09-20 02:00:00")
def test_the_printed_rota_notice_says_both_uses_with_each_stations_code(app, db, client, october):
    """The printed 公示 carries each station's code (zxing-cpp reads it) and 选民扫码留言 · 代表扫码签到."""
    from liaison.rota.operations import propose_rota

    rota_month, _ = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    staff = factories.make_user(roles={Role.township_staff}, townships=[october.township])
    codes = {october.hongqi.code, october.xintang.code}
    db.session.commit()
    sign_in(client, staff.mobile)
    notice = client.get(f"/rota/{rota_month.id}/notice").get_data(as_text=True)
    assert "选民扫码留言 · 代表扫码签到" in notice
    svgs = re.findall(r'<div class="notice-qr">(<svg.*?</svg>)</div>', notice, re.S)
    assert {f"{PUBLIC}/s/{code}" for code in codes} <= {decode_svg(svg) for svg in svgs}
