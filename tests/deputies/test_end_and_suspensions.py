"""Early ends of mandates (代表资格终止) and suspensions (暂停执行代表职务)."""
from datetime import date

import pytest

from liaison.deputies.models import EndReason, Mandate, Suspension
from tests import factories
from tests.deputies.conftest import count, page_text


@pytest.fixture()
def mandate(db):
    """A 区 mandate held from 2022-01-01 in a term ending 2026-12-31."""
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2026, 12, 31))
    deputy = factories.make_deputy(name="卫东")
    return factories.make_mandate(deputy=deputy, term=term, start_date=date(2022, 1, 1))


def _end(client, mandate_id, end_date="", reason=""):
    """Post the early-end form."""
    return client.post(f"/mandates/{mandate_id}/end", data={"end_date": end_date, "end_reason": reason})


def _reload(mandate_id):
    """The mandate as stored now."""
    from liaison.extensions import db

    db.session.expire_all()
    return db.session.get(Mandate, mandate_id)


def test_early_end_is_recorded_and_shown_with_its_reason(client, db, committee, mandate):
    """An early end with a 代表法 reason is saved and the page shows the date and the reason's label."""
    mandate_id, deputy_id = mandate.id, mandate.deputy_id
    assert _end(client, mandate_id, "2024-03-15", "moved_away").status_code == 302
    saved = _reload(mandate_id)
    assert (saved.end_date, saved.end_reason) == (date(2024, 3, 15), EndReason.moved_away)
    page = page_text(client.get(f"/deputies/{deputy_id}"))
    assert "2024-03-15" in page and "迁出或调离本行政区域" in page and "已提前终止" in page


def test_end_form_lists_the_law_reasons(client, db, committee, mandate):
    """The reason select offers the 代表法 reasons in Chinese."""
    page = page_text(client.get(f"/mandates/{mandate.id}/end"))
    for label in ("辞职被接受", "未经批准两次不出席会议", "被罢免", "死亡"):
        assert label in page


@pytest.mark.parametrize("end_date,message", [
    ("2022-01-01", "终止日期应晚于任职开始日期（2022-01-01）"),
    ("2021-06-01", "终止日期应晚于任职开始日期"),
    ("2027-01-01", "终止日期不能晚于 区第八届 的届满日期（2026-12-31）"),
])
def test_end_date_must_fall_after_start_and_within_term(client, db, committee, mandate, end_date, message):
    """An end on or before the start, or after the term, is refused; nothing is saved."""
    mandate_id = mandate.id
    assert message in page_text(_end(client, mandate_id, end_date, "resigned"))
    assert _reload(mandate_id).end_date is None


def test_reason_is_required_with_the_date(client, db, committee, mandate):
    """A date without a reason is refused."""
    mandate_id = mandate.id
    assert "请选择代表资格终止的原因" in page_text(_end(client, mandate_id, "2024-03-15"))
    assert _reload(mandate_id).end_date is None


def test_date_is_required_with_the_reason(client, db, committee, mandate):
    """A reason without a date is refused."""
    mandate_id = mandate.id
    assert "请填写代表资格终止的日期" in page_text(_end(client, mandate_id, "", "died"))
    assert _reload(mandate_id).end_reason is None


def test_a_mistaken_end_can_be_withdrawn(client, db, committee, mandate):
    """Saving the end form empty removes an early end recorded by mistake."""
    mandate.end_date, mandate.end_reason = date(2024, 1, 1), EndReason.resigned
    mandate_id = mandate.id
    assert _end(client, mandate_id).status_code == 302
    saved = _reload(mandate_id)
    assert saved.end_date is None and saved.end_reason is None


def _suspend(client, mandate_id, start, end="", reason="因涉嫌违法被羁押"):
    """Post the new-suspension form."""
    return client.post(f"/mandates/{mandate_id}/suspensions/new",
                       data={"start_date": start, "end_date": end, "reason": reason})


def test_suspension_is_recorded_and_shown(client, db, committee, mandate):
    """A suspension inside the mandate is saved and listed on the deputy's page."""
    mandate_id, deputy_id = mandate.id, mandate.deputy_id
    assert _suspend(client, mandate_id, "2023-02-01", "2023-05-31").status_code == 302
    assert count(Suspension) == 1
    page = page_text(client.get(f"/deputies/{deputy_id}"))
    assert "2023-02-01 至 2023-05-31" in page and "因涉嫌违法被羁押" in page


@pytest.mark.parametrize("start,end,message", [
    ("2021-12-31", "", "暂停开始日期应在代表资格期内（2022-01-01 至 2026-12-31）"),
    ("2027-01-02", "", "暂停开始日期应在代表资格期内"),
    ("2023-05-01", "2023-04-30", "暂停结束日期不能早于开始日期"),
    ("2026-12-01", "2027-01-31", "暂停结束日期不能晚于代表资格的最后一天（2026-12-31）"),
])
def test_suspension_must_lie_inside_the_mandate(client, db, committee, mandate, start, end, message):
    """Suspensions outside the mandate's dates, or ending before they start, are refused."""
    assert message in page_text(_suspend(client, mandate.id, start, end))
    assert count(Suspension) == 0


def test_suspension_after_an_early_end_is_refused(client, db, committee, mandate):
    """Once a mandate ended early, its last day is the day before the end date."""
    mandate.end_date, mandate.end_reason = date(2024, 3, 15), EndReason.resigned
    assert "暂停开始日期应在代表资格期内（2022-01-01 至 2024-03-14）" in page_text(
        _suspend(client, mandate.id, "2024-03-15"))
    assert count(Suspension) == 0


@pytest.mark.parametrize("start,end", [("2023-03-01", "2023-03-10"), ("2023-01-01", ""), ("2023-05-31", "")])
def test_overlapping_suspensions_are_refused(client, db, committee, mandate, start, end):
    """A suspension overlapping an existing one of the same mandate is refused."""
    db.session.add(Suspension(mandate=mandate, start_date=date(2023, 2, 1), end_date=date(2023, 5, 31),
                              reason="原有记录"))
    response = _suspend(client, mandate.id, start, end)
    assert "与已有的暂停记录（2023-02-01 至 2023-05-31）重叠" in page_text(response)
    assert count(Suspension) == 1


def test_open_suspension_blocks_later_ones(client, db, committee, mandate):
    """A suspension still running overlaps anything after its start."""
    db.session.add(Suspension(mandate=mandate, start_date=date(2023, 2, 1), reason="原有记录"))
    response = _suspend(client, mandate.id, "2024-01-01", "2024-02-01")
    assert "与已有的暂停记录（2023-02-01 起，尚未恢复）重叠" in page_text(response)
    assert count(Suspension) == 1


def test_end_before_a_recorded_suspension_is_refused(client, db, committee, mandate):
    """An early end cannot cut off a suspension that starts on or after it."""
    db.session.add(Suspension(mandate=mandate, start_date=date(2024, 6, 1), reason="原有记录"))
    mandate_id = mandate.id
    assert "已有从 2024-06-01 开始的暂停执行代表职务记录" in page_text(_end(client, mandate_id, "2024-06-01", "died"))
    assert _reload(mandate_id).end_date is None
