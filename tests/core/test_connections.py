"""Database connection behaviour: SQLite's one write lock (reading requests never hold it, writing
requests take it at their start) and PostgreSQL's session settings.

A committee member reloading the dashboard used to stall every deputy's check-in (each read began
``BEGIN IMMEDIATE``); these tests hold a real transaction open in one thread and write from another.
"""
import threading
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from liaison.extensions import db
from liaison.townships.models import Township, TownshipKind
from liaison.transaction import commit
from tests.conftest import make_test_app

#: How long the second writer waits for the lock before SQLite answers "database is locked".
SHORT_WAIT_MS = 300


@pytest.fixture()
def sqlite_app(tmp_path):
    app = make_test_app("sqlite:///" + str(tmp_path / "locks.db"), LIAISON_SQLITE_BUSY_TIMEOUT_MS=SHORT_WAIT_MS)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _hold_transaction(app, method, holding, release):
    """In a request of ``method``, read a row, then keep the transaction open until ``release``."""
    with app.test_request_context("/dashboard", method=method):
        db.session.scalar(sa.select(sa.func.count(Township.id)))
        holding.set()
        release.wait(10)
        db.session.rollback()
        db.session.remove()


def _write_township(app, name):
    """A writing request that gives up after ``SHORT_WAIT_MS``: True when it saved."""
    with app.test_request_context("/townships/new", method="POST"):
        try:
            db.session.add(Township(name=name, kind=TownshipKind.township))
            db.session.commit()
            return True
        except sa.exc.OperationalError as error:
            assert "locked" in str(error)
            db.session.rollback()
            return False
        finally:
            db.session.remove()


def _while_held(app, method, action):
    holding, release = threading.Event(), threading.Event()
    reader = threading.Thread(target=_hold_transaction, args=(app, method, holding, release))
    reader.start()
    try:
        assert holding.wait(10)
        return action()
    finally:
        release.set()
        reader.join(10)


def test_a_check_in_is_not_kept_waiting_by_someone_reading_the_dashboard(sqlite_app):
    """While a GET request's transaction is open (a dashboard being computed), a POST writes at once."""
    assert _while_held(sqlite_app, "GET", lambda: _write_township(sqlite_app, "青山镇")) is True
    with sqlite_app.app_context():
        assert db.session.scalar(sa.select(Township.name)) == "青山镇"


def test_a_writing_request_takes_the_lock_before_its_first_read(sqlite_app):
    """A POST's transaction holds the write lock from its first read, so its read-then-write
    checks (travel time, per-address limits) stay true: another writer waits, then gives up."""
    assert _while_held(sqlite_app, "POST", lambda: _write_township(sqlite_app, "青山镇")) is False


def test_a_reading_request_that_must_write_does_so_in_a_transaction_of_its_own(sqlite_app):
    """A GET that records something (an audited download) writes through ``commit``, which ends the
    read and takes the lock for the write alone: it succeeds even after another writer committed
    since its read began (a stale read snapshot cannot be upgraded to a write in SQLite)."""
    with sqlite_app.test_request_context("/dashboard/export.xlsx", method="GET"):
        db.session.scalar(sa.select(sa.func.count(Township.id)))
        # Another request (its own thread and session) writes meanwhile.
        other = []
        writer = threading.Thread(target=lambda: other.append(_write_township(sqlite_app, "李家镇")))
        writer.start()
        writer.join(10)
        assert other == [True]
        written = commit(lambda: db.session.add(Township(name="安平镇", kind=TownshipKind.township)))
        assert written.ok
        db.session.remove()
    with sqlite_app.app_context():
        assert set(db.session.scalars(sa.select(Township.name))) == {"李家镇", "安平镇"}


def test_a_waiting_writer_gets_the_lock_within_milliseconds_of_its_release(tmp_path):
    """When several deputies check in at once, each writer waits for the one before it. SQLite's own
    busy handler sleeps longer and longer between tries (100 ms after the first third of a second),
    so a waiter used to start up to 100 ms after the lock was free. Now it tries again within a
    millisecond: it starts a few milliseconds after the release, however long it waited."""
    app = make_test_app("sqlite:///" + str(tmp_path / "queue.db"), LIAISON_SQLITE_BUSY_TIMEOUT_MS=5000)
    with app.app_context():
        upgrade()
    late = []
    # Releases that fall just after a try of SQLite's handler (its tries come 328 and 428 ms after
    # the first), where it would next try almost 100 ms later.
    for hold_seconds in (0.335, 0.24):
        holding, release, released_at = threading.Event(), threading.Event(), []

        def hold():
            with app.test_request_context("/townships/new", method="POST"):
                db.session.scalar(sa.select(sa.func.count(Township.id)))  # BEGIN IMMEDIATE
                holding.set()
                release.wait(10)
                released_at.append(time.monotonic())
                db.session.rollback()
                db.session.remove()

        holder = threading.Thread(target=hold)
        holder.start()
        assert holding.wait(10)
        threading.Timer(hold_seconds, release.set).start()
        with app.test_request_context("/townships/new", method="POST"):
            db.session.scalar(sa.select(sa.func.count(Township.id)))  # waits for the lock
            started = time.monotonic()
            db.session.rollback()
            db.session.remove()
        holder.join(10)
        late.append(started - released_at[0])
    with app.app_context():
        db.engine.dispose()
    # SQLite's handler starts the waiter 85–100 ms late here; the margin is for a loaded machine.
    assert max(late) < 0.06, late


def test_a_write_leaves_the_configured_busy_timeout_in_place(tmp_path):
    """The tries for the write lock run with the busy timeout off; afterwards the connection waits
    as configured again, to the millisecond."""
    app = make_test_app("sqlite:///" + str(tmp_path / "timeout.db"), LIAISON_SQLITE_BUSY_TIMEOUT_MS=1001)
    with app.app_context():
        upgrade()
    with app.test_request_context("/townships/new", method="POST"):
        db.session.scalar(sa.select(sa.func.count(Township.id)))  # BEGIN IMMEDIATE
        assert db.session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 1001
        db.session.rollback()
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_postgresql_connections_run_without_jit(app, db):
    """The app's PostgreSQL connections have JIT off (it compiled the dashboard's aggregates anew on
    every page, two thirds of its time at district scale)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.connection().exec_driver_sql("SHOW jit").scalar() == "off"
