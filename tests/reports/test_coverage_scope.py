"""A township's staff editing a report never removes coverage they were not shown (another township's)."""
from datetime import date

from liaison.deputies.models import Mandate
from liaison.reports import operations
from liaison.reports.models import DutyReport, ReportForm
from tests.reports.conftest import report_data


def test_edit_by_township_staff_keeps_coverage_in_another_township(client, db, place, staff_a):
    """丁四: 区 seat in A, 市 seat in B. The committee's report for the 区 seat also covers the 市 seat;
    A's staff correct the voters present, and B's coverage stays."""
    report = operations.create_duty_report(db.session.get(Mandate, place.ding_d), also_cover_ids=[place.ding_m],
                                           report_date=date(2024, 6, 18), form=ReportForm.on_site,
                                           voters_present=40, satisfied=30, completed=True)
    db.session.commit()
    report_id = report.id
    response = client.post(f"/reports/{report_id}/edit", data=report_data(version="1", voters_present="41"))
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(DutyReport, report_id)
    assert saved.voters_present == 41
    assert [c.mandate_id for c in saved.coverages] == [place.ding_m]
