"""Township staff see only their townships' sessions and reports; deputies none; exemptions and
targets are the committee's."""
import pytest

from liaison.audit.models import AuditEvent
from liaison.reports.models import DutyReport, ReportSession
from tests.reports.conftest import PDF, count, report_data, text, with_file


@pytest.fixture()
def a_records(client, db, place, login_as):
    """A session and a report with an attachment in 东城镇, made through the pages by its staff, who
    then sign out."""
    login_as("township_staff", townships=[place.a])
    client.post("/reports/sessions/new", data={
        "session_date": "2024-06-18", "place_kind": "home", "station_id": str(place.home_a_id), "place": "",
        "notes": "", "mandate_ids": [str(place.bai_d)]})
    session_id = db.session.scalars(db.select(ReportSession.id)).one()
    client.post(f"/reports/new?mandate_id={place.bai_d}&session_id={session_id}",
                data=with_file(report_data(), PDF, "报告.pdf"))
    report_id = db.session.scalars(db.select(DutyReport.id)).one()
    client.post("/logout")
    return {"session_id": session_id, "report_id": report_id}


def test_staff_of_another_township_get_404(client, db, place, a_records, login_as):
    """Staff of 西湖街道 get 404 for 东城镇's session, report, attachment and mandate, and their lists
    do not show them; each refusal is audited."""
    login_as("township_staff", townships=[place.b])
    s, r = a_records["session_id"], a_records["report_id"]
    for url in (f"/reports/sessions/{s}", f"/reports/{r}/edit", f"/reports/{r}/attachment",
                f"/reports/new?mandate_id={place.bai_d}",
                f"/reports/new?mandate_id={place.chen_d}&session_id={s}"):
        assert client.get(url).status_code == 404, url
    changed = report_data(version="1", voters_present="1")
    assert client.post(f"/reports/{r}/edit", data=changed).status_code == 404
    assert client.get(f"/reports/sessions/new?township_id={place.a_id}").status_code == 404
    assert "2024-06-18" not in text(client.get("/reports/sessions"))
    assert "白二" not in text(client.get("/reports/new"))
    db.session.expire_all()
    assert db.session.get(DutyReport, r).voters_present == 40
    assert count(AuditEvent) >= 7


def test_staff_of_the_township_and_the_committee_get_in(client, db, place, a_records, login_as):
    """Staff of 东城镇 and the committee open the session, the report and its attachment."""
    for role in ({"role": "township_staff", "townships": [place.a]}, {"role": "committee"}):
        client.post("/logout")
        login_as(**role)
        assert client.get(f"/reports/sessions/{a_records['session_id']}").status_code == 200
        assert client.get(f"/reports/{a_records['report_id']}/edit").status_code == 200
        assert client.get(f"/reports/{a_records['report_id']}/attachment").data == PDF


@pytest.mark.parametrize("url", ["/reports/sessions", "/reports/sessions/new", "/reports/new",
                                 "/reports/exemptions", "/reports/targets"])
def test_deputies_are_refused(client, db, place, login_as, url):
    """A deputy's account gets 403 on every report page."""
    login_as("deputy")
    assert client.get(url).status_code == 403


def test_deputies_cannot_download_attachments(client, db, place, a_records, login_as):
    """Even the deputy the report belongs to does not download through the staff page."""
    login_as("deputy")
    assert client.get(f"/reports/{a_records['report_id']}/attachment").status_code == 403


@pytest.mark.parametrize("url", ["/reports/exemptions", "/reports/exemptions/new", "/reports/targets"])
def test_exemptions_and_targets_are_for_the_committee(client, db, place, login_as, url):
    """Township staff get 403 on the committee's pages."""
    login_as("township_staff", townships=[place.a])
    assert client.get(url).status_code == 403
