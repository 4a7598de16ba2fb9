"""SQLite settings for the embedded database: WAL, a busy timeout, foreign keys, and which
transactions take the write lock at their start."""
import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar

from flask import g, has_request_context, request
from sqlalchemy import event

#: Requests that only read: their transactions begin deferred, so they never hold the write lock.
READING_METHODS = frozenset({"GET", "HEAD"})


def configure_engine(engine, busy_timeout_ms=15000):
    """Make SQLite behave under several threads or processes; a no-op on other databases.

    A transaction that reads first and writes later cannot be saved by a busy timeout ("database
    is locked": its snapshot is stale once another writer commits), so a transaction that may write
    starts with ``BEGIN IMMEDIATE`` and writers queue up. But the write lock is one for the whole
    database: reads taking it too stalled every check-in behind a committee member's dashboard
    (up to 11 s, and a 500). In WAL mode readers never block writers, so a GET or HEAD request
    reads in a plain deferred transaction; when it must write after all (an audited download),
    ``transaction.commit`` calls ``write_next`` first and writes in a transaction of its own.
    Jobs and commands, outside any request, always begin immediate.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL is still safe against corruption; a power cut may lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _only_reads():
            connection.exec_driver_sql("BEGIN")
        else:
            _begin_immediate(connection, int(busy_timeout_ms))


#: Longest pause between two tries for the write lock, in seconds.
_LONGEST_PAUSE = 0.001


def _begin_immediate(connection, busy_timeout_ms):
    """``BEGIN IMMEDIATE``, trying again every millisecond or less while another writer holds the lock.

    SQLite's own busy handler sleeps 1, 2, 5, 10, ... then 100 ms between tries, so when writers
    queue up (200 deputies tapping 签到 at one 代表之家) a waiter sleeps on long after the lock was let
    go while the cores sit idle. Trying again within a millisecond keeps the lock in use. The busy
    timeout is off only for these tries; every other statement still waits on SQLite's handler.
    """
    driver = connection.connection.driver_connection
    deadline = time.monotonic() + busy_timeout_ms / 1000
    pause = 0.0001
    driver.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    break
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        # The last try, through SQLAlchemy, so a failure is its OperationalError like any other.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        driver.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")


#: Set by ``reading()``: transactions begun meanwhile only read, outside any request.
_reading = ContextVar("liaison_sqlite_reading", default=False)


@contextmanager
def reading():
    """Transactions begun inside begin deferred, as a reading request's do: for reads outside a
    request that must not wait behind writers (the stored-zone check when an app starts). End the
    transaction inside; a write after it begins immediate as usual."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _only_reads():
    """The current transaction belongs to a reading request that has not asked to write, or to
    ``reading()``."""
    if _reading.get():
        return True
    return has_request_context() and request.method in READING_METHODS and not g.get("liaison_writes")


def write_next(session):
    """Make the session's next transaction take the write lock at its start (SQLite), ending the
    current one if it began as a read: a reading request is about to write.

    The read transaction holds nothing unsaved (a GET changes rows only through ``commit``), so
    ending it loses nothing; objects loaded so far are simply read again when next used.
    """
    if not _only_reads():
        return
    g.liaison_writes = True
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        session.commit()
