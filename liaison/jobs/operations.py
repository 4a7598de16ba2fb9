"""Running a job for a period exactly once: claim the (job, period) row, run, record the outcome.

Unlike request handlers, the runner commits itself, step by step: the claim must be visible to
every other process before the job starts, and the outcome must survive the job's own rollback.
"""
import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from liaison.clock import utcnow
from liaison.extensions import db
from liaison.jobs.models import JobRun, Outcome

log = logging.getLogger(__name__)

DETAIL_MAX = 500


def claim_run(job_id, period_key, source):
    """Insert the running row for (job, period) and commit; None when that period was claimed already."""
    run = JobRun(job_id=job_id, period=period_key, source=source, started_at=utcnow(),
                 outcome=Outcome.running)
    try:
        # A savepoint, so losing the race undoes only the claim.
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        log.info("job already claimed: job=%s period=%s", job_id, period_key)
        return None
    db.session.commit()
    return run


def reclaim_failed_run(job_id, period_key, source):
    """Mark a failed run for (job, period) as running again and commit; None unless it had failed."""
    result = db.session.execute(
        sa.update(JobRun)
        .where(JobRun.job_id == job_id, JobRun.period == period_key, JobRun.outcome == Outcome.failure)
        .values(outcome=Outcome.running, source=source, started_at=utcnow(), finished_at=None, detail=""))
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.scalar(sa.select(JobRun).where(JobRun.job_id == job_id, JobRun.period == period_key))


def execute_claimed(job, period, run):
    """Run a claimed job and record its outcome; an exception is recorded as a failure, not raised."""
    run_id = run.id
    try:
        detail = job.func(period)
        db.session.flush()
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the run and logged
        db.session.rollback()
        log.exception("job failed: job=%s period=%s", job.id, period.key)
        run = db.session.get(JobRun, run_id)
        run.outcome = Outcome.failure
        run.detail = f"{type(error).__name__}: {error}"[:DETAIL_MAX]
    else:
        run = db.session.get(JobRun, run_id)
        run.outcome = Outcome.success
        run.detail = str(detail or "")[:DETAIL_MAX]
    run.finished_at = utcnow()
    db.session.commit()
    log.info("job finished: job=%s period=%s outcome=%s", job.id, period.key, run.outcome.value)
    return run


def run_job(job, period, source):
    """Run ``job`` for ``period`` once: the run, or None when that period already has one."""
    run = claim_run(job.id, period.key, source)
    if run is None:
        return None
    log.info("job started: job=%s period=%s source=%s", job.id, period.key, source.value)
    return execute_claimed(job, period, run)


def retry_job(job, period, source):
    """Run ``job`` for ``period`` again only if its recorded run failed; None otherwise."""
    run = reclaim_failed_run(job.id, period.key, source)
    if run is None:
        return None
    log.info("job retried: job=%s period=%s", job.id, period.key)
    return execute_claimed(job, period, run)
