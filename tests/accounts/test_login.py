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
