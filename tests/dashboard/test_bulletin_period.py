"""Jobs that are never "done" early (rule R22): the monthly bulletin run by hand for a month in progress
is refused and claims nothing, so the real run on the 1st happens; a run made early before this rule
is run again once the month has ended, its files made anew."""
import os
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent
from liaison.jobs.models import JobRun, Outcome, RunSource
from liaison.jobs.operations import PeriodNotReady, run_job
from liaison.jobs.registry import get_job
from liaison.jobs.scheduler import catch_up


def invoke(app, *args):
    """Run a `liaison` command in the test app."""
    return app.test_cli_runner().invoke(args=list(args))


def test_a_bulletin_for_the_month_in_progress_is_refused_and_the_real_one_runs(app, db, targets,
                                                                               bulletin_folder):
    """On 6 December, `jobs run monthly_rates_bulletin --period 2024-12` says the month has not ended and
    records nothing, writes nothing; the scheduler's catch-up that day does not claim it either; on
    1 January the job writes December's bulletin as of 31 December."""
    with freeze_time("2024-12-06 02:00:00"):
        result = invoke(app, "jobs", "run", "monthly_rates_bulletin", "--period", "2024-12")
        assert result.exit_code == 2
        assert "2024-12 has not ended yet (it ends on 2024-12-31)" in result.output
        assert "只能在结束后运行" in result.output
        with pytest.raises(PeriodNotReady):
            run_job(get_job("monthly_rates_bulletin"), get_job("monthly_rates_bulletin").cadence.parse("2024-12"),
                    RunSource.manual)
        catch_up()
        assert db.session.scalar(sa.select(JobRun).where(JobRun.job_id == "monthly_rates_bulletin", JobRun.period == "2024-12")) is None
        assert not bulletin_folder.exists() or "bulletin-2024-12.docx" not in os.listdir(bulletin_folder)
    with freeze_time("2024-12-31 22:30:00"):  # 06:30 on 1 January in Shanghai
        result = invoke(app, "jobs", "run", "monthly_rates_bulletin")
        assert result.exit_code == 0 and "2024-12: success" in result.output
    assert sorted(os.listdir(bulletin_folder)) == ["bulletin-2024-12.docx", "bulletin-2024-12.xlsx"]


def test_an_early_run_recorded_before_the_rule_is_run_again(app, db, targets, bulletin_folder):
    """A run for December recorded on 6 December (with its files) does not stand: on 1 January the
    scheduler's catch-up runs the month again (attempt 2, audited) and the files are made anew."""
    os.makedirs(bulletin_folder)
    early = datetime(2024, 12, 6, 2, tzinfo=timezone.utc)
    for name in ("bulletin-2024-12.docx", "bulletin-2024-12.xlsx"):
        path = bulletin_folder / name
        path.write_bytes(b"early")
        os.utime(path, (early.timestamp(), early.timestamp()))
    db.session.add(JobRun(job_id="monthly_rates_bulletin", period="2024-12", source=RunSource.manual,
                          started_at=early, finished_at=early, outcome=Outcome.success, detail="early"))
    db.session.commit()
    with freeze_time("2024-12-31 22:30:00"):
        catch_up()
    db.session.expire_all()
    run = db.session.scalar(sa.select(JobRun).where(JobRun.job_id == "monthly_rates_bulletin", JobRun.period == "2024-12"))
    assert run.outcome is Outcome.success and run.attempts == 2 and "written" in run.detail
    assert (bulletin_folder / "bulletin-2024-12.xlsx").read_bytes() != b"early"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.premature_rerun")) is not None
    with freeze_time("2025-01-01 03:00:00"):
        catch_up()  # a second catch-up changes nothing
    assert db.session.scalar(sa.select(JobRun.attempts).where(JobRun.job_id == "monthly_rates_bulletin", JobRun.period == "2024-12")) == 2
