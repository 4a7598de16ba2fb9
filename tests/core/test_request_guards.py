"""What an attacker still gets from odd requests and from the server's edges: NUL bytes are refused
before any query, database errors log no values, downloads are never cached, nginx hides its version."""
import io
import json
import logging
import os

import pytest
import sqlalchemy as sa

from liaison import PROJECT_ROOT
from liaison.audit.models import AuditEvent
from liaison.deputies.models import Deputy, Gender
from liaison.extensions import db as _db
from tests import factories
from tests.conftest import make_test_app

REFUSAL = "提交的内容含有无法处理的空字符"


def _count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _refused(response):
    """Whether the response is the Chinese 400 page for a NUL byte."""
    return response.status_code == 400 and REFUSAL in response.get_data(as_text=True)


# --- NUL bytes ---------------------------------------------------------------------------------

NEW_DEPUTY = {"name": "王建国", "gender": "male", "ethnicity": "汉族", "mobile": "13912345678"}


@pytest.mark.parametrize("request_kw", [
    {"data": {**NEW_DEPUTY, "name": "王\x00建国"}},
    {"data": {**NEW_DEPUTY, "mobile": "139\x0012345678"}},
    {"data": {**NEW_DEPUTY, "n\x00ame": "x"}},
    {"data": NEW_DEPUTY, "query_string": {"next": "/\x00"}},
    {"data": {**NEW_DEPUTY, "photo": (io.BytesIO(b"x"), "a\x00.png")}, "content_type": "multipart/form-data"},
    {"data": json.dumps({"name": ["王\x00建国"]}), "content_type": "application/json"},
    {"data": NEW_DEPUTY, "headers": {"User-Agent": "Mozilla/5.0\x00"}},
], ids=["form-value", "form-mobile", "form-key", "query", "upload-name", "json", "user-agent"])
def test_a_nul_byte_anywhere_in_a_post_is_refused_and_nothing_is_stored(client, db, login_as, request_kw):
    """A form, query, upload name, JSON body or header holding a NUL gets a Chinese 400 page
    (PostgreSQL answered 500 inside the query before), and no deputy or audit event is written."""
    login_as("committee")
    deputies, events = _count(Deputy), _count(AuditEvent)
    response = client.post("/deputies/new", **request_kw)
    assert _refused(response)
    db.session.rollback()
    assert (_count(Deputy), _count(AuditEvent)) == (deputies, events)


@pytest.mark.parametrize("url", ["/deputies?q=%00", "/deputies?q=139%0012", "/o/AB%00CD", "/o?number=AB%00CD",
                                 "/deputies/%00"])
def test_a_nul_byte_in_a_searched_or_looked_up_value_is_refused(client, db, login_as, url):
    """A NUL in a search box, a public lookup number or the path is refused the same way, signed in or not."""
    assert _refused(client.get(url))
    login_as("committee")
    assert _refused(client.get(url))


def test_a_nul_byte_in_the_sign_in_form_is_refused_before_the_password_check(client, db):
    """Sign-in reads the database at once (throttle, account): the NUL is refused first, and
    no failed sign-in is recorded for a made-up number."""
    events = _count(AuditEvent)
    response = client.post("/login", data={"mobile": "1391234\x005678", "password": "x"})
    assert _refused(response)
    db.session.rollback()
    assert _count(AuditEvent) == events


def test_ordinary_requests_pass_the_nul_guard(client, db, login_as):
    """Chinese text, spaces and symbols are not NUL: the new deputy is saved as usual."""
    login_as("committee")
    response = client.post("/deputies/new", data={**NEW_DEPUTY, "name": "欧阳 娜娜·阿依"})
    assert response.status_code == 302
    assert _db.session.scalar(sa.select(Deputy.name).where(Deputy.mobile == "13912345678")) == "欧阳 娜娜·阿依"


# --- database errors in the log ----------------------------------------------------------------

def test_a_database_error_is_logged_without_names_or_phone_numbers(database_url, db, caplog):
    """A statement that fails (here a second deputy with a number already taken, written past the
    checks) answers the 500 page; the log names the statement but neither the values sent with it
    nor the row PostgreSQL quotes back ("Key (mobile)=(…) already exists")."""
    factories.make_deputy(name="郑秀英", mobile="13912345678")
    db.session.commit()
    crashing = make_test_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @crashing.post("/clash")
    def clash():
        _db.session.add(Deputy(name="郑秀英", gender=Gender.female, ethnicity="汉族", mobile="13912345678"))
        _db.session.flush()
        return "not reached"

    with caplog.at_level(logging.INFO):
        response = crashing.test_client().post("/clash")
    with crashing.app_context():
        _db.engine.dispose()
    assert response.status_code == 500 and "系统出错了" in response.get_data(as_text=True)
    logged = caplog.text
    assert "IntegrityError" in logged and "INSERT INTO deputies" in logged
    assert "13912345678" not in logged and "郑秀英" not in logged


# --- downloads are not cached ------------------------------------------------------------------

def test_every_download_is_marked_no_store(client, db, login_as, app, tmp_path, monkeypatch):
    """Workbooks hold names and phone numbers: the roster, the rates workbook, an archived bulletin
    (served from a file) and the import template all say Cache-Control: no-store, so no proxy or
    browser cache keeps a copy; the app's CSS may still be cached."""
    bulletins = tmp_path / "bulletins"
    bulletins.mkdir()
    (bulletins / "bulletin-2024-10.xlsx").write_bytes(b"PK\x03\x04 archived")
    monkeypatch.setitem(app.config, "LIAISON_BULLETIN_FOLDER", str(bulletins))
    factories.make_mandate()
    login_as("committee")
    for url in ("/deputies/export.xlsx", "/dashboard/export.xlsx", "/dashboard/bulletins/bulletin-2024-10.xlsx",
                "/imports/roster/template.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "attachment" in response.headers["Content-Disposition"], url
        assert "no-store" in response.headers["Cache-Control"], url
        response.close()
    css = client.get("/static/app.css")
    assert "no-store" not in css.headers.get("Cache-Control", "")
    css.close()


# --- the nginx sample ----------------------------------------------------------------------------

def test_the_nginx_sample_hides_its_version():
    """Error pages and the Server header of the sample nginx site do not say which nginx runs."""
    with open(os.path.join(PROJECT_ROOT, "deploy", "nginx-liaison.conf"), encoding="utf-8") as handle:
        lines = [line.split("#", 1)[0].strip() for line in handle]
    assert "server_tokens off;" in lines
