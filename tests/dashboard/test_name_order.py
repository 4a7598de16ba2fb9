"""Official per-deputy lists in 姓氏笔画 order within townships in administrative order (rule R16):
the rates' per-mandate rows and 未述 lists, the workbook's 代表明细 and 月进站.

The hand-built world of tests/rates: in 东城镇 白二 (5 strokes, 丿 first), 冯五 (5, 丶 first),
安一 (6), 韩七 (12); in 西湖街道 邓四 (4), 陈三 (7). In pinyin the order would be 安 白 冯 韩, 陈 邓.
"""
from datetime import date

from liaison.deputies.models import Deputy
from liaison.extensions import db
from liaison.rates import queries as rates
from liaison.townships.models import Township
from tests.dashboard.conftest import AS_OF, read_workbook, sheet_rows

IN_STROKE_ORDER = ["白二", "冯五", "安一", "韩七", "邓四", "陈三"]


def _download(client):
    response = client.get(f"/dashboard/export.xlsx?as_of={AS_OF}")
    assert response.status_code == 200
    return read_workbook(response.data)


def _names(workbook, sheet):
    return [row[1] for row in sheet_rows(workbook[sheet]) if row[0] == "区第八届"]


def test_rates_list_deputies_in_stroke_order(db, world):
    """Per-mandate rows and the 未述 list go township by township, by 姓氏笔画 inside each."""
    as_of = date(2024, 12, 31)
    rows = rates.in_term_reporting(world["D"], as_of, group_by="deputy")
    assert [r.deputy_name for r in rows] == IN_STROKE_ORDER
    assert [r.deputy_name for r in rates.missing_reporters(world["D"], as_of)] == ["冯五", "韩七", "邓四"]
    months = rates.monthly_visits(2024, world["D"], as_of, group_by="deputy")
    assert list(dict.fromkeys(r.deputy_name for r in months)) == IN_STROKE_ORDER


def test_workbook_lists_deputies_in_stroke_order_and_follows_renames_and_the_township_order(
        client, login_as, targets):
    """代表明细 and 月进站 list 区第八届 in the official order; a renamed deputy moves to their new
    place (丁 has 2 strokes), and a township moved up in the administrative order comes first."""
    login_as("committee")
    workbook = _download(client)
    assert _names(workbook, "代表明细") == IN_STROKE_ORDER
    assert _names(workbook, "月进站") == IN_STROKE_ORDER
    assert _names(workbook, "季回家") == IN_STROKE_ORDER

    db.session.scalar(db.select(Deputy).where(Deputy.name == "韩七")).name = "丁七"
    db.session.get(Township, targets["B"]).position = 0
    db.session.commit()
    workbook = _download(client)
    expected = ["邓四", "陈三", "丁七", "白二", "冯五", "安一"]
    assert _names(workbook, "代表明细") == expected
    assert _names(workbook, "月进站") == expected
