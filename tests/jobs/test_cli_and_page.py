"""`liaison jobs run` by hand (still once per period), `liaison jobs list`, and the jobs page."""
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.jobs.models import JobRun, Outcome, RunSource
from liaison.notifications.models import Message
from tests.notifications.helpers import Network


def invoke(app, *args):
    """Run a `liaison` command in the test app; returns the click result."""
    return app.test_cli_runner().invoke(args=list(args))


@freeze_time("2026-03-26 02:00:00")
def test_running_a_job_by_hand_is_still_once_per_period(app, db):
    """The first manual run sends the reminders and is recorded; the second says so and does nothing."""
    deputy = Network().deputy("手动提醒")
    db.session.commit()
    first = invoke(app, "jobs", "run", "month_end_station_reminder", "--period", "2026-03")
    assert first.exit_code == 0, first.output
    assert "month_end_station_reminder 2026-03: success" in first.output
    second = invoke(app, "jobs", "run", "month_end_station_reminder")
    assert second.exit_code == 0 and "already ran for 2026-03 (success); nothing done." in second.output
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.user_id == deputy.account.id)) == 1
    run = db.session.scalar(sa.select(JobRun))
    assert (run.job_id, run.period, run.source, run.outcome) == ("month_end_station_reminder", "2026-03",
                                                                 RunSource.manual, Outcome.success)


@freeze_time("2026-03-26 02:00:00")
def test_bad_job_or_period_is_refused(app, db):
    """Unknown ids, malformed periods and periods not started yet are refused without a run."""
    assert "unknown job" in invoke(app, "jobs", "run", "no_such_job").output
    assert "not a month period" in invoke(app, "jobs", "run", "month_end_station_reminder", "--period",
                                          "2026-Q1").output
    assert "has not started yet" in invoke(app, "jobs", "run", "month_end_station_reminder", "--period",
                                           "2026-04").output
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 0


def test_jobs_list_shows_each_job(app, db):
    """`liaison jobs list` names every registered job and its trigger."""
    result = invoke(app, "jobs", "list")
    assert result.exit_code == 0
    assert "month_end_station_reminder" in result.output and "quarter_end_home_reminder" in result.output
    assert "day='25'" in result.output


def test_the_jobs_page_lists_runs_in_local_time(client, login_as):
    """Committee staff see each job, its schedule and its latest runs with outcome, in Shanghai time."""
    login_as("committee")
    with freeze_time("2026-03-25 01:00:00"):
        invoke(client.application, "jobs", "run", "month_end_station_reminder")
    page = client.get("/jobs").get_data(as_text=True)
    assert "月末未进站提醒" in page and "每月 25 日 09:00" in page
    assert "季末未回家提醒" in page and "每年 3、6、9、12 月的 25 日 09:00" in page
    assert "排班公示截止提醒" in page and "每天 08:30" in page
    assert "2026-03" in page and "2026-03-25 09:00" in page and "成功" in page and "手动" in page
    assert "还没有运行记录" in page


def test_township_staff_cannot_see_the_jobs_page(client, login_as):
    """The jobs page is for the district committee."""
    login_as("township_staff")
    assert client.get("/jobs").status_code == 403
