"""On a phone: open the dashboard, follow 未述 to the missing deputies, download the workbook."""
import pytest

from tests import factories
from tests.conftest import sign_in_page
from tests.dashboard.conftest import read_workbook, sheet_rows

pytestmark = pytest.mark.browser


def test_committee_finds_who_is_missing_and_downloads(live_server, targets, db, page, screenshot, tmp_path):
    """The dashboard shows both targets; 未述 lists the missing; the workbook downloads and reads back."""
    user = factories.make_user(roles=("committee",))
    mobile = user.mobile  # read before the commit: the browser must not wait on our transaction
    db.session.commit()
    db.session.close()

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/dashboard?as_of=2024-12-31&year=2024")
    targets_box = page.locator("#targets")
    assert "区第八届" in targets_box.inner_text() and "市第十五届" in targets_box.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot("dashboard")

    page.locator("#targets .card", has_text="区第八届").get_by_role("link", name="未述 3 人").click()
    page.wait_for_url("**/dashboard/missing**")
    names = page.locator("#missing tbody a").all_inner_texts()
    assert sorted(names) == sorted(["冯五", "韩七", "邓四"])
    screenshot("missing")

    page.get_by_role("link", name="返回述职率").click()
    with page.expect_download() as download_info:
        page.locator("#export").click()
    download = download_info.value
    assert download.suggested_filename == "述职率统计表-全区-2024-12-31.xlsx"
    path = tmp_path / "rates.xlsx"
    download.save_as(path)
    found = {row[0]: row for row in sheet_rows(read_workbook(path.read_bytes())["两个100%目标"])}
    assert found["区第八届"][1:5] == (5, 2, 3, 0.4)
