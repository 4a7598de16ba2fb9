"""The deputy list: 姓氏笔画 or pinyin order, search by name or mobile digits, filters, masking and pages."""
from datetime import date

import pytest

from liaison.deputies.models import EndReason
from liaison.terms.models import Level
from tests import factories
from tests.deputies.conftest import page_text


def _names_in_order(page, names):
    """Whether the names appear on the page in this order."""
    positions = [page.index(name) for name in names]
    return positions == sorted(positions)


def test_list_is_in_stroke_order_by_default_and_pinyin_on_request(client, db, committee):
    """The list is an official list: 姓氏笔画 order by default (rule R16), 王 (4 strokes), 李 (7, 横
    first), 张 (7, 折 first), 詹 (13); 按姓名拼音 lists 李, 王, 詹, 张."""
    for name in ("张伟", "李娜", "王芳", "詹敏"):
        factories.make_mandate(deputy=factories.make_deputy(name=name))
    page = page_text(client.get("/deputies"))
    assert _names_in_order(page, ["王芳", "李娜", "张伟", "詹敏"])
    assert '<option value="strokes" selected>按姓氏笔画</option>' in page
    page = page_text(client.get("/deputies?order=pinyin"))
    assert _names_in_order(page, ["李娜", "王芳", "詹敏", "张伟"])
    assert '<option value="pinyin" selected>按姓名拼音</option>' in page
    # Anything else is the official order.
    assert _names_in_order(page_text(client.get("/deputies?order=x")), ["王芳", "李娜", "张伟", "詹敏"])


def test_polyphone_surnames_in_the_pinyin_list(client, db, committee):
    """In pinyin order 曾 is zeng (after 杨), 单 shan (after 丁), 仇 qiu (after 秦) (rule R16)."""
    for name in ("曾华", "杨强", "单明", "丁一", "仇明", "秦力"):
        factories.make_deputy(name=name)
    page = page_text(client.get("/deputies?order=pinyin"))
    assert _names_in_order(page, ["丁一", "秦力", "仇明", "单明", "杨强", "曾华"])


@pytest.mark.parametrize("order, first, second", [
    ("", ["王芳", "李娜"], ["张伟", "詹敏"]),
    ("pinyin", ["李娜", "王芳"], ["詹敏", "张伟"]),
])
def test_the_order_holds_across_pages(app, client, db, committee, monkeypatch, order, first, second):
    """With two per page, page 2 continues the chosen order where page 1 stopped, and the page
    links keep the choice."""
    monkeypatch.setitem(app.config, "LIAISON_PAGE_SIZE", 2)
    for name in ("张伟", "李娜", "王芳", "詹敏"):
        factories.make_deputy(name=name)
    query = f"?order={order}&" if order else "?"
    page_one = page_text(client.get(f"/deputies{query}"))
    page_two = page_text(client.get(f"/deputies{query}page=2"))
    assert _names_in_order(page_one, first) and not any(name in page_one for name in second)
    assert _names_in_order(page_two, second) and not any(name in page_two for name in first)
    assert "第 1 / 2 页" in page_one
    if order:
        assert f"order={order}" in page_one[page_one.index("下一页") - 200:page_one.index("下一页")]


def test_search_by_mobile_digits(client, db, committee):
    """Typing the number as shown (its last four digits, or the whole number with spaces) finds the
    deputy; the number shows masked. Hidden middle digits find nobody (tests/core/test_phone_search.py)."""
    factories.make_deputy(name="赵磊", mobile="13912345678")
    factories.make_deputy(name="钱多", mobile="13800001111")
    assert "赵磊" in page_text(client.get("/deputies?q=5678"))
    page = page_text(client.get("/deputies?q=139 1234 5678"))
    assert "赵磊" in page
    assert "钱多" not in page
    assert "139****5678" in page
    assert "13912345678" not in page


def test_search_by_name(client, db, committee):
    """Part of a name finds the deputy; others are not shown."""
    factories.make_deputy(name="孙小红")
    factories.make_deputy(name="周大明")
    page = page_text(client.get("/deputies?q=小红"))
    assert "孙小红" in page
    assert "周大明" not in page


def test_search_with_like_wildcards_matches_literally(client, db, committee):
    """A % typed into the search box is a character, not a wildcard."""
    factories.make_deputy(name="吴一")
    page = page_text(client.get("/deputies?q=%25"))
    assert "吴一" not in page
    assert "没有符合条件的代表" in page


def test_filter_by_term_and_township(client, db, committee):
    """The term filter keeps deputies with a mandate in that term; the township filter likewise."""
    town_a = factories.make_township(name="东湖镇")
    town_b = factories.make_township(name="西山镇")
    district_term = factories.make_term(name="区第八届")
    city_term = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届")
    factories.make_mandate(deputy=factories.make_deputy(name="郑区"), term=district_term, township=town_a)
    factories.make_mandate(deputy=factories.make_deputy(name="冯市"), term=city_term, township=town_b)
    by_term = page_text(client.get(f"/deputies?term_id={city_term.id}"))
    assert "冯市" in by_term and "郑区" not in by_term
    by_township = page_text(client.get(f"/deputies?township_id={town_a.id}"))
    assert "郑区" in by_township and "冯市" not in by_township
    both = page_text(client.get(f"/deputies?term_id={city_term.id}&township_id={town_a.id}"))
    assert "冯市" not in both and "郑区" not in both


def test_list_shows_current_mandates_and_townships(client, db, committee):
    """Each row shows the terms the deputy sits in today and their township; ended ones drop out."""
    town = factories.make_township(name="东湖镇")
    term = factories.make_term(name="区第八届", start_date=date(2021, 1, 1), end_date=date(2099, 12, 31))
    old = factories.make_term(name="区第七届", start_date=date(2016, 1, 1), end_date=date(2020, 12, 31))
    deputy = factories.make_deputy(name="陈在任", gender=factories.Gender.male)
    factories.make_mandate(deputy=deputy, term=term, township=town)
    factories.make_mandate(deputy=deputy, term=old, township=town)
    left = factories.make_deputy(name="褚离任")
    factories.make_mandate(deputy=left, term=term, township=town, end_date=date(2022, 6, 1),
                           end_reason=EndReason.resigned)
    page = page_text(client.get("/deputies"))
    row = page[page.index("陈在任"):page.index("</tr>", page.index("陈在任"))]
    assert "区第八届" in row and "区第七届" not in row and "东湖镇" in row and "男" in row
    left_row = page[page.index("褚离任"):page.index("</tr>", page.index("褚离任"))]
    assert "无在任代表资格" in left_row


def test_roster_export_is_in_stroke_order(client, db, committee):
    """The exported 代表名单 is an official list: 姓氏笔画 order (rule R16), read back from the xlsx."""
    import io

    import openpyxl

    for name in ("张伟", "李娜", "王芳", "詹敏"):
        factories.make_mandate(deputy=factories.make_deputy(name=name))
    response = client.get("/deputies/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0] in ("张伟", "李娜", "王芳", "詹敏")]
    assert names == ["王芳", "李娜", "张伟", "詹敏"]
