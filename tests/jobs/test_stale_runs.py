"""Runs abandoned by a dead process (still "running" past LIAISON_JOB_STALE_MINUTES after their start):
catch-up and --retry take them over once, a run still within the limit is never touched, two
takers racing leave one winner, and /jobs says 已中断."""
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent
from liaison.clock import local_today, utcnow
from liaison.config import ConfigError, load_config
from liaison.jobs.models import JobRun, Outcome, RunSource
from liaison.jobs.operations import retry_job, run_job, take_over_abandoned_run
from liaison.jobs.registry import MONTHLY, Job, get_job
from liaison.jobs.scheduler import catch_up
from liaison.notifications.models import Message
from tests.notifications.helpers import Network

LIAISON = os.path.join(os.path.dirname(sys.executable), "liaison")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MONTH_END = "month_end_station_reminder"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def left_running(db, job_id, period_key, started_at):
    """The row a process leaves behind when it dies mid-run: claimed, never finished."""
    run = JobRun(job_id=job_id, period=period_key, source=RunSource.scheduled, started_at=started_at,
                 outcome=Outcome.running)
    db.session.add(run)
    db.session.commit()
    return run


def the_run(db, job_id, period_key):
    db.session.expire_all()
    return db.session.scalar(sa.select(JobRun).where(JobRun.job_id == job_id, JobRun.period == period_key))


def reminders_to(db, user_id):
    """Month-end reminders the user received."""
    return db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.user_id == user_id, Message.kind == "month_end_station"))


def takeover_events(db):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "job.taken_over")).all()


def test_catch_up_takes_over_an_abandoned_run_once(app, db):
    """A scheduler died on 25 March at 09:00 while sending the month-end reminders; the standby that
    starts the next morning runs March again, once, and says so; a later restart does nothing more."""
    deputy_user = Network().deputy("中断提醒").account.id
    left_running(db, MONTH_END, "2026-03", utc(2026, 3, 25, 1, 0))
    with freeze_time("2026-03-26 02:00:00"):
        made = catch_up()
        again = catch_up()
    taken = [r for r in made if r.job_id == MONTH_END]
    assert [(r.period, r.source, r.outcome, r.attempts) for r in taken] == [
        ("2026-03", RunSource.catch_up, Outcome.success, 2)]
    assert [r for r in again if r.job_id == MONTH_END] == []
    run = the_run(db, MONTH_END, "2026-03")
    assert run.started_at == utc(2026, 3, 26, 2, 0) and run.finished_at == utc(2026, 3, 26, 2, 0)
    assert reminders_to(db, deputy_user) == 1
    [event] = takeover_events(db)
    assert event.target_type == "job_runs" and event.target_id == str(run.id)
    assert "2026-03" in event.detail and "2026-03-25 09:00" in event.detail and "attempt 2" in event.detail


def test_a_run_within_the_limit_is_left_alone(app, db, monkeypatch):
    """A run started 119 minutes ago may still be working: neither catch-up nor --retry touches it,
    and by hand the command says it is still running; at 121 minutes it is taken over."""
    deputy_user = Network().deputy("仍在运行").account.id
    left_running(db, MONTH_END, "2026-03", utc(2026, 3, 26, 0, 1))
    runner = app.test_cli_runner()
    with freeze_time("2026-03-26 02:00:00"):
        assert [r for r in catch_up() if r.job_id == MONTH_END] == []
        assert retry_job(get_job(MONTH_END), MONTHLY.parse("2026-03"), RunSource.manual) is None
        result = runner.invoke(args=["jobs", "run", MONTH_END, "--period", "2026-03", "--retry"])
    assert "still running for 2026-03 (started 2026-03-26 08:01); nothing done." in result.output
    run = the_run(db, MONTH_END, "2026-03")
    assert (run.outcome, run.attempts, run.started_at) == (Outcome.running, 1, utc(2026, 3, 26, 0, 1))
    assert reminders_to(db, deputy_user) == 0 and takeover_events(db) == []

    with freeze_time("2026-03-26 02:02:00"):
        assert [r.period for r in catch_up() if r.job_id == MONTH_END] == ["2026-03"]
    assert reminders_to(db, deputy_user) == 1

    # The limit is a setting: with 30 minutes, a run 40 minutes old is abandoned.
    monkeypatch.setitem(app.config, "LIAISON_JOB_STALE_MINUTES", 30)
    left_running(db, MONTH_END, "2026-02", utc(2026, 3, 26, 1, 30))
    with freeze_time("2026-03-26 02:10:00"):
        assert retry_job(get_job(MONTH_END), MONTHLY.parse("2026-02"), RunSource.manual).attempts == 2


def test_retry_by_hand_takes_over_an_abandoned_run(app, db):
    """`jobs run` points at --retry for an abandoned run; --retry runs it and records a manual attempt."""
    deputy_user = Network().deputy("手动接管").account.id
    left_running(db, MONTH_END, "2026-03", utc(2026, 3, 25, 1, 0))
    runner = app.test_cli_runner()
    with freeze_time("2026-03-26 02:00:00"):
        listed = runner.invoke(args=["jobs", "list"]).output
        plain = runner.invoke(args=["jobs", "run", MONTH_END, "--period", "2026-03"]).output
        retried = runner.invoke(args=["jobs", "run", MONTH_END, "--period", "2026-03", "--retry"])
        again = runner.invoke(args=["jobs", "run", MONTH_END, "--period", "2026-03", "--retry"]).output
    assert "last: 2026-03 abandoned 2026-03-25 09:00" in listed
    assert "already ran for 2026-03 (abandoned); nothing done. Use --retry to take it over." in plain
    assert retried.exit_code == 0 and f"{MONTH_END} 2026-03: success" in retried.output
    assert "already ran for 2026-03 (success); nothing done." in again
    run = the_run(db, MONTH_END, "2026-03")
    assert (run.source, run.outcome, run.attempts) == (RunSource.manual, Outcome.success, 2)
    assert reminders_to(db, deputy_user) == 1 and len(takeover_events(db)) == 1


def test_a_retried_failure_counts_its_attempt(db):
    """Retrying a failed run counts as well (attempt 2), without a takeover event: it was not abandoned."""
    def gateway_down(period):
        raise RuntimeError("gateway down")

    job = Job("test_gateway_down", "测试", gateway_down, MONTHLY, lambda config: {"day": "1"})
    period = MONTHLY.parse("2026-03")
    assert run_job(job, period, RunSource.manual).attempts == 1
    assert (retry_job(job, period, RunSource.manual).attempts, takeover_events(db)) == (2, [])


def test_two_sessions_racing_for_one_abandoned_run_leave_one_winner(app, db):
    """Two takers on two connections: the first holds its UPDATE uncommitted while the second
    tries; the second waits for it, then finds the run fresh and gets nothing."""
    left_running(db, MONTH_END, "2026-03", utcnow() - timedelta(hours=5))
    db.session.remove()  # SQLite: nothing of ours holds the database while the takers write
    first_updated, release_first = threading.Event(), threading.Event()
    results = {}

    def hold_first_after_its_update(conn, cursor, statement, *args):
        if threading.current_thread().name == "first" and statement.lstrip().upper().startswith("UPDATE"):
            first_updated.set()
            release_first.wait(20)

    def take(name):
        with app.app_context():
            results[name] = take_over_abandoned_run(MONTH_END, "2026-03", RunSource.catch_up)
            results[name] = results[name] and results[name].attempts
            db.session.remove()

    sa.event.listen(db.engine, "after_cursor_execute", hold_first_after_its_update)
    try:
        first = threading.Thread(target=take, args=("first",), name="first")
        second = threading.Thread(target=take, args=("second",), name="second")
        first.start()
        assert first_updated.wait(20)
        second.start()
        time.sleep(1)
        assert second.is_alive(), "the second taker did not wait for the first one's transaction"
        release_first.set()
        first.join(30)
        second.join(30)
    finally:
        release_first.set()
        sa.event.remove(db.engine, "after_cursor_execute", hold_first_after_its_update)
    assert results == {"first": 2, "second": None}
    run = the_run(db, MONTH_END, "2026-03")
    assert (run.outcome, run.attempts, run.source) == (Outcome.running, 2, RunSource.catch_up)
    assert len(takeover_events(db)) == 1


def test_two_processes_retrying_one_abandoned_run_run_it_once(app, db, database_url):
    """`liaison jobs run --retry` started twice at once, as on two machines: one process runs the
    abandoned month, the other does nothing, and the deputy gets one reminder."""
    deputy_user = Network().deputy("两台机器").account.id
    period_key = MONTHLY.period_of(local_today()).key  # the subprocesses run at today's real time
    left_running(db, MONTH_END, period_key, utcnow() - timedelta(hours=3))
    db.session.remove()
    env = dict(os.environ, LIAISON_ENV="testing", LIAISON_DATABASE_URL=database_url)
    command = [LIAISON, "jobs", "run", MONTH_END, "--retry"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    ran = [out for out, _ in outputs if f"{MONTH_END} " in out and ": success" in out]
    idle = [out for out, _ in outputs if "nothing done" in out]
    assert (len(ran), len(idle)) == (1, 1), outputs
    run = the_run(db, MONTH_END, period_key)
    assert (run.outcome, run.attempts) == (Outcome.success, 2)
    assert reminders_to(db, deputy_user) == 1


@freeze_time("2026-03-26 02:00:00")
def test_the_jobs_page_shows_an_abandoned_run_as_interrupted(client, login_as, db):
    """A run still marked running long after its start reads 已中断; a fresh one still reads 运行中;
    a taken-over run shows which attempt it is."""
    login_as("committee")
    left_running(db, MONTH_END, "2026-03", utc(2026, 3, 25, 1, 0))
    left_running(db, "quarter_end_home_reminder", "2026-Q1", utc(2026, 3, 26, 1, 30))
    page = client.get("/jobs").get_data(as_text=True)
    month = page.split(f'id="job-{MONTH_END}"')[1].split("</section>")[0]
    quarter = page.split('id="job-quarter_end_home_reminder"')[1].split("</section>")[0]
    assert "已中断" in month and "运行中" not in month
    assert "运行中" in quarter and "已中断" not in quarter

    take_over_abandoned_run(MONTH_END, "2026-03", RunSource.manual)
    page = client.get("/jobs").get_data(as_text=True)
    month = page.split(f'id="job-{MONTH_END}"')[1].split("</section>")[0]
    assert "运行中" in month and "已中断" not in month and "第 2 次运行" in month


def test_the_limit_must_be_positive(monkeypatch, tmp_path):
    """LIAISON_JOB_STALE_MINUTES=0 would take over every running run: the app refuses to start."""
    monkeypatch.setenv("LIAISON_JOB_STALE_MINUTES", "0")
    with pytest.raises(ConfigError, match="LIAISON_JOB_STALE_MINUTES"):
        load_config(str(tmp_path), {"ENV": "testing"})
    monkeypatch.delenv("LIAISON_JOB_STALE_MINUTES")
    assert load_config(str(tmp_path), {"ENV": "testing"})["LIAISON_JOB_STALE_MINUTES"] == 120
