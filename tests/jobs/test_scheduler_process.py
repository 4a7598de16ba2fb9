"""One scheduler process per database: a second one exits at once with a clear message; the lock
(PostgreSQL advisory lock, or a file lock next to the SQLite file) dies with its holder; the web app
never starts a scheduler."""
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from liaison.extensions import db
from liaison.jobs.scheduler import AdvisoryLock, AlreadyRunning, FileLock, scheduler_lock
from tests.conftest import PG_URL

LIAISON = os.path.join(os.path.dirname(sys.executable), "liaison")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STARTED = "scheduler started"


def start_scheduler(database_url, tmp_path, name):
    """Start ``liaison scheduler`` on the test database, its output going to files read while it runs."""
    env = dict(os.environ, LIAISON_ENV="testing", LIAISON_DATABASE_URL=database_url)
    out = open(tmp_path / f"{name}.out", "w+")
    err = open(tmp_path / f"{name}.err", "w+")
    process = subprocess.Popen([LIAISON, "scheduler"], cwd=ROOT, env=env, stdout=out, stderr=err)
    process.files = (tmp_path / f"{name}.out", tmp_path / f"{name}.err")
    process.handles = (out, err)
    return process


def output(process):
    """What the process printed so far (stdout, stderr)."""
    return tuple(path.read_text() for path in process.files)


def wait_for(condition, timeout=30):
    """Poll until ``condition()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def stop(process, sig=signal.SIGTERM):
    """Stop a scheduler we started, and close its files."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for handle in process.handles:
        handle.close()


@pytest.fixture()
def idle_db(db):
    """The test database with nothing held open by this process (SQLite writers wait for readers)."""
    db.session.commit()
    db.session.remove()
    return db


def test_a_second_scheduler_refuses_to_start(database_url, idle_db, tmp_path):
    """Two schedulers started together: one runs, the other exits non-zero within seconds saying why;
    once the first is killed, the lock is free again."""
    first = start_scheduler(database_url, tmp_path, "first")
    second = start_scheduler(database_url, tmp_path, "second")
    processes = [first, second]
    try:
        started = time.monotonic()
        wait_for(lambda: first.poll() is not None or second.poll() is not None)
        assert time.monotonic() - started < 20
        loser = first if first.poll() is not None else second
        winner = second if loser is first else first
        assert loser.returncode == 1
        _, loser_err = output(loser)
        assert "Another scheduler is already running" in loser_err and "已有一个调度进程在运行" in loser_err
        wait_for(lambda: STARTED in output(winner)[0])
        time.sleep(0.5)
        assert winner.poll() is None, output(winner)

        # A killed scheduler leaves no stale lock behind: the next one starts.
        winner.kill()
        winner.wait(timeout=15)
        third = start_scheduler(database_url, tmp_path, "third")
        processes.append(third)
        wait_for(lambda: STARTED in output(third)[0] or third.poll() is not None)
        assert third.poll() is None, output(third)
        stop(third)
        assert third.returncode == 0, output(third)
        assert "scheduler stopped" in output(third)[0]
    finally:
        for process in processes:
            stop(process, signal.SIGKILL)


def test_the_file_lock_admits_one_holder(tmp_path):
    """The SQLite lock: a second holder is refused with the first one's pid, until it lets go."""
    path = str(tmp_path / "liaison.db.scheduler.lock")
    first, second = FileLock(path), FileLock(path)
    first.acquire()
    with pytest.raises(AlreadyRunning, match=f"held by pid {os.getpid()}"):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


def test_sqlite_lock_file_sits_next_to_the_database(app, tmp_path):
    """On SQLite the lock file is named after the database file, in its folder."""
    from tests.conftest import make_test_app

    other = make_test_app("sqlite:///" + str(tmp_path / "x.db"))
    with other.app_context():
        lock = scheduler_lock(other)
        assert isinstance(lock, FileLock) and lock.path == str(tmp_path / "x.db.scheduler.lock")
        db.engine.dispose()


@pytest.mark.postgres
def test_the_advisory_lock_admits_one_holder(app, idle_db):
    """The PostgreSQL lock: a second session cannot take it while the first holds it."""
    if not PG_URL:
        pytest.skip("PostgreSQL only")
    url = db.engine.url.render_as_string(hide_password=False)
    if not url.startswith("postgresql"):
        pytest.skip("the test database is not PostgreSQL")
    first, second = AdvisoryLock(url), AdvisoryLock(url)
    first.acquire()
    try:
        assert isinstance(scheduler_lock(app), AdvisoryLock)
        with pytest.raises(AlreadyRunning, match="advisory lock"):
            second.acquire()
        assert first.alive()
    finally:
        first.release()
    second.acquire()
    second.release()
    held = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())")
    assert db.session.scalar(held) == 0


def test_the_web_app_never_loads_the_scheduler():
    """Creating the app (as gunicorn workers do) imports no APScheduler, so no scheduler can start there."""
    code = ("import sys; from liaison import create_app; create_app(); "
            "print('apscheduler' in sys.modules)")
    env = dict(os.environ, LIAISON_ENV="testing", LIAISON_DATABASE_URL="sqlite://")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "False", result.stderr


@pytest.fixture()
def own_signal_handlers():
    """run_scheduler installs SIGTERM/SIGINT handlers in this process; put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def unhandled(signum, _frame):
        raise AssertionError(f"signal {signum} reached no handler of the scheduler's")

    # Without this, a signal sent before run_scheduler installs its handler would end pytest itself.
    signal.signal(signal.SIGTERM, unhandled)
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_in_process(app, monkeypatch, tmp_path):
    """run_scheduler in this process with a lock of its own; returns (exit code, lines it printed)."""
    from liaison.jobs import scheduler as scheduler_module

    monkeypatch.setattr(scheduler_module, "scheduler_lock", lambda _app: FileLock(str(tmp_path / "lock")))
    printed = []
    code = scheduler_module.run_scheduler(app, echo=printed.append)
    return code, printed


def test_a_stop_signal_while_the_jobs_are_being_added_stops_cleanly(app, idle_db, monkeypatch, tmp_path,
                                                                     own_signal_handlers):
    """SIGTERM arriving inside start(), before the scheduler counts as running (seen in CI when a
    supervisor stopped a scheduler just started): it stops with exit 0, no traceback."""
    from apscheduler.triggers.base import BaseTrigger

    from liaison.jobs import scheduler as scheduler_module

    class SignalOnFirstUse(BaseTrigger):
        """The job's own cron trigger, sending this process SIGTERM the first time start() asks it."""
        sent = False

        def __init__(self, cron):
            self.cron = cron

        def get_next_fire_time(self, previous, now):
            if not SignalOnFirstUse.sent:
                SignalOnFirstUse.sent = True
                os.kill(os.getpid(), signal.SIGTERM)
            return self.cron.get_next_fire_time(previous, now)

    real = scheduler_module.cron_trigger

    def signalling_trigger(job, config):
        return SignalOnFirstUse(real(job, config))

    monkeypatch.setattr(scheduler_module, "catch_up", lambda: [])
    monkeypatch.setattr(scheduler_module, "cron_trigger", signalling_trigger)
    code, printed = run_in_process(app, monkeypatch, tmp_path)
    assert SignalOnFirstUse.sent
    assert code == 0 and printed[-1] == "scheduler stopped", printed


def test_a_stop_signal_during_catch_up_ends_before_the_scheduler_starts(app, idle_db, monkeypatch, tmp_path,
                                                                        own_signal_handlers):
    """SIGTERM while the missed periods are caught up: the catch-up finishes its work, then the
    process ends with exit 0 instead of starting the cron schedule."""
    from liaison.jobs import scheduler as scheduler_module

    def catch_up_then_signal():
        os.kill(os.getpid(), signal.SIGTERM)
        return []

    monkeypatch.setattr(scheduler_module, "catch_up", catch_up_then_signal)
    code, printed = run_in_process(app, monkeypatch, tmp_path)
    assert code == 0 and printed == ["scheduler stopped"], printed
