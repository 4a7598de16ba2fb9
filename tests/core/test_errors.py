"""Friendly Chinese error pages, and an expired form that comes back with what was typed."""
import re

from tests import factories
from tests.conftest import sign_in


def test_unknown_page_is_a_chinese_404(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_expired_csrf_token_brings_the_form_back_filled_in(client, db, csrf_enabled):
    """A sign-in form posted with a stale token is shown again with the mobile number kept."""
    factories.make_user(mobile="13700001111")
    response = client.post("/login", data={"mobile": "13700001111", "password": "whatever-1",
                                           "csrf_token": "stale-token"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面停留太久已过期" in page
    assert 'value="13700001111"' in page
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert fresh != "stale-token"
    # Nobody was signed in by the stale post.
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_writes_nothing(client, db, csrf_enabled):
    """Even a signed-in user's password change needs the token."""
    user = factories.make_user(mobile="13700002222")
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"mobile": "13700002222", "password": factories.PASSWORD, "csrf_token": token})
    old_hash = user.password_hash
    response = client.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": "another-pass-2", "confirm": "another-pass-2"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(user), user.id).password_hash == old_hash


def test_password_change_ends_other_sessions(app, client, db):
    """After a password change, a session copied earlier no longer works; this device stays in."""
    user = factories.make_user(mobile="13700003333")
    sign_in(client, user.mobile)
    other = app.test_client()
    sign_in(other, user.mobile)
    response = client.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": "another-pass-2", "confirm": "another-pass-2"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
