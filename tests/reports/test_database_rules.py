"""When the database refuses a duty report (a parallel request got in between the checks and the save),
the message names the rule it broke, not always "already has a report"; nothing is saved."""
import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import Session

from liaison.extensions import db as _db
from liaison.reports.models import DutyReport, ReportSession, session_mandates
from tests.reports.conftest import count, report_data, text


@pytest.fixture()
def meanwhile():
    """``meanwhile(change)``: run ``change(report, connection)`` just before a new report is flushed,
    as if another request had changed the database between the checks and the save."""
    changes = []

    def before_flush(session, _context, _instances):
        for report in [o for o in session.new if isinstance(o, DutyReport)]:
            for change in changes:
                change(report, session.connection())

    sa.event.listen(Session, "before_flush", before_flush)
    yield changes.append
    sa.event.remove(Session, "before_flush", before_flush)


def _session_of(client, place):
    """A report session of 东城镇 with 白二 on its list, planned through its form."""
    client.post("/reports/sessions/new", data={
        "session_date": "2024-06-18", "place_kind": "home", "station_id": str(place.home_a_id), "place": "二楼会议室",
        "notes": "", "mandate_ids": [str(place.bai_d)]})
    return _db.session.scalar(sa.select(ReportSession))


def _delete_session(report, connection):
    connection.execute(sa.delete(session_mandates).where(session_mandates.c.session_id == report.session.id))
    connection.execute(sa.delete(ReportSession.__table__).where(ReportSession.id == report.session.id))


def _same_report_saved_first(report, connection):
    connection.execute(sa.insert(DutyReport.__table__).values(
        mandate_id=report.mandate.id, session_id=report.session.id, report_date=report.report_date,
        form=report.form.name, voters_present=0, satisfied=0, basically_satisfied=0, dissatisfied=0,
        completed=True, attachment_original="", attachment_type="", version=1))


def _too_many_evaluations(report, _connection):
    report.dissatisfied = report.voters_present + 1


def _negative_count(report, _connection):
    report.satisfied = -1


CASES = {
    "session deleted": (_delete_session, "这次述职活动已不存在", "述职记录引用的述职活动或代表资格已不存在"),
    "already reported": (_same_report_saved_first, "该代表在这次述职活动中已有述职记录", None),
    "evaluations over voters": (_too_many_evaluations, "满意、基本满意、不满意人数之和不能超过到场选民人数", None),
    "negative count": (_negative_count, "到场选民人数和各项评价人数都不能是负数", None),
}


@pytest.mark.parametrize("change, message, sqlite_message", CASES.values(), ids=CASES.keys())
def test_the_broken_rule_is_named(client, db, place, staff_a, meanwhile, change, message, sqlite_message):
    """Each rule the database enforces gets its own Chinese message on the form (SQLite does not name
    a foreign key: it gets the general one about a record gone)."""
    report_session = _session_of(client, place)
    assert report_session is not None
    before = count(DutyReport)
    meanwhile(change)
    response = client.post(f"/reports/new?mandate_id={place.bai_d}&session_id={report_session.id}",
                           data=report_data())
    page = text(response)
    assert response.status_code == 200
    expected = sqlite_message if sqlite_message and _db.engine.dialect.name == "sqlite" else message
    assert expected in page
    if change is not _same_report_saved_first:
        assert "已有述职记录" not in page
    _db.session.expire_all()
    assert count(DutyReport) == before
