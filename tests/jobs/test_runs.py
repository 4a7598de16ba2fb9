"""The job runner and the catch-up: one run per job and period, failures recorded, missed periods
run once when the scheduler comes back; times are frozen with freezegun."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.extensions import db
from liaison.jobs.models import JobRun, Outcome, RunSource
from liaison.jobs.operations import retry_job, run_job
from liaison.jobs.registry import DAILY, MONTHLY, QUARTERLY, Job, get_job, load_jobs, parse_days
from liaison.jobs.scheduler import catch_up, due_periods


def runs():
    """(job, period, source) of every recorded run, in order."""
    return [(r.job_id, r.period, r.source) for r in db.session.scalars(sa.select(JobRun).order_by(JobRun.id))]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_periods_are_local_calendar_periods():
    """Keys and bounds of days, months and quarters, and bad keys refused."""
    assert MONTHLY.period_of(date(2026, 3, 31)).key == "2026-03"
    assert QUARTERLY.period_of(date(2026, 3, 31)).key == "2026-Q1"
    assert DAILY.period_of(date(2026, 3, 27)).key == "2026-03-27"
    q4 = QUARTERLY.parse("2026-Q4")
    assert (q4.first_day, q4.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    feb = MONTHLY.parse("2028-02")
    assert feb.last_day == date(2028, 2, 29) and date(2028, 2, 29) in feb
    bad_keys = ((MONTHLY, "2026-13"), (MONTHLY, "2026-3"), (QUARTERLY, "2026-Q5"), (DAILY, "2026-02-30"))
    for cadence, bad in bad_keys:
        with pytest.raises(ValueError):
            cadence.parse(bad)
    assert parse_days(" 25, 28 ", "X") == "25,28" and parse_days("last", "X") == "last"
    with pytest.raises(ValueError):
        parse_days("32", "X")


def test_the_registry_holds_the_reminders():
    """The three jobs of this issue are registered with stable ids."""
    ids = {"month_end_station_reminder", "quarter_end_home_reminder", "publish_deadline_reminder"}
    assert ids <= set(load_jobs())


def test_due_periods_follow_the_cron_schedule_in_local_time(app):
    """The month-end reminder is due from 09:00 Shanghai time on the 25th, not before."""
    job = get_job("month_end_station_reminder")
    with app.app_context():
        assert due_periods(job, utc(2026, 3, 25, 0, 59)) == ["2026-02"]
        assert due_periods(job, utc(2026, 3, 25, 1, 0)) == ["2026-03"]
        assert due_periods(get_job("quarter_end_home_reminder"), utc(2026, 4, 2, 2, 0)) == ["2026-Q1"]
        assert due_periods(get_job("publish_deadline_reminder"), utc(2026, 4, 2, 2, 0)) == ["2026-04-01",
                                                                                            "2026-04-02"]


def test_a_scheduler_down_across_the_quarter_end_catches_up_once(app, db, monkeypatch):
    """Stopped on 28 March and restarted on 2 April: the Q1 quarter-end job runs once; a second
    restart runs nothing more.

    The quarter-end reminder is set to the 30th here so that its time falls while the scheduler
    is down (the default, the 25th, would have run before it stopped).
    """
    monkeypatch.setitem(app.config, "LIAISON_QUARTER_END_REMINDER_DAYS", "30")
    with freeze_time("2026-03-27 02:00:00"):  # the scheduler is up on 27 March ...
        catch_up()
    before = runs()
    assert ("quarter_end_home_reminder", "2026-Q1", RunSource.catch_up) not in before
    assert ("month_end_station_reminder", "2026-03", RunSource.catch_up) in before
    with freeze_time("2026-03-28 02:00:00"):  # ... and on 28 March, when it stops
        catch_up()
    with freeze_time("2026-04-02 02:00:00"):  # back on 2 April (10:00 in Shanghai)
        made = catch_up()
    assert [(r.job_id, r.period) for r in made if r.job_id == "quarter_end_home_reminder"] == [
        ("quarter_end_home_reminder", "2026-Q1")]
    assert ("month_end_station_reminder", "2026-03") not in [(r.job_id, r.period) for r in made]
    with freeze_time("2026-04-02 03:00:00"):  # restarted once more the same morning
        assert catch_up() == []
    quarter_runs = [r for r in runs() if r[0] == "quarter_end_home_reminder"]
    assert quarter_runs == [("quarter_end_home_reminder", "2026-Q1", RunSource.catch_up)]


def test_a_first_start_does_not_send_reminders_for_past_periods(app, db):
    """A new installation started on 2 April does not remind anyone about March or Q1."""
    with freeze_time("2026-04-02 02:00:00"):
        made = catch_up()
    # Only today's daily jobs run; nothing for March or Q1.
    assert sorted((r.job_id, r.period) for r in made) == [
        ("opinion_overdue_reminder", "2026-04-02"), ("opinion_overdue_text", "2026-04-02"),
        ("opinion_phone_retention", "2026-04-02"), ("publish_deadline_reminder", "2026-04-02"),
        ("rota_no_shows", "2026-04-02")]


def test_a_failing_job_is_recorded_and_can_be_retried(db):
    """An exception becomes a failed run with its message; its work is rolled back; --retry runs it again."""
    calls = []

    def flaky(period):
        calls.append(period.key)
        if len(calls) == 1:
            raise RuntimeError("SMTP down")
        return "done"

    job = Job("test_flaky", "测试", flaky, MONTHLY, lambda config: {"day": "1"})
    period = MONTHLY.parse("2026-03")
    run = run_job(job, period, RunSource.manual)
    assert (run.outcome, run.detail) == (Outcome.failure, "RuntimeError: SMTP down")
    assert run.finished_at is not None
    assert run_job(job, period, RunSource.manual) is None, "a failed period is not run again by itself"
    retried = retry_job(job, period, RunSource.manual)
    assert (retried.outcome, retried.detail) == (Outcome.success, "done")
    assert retry_job(job, period, RunSource.manual) is None, "only a failed run can be retried"
    assert calls == ["2026-03", "2026-03"]


def test_the_claim_keeps_the_callers_pending_work(db):
    """Losing the claim undoes only the claim, not what the caller had added to the session."""
    from tests import factories

    job = Job("test_noop", "测试", lambda period: "", DAILY, lambda config: {"hour": 1})
    period = DAILY.parse("2026-03-27")
    run_job(job, period, RunSource.manual)
    township = factories.make_township(name="未提交镇")
    assert run_job(job, period, RunSource.manual) is None
    assert township in db.session and township.id is not None


def test_a_cron_tick_runs_its_period_on_time_then_catches_up(app, db):
    """At 09:00 on the 25th the month-end tick records March as run on time (按时)."""
    from liaison.jobs.scheduler import tick

    db.session.commit()
    with freeze_time("2026-03-25 01:00:00"):
        tick(app, "month_end_station_reminder")
    db.session.expire_all()
    assert ("month_end_station_reminder", "2026-03", RunSource.scheduled) in runs()


def test_the_scheduler_holds_every_job_with_its_local_cron_trigger(app):
    """The process schedules each registered job in Shanghai time, never two at once."""
    from liaison.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(load_jobs()) <= set(jobs)
    trigger = jobs["quarter_end_home_reminder"].trigger
    assert str(trigger.timezone) == "Asia/Shanghai"
    assert {f.name: str(f) for f in trigger.fields}["month"] == "3,6,9,12"
    assert scheduler._job_defaults["max_instances"] == 1


def test_the_scheduler_delivers_messages_every_30_seconds_without_run_records(app, db):
    """Message delivery is an interval task of the scheduler process (never of a web worker); its
    runs leave no job-run rows, and a run with nothing queued does nothing."""
    from liaison.jobs.models import JobRun
    from liaison.jobs.scheduler import build_scheduler, run_task

    scheduler = build_scheduler(app)
    task = {job.id: job for job in scheduler.get_jobs()}["task:deliver_messages"]
    assert task.trigger.interval.total_seconds() == app.config["LIAISON_DELIVERY_INTERVAL_SECONDS"] == 30
    assert run_task(app, "deliver_messages") == ""
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 0
