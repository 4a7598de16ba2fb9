"""A closed term's record is closed (rule R14): its mandates no longer change, so the dashboard,
/dashboard/terms, the live export and the final workbook keep agreeing; the live export and the
deputy's own page say the term is closed and give its frozen figures; the 说明 sheet's count of
exemptions is the one the figures use."""
from datetime import date

import sqlalchemy as sa

from liaison.deputies.models import EndReason, Exemption, ExemptionScope, Mandate, Suspension
from liaison.extensions import db as _db
from tests import factories
from tests.conftest import sign_in
from tests.dashboard.conftest import read_workbook
from tests.dashboard.test_closed_terms import (END, _card, _card_figures, _close, _counts_after, _row_with,
                                               _targets_sheet)
from tests.rates.conftest import add_exemption

REFUSED = f"区第八届已于{END}换届，该届的代表资格已随最终统计冻结，记录已经封存"
LABEL = f"区第八届（已于{END}换届，第 1 版冻结数据）"


def _mandates():
    """Every stored field of every mandate that a figure depends on, and the suspensions."""
    mandates = {m.id: (m.term_id, m.township_id, m.electoral_district_id, m.start_date, m.end_date, m.end_reason)
                for m in _db.session.scalars(sa.select(Mandate))}
    suspensions = _db.session.scalar(sa.select(sa.func.count(Suspension.id)))
    return mandates, suspensions


def _edit_data(mandate, **changes):
    data = {"term_id": str(mandate.term_id), "township_id": str(mandate.township_id),
            "electoral_district_id": str(mandate.electoral_district_id or ""), "home_id": str(mandate.home_id or ""),
            "station_id": str(mandate.station_id or ""), "start_date": mandate.start_date.isoformat()}
    data.update(changes)
    return data


def _notes(book):
    sheet = next(sheet for sheet in book.worksheets if sheet.title.startswith("说明"))
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_no_change_to_a_closed_terms_mandates_moves_its_figures(client, db, login_as, targets):
    """The review's case (6/3 against 5/2): after closing 区第八届, withdrawing 陈三's early end, recording
    one for 冯五, moving 韩七's start, a suspension for 安一 and moving 高六's 市 mandate into the closed
    term are each refused by name and day; nothing is stored; the dashboard, /dashboard/terms, the
    live export and the final workbook all still say 应述 5, 已述 2 (rule R14)."""
    world = targets
    login_as("committee")
    _close(client, world["D"])
    before = _mandates()

    attempts = [
        (f"/mandates/{world['P3']}/end", {"end_date": "", "end_reason": ""}, REFUSED),  # withdraw
        (f"/mandates/{world['P5']}/end", {"end_date": "2025-01-01", "end_reason": EndReason.resigned.value},
         REFUSED),
        (f"/mandates/{world['P7']}/edit",
         _edit_data(db.session.get(Mandate, world["P7"]), start_date="2024-06-01"), REFUSED),
        (f"/mandates/{world['P1']}/suspensions/new",
         {"start_date": "2025-03-01", "end_date": "2025-04-30", "reason": "接受调查"}, REFUSED),
        (f"/mandates/{world['P6']}/edit", _edit_data(db.session.get(Mandate, world["P6"]), term_id=str(world["D"])),
         f"区第八届已于{END}换届，最终统计已冻结，不能把代表资格改到该届次"),
    ]
    # The forms say so before saving, and the deputy's page offers no change (rule R14).
    for url in (f"/mandates/{world['P5']}/end", f"/mandates/{world['P7']}/edit",
                f"/mandates/{world['P1']}/suspensions/new"):
        form = client.get(url).get_data(as_text=True)
        assert 'id="frozen-mandate"' in form and REFUSED in form, url
        assert 'class="btn btn-congress" disabled>' in form, url
    p3 = db.session.get(Mandate, world["P3"])
    card = client.get(f"/deputies/{p3.deputy_id}").get_data(as_text=True).split(f'id="mandate-{p3.id}"')[1]
    card = card.split('class="card mb-2 mandate"')[0]
    assert "已换届" in card and f"区第八届已于{END}换届，代表资格已随最终统计冻结，不能再修改" in card
    assert f"/mandates/{p3.id}/end" not in card and f"/mandates/{p3.id}/edit" not in card
    open_form = client.get(f"/mandates/{world['P6']}/end").get_data(as_text=True)  # 市第十五届 is open
    assert 'id="frozen-mandate"' not in open_form

    for url, data, message in attempts:
        response = client.post(url, data=data)
        assert response.status_code == 200, url  # the form again, not the redirect of a save
        assert message in response.get_data(as_text=True), url
    db.session.expire_all()
    assert _mandates() == before

    card = _card(client.get("/dashboard").get_data(as_text=True), "区第八届")
    assert _card_figures(card) == (5, 2)
    assert "应述 5，已述 2" in client.get("/dashboard/terms").get_data(as_text=True)
    final = read_workbook(client.get(f"/dashboard/terms/{world['D']}/final.xlsx").get_data())
    assert _counts_after(_row_with(_targets_sheet(final), LABEL), LABEL) == (5, 2)
    export = read_workbook(client.get("/dashboard/export.xlsx").get_data())
    assert _counts_after(_row_with(_targets_sheet(export), LABEL), LABEL) == (5, 2)


def test_a_mandate_recorded_after_the_freeze_can_still_be_corrected(client, db, login_as, targets):
    """A mandate added to the closed term after its freeze is outside the frozen figures (rule R14), so
    correcting it moves nothing: its early end is saved, and the figures stay 5/2."""
    world = targets
    login_as("committee")
    _close(client, world["D"])
    late = factories.make_mandate(deputy=factories.make_deputy(name="补录", mobile="13700001111"),
                                  term=db.session.get(Mandate, world["P1"]).term,
                                  township=db.session.get(Mandate, world["P1"]).township,
                                  start_date=date(2025, 1, 1))
    db.session.commit()
    response = client.post(f"/mandates/{late.id}/end",
                           data={"end_date": "2025-06-01", "end_reason": EndReason.resigned.value})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Mandate, late.id).end_date == date(2025, 6, 1)
    assert "应述 5，已述 2" in client.get("/dashboard/terms").get_data(as_text=True)


def test_the_live_export_labels_a_closed_term_and_counts_exemptions_as_the_figures_do(client, db, login_as,
                                                                                       targets):
    """The live export names 区第八届 as closed on its day with its frozen version, on the targets sheet
    and in 说明; an open term keeps its plain name. 说明's 免除记录 counts what the figures count: an
    exemption approved after the term's last day and one recorded after the freeze are left out
    (rules R9, R14), so it stays at the fixture's three."""
    world = targets
    add_exemption(db.session.get(Mandate, world["P1"]), ExemptionScope.term_report, 0, date(2026, 12, 1))
    db.session.commit()
    login_as("committee")
    open_export = read_workbook(client.get("/dashboard/export.xlsx").get_data())
    assert "换届" not in str(_notes(open_export)["目标届次"])
    # 区第八届's end (30 November) is confirmed: the December exemption is past it, outside (rule R9).
    assert _notes(open_export)["免除记录"] == "截至统计日已批准的免除共 3 条。"

    _close(client, world["D"])
    saved = client.post(f"/reports/exemptions/new?mandate_id={world['P7']}",
                        data={"scope": "term_report", "reason": "长期外出挂职", "approver": "主任会议",
                              "approved_on": "2026-11-20"})
    assert saved.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Exemption.id))) == 5

    export = read_workbook(client.get("/dashboard/export.xlsx").get_data())
    targets_sheet = _targets_sheet(export)
    assert _row_with(targets_sheet, LABEL)
    assert _row_with(targets_sheet, "市第十五届")  # open: its name alone
    notes = _notes(export)
    assert notes["目标届次"] == f"{LABEL}、市第十五届"
    assert notes["免除记录"] == "截至统计日已批准的免除共 3 条。"
    final = _notes(read_workbook(client.get(f"/dashboard/terms/{world['D']}/final.xlsx").get_data()))
    assert final["目标届次"] == LABEL


def test_the_deputys_own_page_shows_a_closed_terms_mandate_as_closed(client, db, login_as, targets):
    """我的履职 (/me) lists a mandate of a closed term as 已换届, with the day and the frozen version,
    and the deputy's place in the frozen figures: 安一 reported (2024-04-10), 冯五 did not; before the
    closing there is no such section (rule R14)."""
    world = targets
    p1 = db.session.get(Mandate, world["P1"]).deputy
    p5 = db.session.get(Mandate, world["P5"]).deputy
    first = login_as("deputy", deputy=p1)
    assert 'id="closed-terms"' not in client.get("/me").get_data(as_text=True)

    login_as("committee")
    _close(client, world["D"])
    assert sign_in(client, first.mobile).status_code == 302
    section = client.get("/me").get_data(as_text=True).split('id="closed-terms"')[1].split("</section>")[0]
    assert "区第八届" in section and "已换届" in section
    assert f"已于{END}换届，届内述职按第 1 版冻结数据" in section
    assert "已述职" in section and "2024-04-10" in section

    login_as("deputy", deputy=p5)
    section = client.get("/me").get_data(as_text=True).split('id="closed-terms"')[1].split("</section>")[0]
    assert "区第八届" in section and "已换届" in section and "未述职" in section and "已述职" not in section
