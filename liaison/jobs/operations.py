"""Running a job for a period exactly once: claim the (job, period) row, run, record the outcome.

Unlike request handlers, the runner commits itself, step by step: the claim must be visible to
every other process before the job starts, and the outcome must survive the job's own rollback.
"""
import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from liaison.audit.operations import record_event
from liaison.clock import to_local, utcnow
from liaison.extensions import db
from liaison.jobs.models import JobRun, Outcome
from liaison.jobs.queries import find_run, stale_cutoff

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


def _restart_run(job_id, period_key, source, *conditions):
    """Set the (job, period) run running again from now if it matches ``conditions``, in one UPDATE;
    True when it did. Not committed: the caller commits with whatever records the restart."""
    result = db.session.execute(
        sa.update(JobRun)
        .where(JobRun.job_id == job_id, JobRun.period == period_key, *conditions)
        .values(outcome=Outcome.running, source=source, started_at=utcnow(), finished_at=None, detail="",
                attempts=JobRun.attempts + 1))
    return result.rowcount == 1


def reclaim_failed_run(job_id, period_key, source):
    """Mark a failed run for (job, period) as running again and commit; None unless it had failed."""
    restarted = _restart_run(job_id, period_key, source, JobRun.outcome == Outcome.failure)
    db.session.commit()
    return find_run(job_id, period_key) if restarted else None


def take_over_abandoned_run(job_id, period_key, source, stale_before=None):
    """Restart a run left "running" since before the stale cutoff (its process died) and commit,
    with an audit event; None unless it was abandoned.

    The single conditional UPDATE is the takeover: of two processes trying at once, the second
    finds the start just reset (the run is fresh again) and changes no row. A run still running
    within the limit is never matched, so no period runs twice at the same time.
    """
    stale_before = stale_before or stale_cutoff()
    previous = db.session.scalar(sa.select(JobRun.started_at).where(
        JobRun.job_id == job_id, JobRun.period == period_key))
    if not _restart_run(job_id, period_key, source, JobRun.outcome == Outcome.running,
                        JobRun.started_at < stale_before):
        db.session.commit()
        return None
    run = find_run(job_id, period_key)
    started = f"{to_local(previous):%Y-%m-%d %H:%M}" if previous else "?"
    record_event("job.taken_over", target=run,
                 detail=f"{job_id} {period_key}: run started {started} never finished; attempt {run.attempts}")
    db.session.commit()
    log.warning("abandoned job run taken over: job=%s period=%s started=%s attempt=%s source=%s",
                job_id, period_key, started, run.attempts, source.value)
    return run


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
    """Run ``job`` for ``period`` again if its recorded run failed or was abandoned; None otherwise."""
    run = reclaim_failed_run(job.id, period.key, source) or take_over_abandoned_run(job.id, period.key, source)
    if run is None:
        return None
    log.info("job retried: job=%s period=%s attempt=%s", job.id, period.key, run.attempts)
    return execute_claimed(job, period, run)


def resume_abandoned_job(job, period, source, stale_before=None):
    """Take over ``job``'s abandoned run for ``period`` and run it; None unless it was abandoned."""
    run = take_over_abandoned_run(job.id, period.key, source, stale_before)
    if run is None:
        return None
    return execute_claimed(job, period, run)
