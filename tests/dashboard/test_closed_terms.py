"""A closed term (换届) shows its frozen figures everywhere (rule R14): the dashboard, /dashboard/terms and
the final workbook agree, whatever is recorded for the term afterwards; a late report or exemption is
kept in the deputy's record and says it stays outside; the committee reopens the figures as a new
frozen version, with a reason, after giving the password again, and the act is audited."""
import random
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.clock import local_today
from liaison.dashboard.models import TermClosure
from liaison.dashboard.seed import seed_demo_reports
from liaison.deputies.models import Mandate
from liaison.rates import queries as rates
from liaison.reports.models import DutyReport, PlaceKind, ReportSession
from liaison.seed.demo import seed_demo_district
from liaison.terms.models import Level, Term
from tests.dashboard.conftest import read_workbook

#: The world's 区第八届 closed on its planned last day (in the past whatever day the tests run).
END = "2026-11-30"
NOTICE = "本记录不计入已冻结的统计"


def _close(client, term_id, end=END):
    response = client.post(f"/dashboard/terms/{term_id}/close", data={"end_date": end, "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]


def _report_data(day, completed=True, **extra):
    data = {"report_date": day.isoformat(), "kind": "on_site", "voters_present": "30", "satisfied": "28",
            "basically_satisfied": "2", "dissatisfied": "0", **extra}
    if completed:
        data["completed"] = "y"
    return data


def _record_report(client, mandate_id, day, **extra):
    """Record a report through the form as staff do; returns the page the save leads to."""
    response = client.post(f"/reports/new?mandate_id={mandate_id}", data=_report_data(day, **extra),
                           follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card(page, term_name):
    """The target card of one term on /dashboard."""
    cards = page.split('id="targets"')[1].split('id="townships"')[0]
    return cards.split(f'<h2 class="h5 card-title">{term_name}</h2>', 1)[1].split('class="col-12 col-md-6"')[0]


def _card_figures(card):
    due = int(re.search(r"应述</dt><dd[^>]*>(?:<a [^>]*>)?(\d+)<", card)[1])
    done = int(re.search(r"已述</dt><dd[^>]*>(?:<a [^>]*>)?(\d+)<", card)[1])
    return due, done


def _row_with(sheet, *texts):
    """The first row of a sheet holding every one of ``texts`` (layout-proof: no fixed columns)."""
    for row in sheet.iter_rows(values_only=True):
        if all(text in row for text in texts):
            return row
    raise AssertionError(f"no row with {texts} in {sheet.title}")


def _counts_after(row, name):
    """The two whole numbers right after ``name`` in a row: 应述 and 已述 on the targets sheet."""
    numbers = [value for value in row[row.index(name) + 1:] if isinstance(value, int)]
    return tuple(numbers[:2])


def _targets_sheet(book):
    return next(sheet for sheet in book.worksheets if "两个100%" in sheet.title)


def _detail_sheet(book):
    return next(sheet for sheet in book.worksheets if "明细" in sheet.title and "代表" in sheet.title)


# --- the scenario of the issue: close 市第十五届, then a report dated before the close ------------

@pytest.fixture()
def demo(db):
    """The demo district with its duty reports (as `liaison seed demo` makes it)."""
    seed_demo_district()
    seed_demo_reports(random.Random(1))
    db.session.commit()
    return db.session.scalar(sa.select(Term).where(Term.level == Level.municipal))


def test_a_report_recorded_after_the_close_moves_no_figure_of_the_closed_term(client, db, login_as, demo):
    """The issue's scenario on the demo district: after closing 市第十五届 a report dated before the
    close is recorded; /dashboard, its 未述 list, /dashboard/terms, the final workbook and a new export
    all still give the frozen 应述 and 已述, and the dashboard marks the term as closed."""
    login_as("committee")
    today = local_today()
    _close(client, demo.id, today.isoformat())
    closure = db.session.scalars(sa.select(TermClosure)).one()
    due, done = closure.due, closure.done
    assert due > done > 0
    frozen_book = client.get(f"/dashboard/terms/{demo.id}/final.xlsx").get_data()

    # A 未述 市 deputy's report, given before the close, recorded after it.
    late = rates.missing_reporters(demo.id, today)[0]
    mandate = db.session.get(Mandate, late.mandate_id)
    page = _record_report(client, mandate.id, max(mandate.start_date, today - timedelta(days=30)))
    assert f"市第十五届已于{today.isoformat()}换届，{NOTICE}" in page
    assert db.session.scalar(sa.select(sa.func.count(DutyReport.id)).where(DutyReport.mandate_id == mandate.id)) == 1

    dashboard = client.get("/dashboard").get_data(as_text=True)
    card = _card(dashboard, demo.name)
    assert _card_figures(card) == (due, done)  # not done + 1, as before rule R14
    assert f"{done / due * 100:.1f}%" in card
    assert "已闭届" in card and f"已于 {today.isoformat()} 换届" in card
    assert f"应述 {due}，已述 {done}" in card and 'href="/dashboard/terms#term-' in card
    townships = dashboard.split('id="townships"')[1].split("</table>")[0]
    column = list(closure_terms_order(dashboard)).index(demo.name)
    cells = [re.findall(r"<td>(?:<a [^>]*>)?(\d+)(?:</a>)?/(?:<a [^>]*>)?(\d+)(?:</a>)?</td>", line)
             for line in townships.split("<tr>")[2:]]
    assert sum(int(row[column][0]) for row in cells if row) == done
    assert sum(int(row[column][1]) for row in cells if row) == due

    missing = client.get(f"/dashboard/missing?term_id={demo.id}").get_data(as_text=True)
    assert f"应述 {due} 人，已述 {done} 人，未述 {due - done} 人" in missing
    assert f'href="/deputies/{late.deputy_id}"' in missing

    terms_page = client.get("/dashboard/terms").get_data(as_text=True)
    assert f"应述 {due}，已述 {done}" in terms_page

    final = client.get(f"/dashboard/terms/{demo.id}/final.xlsx").get_data()
    assert final == frozen_book
    # Both workbooks name the term as closed, with its frozen version (rule R14).
    label = f"{demo.name}（已于{today.isoformat()}换届，第 1 版冻结数据）"
    assert _counts_after(_row_with(_targets_sheet(read_workbook(final)), label), label) == (due, done)

    export = read_workbook(client.get("/dashboard/export.xlsx").get_data())
    assert _counts_after(_row_with(_targets_sheet(export), label), label) == (due, done)
    detail = _row_with(_detail_sheet(export), demo.name, late.deputy_name)
    assert "未述" in detail and not any(isinstance(value, date) for value in detail)
    db.session.commit()  # a fresh read, after the requests' writes
    district = rates.in_term_reporting(demo.id, today)[0]
    assert (district.due, district.done) == (due, done)


def closure_terms_order(page):
    """The term names of the township table's header, in column order."""
    header = page.split('id="townships"')[1].split("</thead>")[0]
    return re.findall(r"<th>([^<]+?) 已述/应述</th>", header)


# --- the forms say so, and the record keeps the late entries ------------------------------------

def test_forms_of_a_closed_term_say_the_record_stays_outside_the_frozen_figures(client, db, login_as, world):
    """The report and exemption forms for a mandate of a closed term say it; the save says it again;
    the report's page, the exemption list and the deputy's 履职档案 keep it, marked; an open term's
    forms say nothing of the kind."""
    login_as("committee")
    _close(client, world["D"])
    notice = f"该届已于{END}换届，{NOTICE}"
    assert notice in client.get(f"/reports/new?mandate_id={world['P5']}").get_data(as_text=True)
    assert notice in client.get(f"/reports/exemptions/new?mandate_id={world['P5']}").get_data(as_text=True)
    assert NOTICE not in client.get(f"/reports/new?mandate_id={world['P6']}").get_data(as_text=True)  # 市: open
    assert NOTICE not in client.get(f"/reports/exemptions/new?mandate_id={world['P6']}").get_data(as_text=True)

    saved = _record_report(client, world["P5"], date(2025, 5, 1))
    assert f"区第八届已于{END}换届，{NOTICE}" in saved  # the flash on save, and the report's own page
    report = db.session.scalar(sa.select(DutyReport).where(DutyReport.mandate_id == world["P5"]))
    assert NOTICE in client.get(f"/reports/{report.id}/edit").get_data(as_text=True)

    # At a reporting session the save goes back to the session's page: the flash says it there.
    session = ReportSession(township_id=world["A"], session_date=date(2025, 6, 1), place_kind=PlaceKind.other,
                            place="村委会会议室")
    db.session.add(session)
    db.session.commit()
    response = client.post(f"/reports/new?mandate_id={world['P1']}&session_id={session.id}",
                           data=_report_data(date(2025, 6, 1)))
    assert response.headers["Location"].endswith(f"/reports/sessions/{session.id}")
    assert f"区第八届已于{END}换届，{NOTICE}" in client.get(response.headers["Location"]).get_data(as_text=True)

    exempted = client.post(f"/reports/exemptions/new?mandate_id={world['P7']}",
                           data={"scope": "term_report", "reason": "长期外出挂职", "approver": "主任会议",
                                 "approved_on": "2026-11-20"}, follow_redirects=True).get_data(as_text=True)
    assert f"区第八届已于{END}换届，{NOTICE}" in exempted
    listed = exempted.split('id="exemptions"')[1]
    assert listed.split("长期外出挂职")[0].count("不计入已冻结的统计") == 1  # the late one, marked
    assert listed.split("长期外出挂职")[1].count("不计入已冻结的统计") == 0  # 高六's, from before

    p5 = db.session.get(Mandate, world["P5"]).deputy_id
    record = client.get(f"/dashboard/deputies/{p5}").get_data(as_text=True)
    timeline = record.split('id="timeline"')[1]
    assert "2025-05-01" in timeline and NOTICE in timeline
    # Kept, outside: 应述 5 (韩七 still due), 已述 2 (冯五's report left out).
    assert _figures(world["D"]) == (5, 2)


def _figures(term_id):
    row = rates.in_term_reporting(term_id, date.fromisoformat(END))[0]
    return row.due, row.done


def test_a_frozen_report_keeps_what_it_counted(client, db, login_as, world):
    """A report recorded before the freeze is counted as it then stood: its 已完成 flag and its coverage
    of a closed term's mandate cannot change (either would move the frozen figures); other
    corrections are saved. A report completed only after the close is recorded as a new one."""
    login_as("committee")
    _close(client, world["D"])
    _close(client, world["M"])
    planned = db.session.scalar(sa.select(DutyReport).where(DutyReport.mandate_id == world["P4"]))
    refused = client.post(f"/reports/{planned.id}/edit",
                          data=_report_data(date(2024, 11, 20), version=str(planned.version)))
    assert "已冻结的统计按此记录当时的“已完成”状态计算" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DutyReport, planned.id).completed is False

    shared = db.session.scalar(sa.select(DutyReport).where(DutyReport.mandate_id == world["P2D"]))
    uncovered = client.post(f"/reports/{shared.id}/edit",
                            data=_report_data(date(2024, 6, 18), version=str(shared.version)))
    assert "不能取消同时计入" in uncovered.get_data(as_text=True)
    kept = client.post(f"/reports/{shared.id}/edit",
                       data=_report_data(date(2024, 6, 18), version=str(shared.version), voters_present="45",
                                         also_cover=str(world["P2M"])))
    assert kept.status_code == 302
    db.session.expire_all()
    assert db.session.get(DutyReport, shared.id).voters_present == 45
    assert _figures(world["D"]) == (5, 2) and _figures(world["M"]) == (1, 1)


def test_a_closed_terms_dates_cannot_be_edited(client, db, login_as, world):
    """The closing set the term's real last day; the figures were frozen with it (rule R14)."""
    login_as("committee")
    _close(client, world["D"])
    page = client.post(f"/terms/{world['D']}/edit", data={
        "level": "district", "ordinal": "8", "township_id": "0", "start_date": "2021-12-01",
        "end_date": "2026-12-31"}).get_data(as_text=True)
    assert "已闭届，起止日期已随最终数据冻结" in page
    db.session.expire_all()
    assert db.session.get(Term, world["D"]).end_date == date(2026, 11, 30)


# --- reopening ---------------------------------------------------------------------------------

def test_reopening_freezes_a_new_version_that_takes_in_the_late_report(client, db, login_as, targets):
    """The committee reopens with a reason: version 2 counts the report recorded after the close,
    version 1 stays downloadable as it was, the act is audited, and every page now agrees on version 2."""
    world = targets
    committee = login_as("committee")
    _close(client, world["D"])
    _record_report(client, world["P5"], date(2025, 5, 1))
    form = client.get(f"/dashboard/terms/{world['D']}/reopen").get_data(as_text=True)
    assert "此后补录：述职 1 条，免除 0 条，代表资格 0 项" in form

    no_reason = client.post(f"/dashboard/terms/{world['D']}/reopen", data={"reason": " ", "confirm": "y"})
    assert "请填写重新冻结的原因" in no_reason.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TermClosure.id))) == 1

    response = client.post(f"/dashboard/terms/{world['D']}/reopen",
                           data={"reason": "补录冯五换届前的述职", "confirm": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已重新冻结（第 2 版）：应述 5 人，已述 3 人" in page
    versions = page.split(f'id="versions-{world["D"]}"')[1].split("</table>")[0]
    assert "第 2 版" in versions and "第 1 版" in versions and "补录冯五换届前的述职" in versions
    assert versions.index("第 2 版") < versions.index("第 1 版")  # the current version first
    first, second = db.session.scalars(sa.select(TermClosure).order_by(TermClosure.version)).all()
    assert (first.version, first.due, first.done) == (1, 5, 2)
    assert (second.version, second.due, second.done, second.reason) == (2, 5, 3, "补录冯五换届前的述职")

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "term.reopened"))
    assert event.actor_id == committee.id and event.target_id == str(world["D"])
    assert "version=2" in event.detail and "done=2->3" in event.detail and "补录冯五换届前的述职" in event.detail

    latest = read_workbook(client.get(f"/dashboard/terms/{world['D']}/final.xlsx").get_data())
    second = f"区第八届（已于{END}换届，第 2 版冻结数据）"  # each version names itself (rule R14)
    assert _counts_after(_row_with(_targets_sheet(latest), second), second) == (5, 3)
    older = client.get(f"/dashboard/terms/{world['D']}/final.xlsx?version=1")
    assert "%E7%AC%AC1%E7%89%88" in older.headers["Content-Disposition"]  # 第1版 in the file name
    first = f"区第八届（已于{END}换届，第 1 版冻结数据）"
    assert _counts_after(_row_with(_targets_sheet(read_workbook(older.get_data())), first), first) == (5, 2)
    assert client.get(f"/dashboard/terms/{world['D']}/final.xlsx?version=3").status_code == 404

    card = _card(client.get("/dashboard").get_data(as_text=True), "区第八届")
    assert _card_figures(card) == (5, 3) and "第 2 版" in card
    report = db.session.scalar(sa.select(DutyReport).where(DutyReport.mandate_id == world["P5"]))
    assert NOTICE not in client.get(f"/reports/{report.id}/edit").get_data(as_text=True)  # now inside


def test_reopening_asks_for_the_password_again(client, db, login_as, world):
    """A committee member whose password was given long ago confirms it first; nothing is reopened
    before that."""
    login_as("committee")
    _close(client, world["D"])
    with client.session_transaction() as session:
        session["password_confirmed_at"] = 0  # given at the epoch: long stale
    response = client.post(f"/dashboard/terms/{world['D']}/reopen",
                           data={"reason": "补录", "confirm": "y",
                                 "next": f"/dashboard/terms/{world['D']}/reopen"})
    assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(TermClosure.id))) == 1
    assert client.get(f"/dashboard/terms/{world['D']}/reopen").status_code == 302


@pytest.mark.parametrize("role", ["township_staff", "deputy"])
def test_only_the_committee_reopens_or_reads_the_versions(client, db, login_as, world, role):
    """Township staff and deputies get 403 on the reopening, its form and every frozen version; the
    refusal changes nothing."""
    from tests.conftest import sign_in
    from tests import factories
    from liaison.accounts.models import Role

    committee = factories.make_user(roles={Role.committee})
    db.session.commit()
    sign_in(client, committee.mobile)
    _close(client, world["D"])
    client.post("/logout")
    login_as(role)
    assert client.get(f"/dashboard/terms/{world['D']}/reopen").status_code == 403
    assert client.post(f"/dashboard/terms/{world['D']}/reopen",
                       data={"reason": "补录", "confirm": "y"}).status_code == 403
    assert client.get(f"/dashboard/terms/{world['D']}/final.xlsx?version=1").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(TermClosure.id))) == 1


def test_an_open_term_has_nothing_to_reopen(client, db, login_as, world):
    login_as("committee")
    assert client.get(f"/dashboard/terms/{world['M']}/reopen").status_code == 404
    assert client.post(f"/dashboard/terms/{world['M']}/reopen",
                       data={"reason": "补录", "confirm": "y"}).status_code == 404


def test_a_reopening_post_without_its_token_is_refused(client, db, login_as, world, csrf_enabled, app):
    """With CSRF on, a reopening posted without the form's token changes nothing."""
    app.config["WTF_CSRF_ENABLED"] = False
    login_as("committee")
    _close(client, world["D"])
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/dashboard/terms/{world['D']}/reopen", data={"reason": "补录", "confirm": "y"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(TermClosure.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "term.reopened")) == 0

