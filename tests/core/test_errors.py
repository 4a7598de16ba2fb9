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


def test_a_post_without_a_token_to_a_missing_record_answers_the_expired_page(client, db, login_as, request):
    """A form view or an action that would answer 404 inside the re-run answers the 400 page, not a 500."""
    login_as("committee")
    request.getfixturevalue("csrf_enabled")  # after signing in, which posts without a token
    for url in ("/deputies/999999/edit", "/calendar/days/999999/delete", "/rota/slots/999999/deputies"):
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 400, url
        assert "页面已过期" in response.get_data(as_text=True)


def test_an_idle_staff_session_gets_no_form_back_through_a_stale_token(app, client, db, login_as, request):
    """Past the idle limit, a stale token shows no form (nor a record's data); the next page signs out."""
    deputy = factories.make_deputy(mobile="13911112222")
    login_as("committee")
    client.get("/")  # the idle clock starts
    request.getfixturevalue("csrf_enabled")
    with client.session_transaction() as session:
        session["seen_at"] -= (app.config["LIAISON_STAFF_IDLE_MINUTES"] + 1) * 60
    response = client.post(f"/deputies/{deputy.id}/edit", data={"name": "改名"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面已过期" in page and "13911112222" not in page and "您填写的内容已保留" not in page
    response = client.get("/deputies")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_view_marked_by_mistake_still_cannot_write(database_url, db):
    """Even a view wrongly marked as re-showing its form, that writes, flashes and changes the session
    without validating anything, leaves the database and the session as they were for a failed token."""
    import sqlalchemy as sa
    from flask import Blueprint, flash, render_template, request, session

    from liaison.errors import reshows_expired_form
    from liaison.townships import operations as townships
    from liaison.townships.models import Township, TownshipKind
    from tests.conftest import Client, make_test_app

    mistaken = Blueprint("mistaken", __name__)

    @mistaken.route("/mistaken", methods=["POST"])
    @reshows_expired_form
    def write_anyway():
        townships.create_township("不该出现的镇", TownshipKind.township)
        session["lang"] = "en"
        session.pop("_user_id", None)
        flash("已保存", "success")
        if request.args.get("commit"):
            db.session.commit()
        return render_template("errors/error.html", code=200, title="标题", message="内容")

    other = make_test_app(database_url)
    other.test_client_class = Client
    other.register_blueprint(mistaken)
    user = factories.make_user(roles={"committee"})
    db.session.commit()
    try:
        client = other.test_client()
        sign_in(client, user.mobile)
        other.config["WTF_CSRF_ENABLED"] = True
        with client.session_transaction() as before:
            kept = {k: v for k, v in before.items() if k != "csrf_token"}
        for url in ("/mistaken", "/mistaken?commit=1"):
            response = client.post(url)
            assert response.status_code == 400, url
            with client.session_transaction() as after:
                assert {k: v for k, v in after.items() if k != "csrf_token"} == kept, url
            db.session.expire_all()
            assert db.session.scalar(sa.select(Township).where(Township.name == "不该出现的镇")) is None, url
        assert client.get("/").status_code == 200
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
