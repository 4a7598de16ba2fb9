"""Electoral district (选区) pages: adding a district to a township, editing it, and the rules that guard it."""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.terms.models import Level
from liaison.townships import operations
from liaison.townships.models import ElectoralDistrict, TownshipKind
from tests import factories
from tests.townships.helpers import count, text


def district_term(**kw):
    """A 区 term (directly elected)."""
    kw.setdefault("name", "区第八届")
    return factories.make_term(level=Level.district, **kw)


def test_committee_adds_a_district(client, committee):
    """Choosing a 区 term and a name saves the district in the township and returns to its page."""
    township = factories.make_township(name="安平镇")
    term = district_term()
    response = client.post(f"/townships/{township.id}/districts/new",
                           data={"term_id": term.id, "name": " 第一选区 "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/townships/{township.id}"
    district = db.session.scalar(sa.select(ElectoralDistrict))
    assert (district.name, district.term_id, district.township_id) == ("第一选区", term.id, township.id)
    page = text(client.get(f"/townships/{township.id}"))
    assert "已添加选区“第一选区”（区第八届）" in page


def test_term_options_are_directly_elected_terms_only(client, committee):
    """The term list offers 区 terms and this township's own 乡镇 terms, not 市/全国 or other townships' terms."""
    township = factories.make_township(name="安平镇")
    other = factories.make_township(name="李家镇")
    district_term(name="区第八届")
    factories.make_term(level=Level.township, ordinal=18, township=township, name="安平镇第十八届")
    factories.make_term(level=Level.township, ordinal=18, township=other, name="李家镇第十八届")
    factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届")
    factories.make_term(level=Level.national, ordinal=14, name="全国第十四届")
    page = text(client.get(f"/townships/{township.id}/districts/new"))
    assert "区第八届" in page and "安平镇第十八届" in page
    assert "李家镇第十八届" not in page and "市第十五届" not in page and "全国第十四届" not in page


def test_page_says_when_there_is_no_term_yet(client, committee):
    """Without any 区 or 乡镇 term the page points to adding a term first."""
    township = factories.make_township()
    page = text(client.get(f"/townships/{township.id}/districts/new"))
    assert "还没有区或乡镇届次" in page and 'href="/terms/new"' in page


@pytest.mark.parametrize("name", ["", "   ", "选" * 51])
def test_district_name_must_be_1_to_50_characters(client, committee, name):
    """An empty name or one over 50 characters is refused; nothing is saved."""
    township = factories.make_township()
    term = district_term()
    response = client.post(f"/townships/{township.id}/districts/new", data={"term_id": term.id, "name": name})
    assert "选区名称应为 1 到 50 个字" in text(response)
    assert count(ElectoralDistrict) == 0


def test_term_is_required(client, committee):
    """Leaving the term unchosen is refused with a message; nothing is saved."""
    township = factories.make_township()
    district_term()
    response = client.post(f"/townships/{township.id}/districts/new", data={"term_id": "0", "name": "第一选区"})
    assert "请选择届次" in text(response)
    assert count(ElectoralDistrict) == 0


def test_term_not_offered_is_refused(client, committee):
    """Posting a 市 term (not in the list) is refused in Chinese; nothing is saved."""
    township = factories.make_township()
    municipal = factories.make_term(level=Level.municipal, ordinal=15)
    response = client.post(f"/townships/{township.id}/districts/new",
                           data={"term_id": municipal.id, "name": "第一选区"})
    assert "请从列表中选择" in text(response)
    assert count(ElectoralDistrict) == 0


@pytest.mark.parametrize("level", [Level.municipal, Level.national])
def test_district_needs_a_directly_elected_term(db, level):
    """A district for a 市 or 全国 term is refused: those deputies are not elected by districts."""
    township = factories.make_township()
    term = factories.make_term(level=level, ordinal=15, name=f"{level.label}第十五届")
    with pytest.raises(InvalidInput) as refused:
        operations.create_district(term, township, "第一选区")
    assert refused.value.field == "term_id"
    assert f"“{term.name}”的代表不按选区选举" in str(refused.value.message)
    assert count(ElectoralDistrict) == 0


def test_township_term_district_must_be_in_that_township(db):
    """A district of 安平镇's own congress term cannot be drawn in 李家镇."""
    anping = factories.make_township(name="安平镇")
    lijia = factories.make_township(name="李家镇")
    term = factories.make_term(level=Level.township, ordinal=18, township=anping, name="安平镇第十八届")
    with pytest.raises(InvalidInput) as refused:
        operations.create_district(term, lijia, "第一选区")
    assert refused.value.field == "term_id"
    assert "它的选区只能设在安平镇，不能设在李家镇" in str(refused.value.message)
    assert operations.create_district(term, anping, "第一选区").township_id == anping.id


def test_duplicate_name_in_same_term_and_township_is_refused(client, committee):
    """Two districts with one name in the same term and township are refused; the message names it."""
    township = factories.make_township(name="安平镇")
    term = district_term()
    factories.make_district(term=term, township=township, name="第一选区")
    response = client.post(f"/townships/{township.id}/districts/new",
                           data={"term_id": term.id, "name": "第一选区"})
    assert "安平镇在“区第八届”已有名为“第一选区”的选区" in text(response)
    assert count(ElectoralDistrict) == 1


def test_same_name_in_another_term_or_township_is_fine(client, committee):
    """The same district name may be used again in another term or another township."""
    township = factories.make_township()
    term = district_term()
    earlier = district_term(name="区第七届", ordinal=7, start_date=date(2016, 12, 1), end_date=date(2021, 12, 1))
    factories.make_district(term=earlier, township=township, name="第一选区")
    factories.make_district(term=term, name="第一选区")
    client.post(f"/townships/{township.id}/districts/new", data={"term_id": term.id, "name": "第一选区"})
    assert count(ElectoralDistrict) == 3


def test_committee_renames_a_district(client, committee):
    """Editing a district saves its new name and returns to the township page."""
    district = factories.make_district(term=district_term(), name="第一选区")
    page = text(client.get(f"/districts/{district.id}/edit"))
    assert 'value="第一选区"' in page
    response = client.post(f"/districts/{district.id}/edit", data={
        "term_id": district.term_id, "township_id": district.township_id, "name": "城东选区"})
    assert response.headers["Location"] == f"/townships/{district.township_id}"
    assert db.session.get(ElectoralDistrict, district.id).name == "城东选区"


def test_unused_district_moves_to_another_township(client, committee):
    """A district nothing uses yet may be moved to another township."""
    district = factories.make_district(term=district_term())
    other = factories.make_township(name="李家镇")
    client.post(f"/districts/{district.id}/edit", data={
        "term_id": district.term_id, "township_id": other.id, "name": district.name})
    assert db.session.get(ElectoralDistrict, district.id).township_id == other.id


def test_district_with_mandates_cannot_move_township(client, committee):
    """A district that mandates use stays in its township; the message counts them; nothing changes."""
    term = district_term()
    township = factories.make_township(name="安平镇")
    district = factories.make_district(term=term, township=township, name="第一选区")
    factories.make_mandate(term=term, township=township, electoral_district=district)
    factories.make_mandate(term=term, township=township, electoral_district=district)
    other = factories.make_township(name="李家镇")
    response = client.post(f"/districts/{district.id}/edit", data={
        "term_id": term.id, "township_id": other.id, "name": "新名字"})
    assert "此选区已有 2 个代表资格、0 个联络站在使用，不能改到其他乡镇（街道）" in text(response)
    district = db.session.get(ElectoralDistrict, district.id)
    assert (district.township_id, district.name) == (township.id, "第一选区")


def test_district_with_a_station_cannot_move_township(client, committee):
    """A district a liaison station serves stays in its township."""
    township = factories.make_township()
    district = factories.make_district(term=district_term(), township=township)
    factories.make_station(township=township, electoral_district=district)
    other = factories.make_township(name="李家镇")
    response = client.post(f"/districts/{district.id}/edit", data={
        "term_id": district.term_id, "township_id": other.id, "name": district.name})
    assert "此选区已有 0 个代表资格、1 个联络站在使用" in text(response)
    assert db.session.get(ElectoralDistrict, district.id).township_id == township.id


def test_district_with_mandates_keeps_its_term(client, committee):
    """A district with mandates cannot be moved to another term (a mandate's district is of its own term)."""
    term = district_term()
    district = factories.make_mandate(term=term).electoral_district
    later = district_term(name="区第九届", ordinal=9, start_date=date(2026, 12, 31), end_date=date(2031, 12, 31))
    response = client.post(f"/districts/{district.id}/edit", data={
        "term_id": later.id, "township_id": district.township_id, "name": district.name})
    assert "此选区已有 1 个代表资格，不能改换届次" in text(response)
    assert db.session.get(ElectoralDistrict, district.id).term_id == term.id


def test_moving_a_township_term_district_elsewhere_is_refused(client, committee):
    """Moving a district of 安平镇's own term to 李家镇 is refused on the township field."""
    anping = factories.make_township(name="安平镇")
    term = factories.make_term(level=Level.township, ordinal=18, township=anping, name="安平镇第十八届")
    district = factories.make_district(term=term, township=anping)
    lijia = factories.make_township(name="李家镇")
    response = client.post(f"/districts/{district.id}/edit", data={
        "term_id": term.id, "township_id": lijia.id, "name": district.name})
    assert "“安平镇第十八届”是安平镇的人大届次，它的选区只能设在安平镇，不能设在李家镇" in text(response)
    assert db.session.get(ElectoralDistrict, district.id).township_id == anping.id


def test_renaming_to_a_sibling_name_is_refused(client, committee):
    """Renaming a district to the name of another in the same term and township is refused."""
    term = district_term()
    township = factories.make_township(name="安平镇")
    factories.make_district(term=term, township=township, name="第一选区")
    district = factories.make_district(term=term, township=township, name="第二选区")
    response = client.post(f"/districts/{district.id}/edit", data={
        "term_id": term.id, "township_id": township.id, "name": "第一选区"})
    assert "已有名为“第一选区”的选区" in text(response)
    assert db.session.get(ElectoralDistrict, district.id).name == "第二选区"


def test_a_subdistrict_gets_districts_of_district_terms(client, committee):
    """A 街道 has 区 districts like any township."""
    street = factories.make_township(name="城关街道", kind=TownshipKind.subdistrict)
    term = district_term()
    client.post(f"/townships/{street.id}/districts/new", data={"term_id": term.id, "name": "第一选区"})
    assert count(ElectoralDistrict) == 1


def test_unknown_district_is_404(client, committee):
    """A district id that does not exist answers 404; so does adding a district to an unknown township."""
    assert client.get("/districts/999999/edit").status_code == 404
    assert client.get("/townships/999999/districts/new").status_code == 404
