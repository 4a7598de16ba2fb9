"""``liaison scheduler`` (the one scheduler process) and ``liaison jobs`` (list, run one by hand).

APScheduler is imported inside the commands only, so loading the CLI (and the web app) never does.
"""
import sys

import click
from flask import current_app

from liaison.clock import local_today, to_local
from liaison.jobs import queries
from liaison.jobs.models import Outcome, RunSource
from liaison.jobs.operations import PeriodNotReady, retry_job, run_job
from liaison.jobs.registry import load_jobs, load_tasks


@click.command("scheduler")
def scheduler_command():
    """Run the scheduled jobs (reminders, ...) in this process until stopped.

    Exactly one scheduler may run per database: a second one exits with status 1. At start it
    runs the periods missed while no scheduler was running. Never run it inside web workers.
    """
    from liaison.jobs.scheduler import AlreadyRunning, run_scheduler

    app = current_app._get_current_object()
    try:
        code = run_scheduler(app, echo=click.echo)
    except AlreadyRunning as error:
        click.echo(f"Another scheduler is already running ({error}); this one exits. "
                   "已有一个调度进程在运行，本进程退出。", err=True)
        sys.exit(1)
    sys.exit(code)


@click.group("jobs")
def jobs_cli():
    """Scheduled jobs (定时任务): list them and their last runs, or run one by hand."""


@jobs_cli.command("list")
def list_jobs():
    """Show every registered job, its schedule and its last run."""
    from liaison.jobs.scheduler import cron_trigger

    stale_before = queries.stale_cutoff()
    for job in load_jobs().values():
        last = queries.latest_runs(job.id, limit=1)
        trigger = cron_trigger(job, current_app.config)
        line = f"{job.id:32} {job.cadence.name:8} {trigger}"
        if last:
            run = last[0]
            state = "abandoned" if run.abandoned(stale_before) else run.outcome.value
            line += f"  last: {run.period} {state} {to_local(run.started_at):%Y-%m-%d %H:%M}"
        click.echo(line)
    for task in load_tasks().values():
        click.echo(f"{task.id:32} {'task':8} every {task.seconds(current_app.config)} s (no run records)")


@jobs_cli.command("run")
@click.argument("job_id")
@click.option("--period", "period_key", help="The period to run for (2026-03, 2026-Q1 or 2026-03-27, "
                                             "as the job uses); default: the current one.")
@click.option("--retry", is_flag=True, help="Run again if the recorded run for that period failed, or was "
                                           "abandoned (still running after LIAISON_JOB_STALE_MINUTES).")
def run_one(job_id, period_key, retry):
    """Run one job by hand, still at most once per period (a task such as deliver_messages runs once)."""
    jobs = load_jobs()
    job = jobs.get(job_id)
    if job is None and job_id in load_tasks():
        click.echo(f"{job_id}: {load_tasks()[job_id].func() or 'nothing to do'}")
        return
    if job is None:
        raise click.BadParameter(f"unknown job; registered: {', '.join([*jobs, *load_tasks()])}",
                                 param_hint="JOB_ID")
    today = local_today()
    try:
        period = job.cadence.parse(period_key) if period_key else job.cadence.period_of(today)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    # Claiming a period that has not begun (or, for a job reporting on ended periods, not ended) would
    # stop its scheduled run from ever happening (rule R22).
    try:
        run = (retry_job if retry else run_job)(job, period, RunSource.manual)
    except PeriodNotReady as refusal:
        click.echo(f"{job.id}: {refusal.message}", err=True)
        sys.exit(2)
    if run is None:
        click.echo(_nothing_done(job, period, retry))
        return
    click.echo(f"{job.id} {period.key}: {run.outcome.value} {run.detail}")
    if run.outcome is Outcome.failure:
        sys.exit(1)


def _nothing_done(job, period, retry):
    """Why ``jobs run`` did nothing for a period that already has a run, and what would."""
    existing = queries.find_run(job.id, period.key)
    if existing is None:
        return f"{job.id} already ran for {period.key} (unknown); nothing done."
    if existing.abandoned(queries.stale_cutoff()):
        return (f"{job.id} already ran for {period.key} (abandoned); nothing done."
                + ("" if retry else " Use --retry to take it over."))
    if existing.outcome is Outcome.running:
        minutes = current_app.config["LIAISON_JOB_STALE_MINUTES"]
        started = to_local(existing.started_at)
        return (f"{job.id} is still running for {period.key} (started {started:%Y-%m-%d %H:%M}); nothing done. "
                f"A run not finished {minutes} minutes after its start counts as abandoned; --retry then "
                "takes it over.")
    return (f"{job.id} already ran for {period.key} ({existing.outcome.value}); nothing done."
            + ("" if retry or existing.outcome is not Outcome.failure else " Use --retry to run it again."))
