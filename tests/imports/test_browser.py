"""On a phone-sized Chromium: committee staff upload a roster, read the check and confirm the import."""
import pytest
import sqlalchemy as sa

from liaison.deputies.models import Deputy
from tests import factories
from tests.conftest import sign_in_page
from tests.imports.conftest import roster_row, workbook_bytes



@pytest.mark.browser
def test_committee_imports_a_roster_on_a_phone(db, network, live_server, page, screenshot, tmp_path):
    """Upload, the list of what will change, 确认导入, then the result and the recent imports."""
    user = factories.make_user(roles={"committee"})
    mobile = user.mobile
    path = tmp_path / "区第八届名单.xlsx"
    path.write_bytes(workbook_bytes([roster_row(1, 姓名="韩梅"), roster_row(2, 姓名="李雷")]))
    # Commit and touch the database no more until the end: on SQLite an open transaction holds the lock.
    db.session.commit()

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/imports/roster")
    page.set_input_files("#file", str(path))
    screenshot("upload")
    page.click("form.busy-form button[type=submit]")
    page.wait_for_selector("text=检查通过")
    text = page.inner_text("main")
    assert "新增 2 人" in text and "韩梅（139****0001）" in text
    screenshot("check")
    page.click("text=确认导入")
    page.wait_for_selector("text=名单已导入")
    assert "最近的导入" in page.inner_text("main")
    screenshot("done")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deputy)) == 2


@pytest.mark.browser
def test_a_submitted_form_shows_that_it_is_working(db, network, live_server, page):
    """While the server works, the button is disabled (no second upload) and 正在检查… shows."""
    user = factories.make_user(roles={"committee"})
    mobile = user.mobile
    db.session.commit()
    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/imports/roster")
    assert not page.is_visible("text=正在检查…")
    # Keep the page from leaving, so its state while "sending" can be read.
    page.evaluate("""() => document.querySelector('form.busy-form')
                               .addEventListener('submit', (event) => event.preventDefault())""")
    page.click("form.busy-form button[type=submit]")
    page.wait_for_selector("text=正在检查…", state="visible")
    page.wait_for_function("() => document.querySelector('form.busy-form button[type=submit]').disabled")
