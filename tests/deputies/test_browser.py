"""On a phone-sized Chromium: committee staff add a mandate and see it on the deputy's page."""
from datetime import date

import pytest

from liaison.network.models import StationKind
from tests import factories
from tests.conftest import sign_in_page


@pytest.mark.browser
def test_committee_adds_a_mandate_on_a_phone(db, live_server, page, screenshot):
    """The mandate form's selects work on a phone; the saved mandate and the new account show on the page."""
    town = factories.make_township(name="东湖镇")
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2099, 12, 31))
    factories.make_district(term=term, township=town, name="第一选区")
    factories.make_station(township=town, kind=StationKind.home, name="东湖镇代表之家")
    deputy = factories.make_deputy(name="韩梅")
    user = factories.make_user(roles={"committee"})
    deputy_id, mobile = deputy.id, user.mobile
    # Commit and touch the database no more: on SQLite an open transaction would hold the write lock.
    db.session.commit()

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/deputies/{deputy_id}/mandates/new")
    page.select_option("#term_id", label="区第八届")
    page.select_option("#township_id", label="东湖镇")
    page.select_option("#electoral_district_id", label="区第八届 · 第一选区")
    page.select_option("#home_id", label="东湖镇代表之家")
    page.fill("#start_date", "2021-12-01")
    screenshot("mandate-form")
    page.click("form button[type=submit].btn-congress")
    page.wait_for_url(f"{live_server}/deputies/{deputy_id}")
    text = page.inner_text("main")
    assert "区第八届" in text and "第一选区" in text and "东湖镇代表之家" in text
    assert "未激活" in text and "发放激活码" in text
    screenshot("detail")


@pytest.mark.browser
def test_committee_switches_the_list_to_pinyin_order_on_a_phone(db, live_server, page, screenshot):
    """The deputy list opens in 姓氏笔画 order; choosing 按姓名拼音 and 查找 relists it (rule R16)."""
    for name in ("张伟", "李娜", "王芳", "詹敏", "曾华"):
        factories.make_deputy(name=name)
    mobile = factories.make_user(roles={"committee"}).mobile
    db.session.commit()

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/deputies")

    def names():
        return [name.strip() for name in page.locator("#deputies tbody td:first-child").all_inner_texts()]

    assert names() == ["王芳", "李娜", "张伟", "曾华", "詹敏"]
    screenshot("strokes")
    page.select_option("#order", label="按姓名拼音")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**order=pinyin**")
    assert names() == ["李娜", "王芳", "曾华", "詹敏", "张伟"]
    screenshot("pinyin")
