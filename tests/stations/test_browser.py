"""On a phone-sized Chromium: township staff add a station with opening hours by tapping."""
import pytest

from tests import factories
from tests.conftest import sign_in_page

# pytest-base-url's session fixture trips a pytest 9 deprecation raised from pytest's own module,
# which setup.cfg's module-scoped ignore does not catch; harmless, so ignored here.


@pytest.mark.browser
def test_township_staff_add_a_station_on_a_phone(db, network, live_server, page, screenshot):
    """Weekday toggles and time pickers work by touch; the page fits; the hours show after saving."""
    mobile = factories.make_user(roles={"township_staff"}, townships=[network.a]).mobile
    # Read everything needed before committing: on SQLite any later read would open a
    # transaction that holds the write lock while the server thread needs it.
    db.session.commit()
    sign_in_page(page, live_server, mobile)

    page.goto(f"{live_server}/stations/new")
    page.click("label[for=kind-1]")
    page.fill("#name", "城关镇第一选区联络站")
    page.select_option("#electoral_district_id", label="城关镇 · 区第八届 · 城关第一选区")
    page.fill("#address", "城关镇人民路 8 号")
    for day in (0, 2, 4):
        page.click(f"label[for=weekdays-{day}]")
    page.fill("#am_opens", "09:00")
    page.fill("#am_closes", "11:30")
    page.fill("#pm_opens", "14:00")
    page.fill("#pm_closes", "17:00")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("form")
    page.click("form button[type=submit].btn-congress")
    page.wait_for_url(f"{live_server}/stations/*")
    text = page.inner_text("main")
    assert "已添加“城关镇第一选区联络站”" in text
    assert text.count("09:00–11:30、14:00–17:00") == 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("detail")

    page.goto(f"{live_server}/stations")
    assert "城关镇第一选区联络站" in page.inner_text("main")
    screenshot("list")
