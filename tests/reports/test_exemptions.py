"""Exemptions (应述尽述) and the "two 100%" target terms, recorded by committee staff."""
from datetime import date, timedelta

import pytest

from liaison.clock import local_today
from liaison.rates import queries as rates
from liaison.reports import queries
from liaison.deputies.models import Exemption, ExemptionScope
from liaison.reports.models import Setting
from liaison.terms.models import Level
from tests import factories
from tests.reports.conftest import count, text


def _exempt(client, mandate_id, **overrides):
    data = {"scope": "term_report", "year": "", "month": "", "quarter": "", "reason": "因病长期住院",
            "approver": "区人大常委会主任会议", "approved_on": "2024-03-01"}
    data.update(overrides)
    return client.post(f"/reports/exemptions/new?mandate_id={mandate_id}", data=data)


@pytest.fixture()
def committee(login_as, place):
    return login_as("committee")


def test_an_exemption_takes_the_mandate_out_of_the_denominator(client, db, place, committee):
    """Before: 区第八届 has 4 mandates due (白二 安一 陈三 丁四). Exempting 安一 from the term's
    reporting leaves 3, and the exemptions page lists it with reason and approver."""
    today = local_today()
    assert rates.in_term_reporting(place.d_id, today)[0].due == 4
    response = _exempt(client, place.an_d)
    assert response.status_code == 302
    exemption = db.session.scalars(db.select(Exemption)).one()
    assert (exemption.scope, exemption.period_key, exemption.approved_on) == (
        ExemptionScope.term_report, 0, date(2024, 3, 1))
    [row] = rates.in_term_reporting(place.d_id, today)
    assert (row.exempted, row.due) == (1, 3)
    assert "安一" not in [r.deputy_name for r in rates.missing_reporters(place.d_id, today)]
    page = text(client.get("/reports/exemptions"))
    assert "安一" in page and "因病长期住院" in page and "区人大常委会主任会议" in page and "届内述职" in page


def test_a_month_exemption_takes_the_mandate_out_of_that_month(client, db, place, committee):
    """An exemption for March 2024 (月进站) takes 安一 out of March only."""
    assert _exempt(client, place.an_d, scope="month", year="2024", month="3").status_code == 302
    assert db.session.scalars(db.select(Exemption.period_key)).one() == 202403
    rows = {r.period_key: r for r in rates.monthly_visits(2024, place.d_id, date(2024, 12, 31), None)}
    assert (rows[202402].due, rows[202403].due, rows[202403].exempted, rows[202404].due) == (4, 3, 1, 4)


def test_year_and_quarter_exemptions(client, db, place, committee):
    """A year exemption leaves the annual duty; a quarter exemption leaves that quarter's 季回家."""
    assert _exempt(client, place.an_d, scope="year_report", year="2024").status_code == 302
    assert _exempt(client, place.an_d, scope="quarter", year="2024", quarter="2").status_code == 302
    [annual] = rates.annual_reporting(2024, date(2024, 12, 31), term_id=place.d_id)
    assert (annual.exempted, annual.due) == (1, 3)
    quarters = {r.period_key: r for r in rates.quarterly_visits(2024, place.d_id, date(2024, 12, 31), None)}
    assert (quarters[20241].due, quarters[20242].due, quarters[20242].exempted) == (4, 3, 1)


@pytest.mark.parametrize("fields,message", [
    ({"approver": ""}, "请填写批准人或批准机构"),
    ({"reason": ""}, "请填写免除的原因"),
    ({"approved_on": ""}, "请填写批准日期"),
    ({"scope": "month", "year": "2024"}, "请选择月份"),
    ({"scope": "quarter", "year": "2024"}, "请选择季度"),
    ({"scope": "year_report"}, "请选择年份"),
    ({"scope": "month", "year": "2021", "month": "6"}, "所选期间不在 区第八届 代表资格的任职期间内"),
])
def test_bad_exemptions_are_refused(client, db, place, committee, fields, message):
    """Reason, approver and date are required; the period must be complete and within the mandate."""
    assert message in text(_exempt(client, place.an_d, **fields))
    assert count(Exemption) == 0


def test_approval_cannot_be_in_the_future(client, db, place, committee):
    """An approval dated tomorrow is refused."""
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert "批准日期不能晚于今天" in text(_exempt(client, place.an_d, approved_on=tomorrow))


def test_the_same_exemption_twice_is_refused(client, db, place, committee):
    """A second exemption of the same kind for the same period is refused."""
    assert _exempt(client, place.an_d).status_code == 302
    assert "该代表资格在这一期间已有同类免除记录" in text(_exempt(client, place.an_d))
    assert count(Exemption) == 1


def test_the_picker_lists_deputies_of_every_township(client, db, place, committee):
    """Without a mandate the committee chooses one from all townships."""
    page = text(client.get("/reports/exemptions/new?q=陈"))
    assert "陈三" in page and "西湖街道" in page and "白二" not in page


# --- target terms ----------------------------------------------------------------------------

def test_default_targets_are_the_current_municipal_and_district_terms(db, place):
    """With nothing stored, the targets are the 市 and 区 terms in force today, 市 first; a past term,
    a township congress or a national term is not one."""
    factories.make_term(level=Level.district, ordinal=7, name="区第七届", start_date=date(2016, 12, 1),
                        end_date=date(2021, 11, 30))
    factories.make_term(level=Level.national, ordinal=14, name="全国第十四届", start_date=date(2023, 3, 5),
                        end_date=local_today() + timedelta(days=400))
    db.session.commit()
    assert queries.target_term_ids() == [place.m_id, place.d_id]


def test_committee_chooses_the_targets_and_can_restore_the_default(client, db, place, committee):
    """The page shows the default ticked; saving one term stores it; "恢复默认" removes the setting."""
    page = text(client.get("/reports/targets"))
    assert "当前为默认" in page
    assert f'value="{place.d_id}" id="term-{place.d_id}" checked' in page
    assert f'value="{place.m_id}" id="term-{place.m_id}" checked' in page
    assert client.post("/reports/targets", data={"term_ids": [str(place.d_id)]}).status_code == 302
    assert queries.target_term_ids() == [place.d_id]
    assert "当前为指定的届次" in text(client.get("/reports/targets"))
    assert "请至少选择一个届次" in text(client.post("/reports/targets", data={}))
    assert client.post("/reports/targets", data={"restore": "y"}).status_code == 302
    assert count(Setting) == 0
    assert queries.target_term_ids() == [place.m_id, place.d_id]
