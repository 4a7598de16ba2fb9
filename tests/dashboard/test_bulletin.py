"""The monthly bulletin (通报): written once per month by the scheduler, listed and served strictly.
(What the 通报 says is in test_bulletin_document.py.)"""
import os

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.jobs.models import JobRun, Outcome
from tests.dashboard.conftest import read_workbook, sheet_rows


def invoke(app, *args):
    """Run a `liaison` command in the test app."""
    return app.test_cli_runner().invoke(args=list(args))


@freeze_time("2024-12-31 22:30:00")  # 2025-01-01 06:30 in Asia/Shanghai: the 1st, local
def test_job_writes_last_months_workbook_once(app, db, targets, bulletin_folder):
    """On the 1st the job archives December's 通报 and workbook as of 31 December; a second run writes
    nothing: one pair of files, untouched."""
    first = invoke(app, "jobs", "run", "monthly_rates_bulletin")
    assert first.exit_code == 0, first.output
    assert "2024-12: success" in first.output
    pair = ["bulletin-2024-12.docx", "bulletin-2024-12.xlsx"]
    assert sorted(os.listdir(bulletin_folder)) == pair
    path = bulletin_folder / "bulletin-2024-12.xlsx"
    stamps = [(bulletin_folder / name).stat().st_mtime_ns for name in pair]
    workbook = read_workbook(path.read_bytes())
    notes = {row[0]: row[1] for row in sheet_rows(workbook["说明"])}
    assert notes["统计截止日期"] == "2024-12-31"
    found = {row[0]: row for row in sheet_rows(workbook["两个100%目标"])}
    assert found["区第八届"][1:5] == (5, 2, 3, 0.4)

    second = invoke(app, "jobs", "run", "monthly_rates_bulletin")
    assert "already ran for 2024-12" in second.output
    from liaison.dashboard.jobs import write_bulletin
    from datetime import date

    assert write_bulletin(date(2024, 12, 31)) == "bulletin-2024-12 exists"  # even run by hand again
    assert sorted(os.listdir(bulletin_folder)) == pair
    assert [(bulletin_folder / name).stat().st_mtime_ns for name in pair] == stamps
    run = db.session.scalar(sa.select(JobRun).where(JobRun.job_id == "monthly_rates_bulletin"))
    assert (run.period, run.outcome) == ("2024-12", Outcome.success)


@freeze_time("2024-12-31 22:30:00")
def test_scheduler_catch_up_writes_the_bulletin_due_on_the_first(app, db, targets, bulletin_folder):
    """The scheduler's tick on the 1st runs the job for the month just ended."""
    from liaison.jobs.registry import get_job
    from liaison.jobs.scheduler import due_periods

    assert due_periods(get_job("monthly_rates_bulletin"))[-1] == "2024-12"


def test_writing_an_existing_month_keeps_the_file(app, db, targets, bulletin_folder):
    """Retrying a month whose files exist leaves them as they were; an archive from before the 通报
    (its workbook only) gets the 通报 added and keeps its workbook."""
    from datetime import date

    from liaison.dashboard.jobs import write_bulletin

    assert write_bulletin(date(2024, 11, 30)) == "bulletin-2024-11.xlsx, bulletin-2024-11.docx written"
    before = (bulletin_folder / "bulletin-2024-11.xlsx").read_bytes()
    assert write_bulletin(date(2024, 11, 30)) == "bulletin-2024-11 exists"
    assert (bulletin_folder / "bulletin-2024-11.xlsx").read_bytes() == before

    (bulletin_folder / "bulletin-2024-11.docx").unlink()
    assert write_bulletin(date(2024, 11, 30)) == "bulletin-2024-11.docx written"
    assert (bulletin_folder / "bulletin-2024-11.xlsx").read_bytes() == before
    assert sorted(os.listdir(bulletin_folder)) == ["bulletin-2024-11.docx", "bulletin-2024-11.xlsx"]


def test_archive_is_listed_and_downloadable(client, login_as, targets, bulletin_folder):
    """Committee staff see the archived months on the dashboard and download them under a Chinese name."""
    from datetime import date
    from urllib.parse import unquote

    from liaison.dashboard.jobs import write_bulletin

    write_bulletin(date(2024, 10, 31))
    login_as("committee")
    page = client.get("/dashboard?as_of=2024-12-31").get_data(as_text=True)
    assert "2024年10月代表履职情况通报" in page and "/dashboard/bulletins/bulletin-2024-10.xlsx" in page
    assert "/dashboard/bulletins/bulletin-2024-10.docx" in page
    response = client.get("/dashboard/bulletins/bulletin-2024-10.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "述职率通报-2024年10月.xlsx" in unquote(response.headers["Content-Disposition"])
    response.close()


def test_only_archive_names_are_served(client, login_as, bulletin_folder):
    """Names outside the pattern, or missing files, answer 404 even when such a file exists."""
    os.makedirs(bulletin_folder, exist_ok=True)
    (bulletin_folder / "notes.xlsx").write_bytes(b"PK")
    (bulletin_folder / "bulletin-2024-13.xlsx").write_bytes(b"PK")
    login_as("committee")
    (bulletin_folder / "bulletin-2024-10.docx.x1.part").write_bytes(b"PK")
    for name in ("notes.xlsx", "bulletin-2024-13.xlsx", "bulletin-2024-09.xlsx", "..%2Fsecret.xlsx",
                 "bulletin-2024-10.xlsx.part", "bulletin-2024-10.docx.x1.part", "bulletin-2024-10.doc"):
        assert client.get(f"/dashboard/bulletins/{name}").status_code == 404, name


def test_half_written_files_are_not_listed(client, login_as, bulletin_folder):
    """A file still being written (beside the archive) is neither listed nor served."""
    os.makedirs(bulletin_folder, exist_ok=True)
    (bulletin_folder / "bulletin-2024-10.docx.abc123.part").write_bytes(b"PK")
    login_as("committee")
    page = client.get("/dashboard/bulletins").get_data(as_text=True)
    assert "2024年10月" not in page and "还没有月度通报" in page
