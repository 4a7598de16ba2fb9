"""Congress term (届) pages: the list, adding and editing terms, and the rules that guard them."""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.deputies.models import EndReason
from liaison.extensions import db
from liaison.terms.models import Level, Term
from liaison.townships.models import TownshipKind
from tests import factories
from tests.townships.helpers import count, positions, text


def term_form(**overrides):
    """A valid form for 区第八届 (five years), with overrides."""
    data = {"level": "district", "ordinal": "8", "township_id": "0", "name": "",
            "start_date": "2021-12-01", "end_date": "2026-12-01", "end_provisional": "y"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def only_term():
    """The one term in the database (or None)."""
    return db.session.scalar(sa.select(Term))


def test_committee_adds_a_district_term_with_default_name(client, committee):
    """A 区 term saved through the form is named 区第八届 and listed with its provisional end."""
    response = client.post("/terms/new", data=term_form())
    assert response.status_code == 302 and response.headers["Location"] == "/terms"
    term = only_term()
    assert (term.name, term.level, term.ordinal, term.township_id) == ("区第八届", Level.district, 8, None)
    assert (term.start_date, term.end_date) == (date(2021, 12, 1), date(2026, 12, 1))
    assert term.end_provisional
    page = text(client.get("/terms"))
    assert "已添加届次“区第八届”" in page
    assert "2026-12-01<span class=\"text-muted\">（暂定）</span>" in page
    assert "届期约" not in page


def test_committee_adds_a_township_term(client, committee):
    """A 乡镇 term needs its township and is named after it: 安平镇第十八届."""
    township = factories.make_township(name="安平镇")
    client.post("/terms/new", data=term_form(level="township", ordinal="18", township_id=str(township.id),
                                             end_provisional=None))
    term = only_term()
    assert (term.name, term.township_id, term.end_provisional) == ("安平镇第十八届", township.id, False)


def test_a_name_typed_in_is_kept(client, committee):
    """A name typed in replaces the default one."""
    client.post("/terms/new", data=term_form(level="municipal", ordinal="15", name=" 某市第十五届 "))
    assert only_term().name == "某市第十五届"


@pytest.mark.parametrize("overrides,field_message", [
    ({"level": ""}, "请选择层级"),
    ({"ordinal": ""}, "届次应为 1 到 99 之间的整数"),
    ({"ordinal": "0"}, "届次应为 1 到 99 之间的整数"),
    ({"ordinal": "100"}, "届次应为 1 到 99 之间的整数"),
    ({"start_date": ""}, "请填写开始日期"),
    ({"end_date": ""}, "请填写结束日期"),
    ({"end_date": "2021-12-01"}, "结束日期应晚于开始日期"),
    ({"end_date": "2020-01-01"}, "结束日期应晚于开始日期"),
    ({"level": "township"}, "乡镇人大届次须选择所属乡镇"),
    ({"name": "届" * 81}, "名称最多 80 个字"),
])
def test_bad_input_is_refused_with_a_message(client, committee, overrides, field_message):
    """Each missing or wrong field gets its own Chinese message next to it, and nothing is saved."""
    response = client.post("/terms/new", data=term_form(**overrides))
    assert response.status_code == 200
    page = text(response)
    assert field_message in page
    assert "invalid-feedback" in page
    assert count(Term) == 0


def test_township_is_refused_for_other_levels(client, committee):
    """Choosing a township for a 区 term is refused: only 乡镇 terms belong to a township."""
    township = factories.make_township()
    response = client.post("/terms/new", data=term_form(township_id=str(township.id)))
    assert "只有乡镇人大届次才选择所属乡镇；区届次请不要选择乡镇" in text(response)
    assert count(Term) == 0


def test_subdistrict_has_no_township_term(client, committee):
    """A 街道 has no congress: a 乡镇 term for it is refused, naming it."""
    street = factories.make_township(name="城关街道", kind=TownshipKind.subdistrict)
    response = client.post("/terms/new", data=term_form(level="township", township_id=str(street.id)))
    assert "“城关街道”是街道，街道不设人大，不能建立乡镇人大届次" in text(response)
    assert count(Term) == 0


def test_duplicate_name_is_refused_naming_it(client, committee):
    """A second 区第八届 is refused; the message names the duplicate."""
    factories.make_term(name="区第八届")
    response = client.post("/terms/new", data=term_form())
    assert "已有名为“区第八届”的届次" in text(response)
    assert count(Term) == 1


def test_unusual_length_is_saved_with_a_warning(client, committee):
    """A term far from five years is saved, with a warning to check the dates."""
    response = client.post("/terms/new", data=term_form(end_date="2024-12-01"), follow_redirects=True)
    assert only_term() is not None
    assert "“区第八届”的届期约 3.0 年" in text(response) and "通常为 5 年" in text(response)


def test_a_few_weeks_off_five_years_is_no_warning(client, committee):
    """A term a few weeks shorter or longer than five years draws no warning."""
    response = client.post("/terms/new", data=term_form(end_date="2027-01-15"), follow_redirects=True)
    assert "届期约" not in text(response)


def test_committee_edits_a_term(client, committee):
    """Editing saves new dates and the confirmed end; the form shows the current values."""
    term = factories.make_term(name="区第八届", end_provisional=True)
    page = text(client.get(f"/terms/{term.id}/edit"))
    assert 'value="区第八届"' in page and 'value="2021-12-01"' in page
    response = client.post(f"/terms/{term.id}/edit", data=term_form(
        name="区第八届", start_date="2021-12-01", end_date="2026-12-28", end_provisional=None))
    assert response.status_code == 302
    term = db.session.get(Term, term.id)
    assert (term.end_date, term.end_provisional) == (date(2026, 12, 28), False)


def test_editing_keeps_its_own_name_without_calling_it_a_duplicate(client, committee):
    """Saving a term under its own name is allowed."""
    term = factories.make_term(name="区第八届")
    response = client.post(f"/terms/{term.id}/edit", data=term_form(name="区第八届"))
    assert response.status_code == 302


@pytest.fixture()
def term_with_mandates(db):
    """区第八届 (2021-12-01 to 2026-12-31) with a mandate from the start, a 补选 one and one ended early."""
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2026, 12, 31))
    factories.make_mandate(term=term)
    factories.make_mandate(term=term)
    factories.make_mandate(term=term, start_date=date(2023, 5, 1), by_election=True)
    factories.make_mandate(term=term, start_date=date(2022, 3, 1), end_date=date(2025, 6, 1),
                           end_reason=EndReason.moved_away)
    return term


def test_later_start_that_strands_mandates_is_refused(client, committee, term_with_mandates):
    """Moving the start after mandates began is refused, saying how many would fall outside."""
    term = term_with_mandates
    response = client.post(f"/terms/{term.id}/edit", data=term_form(
        name="区第八届", start_date="2022-06-01", end_date="2026-12-31"))
    assert "有 3 个代表资格在新的开始日期 2022-06-01 之前就已开始，会落在届期之外" in text(response)
    assert db.session.get(Term, term.id).start_date == date(2021, 12, 1)


def test_earlier_end_that_strands_mandates_is_refused(client, committee, term_with_mandates):
    """Confirming an end before a mandate began or ended is refused, saying how many."""
    term = term_with_mandates
    response = client.post(f"/terms/{term.id}/edit", data=term_form(
        name="区第八届", start_date="2021-12-01", end_date="2023-01-01", end_provisional=None))
    assert "有 2 个代表资格在新的结束日期 2023-01-01 之后才开始或结束，会落在届期之外" in text(response)
    assert db.session.get(Term, term.id).end_date == date(2026, 12, 31)


def test_an_earlier_provisional_end_strands_nothing(client, committee, term_with_mandates):
    """Rule R5: a provisional end bounds no mandate (they are held past it until the closing), so a
    planned end moved before a by-election or an early end is saved; confirming it would be refused."""
    term = term_with_mandates
    response = client.post(f"/terms/{term.id}/edit", data=term_form(
        name="区第八届", start_date="2021-12-01", end_date="2023-01-01"))
    assert response.status_code == 302
    saved = db.session.get(Term, term.id)
    assert (saved.end_date, saved.end_provisional) == (date(2023, 1, 1), True)


def test_date_change_that_keeps_mandates_inside_is_saved(client, committee, term_with_mandates):
    """Dates that still cover every mandate are saved."""
    term = term_with_mandates
    response = client.post(f"/terms/{term.id}/edit", data=term_form(
        name="区第八届", start_date="2021-11-20", end_date="2026-11-30"))
    assert response.status_code == 302
    term = db.session.get(Term, term.id)
    assert (term.start_date, term.end_date) == (date(2021, 11, 20), date(2026, 11, 30))


def test_level_of_a_term_in_use_cannot_change(client, committee):
    """A term with districts keeps its level: its districts were drawn for that congress."""
    term = factories.make_term(name="区第八届")
    factories.make_district(term=term)
    response = client.post(f"/terms/{term.id}/edit", data=term_form(level="municipal", name="区第八届"))
    assert "此届次已有 1 个选区、0 个代表资格，不能再修改层级或所属乡镇" in text(response)
    assert db.session.get(Term, term.id).level is Level.district


def test_list_order_counts_and_provisional_marker(client, committee):
    """The list runs 全国, 市, 区, 乡镇, newest first within a level, with mandate counts."""
    factories.make_term(level=Level.township, ordinal=18, name="安平镇第十八届",
                        township=factories.make_township(name="安平镇"))
    factories.make_term(level=Level.district, ordinal=7, name="区第七届", start_date=date(2016, 12, 1),
                        end_date=date(2021, 12, 1), end_provisional=False)
    district8 = factories.make_term(level=Level.district, ordinal=8, name="区第八届", end_provisional=True)
    factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届")
    factories.make_term(level=Level.national, ordinal=14, name="全国第十四届")
    factories.make_mandate(term=district8)
    factories.make_mandate(term=district8)
    page = text(client.get("/terms"))
    names = ["全国第十四届", "市第十五届", "区第八届", "区第七届", "安平镇第十八届"]
    assert positions(page, *names) == sorted(positions(page, *names))
    row8 = page[page.index("区第八届"):page.index("</tr>", page.index("区第八届"))]
    assert ">2<" in row8 and "（暂定）" in row8
    row7 = page[page.index("区第七届"):page.index("</tr>", page.index("区第七届"))]
    assert "2021-12-01" in row7 and "（暂定）" not in row7 and ">0<" in row7


def test_list_search_and_pagination(client, committee, app):
    """Searching narrows the list by name; long lists go on to a second page that keeps the search."""
    size = app.config["LIAISON_PAGE_SIZE"]
    for ordinal in range(1, size + 3):
        factories.make_term(level=Level.district, ordinal=ordinal, name=f"区第{ordinal}届")
    factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届")
    searched = text(client.get("/terms", query_string={"q": "区"}))
    assert "市第十五届" not in searched
    assert "第 1 / 2 页，共 22 条" in searched and "q=%E5%8C%BA" in searched and "page=2" in searched
    second = text(client.get("/terms", query_string={"q": "区", "page": 2}))
    assert "第 2 / 2 页，共 22 条" in second
    assert text(client.get("/terms", query_string={"q": "省"})).count("</tr>") == 2


def test_unknown_term_is_404(client, committee):
    """A term id that does not exist answers 404."""
    assert client.get("/terms/999999/edit").status_code == 404
