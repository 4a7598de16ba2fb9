"""The one scheduler process: cron triggers in local time, catch-up of missed periods, and the lock
that keeps a second scheduler from starting.

Only ``liaison scheduler`` starts a scheduler; the web app never does (a scheduler inside gunicorn
workers runs every job once per worker). APScheduler is imported here and nowhere else, and this
module is imported only by the command, so web workers never load it.

Catch-up: at start-up and after every tick, each job's latest periods whose scheduled time has
passed (at most ``job.catch_up`` of them) are run if they have no recorded run, provided that time
came after scheduling began (or the period is still in progress). A scheduler that was down across
a month or quarter end therefore runs the missed period once when it comes back; the (job, period)
key makes every later restart a no-op. A due period whose run was abandoned (still "running" past
``LIAISON_JOB_STALE_MINUTES``: the process running it died) is taken over and run again, so a
standby scheduler heals a crash of the first one.
"""
import fcntl
import logging
import os
import signal
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from liaison.clock import local_today, local_zone, utcnow
from liaison.extensions import db
from liaison.jobs import queries
from liaison.jobs.models import RunSource
from liaison.jobs.operations import execute_claimed, reclaim_premature_run, resume_abandoned_job, run_job
from liaison.jobs.registry import load_jobs, load_tasks

log = logging.getLogger(__name__)

#: The advisory lock key the scheduler holds on PostgreSQL: "liaison" in ASCII, read as a bigint.
ADVISORY_LOCK_KEY = int.from_bytes(b"liaison", "big")
#: How often the lock connection is checked (seconds); a lost lock stops the scheduler.
LOCK_CHECK_SECONDS = 60
#: Fire times stay valid this long if the process was busy; longer gaps are left to catch-up.
MISFIRE_GRACE_SECONDS = 3600


# --- schedule and catch-up --------------------------------------------------------------------

def cron_trigger(job, config):
    """The job's APScheduler cron trigger in the configured local zone."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(timezone=ZoneInfo(config["LIAISON_TIMEZONE"]), **job.cron_fields(config))


def due_fire_times(job, now=None, config=None):
    """The job's latest periods whose scheduled time has passed (at most ``job.catch_up``), oldest
    first, as {period key: its latest fire time up to now}."""
    config = config or current_app.config
    now = (now or utcnow()).astimezone(local_zone())
    trigger = cron_trigger(job, config)
    fire = trigger.get_next_fire_time(None, now - job.cadence.span * (job.catch_up + 1))
    fires = {}
    while fire is not None and fire <= now:
        fires[job.cadence.key_of(fire.date())] = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    keys = list(fires)[-job.catch_up:] if job.catch_up else []
    return {key: fires[key] for key in keys}


def due_periods(job, now=None, config=None):
    """The keys of ``due_fire_times``: the periods a scheduler running now should have run."""
    return list(due_fire_times(job, now, config))


def catch_up(now=None, source=RunSource.catch_up):
    """Run every job's due periods that have no run yet, or whose run was abandoned; returns the
    runs made.

    Only periods whose time came after scheduling began (the first recorded run of any job) are
    made up for, plus the periods in progress: a new installation does not send reminders about
    months before it existed.
    """
    now = now or utcnow()
    today = now.astimezone(local_zone()).date()
    began = queries.first_run_started_at()
    stale_before = queries.stale_cutoff(now)
    runs = []
    for job in load_jobs().values():
        fires = due_fire_times(job, now)
        done = queries.periods_run(job.id, fires)
        abandoned = queries.abandoned_periods(job.id, done, stale_before)
        for key, fire in fires.items():
            period = job.cadence.parse(key)
            if job.refusal(period, today) is not None:
                continue  # rule R22: never claim a period the job may not run for yet
            if key in abandoned:
                run = resume_abandoned_job(job, period, source, stale_before)
            elif key in done:
                # A run made by hand before its period ended does not stand for it (rule R22).
                run = reclaim_premature_run(job, period, source)
                if run is not None:
                    run = execute_claimed(job, period, run)
            elif not (today in period or (began is not None and fire >= began)):
                continue
            else:
                run = run_job(job, period, source)
            if run is not None:
                runs.append(run)
    return runs


def tick(app, job_id):
    """What a cron fire does: run this job's current period on time, then catch up every job."""
    with app.app_context():
        job = load_jobs()[job_id]
        keys = due_periods(job)
        if keys and keys[-1] not in queries.periods_run(job.id, keys[-1:]):
            period = job.cadence.parse(keys[-1])
            if job.refusal(period, local_today()) is None:
                run_job(job, period, RunSource.scheduled)
        catch_up()


def run_task(app, task_id):
    """What an interval fire does: run the task once; an error is logged and the next fire tries again."""
    with app.app_context():
        task = load_tasks()[task_id]
        try:
            detail = task.func()
        except Exception:  # noqa: BLE001 - the scheduler keeps running; the next interval retries
            db.session.rollback()
            log.exception("task failed: task=%s", task_id)
            return None
        if detail:
            log.info("task done: task=%s %s", task_id, detail)
        return detail


# --- the single-scheduler lock ----------------------------------------------------------------

class AlreadyRunning(RuntimeError):
    """Another scheduler holds the lock."""


def try_advisory_lock(connection, key):
    """Take a session-level PostgreSQL advisory lock without waiting; the one PostgreSQL-only call."""
    return bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())


class AdvisoryLock:
    """The PostgreSQL lock, held on a dedicated connection for the life of the process."""

    def __init__(self, url, key=ADVISORY_LOCK_KEY):
        self.url = url
        self.key = key
        self.engine = None
        self.connection = None

    def describe(self):
        return f"PostgreSQL advisory lock {self.key}"

    def acquire(self):
        """Take the lock, or raise ``AlreadyRunning``."""
        # Its own engine without a pool: the connection is never shared or recycled while held.
        self.engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if not try_advisory_lock(self.connection, self.key):
            self.release()
            raise AlreadyRunning(self.describe())

    def alive(self):
        """Tell whether the lock connection still works (a lost connection means a lost lock)."""
        try:
            self.connection.exec_driver_sql("SELECT 1")
            return True
        except sa.exc.DBAPIError:
            return False

    def release(self):
        """Close the connection, which ends the session and frees the lock."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None


class FileLock:
    """An exclusive ``fcntl`` lock on a file next to the SQLite database; the OS frees it on exit."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def describe(self):
        return f"file lock {self.path}"

    def acquire(self):
        """Take the lock and write our pid into the file, or raise ``AlreadyRunning`` naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            held_by = f", held by pid {holder}" if holder else ""
            raise AlreadyRunning(self.describe() + held_by) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def alive(self):
        return self.fd is not None

    def release(self):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def scheduler_lock(app):
    """The lock that fits the app's database."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(url.render_as_string(hide_password=False))
    database = url.database if url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        return FileLock(os.path.abspath(database) + ".scheduler.lock")
    # Other databases: a lock in the instance folder guards this machine only.
    return FileLock(os.path.join(app.instance_path, "scheduler.lock"))


# --- the process ------------------------------------------------------------------------------

def build_scheduler(app, lock=None):
    """A blocking scheduler with every registered job; one worker thread, so runs never overlap."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone=ZoneInfo(app.config["LIAISON_TIMEZONE"]),
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    with app.app_context():
        for job in load_jobs().values():
            scheduler.add_job(tick, cron_trigger(job, app.config), args=(app, job.id), id=job.id,
                              name=str(job.title))
        # Tasks share the one worker thread with the jobs, so a job and a task never write at once
        # (SQLite has one writer); a task keeps its runs short so a cron job waits seconds at most.
        for task in load_tasks().values():
            scheduler.add_job(run_task, "interval", seconds=task.seconds(app.config), args=(app, task.id),
                              id=f"task:{task.id}", name=str(task.title))
    if lock is not None:
        scheduler.add_job(_check_lock, "interval", seconds=LOCK_CHECK_SECONDS, args=(scheduler, lock),
                          id="_lock_check", name="lock check")
    return scheduler


def _check_lock(scheduler, lock):
    """Stop the scheduler when its lock is gone (e.g. PostgreSQL restarted); a supervisor restarts it."""
    if not lock.alive():
        log.error("scheduler lock lost (%s); stopping", lock.describe())
        scheduler.lock_lost = True
        _shut_down(scheduler)


def _shut_down(scheduler):
    """Shut the scheduler down unless it is already stopped (the lock check may have stopped it a
    moment before a signal asked for the same)."""
    from apscheduler.schedulers import SchedulerNotRunningError

    try:
        scheduler.shutdown(wait=False)
    except SchedulerNotRunningError:
        pass


def run_scheduler(app, echo=print):
    """Hold the lock, catch up, then run the cron jobs until SIGTERM or Ctrl-C; returns the exit code.

    Raises ``AlreadyRunning`` when another scheduler holds the lock.
    """
    with app.app_context():
        lock = scheduler_lock(app)
    from apscheduler.events import EVENT_SCHEDULER_STARTED

    lock.acquire()
    stop_requested = threading.Event()
    scheduler = None

    def stop(signum, _frame):
        # A signal can come at any moment: during the catch-up, or while start() is still adding
        # the jobs (the scheduler is not running yet and shutdown() would raise). Remember it, and
        # stop at the first point where stopping is possible.
        log.info("scheduler stopping on signal %s", signum)
        stop_requested.set()
        if scheduler is not None:
            _shut_down(scheduler)

    def stop_if_asked(_event):
        if stop_requested.is_set():
            _shut_down(scheduler)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        with app.app_context():
            runs = catch_up()
        if stop_requested.is_set():
            echo("scheduler stopped")
            return 0
        scheduler = build_scheduler(app, lock)
        scheduler.lock_lost = False
        scheduler.add_listener(stop_if_asked, EVENT_SCHEDULER_STARTED)
        echo(f"scheduler started: {len(load_jobs())} jobs, {len(load_tasks())} tasks, {len(runs)} caught up, "
             f"holding {lock.describe()}")
        scheduler.start()
        echo("scheduler stopped")
        return 3 if scheduler.lock_lost else 0
    finally:
        lock.release()
