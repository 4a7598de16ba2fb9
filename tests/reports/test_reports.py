"""Reporting sessions and duty reports: planning, recording, validation and covered mandates."""
from datetime import date, timedelta

import pytest

from liaison.clock import local_today
from liaison.rates import queries as rates
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportForm, ReportSession
from tests.reports.conftest import count, report_data, text


def _plan(client, where, mandates, **overrides):
    data = {"session_date": "2024-06-18", "place_kind": "home", "station_id": str(where.home_a_id),
            "place": "二楼会议室", "notes": "", "mandate_ids": [str(m) for m in mandates]}
    data.update(overrides)
    return client.post("/reports/sessions/new", data=data)


def test_staff_plan_a_session_and_record_each_report(client, db, place, staff_a):
    """Staff of one township get the form at once, plan a session with two deputies, and record a
    report from the session page; the page then shows it as reported."""
    page = text(client.get("/reports/sessions/new"))
    assert "东城镇" in page and "白二" in page and "陈三" not in page
    response = _plan(client, place, [place.bai_d, place.an_d])
    assert response.status_code == 302
    session = db.session.scalars(db.select(ReportSession)).one()
    page = text(client.get(f"/reports/sessions/{session.id}"))
    assert "白二" in page and "安一" in page and page.count("登记述职") == 2
    assert f"/reports/new?mandate_id={place.bai_d}&amp;session_id={session.id}" in page

    response = client.post(f"/reports/new?mandate_id={place.bai_d}&session_id={session.id}",
                           data=report_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/sessions/{session.id}")
    report = db.session.scalars(db.select(DutyReport)).one()
    assert (report.session_id, report.mandate_id, report.form, report.voters_present, report.satisfied,
            report.completed, report.version) == (session.id, place.bai_d, ReportForm.on_site, 40, 30, True,
                                                  1)
    assert report.created_by_id == staff_a.id
    page = text(client.get(f"/reports/sessions/{session.id}"))
    assert "已述职" in page and page.count("登记述职") == 1
    assert "东城镇" in text(client.get("/reports/sessions"))


def test_a_session_needs_deputies_of_its_township(client, db, place, staff_a):
    """No deputy chosen, or one of another township, is refused with a message; nothing is saved."""
    assert "请至少选择一名述职的代表" in text(_plan(client, place, []))
    assert "不属于 东城镇" in text(_plan(client, place, [place.chen_d]))
    assert "地点类型为“其他地点”时，请填写具体地点" in text(_plan(client, place, [place.an_d], place_kind="other",
                                                                 place=""))
    assert count(ReportSession) == 0


def test_the_committee_chooses_the_township_first(client, db, place, login_as):
    """Committee staff (all townships) choose the township before the form."""
    login_as("committee")
    page = text(client.get("/reports/sessions/new"))
    assert "请选择在哪个乡镇（街道）安排述职活动" in page and "西湖街道" in page
    assert "陈三" in text(client.get(f"/reports/sessions/new?township_id={place.b_id}"))


def test_a_report_is_recorded_without_a_session(client, db, place, staff_a):
    """Without a mandate, the page lists deputies to choose from (own township only); a written
    report is then recorded on its own."""
    page = text(client.get("/reports/new"))
    assert "白二" in page and "陈三" not in page
    response = client.post(f"/reports/new?mandate_id={place.an_d}",
                           data=report_data(kind="written", voters_present="0", satisfied="0",
                                            basically_satisfied="0", dissatisfied="0"))
    assert response.status_code == 302
    report = db.session.scalars(db.select(DutyReport)).one()
    assert report.session_id is None and report.form is ReportForm.written


@pytest.mark.parametrize("fields,message", [
    ({"satisfied": "30", "basically_satisfied": "8", "dissatisfied": "3"},
     "满意、基本满意、不满意人数之和（41）不能超过到场选民人数（40）"),
    ({"satisfied": "-1"}, "满意人数不能是负数"),
    ({"voters_present": "12.5"}, "到场选民人数应为整数"),
    ({"dissatisfied": "两"}, "不满意人数应为整数"),
    ({"voters_present": "99999999"}, "到场选民人数不能超过 100000"),
    ({"report_date": "2021-11-30"}, "述职日期应在 区第八届 代表资格的任职期间内（2021-12-01 至"),
    ({"kind": ""}, "请选择述职形式"),
])
def test_bad_report_input_is_refused(client, db, place, staff_a, fields, message):
    """Counts are whole non-negative numbers whose evaluations add up to at most the voters present,
    and the date lies in the mandate; the message is shown and nothing is saved."""
    response = client.post(f"/reports/new?mandate_id={place.bai_d}", data=report_data(**fields))
    assert response.status_code == 200
    assert message in text(response)
    assert count(DutyReport) == 0


def test_a_completed_report_cannot_be_dated_in_the_future(client, db, place, staff_a):
    """A report dated tomorrow is refused as completed, and accepted as planned (not completed)."""
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = client.post(f"/reports/new?mandate_id={place.bai_d}", data=report_data(report_date=tomorrow))
    assert "已完成的述职日期不能晚于今天" in text(response)
    assert count(DutyReport) == 0
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=report_data(report_date=tomorrow, completed=None))
    assert response.status_code == 302
    assert db.session.scalars(db.select(DutyReport)).one().completed is False


def test_one_report_per_deputy_and_session(client, db, place, staff_a):
    """A second report for the same deputy at the same session is refused."""
    _plan(client, place, [place.bai_d])
    session_id = db.session.scalars(db.select(ReportSession.id)).one()
    url = f"/reports/new?mandate_id={place.bai_d}&session_id={session_id}"
    assert client.post(url, data=report_data()).status_code == 302
    assert "该代表在这次述职活动中已有述职记录" in text(client.post(url, data=report_data()))
    assert count(DutyReport) == 1


def test_a_report_covers_the_same_persons_other_mandate(client, db, place, staff_a):
    """白二 reports once on both seats: the report is recorded for the 区 seat and also covers the 市
    seat, so both terms count it as 已述."""
    page = text(client.get(f"/reports/new?mandate_id={place.bai_d}"))
    assert "同时计入本人的其他代表资格" in page and "市第十五届" in page
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=report_data(also_cover=[str(place.bai_m)]))
    assert response.status_code == 302
    coverage = db.session.scalars(db.select(DutyReportCoverage)).one()
    assert coverage.mandate_id == place.bai_m
    today = local_today()
    [d] = rates.in_term_reporting(place.d_id, today)
    [m] = rates.in_term_reporting(place.m_id, today)
    assert (d.due, d.done) == (4, 1)  # 白二, 安一, 陈三, 丁四 due; 白二 done
    assert (m.due, m.done) == (2, 1)  # 白二, 丁四 due; 白二 done through the coverage


def test_coverage_only_for_the_same_deputy(client, db, place, staff_a):
    """Another person's mandate cannot be marked as covered."""
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=report_data(also_cover=[str(place.an_d)]))
    assert "只能同时计入同一代表本人的其他代表资格" in text(response)
    assert count(DutyReport) == 0


def test_coverage_needs_the_date_within_the_covered_mandate(client, db, place, staff_a):
    """The 市 seat begins 2022-01-01: a report of 2021-12-20 cannot cover it."""
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=report_data(report_date="2021-12-20", also_cover=[str(place.bai_m)]))
    assert "述职日期 2021-12-20 不在 市第十五届 代表资格的任职期间内" in text(response)
    assert count(DutyReport) == 0


def test_staff_cannot_cover_a_mandate_of_another_township(client, db, place, staff_a):
    """丁四's 市 seat lies in 西湖街道: staff of 东城镇 are not offered it and cannot post it."""
    page = text(client.get(f"/reports/new?mandate_id={place.ding_d}"))
    assert "市第十五届" not in page
    response = client.post(f"/reports/new?mandate_id={place.ding_d}",
                           data=report_data(also_cover=[str(place.ding_m)]))
    assert "属于其他乡镇（街道）" in text(response)
    assert count(DutyReport) == 0


def test_editing_changes_the_coverage(client, db, place, staff_a):
    """Unticking the covered mandate on the edit page removes it; the report keeps its own."""
    client.post(f"/reports/new?mandate_id={place.bai_d}", data=report_data(also_cover=[str(place.bai_m)]))
    report = db.session.scalars(db.select(DutyReport)).one()
    page = text(client.get(f"/reports/{report.id}/edit"))
    assert f'value="{place.bai_m}" id="cover-{place.bai_m}" checked' in page
    response = client.post(f"/reports/{report.id}/edit", data=report_data(version="1"))
    assert response.status_code == 302
    db.session.expire_all()
    assert count(DutyReportCoverage) == 0
    assert db.session.get(DutyReport, report.id).version == 2


def test_uncompleted_reports_do_not_count(db, place):
    """A planned report (not completed) leaves the mandate 未述."""
    from liaison.deputies.models import Mandate
    from liaison.reports import operations

    operations.create_duty_report(db.session.get(Mandate, place.an_d), report_date=date(2024, 5, 1),
                                  form=ReportForm.on_site, voters_present=10, completed=False)
    db.session.commit()
    [row] = rates.in_term_reporting(place.d_id, local_today())
    assert row.done == 0
    # 姓氏笔画 order (rule R16): 丁 2 strokes, 白 5, 安 6.
    assert [r.deputy_name for r in rates.missing_reporters(place.d_id, local_today(), {place.a_id})] == [
        "丁四", "白二", "安一"]
