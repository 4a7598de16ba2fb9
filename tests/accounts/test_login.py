"""Signing in, signing out, and where a user lands afterwards."""
import pytest

from tests import factories
from tests.conftest import sign_in


def test_committee_signs_in_and_sees_the_home_page(client, db):
    """A committee member with the right password lands on the home page with their name."""
    user = factories.make_user(roles={"committee"}, name="周主任")
    response = sign_in(client, user.mobile)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "周主任" in page


def test_wrong_password_is_refused_in_chinese(client, db):
    user = factories.make_user()
    response = sign_in(client, user.mobile, "wrong-password-1")
    assert response.status_code == 200
    assert "手机号码或密码不正确" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.cn", "//evil.cn", "////evil.cn", "/\\evil.cn", "/%09/evil.cn", "javascript:alert(1)",
    "http:/evil.cn", "/%2F/evil.cn", " //evil.cn",
])
def test_next_never_leaves_the_site(client, db, target):
    """After sign-in, ``next`` is only followed when it is a path on this site."""
    user = factories.make_user()
    response = sign_in(client, user.mobile, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_an_internal_page_is_followed(client, db):
    user = factories.make_user()
    response = sign_in(client, user.mobile, next_url="/account/password?x=1")
    assert response.headers["Location"] == "/account/password?x=1"


def test_logout_voids_copied_session_cookie(app, client, db):
    """A session cookie copied before sign-out no longer signs anyone in."""
    user = factories.make_user(name="李专干")
    sign_in(client, user.mobile)
    copied = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 302


def _remember_cookie(client):
    cookie = client.get_cookie("remember_token")
    return cookie.value if cookie else None


def test_deputy_stays_signed_in_by_remember_cookie_until_logout(app, client, db):
    """A deputy's phone keeps a 60-day cookie; copied elsewhere it works only until sign-out."""
    deputy = factories.make_deputy()
    factories.make_user(roles={"deputy"}, deputy=deputy)
    sign_in(client, deputy.mobile)
    copied = _remember_cookie(client)
    assert copied, "deputies get a remember cookie"
    before = app.test_client()
    before.set_cookie("remember_token", copied)
    assert before.get("/").status_code == 200
    client.post("/logout")
    after = app.test_client()
    after.set_cookie("remember_token", copied)
    assert after.get("/").status_code == 302


def test_staff_get_no_remember_cookie(client, db):
    """Staff sessions end with the browser; only deputies stay signed in on their phone."""
    user = factories.make_user(roles={"township_staff"}, townships=[factories.make_township()])
    sign_in(client, user.mobile)
    assert _remember_cookie(client) is None


def test_disabled_account_cannot_sign_in_and_loses_its_sessions(app, client, db):
    from liaison.accounts import operations

    user = factories.make_user()
    sign_in(client, user.mobile)
    assert client.get("/").status_code == 200
    operations.set_enabled(user, False)
    db.session.commit()
    assert client.get("/").status_code == 302
    response = sign_in(app.test_client(), user.mobile)
    assert "此账号已停用" in response.get_data(as_text=True)


def test_deputy_remember_cookie_slides_forward(app, client, db):
    """Each visit with the remember cookie renews it, so a monthly scan never meets a login page."""
    deputy = factories.make_deputy()
    factories.make_user(roles={"deputy"}, deputy=deputy)
    sign_in(client, deputy.mobile)
    phone = app.test_client()
    phone.set_cookie("remember_token", _remember_cookie(client))
    response = phone.get("/")
    assert response.status_code == 200
    assert any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))
