"""Shared fixtures: one app and database per run (SQLite, or PostgreSQL when configured), a clean
slate per test, a signed-in client per role, and a live server with a phone-sized Chromium."""
import contextvars
import os
import shutil
import tempfile
import threading
import uuid

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from liaison import create_app
from liaison.accounts.models import Role
from liaison.extensions import db as _db
from tests import factories

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PG_URL = os.environ.get("LIAISON_TEST_DATABASE_URL")


def _required(name):
    return os.environ.get(name) == "1"


def _libreoffice_missing():
    """The Debian package missing to render workbooks and Word documents to PDF here, or None."""
    if not shutil.which("soffice"):
        return "libreoffice-calc-nogui"
    for library, package in (("libsclo.so", "libreoffice-calc-nogui"), ("libswlo.so", "libreoffice-writer-nogui")):
        if not os.path.exists(f"/usr/lib/libreoffice/program/{library}"):
            return package
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        return "poppler-utils"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip browser, LibreOffice or PostgreSQL tests with a visible reason, unless CI requires them."""
    if not CHROMIUM:
        if _required("LIAISON_REQUIRE_BROWSER"):
            raise pytest.UsageError("LIAISON_REQUIRE_BROWSER=1 but no chromium on PATH")
        skip = pytest.mark.skip(reason="no Chromium found (apt-get install chromium fonts-wqy-microhei)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)
    missing = _libreoffice_missing()
    if missing:
        if _required("LIAISON_REQUIRE_LIBREOFFICE"):
            raise pytest.UsageError(f"LIAISON_REQUIRE_LIBREOFFICE=1 but {missing} is not installed")
        skip = pytest.mark.skip(reason=f"LibreOffice rendering needs {missing} (apt-get install; .ci/run does)")
        for item in items:
            if "libreoffice" in item.keywords:
                item.add_marker(skip)
    if not PG_URL:
        if _required("LIAISON_REQUIRE_POSTGRES"):
            raise pytest.UsageError("LIAISON_REQUIRE_POSTGRES=1 but LIAISON_TEST_DATABASE_URL is not set")
        skip = pytest.mark.skip(reason="LIAISON_TEST_DATABASE_URL not set: PostgreSQL tests skipped")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


class PostgresServer:
    """Makes and drops throwaway databases on the test PostgreSQL server."""

    def __init__(self, url):
        self.url = sa.make_url(url)

    def create(self):
        name = f"liaison_test_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url):
        name = sa.make_url(url).database
        with self._admin() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self):
        engine = sa.create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        return _Closing(engine)


class _Closing:
    def __init__(self, engine):
        self.engine = engine

    def __enter__(self):
        self.conn = self.engine.connect()
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL server for tests, or a skip when none is configured."""
    if not PG_URL:
        pytest.skip("LIAISON_TEST_DATABASE_URL not set")
    return PostgresServer(PG_URL)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for this run: PostgreSQL when configured, else an SQLite file."""
    if PG_URL:
        server = PostgresServer(PG_URL)
        url = server.create()
        yield url
        server.drop(url)
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "liaison-test.db")


class Client(FlaskClient):
    """A test client whose requests behave like separate HTTP requests.

    Before each request the test's own session commits (so factory data is visible and, on
    SQLite, the write lock is free); the request then runs outside the test's app context, so it
    gets its own context, ``g`` and database session, as it would under a real server.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(database_url, **overrides):
    """An app in testing mode on the given database (CSRF off unless a test turns it on)."""
    config = {"ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
              "LIAISON_PUBLIC_URL": "http://liaison.test", "SERVER_NAME": None}
    # Files a test makes without a folder fixture (a job run writing the month's bulletin) go to a
    # folder of this run, never into the checkout's instance/ that `make run` serves.
    scratch = tempfile.mkdtemp(prefix="liaison-test-files-")
    for key, name in (("LIAISON_BULLETIN_FOLDER", "bulletins"), ("LIAISON_ATTACHMENT_FOLDER", "attachments"),
                      ("LIAISON_IMPORT_FOLDER", "imports")):
        config[key] = os.path.join(scratch, name)
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url):
    """The app under test, its schema built by running the migrations."""
    app = make_test_app(database_url)
    app.test_client_class = Client
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def db(app):
    """The database inside an app context, emptied after each test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def csrf_enabled(app):
    """Turn real CSRF checking on for one test."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def sign_in(client, mobile, password=factories.PASSWORD, next_url=None):
    """Post the login form as a person would."""
    data = {"mobile": mobile, "password": password, "remember": "y"}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


def sign_in_page(page, live_server, mobile, password=factories.PASSWORD):
    """Sign in through the login page in the browser, and wait for the home page it leads to."""
    page.goto(f"{live_server}/login")
    page.fill("#mobile", mobile)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")


@pytest.fixture()
def login_as(client, db):
    """``login_as("committee")`` or ``login_as("township_staff", townships=[t])``: a signed-in user."""

    def login(role, townships=(), deputy=None, **kw):
        roles = role if isinstance(role, (set, tuple, list)) else (role,)
        roles = {Role(r) for r in roles}
        if Role.deputy in roles and deputy is None:
            deputy = factories.make_deputy()
        if Role.township_staff in roles and not townships:
            townships = [factories.make_township()]
        user = factories.make_user(roles=roles, townships=townships, deputy=deputy, **kw)
        db.session.commit()
        response = sign_in(client, user.mobile)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login


# --- browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test app on a free loopback port in a daemon thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium; Playwright must not download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, playwright):
    """Every page is an iPhone 13 in Chinese."""
    phone = dict(playwright.devices["iPhone 13"])
    phone.pop("default_browser_type", None)
    return {**browser_context_args, **phone, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture()
def screenshot(page, request):
    """``screenshot("name")`` saves the page under test-results/screenshots/."""
    folder = os.path.join(str(request.config.rootpath), "test-results", "screenshots")
    os.makedirs(folder, exist_ok=True)

    def take(name):
        path = os.path.join(folder, f"{request.node.name}-{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return take
