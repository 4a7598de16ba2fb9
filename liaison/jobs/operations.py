"""Running a job for a period exactly once: claim the (job, period) row, run, record the outcome.

Unlike request handlers, the runner commits itself, step by step: the claim must be visible to
every other process before the job starts, and the outcome must survive the job's own rollback.
"""
import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from liaison.audit.operations import record_event
from datetime import datetime, time, timedelta

from liaison.clock import local_today, local_zone, to_local, utcnow
from liaison.extensions import db
from liaison.jobs.models import JobRun, Outcome
from liaison.jobs.queries import find_run, stale_cutoff

log = logging.getLogger(__name__)

DETAIL_MAX = 500


class PeriodNotReady(Exception):
    """A job asked to run for a period it may not run for yet (rule R22); nothing was claimed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def refuse_unready(job, period, today=None):
    """Raise ``PeriodNotReady`` when ``job`` may not run for ``period`` today (rule R22)."""
    why = job.refusal(period, today or local_today())
    if why is not None:
        log.info("job refused: job=%s period=%s", job.id, period.key)
        raise PeriodNotReady(why)


def period_end_instant(last_day):
    """The instant a period ending on local date ``last_day`` ended: local midnight after it."""
    return datetime.combine(last_day + timedelta(days=1), time(), local_zone())


def reclaim_premature_run(job, period, source):
    """Run again, from now, a finished run of a job that reports on ended periods when it was made
    before the period ended (by hand, before this rule): it did not see the whole period and must not
    stand for it (rule R22). Commits, with an audit event; None unless it was premature."""
    if not job.ended_periods_only:
        return None
    previous = find_run(job.id, period.key)
    if previous is None or previous.outcome is Outcome.running:
        return None
    started = previous.started_at
    if not _restart_run(job.id, period.key, source, JobRun.outcome != Outcome.running,
                        JobRun.started_at < period_end_instant(period.last_day)):
        db.session.commit()
        return None
    run = find_run(job.id, period.key)
    record_event("job.premature_rerun", target=run,
                 detail=f"{job.id} {period.key}: the run of {to_local(started):%Y-%m-%d %H:%M} came before the "
                        f"period ended; run again")
    db.session.commit()
    log.warning("premature job run replaced: job=%s period=%s", job.id, period.key)
    return run


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


def run_job(job, period, source, today=None):
    """Run ``job`` for ``period`` once: the run, or None when that period already has one.

    Raises ``PeriodNotReady`` (claiming nothing) for a period the job may not run for yet (rule R22).
    """
    refuse_unready(job, period, today)
    run = claim_run(job.id, period.key, source) or reclaim_premature_run(job, period, source)
    if run is None:
        return None
    log.info("job started: job=%s period=%s source=%s", job.id, period.key, source.value)
    return execute_claimed(job, period, run)


def retry_job(job, period, source):
    """Run ``job`` for ``period`` again if its recorded run failed or was abandoned; None otherwise."""
    refuse_unready(job, period)
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
