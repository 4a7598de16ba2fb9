"""The month page as a compact calendar: one "add deputy" box per slot that finds a deputy by name or
pinyin initials (with the page's script, and without it when the typed text is looked up on save)."""
import re
from datetime import date

import pytest
from freezegun import freeze_time

from liaison.extensions import db as _db
from liaison.names import name_syllables
from liaison.rota.models import Slot
from tests import factories
from tests.conftest import sign_in_page
from tests.rota.test_pages import SEPT_20, propose, slot_on, text


def _free_a_place(client, db, october, day=date(2026, 10, 14)):
    """Propose October, take the first deputy off 东升站's slot of ``day``; (slot, removed deputy)."""
    propose(client, october)
    slot = slot_on(db, october.dongsheng, day)
    first = slot.holding[0]
    removed = first.deputy
    assert client.post(f"/rota/assignments/{first.id}/delete").status_code == 302
    _db.session.expire_all()
    return db.session.get(Slot, slot.id), removed


@freeze_time(SEPT_20)
def test_the_month_has_one_search_box_per_slot_not_a_dropdown_of_names(client, db, login_as, october):
    """Each open slot has one search box; no slot carries a <select> listing the township's deputies;
    the candidates are in the page once, with their pinyin initials."""
    login_as("township_staff", townships=[october.township])
    slot, removed = _free_a_place(client, db, october)
    page = text(client.get(f"/rota/{slot.rota_month_id}"))
    assert 'name="deputy_id"' in page and "<option" not in page.split('id="calendar"')[1].split('id="add-slot"')[0]
    assert page.count('class="form-control form-control-sm rota-search"') == page.count('class="slot-add"')
    assert f'"{removed.name}","ds' in page  # 东升n → initials ds…, pinyin dongsheng…


@freeze_time(SEPT_20)
def test_a_name_typed_without_script_is_looked_up(client, db, login_as, october):
    """Without the page's script the typed text is saved: a full name or unique initials add that
    deputy; initials shared by several deputies or matching nobody are refused with a Chinese message."""
    login_as("township_staff", townships=[october.township])
    slot, removed = _free_a_place(client, db, october)
    url = f"/rota/slots/{slot.id}/deputies"
    response = client.post(url, data={"deputy_name": "ds"}, follow_redirects=True)
    assert "对应多位代表" in text(response) and "请在列表中选择" in text(response)
    response = client.post(url, data={"deputy_name": "无此人"}, follow_redirects=True)
    assert "没有找到“无此人”" in text(response)
    response = client.post(url, data={"deputy_name": f" {removed.name} "}, follow_redirects=True)
    assert f"已安排 {removed.name}" in text(response)
    _db.session.expire_all()
    assert removed.id in [a.deputy_id for a in db.session.get(Slot, slot.id).holding]


@pytest.mark.browser
def test_staff_add_a_deputy_by_pinyin_initials_on_a_phone(db, october, live_server, page, screenshot):
    """At phone size: propose the coming month, take a deputy off a slot, open that slot's "＋ 添加代表",
    type the pinyin initials, tap the name in the list: the deputy is back in the slot. The page is
    a calendar of the slot days, far shorter than one card with a dropdown per slot."""
    october.staff.set_password(factories.PASSWORD)
    mobile = october.staff.mobile  # read before the commit: a read after it would hold SQLite's lock
    db.session.commit()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/rota")
    page.click("#propose button[type=submit]")
    page.wait_for_url(re.compile(r".*/rota/\d+$"))
    slot = page.locator(".slot", has=page.locator(".slot-remove")).first
    slot_id = slot.get_attribute("id")
    removed = slot.locator(".assignment > span:first-child").first.inner_text().strip()
    slot.locator(".assignment").first.locator("button", has_text="移出").click()
    page.wait_for_load_state()
    assert f"已将 {removed} 移出" in page.inner_text("main")

    slot = page.locator(f"#{slot_id}")
    slot.locator(".slot-add summary").click()
    search = slot.locator(".rota-search")
    assert search.is_visible()
    # The removed deputy's pinyin initials (补选 → "bx", 东升3 → "ds3"), never the name itself.
    search.type("".join(syllable[0] for syllable in name_syllables(removed)))
    option = slot.locator(".rota-options [role=option]", has_text=removed)
    option.first.wait_for()
    screenshot("typeahead")
    option.first.click()
    page.wait_for_load_state()
    assert f"已安排 {removed}" in page.inner_text("main")
    assert removed in page.locator(f"#{slot_id} .assignment > span:first-child").all_inner_texts()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert not [e for e in errors if "Content Security Policy" in e], errors
    screenshot("month")
