"""Each demo account signs in on a phone-sized Chromium and sees what its role should."""
import pytest

pytestmark = pytest.mark.browser

DEMO_ROLES = [
    ("13900000001", ["在任代表（按乡镇、届次）"], ["我的代表职务"]),
    ("13900000002", ["在任代表（按乡镇、届次）"], ["我的代表职务"]),
    ("13900000003", ["我的代表职务", "区第八届", "市第十五届"], ["在任代表（按乡镇、届次）"]),
]


@pytest.fixture()
def demo_district(app, db):
    """The `liaison seed demo` district in the test database."""
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    db.session.commit()
    db.session.close()


@pytest.mark.parametrize("mobile,expected,absent", DEMO_ROLES)
def test_demo_account_signs_in_at_phone_size(live_server, demo_district, page, screenshot,
                                             mobile, expected, absent):
    """Open the site, get the login page in Chinese, sign in, land on the role's home page."""
    page.goto(live_server + "/")
    assert page.url.endswith("/login") or "/login?" in page.url
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_label("密码").fill("liaison-demo")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server + "/")
    body = page.locator("main").inner_text()
    for text in expected:
        assert text in body
    for text in absent:
        assert text not in body
    # The page fits the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(f"home-{mobile}")
