"""On a phone-sized Chromium: open a station's URL, sign in, come back, tap 签到, see the month's status;
staff confirm a pending check-in by ticking it."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from liaison.clock import utcnow
from stations.checkin.models import Checkin, Method, PendingReason, Status
from stations.checkin.queries import period_keys
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import new_deputy

PHONE_AT_STATION = {"latitude": 30.2505, "longitude": 120.1502, "accuracy": 20}


def sign_in_on_page(page, mobile):
    """Fill the sign-in form the phone was sent to."""
    page.fill("#mobile", mobile)
    page.fill("#password", factories.PASSWORD)
    page.click("form button[type=submit]")


def fits(page):
    """No sideways scrolling at phone width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_deputy_scans_the_poster_signs_in_and_checks_in(db, place, live_server, page, screenshot):
    """Poster URL → 登录后签到 → sign in → back on the same page → 签到 (location shared) → 已生效, 本月已进站;
    then 签退 with the reception record."""
    code, mobile = place.station.code, place.user.mobile
    # Read everything needed, then commit and leave the database to the server thread (SQLite write lock).
    db.session.commit()
    # A Content-Security-Policy violation (an inline script or style) shows up as a console error;
    # a missing file as a failed response (the browser's own favicon request aside).
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.context.grant_permissions(["geolocation"], origin=live_server)
    page.context.set_geolocation(PHONE_AT_STATION)

    page.goto(f"{live_server}/s/{code}")
    assert "我要留言" in page.inner_text("main")  # the poster's URL is the public page until 我是代表
    page.click("#deputy-door")
    text = page.inner_text("main")
    assert "城关第一联络站" in text and "城关镇" in text and "登录后签到" in text
    screenshot("station-signed-out")
    page.click("#login-to-check-in")
    page.wait_for_url(re.compile(r".*/login\?next=.*"))
    sign_in_on_page(page, mobile)
    page.wait_for_url(f"{live_server}/s/{code}?door=deputy")
    assert fits(page)
    screenshot("station")
    page.click("#checkin-button")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"))
    text = page.inner_text("main")
    assert "签到成功，已生效" in text and "本月已进站" in text and "本季度未回家" in text and "签退" in text
    assert fits(page)
    screenshot("confirmation")

    page.click("#checkout-button")
    page.fill("#constituents_received", "3")
    page.select_option("#matters-0-category", "construction")
    page.fill("#matters-0-content", "村口路灯不亮")
    assert fits(page)
    screenshot("checkout")
    page.click("form button[type=submit].btn-congress")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"))
    text = page.inner_text("main")
    assert "已签退" in text and "3 人" in text and "村口路灯不亮" in text
    screenshot("checked-out")

    page.locator("main").get_by_text("我的履职").first.click()
    page.wait_for_url(f"{live_server}/me")
    assert "本月已进站" in page.inner_text("main") and fits(page)
    screenshot("mine")
    assert errors == []

    # The browser is done; read what the server wrote.
    rows = db.session.scalars(sa.select(Checkin)).all()
    assert [(r.status, r.method, r.inside_fence, r.accuracy_m, r.constituents_received) for r in rows] == [
        (Status.accepted, Method.poster, True, 20, 3)]


@pytest.mark.browser
def test_deputy_who_refuses_location_is_pending(db, place, live_server, page, screenshot):
    """Location denied: the form goes anyway, and the confirmation says 待核实 (未获取到位置)."""
    code, mobile = place.station.code, place.user.mobile
    db.session.commit()
    page.goto(f"{live_server}/login?next=/s/{code}")
    sign_in_on_page(page, mobile)
    page.wait_for_url(f"{live_server}/s/{code}")
    page.click("#checkin-button")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"), timeout=15000)
    text = page.inner_text("main")
    assert "已签到，待核实" in text and "未获取到位置" in text and "本月进站待核实" in text
    screenshot("pending")
    rows = db.session.scalars(sa.select(Checkin)).all()
    assert [(r.status, r.pending_reason) for r in rows] == [(Status.pending, PendingReason.no_location)]


@pytest.mark.browser
def test_staff_confirm_a_pending_checkin_on_a_phone(db, place, live_server, page, screenshot):
    """Township staff tick a pending check-in in the queue and confirm it; the today page shows it counted."""
    deputy, _ = new_deputy(place, "王磊", station=place.station)
    now = utcnow() - timedelta(minutes=5)
    day, month_key, quarter_key = period_keys(now)
    db.session.add(Checkin(
        deputy_id=deputy.id, station_id=place.station.id, station_kind=place.station.kind, occurred_at=now,
        local_date=day, month_key=month_key, quarter_key=quarter_key, method=Method.poster,
        status=Status.pending, pending_reason=PendingReason.outside_fence, inside_fence=False, accuracy_m=35,
        client_nonce="browser-test-nonce-1"))
    staff = factories.make_user(roles={"township_staff"}, townships=[place.town], name="陈立群")
    mobile = staff.mobile
    db.session.commit()

    page.goto(f"{live_server}/login?next=/checkins/pending")
    sign_in_on_page(page, mobile)
    page.wait_for_url(f"{live_server}/checkins/pending")
    assert "王磊" in page.inner_text("main") and "位置不在站点范围内" in page.inner_text("main")
    screenshot("queue")
    page.check("input[name=ids]")
    page.fill("#note", "已核对纸质签到簿")
    page.click("button[value=confirm]")
    page.wait_for_url(f"{live_server}/checkins/pending")
    assert "已确认 1 条签到" in page.inner_text("main")
    page.goto(f"{live_server}/checkins/today")
    text = page.inner_text("main")
    assert "王磊" in text and "已核实" in text and fits(page)
    screenshot("today")
    page.goto(f"{live_server}/checkins/back-entry?q=林")
    assert "林晓燕" in page.inner_text("main") and fits(page)
    screenshot("back-entry")
    assert db.session.scalar(sa.select(Checkin.status)) is Status.confirmed


@pytest.mark.browser
def test_kiosk_code_scanned_by_a_phone_away_from_the_station_is_held(db, place, live_server, page, screenshot):
    """A photo of the kiosk code opened 1 km away: the page says it asks for the location and why, the
    phone shares it, and the confirmation says 待核实 (位置不在站点范围内); no coordinates are kept."""
    code, mobile = place.station.code, place.user.mobile
    token = make_kiosk_token(place.station)
    db.session.commit()
    page.context.grant_permissions(["geolocation"], origin=live_server)
    page.context.set_geolocation({"latitude": 30.26, "longitude": 120.15, "accuracy": 20})
    page.goto(f"{live_server}/login?next=/s/{code}?t={token}")
    sign_in_on_page(page, mobile)
    page.wait_for_url(re.compile(rf".*/s/{code}\?t=.*"))
    assert "位置只用于判断是否在站点，不会保存" in page.inner_text("main")
    screenshot("kiosk-scan")
    page.click("#checkin-button")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"), timeout=15000)
    text = page.inner_text("main")
    assert "已签到，待核实" in text and "位置不在站点范围内" in text
    screenshot("kiosk-held")
    rows = db.session.scalars(sa.select(Checkin)).all()
    assert [(r.method, r.status, r.pending_reason, r.inside_fence, r.accuracy_m) for r in rows] == [
        (Method.kiosk, Status.pending, PendingReason.outside_fence, False, 20)]
