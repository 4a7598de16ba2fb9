"""Reads on job runs: which periods ran, and the latest runs of each job for the page."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from liaison.clock import utcnow
from liaison.extensions import db
from liaison.jobs.models import JobRun, Outcome


def periods_run(job_id, period_keys):
    """Those of ``period_keys`` that already have a run of the job (whatever its outcome)."""
    if not period_keys:
        return set()
    return set(db.session.scalars(
        sa.select(JobRun.period).where(JobRun.job_id == job_id, JobRun.period.in_(list(period_keys)))))


def stale_cutoff(now=None):
    """Runs still marked running that started before this instant count as abandoned."""
    return (now or utcnow()) - timedelta(minutes=current_app.config["LIAISON_JOB_STALE_MINUTES"])


def abandoned_periods(job_id, period_keys, stale_before):
    """Those of ``period_keys`` whose run is still marked running but started before ``stale_before``."""
    if not period_keys:
        return set()
    return set(db.session.scalars(
        sa.select(JobRun.period).where(JobRun.job_id == job_id, JobRun.period.in_(list(period_keys)),
                                       JobRun.outcome == Outcome.running, JobRun.started_at < stale_before)))


def find_run(job_id, period_key):
    """The run of a job for one period, or None."""
    return db.session.scalar(sa.select(JobRun).where(JobRun.job_id == job_id, JobRun.period == period_key))


def latest_runs(job_id, limit=5):
    """A job's most recent runs, newest first."""
    return db.session.scalars(
        sa.select(JobRun).where(JobRun.job_id == job_id)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)).all()


def first_run_started_at():
    """When the first run of any job started (scheduling began), or None before any run."""
    return db.session.scalar(sa.select(sa.func.min(JobRun.started_at)))
