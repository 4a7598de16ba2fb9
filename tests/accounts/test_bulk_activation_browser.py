"""On a phone: staff print the township's activation slips; a deputy scans a slip's QR (decoded by
zxing-cpp from the printed page), types a wrong number, then the right one, and is in (rule R25)."""
import io
import re

import pytest
import zxingcpp
from PIL import Image

from tests.accounts import activation_world
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_slip_sheet_then_activation_with_the_full_number(live_server, db, page, browser, browser_context_args,
                                                         screenshot):
    world = activation_world.build()
    staff_mobile = world.staff.mobile
    db.session.commit()
    db.session.close()

    sign_in_page(page, live_server, staff_mobile)
    page.goto(f"{live_server}/deputies")
    page.locator("#bulk-activation").click()
    page.wait_for_url("**/users/activation")
    assert page.locator("#awaiting input[name=ids]").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("awaiting")
    page.locator("#select-all").check()
    page.locator("#print-slips").click()
    page.wait_for_selector(".slip")
    assert page.locator(".slip").count() == 3
    screenshot("sheet")
    first = page.locator(".slip").first
    assert "王一" in first.inner_text() and "158****4917" in first.inner_text()
    image = Image.open(io.BytesIO(first.locator(".qr").screenshot()))
    link = zxingcpp.read_barcodes(image)[0].text
    assert link.startswith("http://liaison.test/activate/")

    # The deputy's own phone: a fresh browser context, no staff session.
    phone = browser.new_context(**browser_context_args)
    deputy = phone.new_page()
    deputy.goto(link.replace("http://liaison.test", live_server))
    assert "4917" in deputy.locator("#activation-number").inner_text()
    assert "158****" not in deputy.content()
    deputy.fill("#mobile", "15800000022")
    deputy.fill("#password", "lantern-orchard-42")
    deputy.fill("#confirm", "lantern-orchard-42")
    deputy.click("button[type=submit]")
    assert "不一致" in deputy.locator(".invalid-feedback, .text-danger").first.inner_text()
    deputy.screenshot(path=screenshot("sheet").replace("-sheet.png", "-wrong-number.png"), full_page=True)
    deputy.fill("#mobile", "15800004917")
    deputy.fill("#password", "lantern-orchard-42")
    deputy.fill("#confirm", "lantern-orchard-42")
    deputy.click("button[type=submit]")
    deputy.wait_for_url(f"{live_server}/")
    assert "王一" in deputy.content()
    phone.close()


def test_nine_slips_print_on_two_a4_pages_without_the_screen_notice(live_server, db, page):
    """Printed (Chromium's PDF of the print media): eight slips fill the first A4 page, the ninth the
    second; the screen-only notice is not printed."""
    from datetime import date

    from liaison.accounts.models import Role
    from tests import factories

    term = factories.make_term(start_date=date(2024, 1, 1), end_date=date(2028, 12, 31), end_provisional=True)
    township = factories.make_township(name="南镇")
    for n in range(9):
        deputy = factories.make_deputy(name=f"南镇代表{n + 1}")
        factories.make_mandate(deputy, term, township)
        factories.make_user(roles=(Role.deputy,), deputy=deputy, password=None)
    staff_mobile = factories.make_user(roles=(Role.township_staff,), townships=[township]).mobile
    db.session.commit()
    db.session.close()

    sign_in_page(page, live_server, staff_mobile)
    page.goto(f"{live_server}/users/activation")
    page.locator("#select-all").check()
    page.locator("#print-slips").click()
    page.wait_for_selector(".slip")
    assert page.locator(".slip").count() == 9
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
    tops = page.evaluate("[...document.querySelectorAll('.sheet')].map(s => s.querySelectorAll('.slip').length)")
    assert tops == [8, 1]
