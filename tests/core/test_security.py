"""The security baseline as a user or an attacker meets it: headers, cookies, idle staff sessions,
password confirmation, masked exports, audited reveals and refusals, a database that is down."""
import io
import re
import zipfile
from datetime import timedelta

import openpyxl
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent
from liaison.clock import utcnow
from liaison.extensions import db as _db
from tests import factories
from tests.conftest import make_test_app, sign_in


def _audit(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_every_page_carries_the_security_headers(client, db):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_over_https_cookies_are_secure_and_hsts_is_sent(database_url, app, db):
    secure_app = make_test_app(database_url, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    deputy = factories.make_deputy()
    factories.make_user(roles={"deputy"}, deputy=deputy)
    mobile = deputy.mobile  # read before committing: the second app must find the database free
    db.session.commit()
    client = secure_app.test_client()
    response = client.post("/login", base_url="https://liaison.test",
                           data={"mobile": mobile, "password": factories.PASSWORD, "remember": "y"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    assert all("Secure" in c and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("remember_token=") for c in cookies)
    with secure_app.app_context():
        _db.engine.dispose()


def test_no_page_uses_inline_script_or_style(client, db, login_as):
    """The CSP forbids inline code; the pages must not need it."""
    login_as("committee")
    for url in ("/", "/deputies", "/stations", "/townships", "/terms", "/users", "/audit", "/account/password"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html, url
        assert "<style" not in html, url


def test_idle_staff_are_signed_out_but_deputies_stay(app, db):
    staff = factories.make_user(roles={"committee"})
    deputy = factories.make_deputy()
    factories.make_user(roles={"deputy"}, deputy=deputy)
    db.session.commit()
    staff_client, deputy_client = app.test_client(), app.test_client()
    with freeze_time("2026-11-26 02:00:00") as frozen:
        sign_in(staff_client, staff.mobile)
        sign_in(deputy_client, deputy.mobile)
        frozen.tick(timedelta(minutes=20))
        assert staff_client.get("/").status_code == 200
        frozen.tick(timedelta(minutes=31))
        response = staff_client.get("/deputies")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert deputy_client.get("/").status_code == 200


def test_export_asks_for_the_password_again_after_ten_minutes(client, db, login_as):
    with freeze_time("2026-11-26 02:00:00") as frozen:
        login_as("committee")
        assert client.get("/deputies/export.xlsx").status_code == 200  # just signed in
        frozen.tick(timedelta(minutes=11))
        response = client.get("/deputies/export.xlsx")
        assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
        response = client.post("/account/confirm", data={"password": "wrong-password-1",
                                                         "next": "/deputies/export.xlsx"})
        assert "密码不正确" in response.get_data(as_text=True)
        response = client.post("/account/confirm", data={"password": factories.PASSWORD,
                                                         "next": "/deputies/export.xlsx"})
        assert response.headers["Location"] == "/deputies/export.xlsx"
        assert client.get("/deputies/export.xlsx").status_code == 200


def test_roster_export_masks_phones_and_keeps_formulas_as_text(client, db, login_as):
    """Township staff get masked numbers (the committee's full-number export: tests/imports/test_round_trip)."""
    township = factories.make_township()
    deputy = factories.make_deputy(name='=HYPERLINK("http://x","y")', mobile="13812345678")
    factories.make_mandate(deputy=deputy, township=township)
    other = factories.make_deputy(name="+1", mobile="13812340000")
    factories.make_mandate(deputy=other, township=township)
    login_as("township_staff", townships=[township])
    response = client.get("/deputies/export.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    data = response.get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "138****5678" in values and "13812345678" not in values
    assert '=HYPERLINK("http://x","y")' in values and "+1" in values
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert len(_audit(db, "export")) == 1


def test_phone_reveal_needs_scope_and_is_audited(client, db, login_as):
    mine, theirs = factories.make_township(), factories.make_township()
    deputy = factories.make_deputy(mobile="13912345678")
    factories.make_mandate(deputy=deputy, township=mine)
    stranger = factories.make_deputy()
    factories.make_mandate(deputy=stranger, township=theirs)
    login_as("township_staff", townships=[mine])
    detail = client.get(f"/deputies/{deputy.id}").get_data(as_text=True)
    assert "139****5678" in detail and "13912345678" not in detail
    page = client.post(f"/deputies/{deputy.id}/mobile").get_data(as_text=True)
    assert "13912345678" in page
    revealed = _audit(db, "mobile.revealed")
    assert len(revealed) == 1 and "13912345678" not in revealed[0].detail
    # Township B's deputy: 404, and the attempt is in the audit trail.
    assert client.post(f"/deputies/{stranger.id}/mobile").status_code == 404
    assert client.get(f"/deputies/{stranger.id}").status_code == 404
    denied = _audit(db, "access.denied")
    assert len(denied) == 2 and all(e.outcome.value == "denied" for e in denied)


def test_unreachable_database_gives_a_chinese_503(db):
    """A database that does not answer: a friendly page and a failing health check, no stack trace."""
    down = make_test_app("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1")
    client = down.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
    response = client.post("/login", data={"mobile": "13800000000", "password": "whatever-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "系统暂时不可用" in page and "Traceback" not in page and "psycopg" not in page


def test_healthz_is_ok_when_the_database_answers(client, db):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_an_account_locks_after_five_failures_and_unlocks_later(client, db):
    user = factories.make_user()
    db.session.commit()
    with freeze_time(utcnow().replace(tzinfo=None)) as frozen:
        for _ in range(5):
            sign_in(client, user.mobile, "wrong-password-1")
        response = sign_in(client, user.mobile)  # the right password, but locked
        assert "尝试次数过多" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302
        frozen.tick(timedelta(minutes=16))
        assert sign_in(client, user.mobile).status_code == 302
        assert client.get("/").status_code == 200
    failures = _audit(db, "login.failure")
    assert len(failures) == 5
    assert all(user.mobile not in e.detail for e in failures)
    assert len(_audit(db, "login.locked")) == 1 and len(_audit(db, "login.success")) == 1
