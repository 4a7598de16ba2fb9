"""The job registry: plain functions with a stable id, a cron schedule in local time and a period.

A job is registered where its domain lives, with the ``job`` decorator::

    @job("rota_no_shows", title=_l("排班缺席登记"), cadence=DAILY,
         cron=lambda config: {"hour": 1, "minute": 0})
    def record_no_shows(period):
        ...
        return "3 no-shows"

and its module is listed in ``JOB_MODULES``. The function receives the ``Period`` it runs for and
returns a short detail for the runs page. It must be safe to run twice for the same period (the
runner records one run per period, but a run that failed half-way may be retried by hand).

A *task* is work that runs every few seconds on whatever is waiting (the delivery of queued
messages), registered with ``task``: it has no period and keeps no run records (a row every 30
seconds would bury the runs page); it must find its work in the database each time, so a run that
finds nothing, or runs twice, does nothing.
"""
import importlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable

from liaison.clock import Month, Quarter

#: Modules that register jobs; a new domain with jobs adds its module here.
JOB_MODULES = (
    "liaison.notifications.jobs",
    "stations.jobs",
    "liaison.rota.jobs",
    "liaison.dashboard.jobs",
    "liaison.opinions.jobs",
)

JOBS = {}
TASKS = {}


@dataclass(frozen=True)
class Period:
    """A local calendar period a run is for; ``key`` is the run's text key (2026-03, 2026-Q1), not the
    stored integer key of ``Month`` and ``Quarter`` (liaison/clock.py), which give the bounds."""

    key: str
    first_day: date
    last_day: date

    def __contains__(self, day):
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Cadence:
    """How a job's runs are keyed: one run per day, month or quarter."""

    name: str
    #: At least the length of one period, to look back far enough when catching up.
    span: timedelta
    key_of: Callable[[date], str] = field(repr=False)
    parse: Callable[[str], Period] = field(repr=False)

    def period_of(self, day):
        """The period containing a local date."""
        return self.parse(self.key_of(day))


def _parse_day(key):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
        raise ValueError(f"not a day period (YYYY-MM-DD): {key!r}")
    day = date.fromisoformat(key)
    return Period(key, day, day)


def _parse_month(key):
    match = re.fullmatch(r"(\d{4})-(\d{2})", key)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"not a month period (YYYY-MM): {key!r}")
    month = Month(int(match[1]), int(match[2]))
    return Period(key, month.first, month.last)


def _parse_quarter(key):
    match = re.fullmatch(r"(\d{4})-Q([1-4])", key)
    if not match:
        raise ValueError(f"not a quarter period (YYYY-Qn): {key!r}")
    quarter = Quarter(int(match[1]), int(match[2]))
    return Period(key, quarter.first, quarter.last)


DAILY = Cadence("day", timedelta(days=1), lambda d: d.isoformat(), _parse_day)
MONTHLY = Cadence("month", timedelta(days=31), lambda d: f"{d.year}-{d.month:02d}", _parse_month)
QUARTERLY = Cadence("quarter", timedelta(days=92), lambda d: f"{d.year}-Q{Quarter.of(d).quarter}",
                    _parse_quarter)


@dataclass(frozen=True)
class Job:
    """A registered job."""

    id: str
    title: object
    func: Callable[[Period], str | None] = field(repr=False)
    cadence: Cadence
    #: Maps the app config to APScheduler cron fields (day, month, hour, minute...) in local time.
    cron: Callable[[dict], dict] = field(repr=False)
    #: How many of the latest periods whose time has come are run when their run is missing.
    catch_up: int = 2
    #: The job reports on its period as a whole (the monthly bulletin), so it runs only once the period
    #: has ended: a run for a period in progress is refused and never claims it (rule R22).
    ended_periods_only: bool = False

    def refusal(self, period, today):
        """Why the job may not run for ``period`` on local date ``today`` (words for the CLI and the
        log), or None when it may: a period that has not begun, or, for a job that reports on ended
        periods, one that has not ended (rule R22)."""
        if period.first_day > today:
            return f"{period.key} has not started yet; nothing done. 该期间尚未开始，未运行。"
        if self.ended_periods_only and period.last_day >= today:
            return (f"{period.key} has not ended yet (it ends on {period.last_day.isoformat()}); {self.id} "
                    f"reports on ended periods only, so nothing was run or recorded and the scheduled run "
                    f"after {period.last_day.isoformat()} is untouched. "
                    f"该期间到 {period.last_day.isoformat()} 才结束，只能在结束后运行；本次未运行、未占用该期间。")
        return None

    def cron_fields(self, config):
        """The cron fields for this app (second defaults to 0, minute to 0)."""
        fields = {"second": 0, "minute": 0}
        fields.update(self.cron(config))
        return fields


def job(job_id, *, title, cadence, cron, catch_up=2, ended_periods_only=False):
    """Register the decorated function as a job with a stable id (ids are stored in ``job_runs``)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", job_id):
        raise ValueError(f"job ids are lower-case identifiers: {job_id!r}")

    def register(func):
        existing = JOBS.get(job_id)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"job id {job_id!r} is registered twice")
        JOBS[job_id] = Job(job_id, title, func, cadence, cron, catch_up, ended_periods_only)
        return func

    return register


@dataclass(frozen=True)
class Task:
    """A registered task: runs on an interval, with no period and no run records."""

    id: str
    title: object
    func: Callable[[], str | None] = field(repr=False)
    #: Maps the app config to the interval in seconds.
    seconds: Callable[[dict], int] = field(repr=False)


def task(task_id, *, title, seconds):
    """Register the decorated function (no arguments) as a task run every ``seconds(config)`` seconds."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", task_id):
        raise ValueError(f"task ids are lower-case identifiers: {task_id!r}")

    def register(func):
        existing = TASKS.get(task_id)
        if (existing is not None and existing.func.__qualname__ != func.__qualname__) or task_id in JOBS:
            raise ValueError(f"task id {task_id!r} is registered twice")
        TASKS[task_id] = Task(task_id, title, func, seconds)
        return func

    return register


def load_tasks():
    """Import every module that registers jobs and tasks; returns the tasks by id."""
    load_jobs()
    return TASKS


def load_jobs():
    """Import every module that registers jobs; returns the registry by id, in registration order."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS


def get_job(job_id):
    """The registered job with that id, or None."""
    return load_jobs().get(job_id)


def parse_days(value, name):
    """Check a list of days of the month for a cron field: "25", "25,28" or "last"."""
    parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if not parts:
        raise ValueError(f"{name} is empty")
    for part in parts:
        if part != "last" and not (part.isdigit() and 1 <= int(part) <= 31):
            raise ValueError(f"{name}: {part!r} is not a day of the month (1-31 or 'last')")
    return ",".join(parts)
