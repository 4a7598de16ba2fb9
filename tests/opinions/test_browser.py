"""On a phone-sized Chromium: a constituent leaves an opinion from the station page; staff find it in
their queue, register, refer and answer it; the constituent reads the reply by number and rates it."""
import re
from datetime import timedelta

import pytest

from liaison.clock import local_today
from liaison.opinions.models import Satisfaction, Status
from tests import factories
from tests.conftest import sign_in_page
from tests.opinions.conftest import PHONE, PHONE_DIGITS, opinions



@pytest.mark.browser
def test_from_the_station_page_to_the_reply_and_the_rating(db, net, live_server, page, screenshot):
    """The opinion is followed end to end on a phone, and the public pages never show the phone."""
    code, staff_mobile = net.station.code, net.staff.mobile
    due = (local_today() + timedelta(days=10)).isoformat()
    db.session.commit()  # SQLite: hold no transaction while the browser writes

    page.goto(f"{live_server}/p/{code}")
    screenshot("station-page")
    page.click("#leave-opinion")
    page.wait_for_url(re.compile(rf".*/p/{code}/opinion$"))
    trap = page.locator("#website").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # the honeypot lies off screen: people never fill it
    page.select_option("#category", "environment")
    page.fill("#content", "河道边堆了很多建筑垃圾，气味很大，希望尽快清理。")
    page.fill("#name", "张大爷")
    page.fill("#phone", PHONE)
    page.check("#phone_consent")
    screenshot("form")
    page.click("#opinion-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/o/[A-Z0-9]{8}/received$"))
    grouped = page.inner_text("#lookup-number").strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", grouped)
    number = grouped.replace("-", "")
    assert page.inner_text("#track-link").endswith(f"/o/{number}")
    screenshot("received")

    page.context.clear_cookies()
    sign_in_page(page, live_server, staff_mobile)
    page.goto(f"{live_server}/opinions")
    assert grouped in page.inner_text("#queue")
    screenshot("queue")
    page.click(f"text={grouped}")
    assert "139****0001" in page.inner_text("#phone")
    page.click("#reveal-phone")
    page.wait_for_load_state()
    if page.locator("#password").count():  # the password again unless given in the last minutes
        page.fill("#password", factories.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.click("#reveal-phone")
        page.wait_for_load_state()
    assert PHONE_DIGITS in page.inner_text("#phone")
    page.click("#register")
    page.wait_for_load_state()
    assert "已登记" in page.inner_text("#status")
    page.click("#step-refer summary")
    page.fill("#refer-department", "区生态环境局")
    page.fill("#refer-due_on", due)
    page.click("#step-refer button[type=submit]")
    page.wait_for_load_state()
    assert "已转办" in page.inner_text("#status")
    screenshot("referred")
    page.click("#step-reply summary")
    page.fill("#reply-reply", "区生态环境局已于本周清运建筑垃圾，并在河道边设置禁止倾倒提示牌。")
    page.click("#step-reply button[type=submit]")
    page.wait_for_load_state()
    assert "已答复" in page.inner_text("#status")
    screenshot("replied")

    page.context.clear_cookies()
    page.goto(f"{live_server}/p/{code}")
    page.click("#lookup-opinion")
    page.fill("#number", grouped.lower())
    page.click("#lookup-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/o/{number}$"))
    assert "清运建筑垃圾" in page.inner_text("#reply")
    timeline = page.inner_text("#timeline")
    assert "已接收" in timeline and "已登记" in timeline and "区生态环境局" in timeline and "已答复" in timeline
    html = page.content()
    assert PHONE_DIGITS not in html and "张大爷" not in html and "139****" not in html
    screenshot("track-replied")
    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("#comment", "处理很快，谢谢！")
    page.click("#rating-form button[type=submit]")
    page.wait_for_load_state()
    assert "满意" in page.inner_text("#rating")
    assert page.locator("#rating-form").count() == 0
    screenshot("rated")

    [opinion] = opinions(db)
    assert opinion.status is Status.replied and opinion.satisfaction is Satisfaction.satisfied
    assert opinion.department == "区生态环境局" and opinion.phone == PHONE_DIGITS


@pytest.mark.browser
def test_a_deputy_on_duty_records_a_reception_on_the_phone(db, net, live_server, page, screenshot):
    """The deputy records what they heard, gets the number to hand on, and sees it in their list with
    the phone masked."""
    mobile = net.deputy_user.mobile
    db.session.commit()
    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/opinions/record")
    page.select_option("#station_id", label="安平镇 · 站 · 东升联络站")
    page.select_option("#category", "social_security")
    page.fill("#content", "村里独居老人希望增加上门助餐服务。")
    page.fill("#phone", PHONE)
    page.check("#phone_consent")
    screenshot("record")
    page.click("#record-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/my/opinions$"))
    assert "已保存，待工作人员登记；查询号" in page.inner_text("main")
    assert "139****0001" in page.inner_text("main") and PHONE_DIGITS not in page.content()
    screenshot("mine")
    [opinion] = opinions(db)
    assert opinion.deputy_id == net.deputy.id and opinion.status is Status.received


@pytest.mark.browser
def test_a_mistyped_phone_is_explained_next_to_the_field(db, net, live_server, page, screenshot):
    """What was typed stays; the message sits by the phone field; nothing is stored."""
    code = net.station.code
    db.session.commit()
    page.goto(f"{live_server}/p/{code}/opinion")
    page.fill("#content", "小区门口的公交站没有遮雨棚。")
    page.fill("#phone", "1390000")
    page.click("#opinion-form button[type=submit]")
    page.wait_for_load_state()
    assert "手机号码应为 11 位数字" in page.inner_text("#opinion-form")
    assert page.input_value("#content") == "小区门口的公交站没有遮雨棚。"
    screenshot("phone-refused")
    page.goto(f"{live_server}/o?number=ABCD-EFGH")
    assert "没有找到这个查询号" in page.inner_text("main")
    screenshot("lookup-unknown")
    assert opinions(db) == []
