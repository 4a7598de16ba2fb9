"""Township (乡镇/街道) pages: the list, adding and editing, and the detail page."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from liaison.extensions import db
from liaison.network.models import StationKind
from liaison.terms.models import Level
from liaison.townships.models import Township, TownshipKind
from tests import factories
from tests.townships.helpers import count, csrf_token, positions, text


def township_named(name):
    """The township with that name, or None."""
    return db.session.scalar(sa.select(Township).where(Township.name == name))


def test_committee_adds_a_township(client, committee):
    """Filling in the form saves the township and opens its page."""
    response = client.post("/townships/new", data={"name": " 安平镇 ", "kind": "township"})
    township = township_named("安平镇")
    assert township is not None and township.kind is TownshipKind.township
    assert response.status_code == 302
    assert response.headers["Location"] == f"/townships/{township.id}"
    page = text(client.get(response.headers["Location"]))
    assert "安平镇" in page and "已添加乡镇“安平镇”" in page


def test_adding_a_subdistrict_with_a_real_csrf_token(client, committee, csrf_enabled):
    """The form carries its CSRF token: a 街道 added through it is saved; without the token nothing is."""
    form_page = text(client.get("/townships/new"))
    refused = client.post("/townships/new", data={"name": "城关街道", "kind": "subdistrict"})
    assert refused.status_code == 400 and count(Township) == 0
    client.post("/townships/new", data={"name": "城关街道", "kind": "subdistrict",
                                        "csrf_token": csrf_token(form_page)})
    assert township_named("城关街道").kind is TownshipKind.subdistrict


@pytest.mark.parametrize("name", ["", "镇", "  镇  ", "长" * 51])
def test_name_must_be_2_to_50_characters(client, committee, name):
    """A name shorter than 2 or longer than 50 characters is refused with a message; nothing is saved."""
    response = client.post("/townships/new", data={"name": name, "kind": "township"})
    assert response.status_code == 200
    assert "名称应为 2 到 50 个字" in text(response)
    assert count(Township) == 0


def test_kind_is_required(client, committee):
    """Without a kind the form says to choose 乡镇 or 街道 and saves nothing."""
    response = client.post("/townships/new", data={"name": "安平镇", "kind": ""})
    assert "请选择类型：乡镇或街道" in text(response)
    assert count(Township) == 0


def test_unknown_kind_is_refused(client, committee):
    """A kind that is not in the list is refused in Chinese."""
    response = client.post("/townships/new", data={"name": "安平镇", "kind": "county"})
    assert "请从列表中选择" in text(response)
    assert count(Township) == 0


def test_duplicate_name_is_refused_naming_it(client, committee):
    """A second township with the same name is refused; the message names the duplicate."""
    factories.make_township(name="安平镇")
    response = client.post("/townships/new", data={"name": "安平镇", "kind": "subdistrict"})
    assert "已有名为“安平镇”的乡镇（街道）" in text(response)
    assert count(Township) == 1


def test_committee_renames_a_township_and_changes_its_kind(client, committee):
    """Editing saves the new name and kind."""
    township = factories.make_township(name="城关镇")
    page = text(client.get(f"/townships/{township.id}/edit"))
    assert 'value="城关镇"' in page
    response = client.post(f"/townships/{township.id}/edit", data={"name": "城关街道", "kind": "subdistrict"})
    assert response.status_code == 302
    township = db.session.get(Township, township.id)
    assert (township.name, township.kind) == ("城关街道", TownshipKind.subdistrict)


def test_keeping_the_own_name_is_not_a_duplicate(client, committee):
    """Saving a township under its current name is allowed."""
    township = factories.make_township(name="安平镇")
    response = client.post(f"/townships/{township.id}/edit", data={"name": "安平镇", "kind": "township"})
    assert response.status_code == 302


def test_renaming_to_another_townships_name_is_refused(client, committee):
    """Renaming to a name another township has is refused and changes nothing."""
    factories.make_township(name="安平镇")
    township = factories.make_township(name="李家镇")
    response = client.post(f"/townships/{township.id}/edit", data={"name": "安平镇", "kind": "township"})
    assert "已有名为“安平镇”的乡镇（街道）" in text(response)
    assert db.session.get(Township, township.id).name == "李家镇"


def test_township_with_its_own_terms_cannot_become_a_subdistrict(client, committee):
    """A 乡镇 with 乡镇-level terms stays a 乡镇: a 街道 has no congress of its own."""
    township = factories.make_township(name="安平镇")
    factories.make_term(level=Level.township, ordinal=18, township=township)
    response = client.post(f"/townships/{township.id}/edit", data={"name": "安平街道", "kind": "subdistrict"})
    page = text(response)
    assert "已有 1 个乡镇人大届次，不能改为街道" in page
    township = db.session.get(Township, township.id)
    assert (township.name, township.kind) == ("安平镇", TownshipKind.township)


def test_township_with_only_district_terms_can_become_a_subdistrict(client, committee):
    """区 terms and districts do not stop a 乡镇 becoming a 街道."""
    township = factories.make_township(name="安平镇")
    factories.make_district(township=township)
    client.post(f"/townships/{township.id}/edit", data={"name": "安平街道", "kind": "subdistrict"})
    assert db.session.get(Township, township.id).kind is TownshipKind.subdistrict


def test_list_is_in_administrative_order_with_kind_and_station_count(client, committee):
    """The list follows the order townships were added (the administrative order by default, not
    pinyin) and shows kind and number of homes and stations."""
    zhang = factories.make_township(name="张家镇")
    factories.make_township(name="安平镇")
    factories.make_township(name="李家街道", kind=TownshipKind.subdistrict)
    factories.make_station(township=zhang, kind=StationKind.home)
    factories.make_station(township=zhang)
    page = text(client.get("/townships"))
    assert positions(page, "张家镇", "安平镇", "李家街道") == sorted(positions(page, "张家镇", "安平镇", "李家街道"))
    row = page[page.index("张家镇"):page.index("</tr>", page.index("张家镇"))]
    assert "乡镇" in row and ">2<" in row
    assert f'href="/townships/{zhang.id}"' in page
    assert "街道" in page[page.index("李家街道") + 4:page.index("</tr>", page.index("李家街道"))]


def test_administrative_order_set_by_the_committee_wins_over_pinyin_and_adding_order(client, committee):
    """Townships are listed in the district's administrative order (issue 14 §6): once the committee
    numbers them, 李家镇 (1), 安平镇 (2), 张家镇 (3), whatever their pinyin or the order they were added."""
    added = {name: factories.make_township(name=name) for name in ("张家镇", "安平镇", "李家镇")}
    for position, name in enumerate(("李家镇", "安平镇", "张家镇"), start=1):
        added[name].position = position
    db.session.commit()
    page = text(client.get("/townships"))
    li, an, zhang = positions(page, "李家镇", "安平镇", "张家镇")
    assert li < an < zhang


def test_list_search_by_name(client, committee):
    """Searching shows only townships whose name contains the words typed."""
    factories.make_township(name="安平镇")
    factories.make_township(name="安平街道", kind=TownshipKind.subdistrict)
    factories.make_township(name="李家镇")
    page = text(client.get("/townships", query_string={"q": "安平"}))
    assert "安平镇" in page and "安平街道" in page and "李家镇" not in page
    empty = text(client.get("/townships", query_string={"q": "%"}))
    assert "没有名称包含“%”的乡镇（街道）" in empty


def test_list_is_paginated(client, committee, app):
    """More townships than a page holds spill onto the next page, still in administrative order."""
    size = app.config["LIAISON_PAGE_SIZE"]
    names = [f"测试{chr(ord('甲') + i)}镇" for i in range(size + 3)]
    for name in names:
        factories.make_township(name=name)
    ordered = [t.name for t in db.session.scalars(sa.select(Township).order_by(Township.position, Township.id))]
    first = text(client.get("/townships"))
    second = text(client.get("/townships", query_string={"page": 2}))
    assert all(f">{name}<" in first for name in ordered[:size])
    assert not any(f">{name}<" in first for name in ordered[size:])
    assert all(f">{name}<" in second for name in ordered[size:])
    assert "第 2 / 2 页，共 23 条" in second
    assert "page=2" in first


def test_detail_shows_districts_by_term_and_stations(client, committee, app):
    """A township's page lists its districts under each term, its stations, and a link to add a district."""
    township = factories.make_township(name="安平镇")
    old = factories.make_term(name="区第七届", ordinal=7, start_date=date(2016, 12, 1),
                              end_date=date(2021, 12, 1), end_provisional=False)
    new = factories.make_term(name="区第八届")
    factories.make_district(term=old, township=township, name="老第一选区")
    district = factories.make_district(term=new, township=township, name="第一选区")
    factories.make_mandate(term=new, township=township, electoral_district=district)
    station = factories.make_station(township=township, electoral_district=district, name="安平镇第一联络站")
    factories.make_station(township=township, kind=StationKind.home, name="安平镇代表之家")
    factories.make_district(term=new, name="别处选区")
    page = text(client.get(f"/townships/{township.id}"))
    assert positions(page, "区第八届", "第一选区", "区第七届", "老第一选区") == sorted(
        positions(page, "区第八届", "第一选区", "区第七届", "老第一选区"))
    assert "别处选区" not in page
    assert "安平镇第一联络站" in page and "安平镇代表之家" in page
    assert f'href="/townships/{township.id}/districts/new"' in page
    assert f'href="/districts/{district.id}/edit"' in page
    if "stations.detail" in app.view_functions:
        with app.test_request_context():
            link = url_for("stations.detail", station_id=station.id)
        assert f'href="{link}">安平镇第一联络站</a>' in page
    else:
        assert "<td>安平镇第一联络站</td>" in page


def test_unknown_township_is_404(client, committee):
    """A township id that does not exist answers 404 on its page and its edit page."""
    assert client.get("/townships/999999").status_code == 404
    assert client.get("/townships/999999/edit").status_code == 404


def test_committee_sets_the_administrative_order_and_the_office_on_the_form(client, committee):
    """The edit form carries 排序号 and 制表单位 (issue 14 §3, §6): what the committee types there
    orders the list and signs the township's tables; a blank 制表单位 goes back to the default."""
    zhang = factories.make_township(name="张家镇")
    anping = factories.make_township(name="安平街道", kind=TownshipKind.subdistrict)
    page = text(client.get(f"/townships/{zhang.id}/edit"))
    assert "排序号" in page and "制表单位" in page and f'value="{zhang.position}"' in page
    response = client.post(f"/townships/{zhang.id}/edit", data={
        "name": "张家镇", "kind": "township", "position": "５", "office_name": " 张家镇人大代表联络办公室 "})
    assert response.status_code == 302
    client.post(f"/townships/{anping.id}/edit", data={"name": "安平街道", "kind": "subdistrict", "position": "2"})
    db.session.expire_all()
    zhang, anping = db.session.get(Township, zhang.id), db.session.get(Township, anping.id)
    assert (zhang.position, zhang.office_label) == (5, "张家镇人大代表联络办公室")
    assert (anping.position, anping.office_label) == (2, "安平街道人大工委")
    table = text(client.get("/townships")).split('id="townships"')[1]
    assert table.index("安平街道") < table.index("张家镇") and "张家镇人大代表联络办公室" in table
    assert "制表单位：张家镇人大代表联络办公室" in text(client.get(f"/townships/{zhang.id}"))

    # Leaving 排序号 blank keeps it; clearing 制表单位 restores the default name.
    client.post(f"/townships/{zhang.id}/edit", data={"name": "张家镇", "kind": "township", "position": "",
                                                     "office_name": ""})
    db.session.expire_all()
    zhang = db.session.get(Township, zhang.id)
    assert (zhang.position, zhang.office_name, zhang.office_label) == (5, None, "张家镇人大主席团")


def test_a_new_township_takes_the_position_given_or_goes_last(client, committee):
    """Added with a 排序号 it takes it; without one it goes after every township there is."""
    factories.make_township(name="张家镇").position = 5
    db.session.commit()
    client.post("/townships/new", data={"name": "安平镇", "kind": "township", "position": "1"})
    client.post("/townships/new", data={"name": "李家镇", "kind": "township"})
    assert township_named("安平镇").position == 1
    assert township_named("李家镇").position > township_named("张家镇").position
    table = text(client.get("/townships")).split('id="townships"')[1]
    assert positions(table, "安平镇", "张家镇", "李家镇") == sorted(positions(table, "安平镇", "张家镇", "李家镇"))


@pytest.mark.parametrize("field, value, message", [
    ("position", "0", "排序号应为 1 到 9999 之间的整数"),
    ("position", "10000", "排序号应为 1 到 9999 之间的整数"),
    ("position", "第三", "排序号应为整数"),
    ("position", "2.5", "排序号应为整数"),
    ("office_name", "办", "制表单位应为 2 到 60 个字，现在是 1 个字"),
    ("office_name", "办" * 61, "制表单位应为 2 到 60 个字，现在是 61 个字"),
    ("office_name", "张家镇\n人大", "制表单位只能是一行文字"),
])
def test_bad_order_or_office_is_refused_and_changes_nothing(client, committee, field, value, message):
    """An order outside 1–9999 or not a whole number, or an office name not 2–60 characters on one
    line, is refused next to its field; the township keeps what it had."""
    township = factories.make_township(name="张家镇")
    before = (township.name, township.position, township.office_name)
    data = {"name": "张家新镇", "kind": "township", "position": "3", "office_name": "张家镇人大主席团", field: value}
    response = client.post(f"/townships/{township.id}/edit", data=data)
    assert response.status_code == 200 and message in text(response)
    db.session.expire_all()
    township = db.session.get(Township, township.id)
    assert (township.name, township.position, township.office_name) == before
