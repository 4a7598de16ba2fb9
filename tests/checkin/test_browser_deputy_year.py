"""At phone size (iPhone 13, zh-CN): a deputy signs out at a station with three matters and reads three
lookup numbers (rule R33), line breaks kept; 我的履职 and the deputy's own record (rule R34)."""
import re

import pytest
import sqlalchemy as sa

from liaison.opinions.models import Opinion
from tests.checkin.test_browser import PHONE_AT_STATION, fits, sign_in_on_page

MATTERS = [
    ("construction", "村口路灯不亮\n晚上老人出门看不清路", "", ""),
    ("environment", "河边垃圾没人清运", "张大爷", ""),
    ("transport", "公交车站没有遮雨棚", "", "13812345678"),
]


@pytest.mark.browser
def test_a_deputy_signs_out_with_three_matters_and_gets_three_lookup_numbers(db, place, live_server, page,
                                                                              screenshot):
    code, mobile = place.station.code, place.user.mobile
    db.session.commit()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.context.grant_permissions(["geolocation"], origin=live_server)
    page.context.set_geolocation(PHONE_AT_STATION)
    page.goto(f"{live_server}/login?next=/s/{code}")
    sign_in_on_page(page, mobile)
    page.wait_for_url(f"{live_server}/s/{code}")
    page.click("#checkin-button")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"))
    page.click("#checkout-button")
    page.fill("#constituents_received", "3")
    # One line to start with; 再加一条 twice, each keeping what was typed.
    for i, (category, content, name, phone) in enumerate(MATTERS):
        if i:
            page.click("#add-matter")
            page.wait_for_selector(f"#matters-{i}-content")
            assert page.input_value(f"#matters-{i - 1}-content") == MATTERS[i - 1][1]
        page.select_option(f"#matters-{i}-category", category)
        page.fill(f"#matters-{i}-content", content)
        if name:
            page.fill(f"#matters-{i}-name", name)
        if phone:
            page.fill(f"#matters-{i}-phone", phone)
    assert not page.is_checked("#matters-2-phone_consent")  # unticked by default
    assert fits(page)
    screenshot("checkout-three-matters")
    page.click("#checkout-submit")
    # A number without the constituent's consent is refused, on its line; nothing saved.
    page.wait_for_selector("text=留号码须经群众同意")
    screenshot("checkout-consent-refused")
    page.check("#matters-2-phone_consent")
    page.click("#checkout-submit")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"))
    numbers = page.locator("#reception-opinions .lookup-number").all_inner_texts()
    assert len(numbers) == 3 and len(set(numbers)) == 3
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", n) for n in numbers)
    assert "已登记 3 条群众意见" in page.inner_text("main")
    # The line break typed is kept on screen (white-space: pre-line).
    first = page.locator("#reception-opinions .text-lines").first
    assert first.inner_text() == MATTERS[0][1]
    assert first.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-line"
    assert fits(page)
    screenshot("three-lookup-numbers")

    page.goto(f"{live_server}/me")
    assert fits(page)
    screenshot("mine")
    page.click("#full-record")
    page.wait_for_url(f"{live_server}/me/record")
    assert "林晓燕的履职档案" in page.inner_text("main")
    screenshot("my-record")
    assert errors == []

    rows = db.session.scalars(sa.select(Opinion).order_by(Opinion.id)).all()
    assert [o.grouped_number for o in rows] == numbers
    assert [o.content.replace("\r\n", "\n") for o in rows] == [m[1] for m in MATTERS]  # as the browser sent it
    assert rows[2].phone == "13812345678"


@pytest.mark.browser
def test_the_opinion_page_keeps_line_breaks(db, place, live_server, page, screenshot):
    """The constituent's lookup page shows the text as typed, on two lines."""
    from liaison.opinions.models import Category, Channel
    from liaison.opinions.operations import receive_opinion

    with_lines = "第一行：路灯坏了\n第二行：已经一个月"
    opinion = receive_opinion(place.station, Channel.public_page, Category.construction, with_lines)
    number = opinion.number
    db.session.commit()
    page.goto(f"{live_server}/o/{number}")
    content = page.locator("#content")
    assert content.inner_text() == with_lines
    assert content.evaluate("el => getComputedStyle(el).whiteSpace") in ("pre-wrap", "pre-line")
    assert content.bounding_box()["height"] > 30  # two lines, not one


@pytest.mark.browser
def test_my_year_at_phone_size(db, place, live_server, page, screenshot):
    """我的履职 with an earlier visit this month and a scan waiting for staff (待核实, not green), the next
    slot with 请假或换班, an invitation home and a 述职 session planned."""
    from datetime import time, timedelta

    from liaison.activities.models import Activity, ActivityInvitation, ActivityType
    from liaison.clock import local_today, utcnow
    from liaison.reports.models import PlaceKind, ReportSession
    from liaison.rota.models import AssignmentStatus, RotaMonth, RotaStatus, Slot, SlotAssignment
    from stations.checkin.models import PendingReason, Status
    from tests import factories

    today = local_today()
    factories.make_checkin(place.deputy, place.station, utcnow() - timedelta(hours=3))
    factories.make_checkin(place.deputy, place.station, utcnow() - timedelta(minutes=5), status=Status.pending,
                           pending_reason=PendingReason.no_location)
    later = today + timedelta(days=5)
    month = RotaMonth(township_id=place.town.id, year=later.year, month=later.month, status=RotaStatus.published)
    slot = Slot(rota_month=month, station_id=place.station.id, local_date=later, starts=time(9), ends=time(11, 30))
    db.session.add_all([month, slot])
    db.session.flush()
    db.session.add(SlotAssignment(slot_id=slot.id, deputy_id=place.deputy.id, status=AssignmentStatus.assigned))
    activity = Activity(station_id=place.home.id, local_date=today + timedelta(days=8), starts=time(14),
                        ends=time(16), type=ActivityType.study, title="学习代表法修正案")
    db.session.add(activity)
    db.session.flush()
    db.session.add(ActivityInvitation(activity_id=activity.id, deputy_id=place.deputy.id))
    session = ReportSession(township_id=place.town.id, session_date=today + timedelta(days=12),
                            place_kind=PlaceKind.station, station_id=place.station.id)
    session.mandates.append(place.mandate)
    db.session.add(session)
    mobile = place.user.mobile
    db.session.commit()
    page.goto(f"{live_server}/login?next=/me")
    sign_in_on_page(page, mobile)
    page.wait_for_url(f"{live_server}/me")
    text = page.inner_text("main")
    assert "本月进站待核实" in text and "本月已进站" not in text and "此前已有签到计入" in text
    assert "请假或换班" in text and "学习代表法修正案" in text and "已安排述职活动" in text
    assert fits(page)
    screenshot("mine-pending")


@pytest.mark.browser
def test_a_home_checkout_at_phone_size(db, place, live_server, page, screenshot):
    """季回家 at the 代表之家: 签退 asks for no reception record."""
    from stations.tokens import make_kiosk_token

    code, token, mobile = place.home.code, make_kiosk_token(place.home), place.user.mobile
    db.session.commit()
    page.goto(f"{live_server}/login?next=/s/{code}?t={token}")
    sign_in_on_page(page, mobile)
    page.wait_for_url(re.compile(rf".*/s/{code}\?t=.*"))
    page.click("#checkin-button")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"))
    page.click("#checkout-button")
    text = page.inner_text("main")
    assert "不需要填写接待记录" in text and "接待群众人数" not in text and fits(page)
    screenshot("home-checkout")
    page.click("#checkout-submit")
    page.wait_for_url(re.compile(r".*/checkins/\d+$"))
    assert "已签退，在代表之家" in page.inner_text("main")
    screenshot("home-checked-out")
