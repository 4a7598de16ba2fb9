"""The dashboard pages: the two 100% targets, townships, visits, the 未述 list and who may see what."""
import re

import pytest

from liaison.rates import queries as rates
from tests import factories
from tests.dashboard.conftest import AS_OF


def _as_of():
    from datetime import date

    return date.fromisoformat(AS_OF)


def test_targets_show_the_rates_of_both_terms(client, login_as, targets, app):
    """Committee staff see 应述, 已述 and 未述 of each target term exactly as the rates queries give them."""
    login_as("committee")
    page = client.get(f"/dashboard?as_of={AS_OF}").get_data(as_text=True)
    with app.app_context():
        expected = {key: rates.in_term_reporting(targets[key], _as_of())[0] for key in ("D", "M")}
    # Worked out by hand in tests/rates: 区 5 due, 2 done; 市 1 due (高六 exempted), 1 done.
    assert (expected["D"].due, expected["D"].done, expected["M"].due, expected["M"].done) == (5, 2, 1, 1)
    cards = page.split('id="targets"')[1].split('id="townships"')[0]
    for key, name in (("D", "区第八届"), ("M", "市第十五届")):
        card = cards.split(name, 1)[1].split("</dl>")[0]
        row = expected[key]
        assert re.search(rf"应述</dt><dd[^>]*><a [^>]*>{row.due}</a>", card)
        assert re.search(rf"已述</dt><dd[^>]*><a [^>]*>{row.done}</a>", card)
        assert f"未述 {row.missing} 人" in card
        assert f"w-pct-{round(row.rate * 100)}" in card
    assert "40.0%" in cards and "100.0%" in cards


def test_township_table_and_visit_tables_match_the_rates(client, login_as, targets, app):
    """The township table shows 已述/应述 per township and the 月进站 table the met/due counts per month."""
    login_as("committee")
    page = client.get(f"/dashboard?as_of={AS_OF}&year=2024&visit_term={targets['D']}").get_data(as_text=True)
    with app.app_context():
        by_township = rates.in_term_reporting(targets["D"], _as_of(), group_by="township")
        months = rates.monthly_visits(2024, targets["D"], _as_of(), group_by=None)
        quarters = rates.quarterly_visits(2024, targets["D"], _as_of(), group_by="township")
    table = page.split('id="townships"')[1].split("</table>")[0]
    for row in by_township:
        line = table.split(row.township_name)[1].split("</tr>")[0]
        assert re.search(rf">{row.done}</a>/<a [^>]*>{row.due}</a>", line)
    month_table = page.split('id="months"')[1].split("</table>")[0]
    total = month_table.split(">合计</th>")[1].split("</tr>")[0]
    found = re.findall(r"(\d+)</a>/<a [^>]*>(\d+)</a></span>", total)
    assert found == [(str(r.met), str(r.due)) for r in months]
    quarter_table = page.split('id="quarters"')[1].split("</table>")[0]
    for row in quarters:
        assert re.search(rf">{row.met}</a>/<a [^>]*>{row.due}</a>", quarter_table)


def test_chart_is_inline_svg_without_script_or_inline_style(client, login_as, targets):
    """The monthly chart is server-rendered SVG; the page carries no inline style or script."""
    login_as("committee")
    page = client.get(f"/dashboard?as_of={AS_OF}&year=2024").get_data(as_text=True)
    chart = page.split('id="chart"')[1].split("</svg>")[0]
    assert "<svg" in chart and chart.count('class="bar"') >= 1
    assert "<script>" not in page.replace('<script src=', '')
    assert ' style="' not in page


def test_chart_escapes_its_text(app):
    """Labels go into the SVG escaped."""
    from liaison.dashboard.charts import rate_bars

    with app.test_request_context():
        svg = str(rate_bars("<b>t</b>", [("<script>", 0.5, "a&b")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg


def test_missing_list_names_who_has_not_reported(client, login_as, targets):
    """Following 未述 lists the due deputies without a report, linked to their records."""
    login_as("committee")
    page = client.get(f"/dashboard?as_of={AS_OF}").get_data(as_text=True)
    link = re.search(r'href="(/dashboard/missing\?term_id=%d[^"]*)"' % targets["D"], page)[1]
    link = link.replace("&amp;", "&")
    missing = client.get(link).get_data(as_text=True)
    listed = re.findall(r'<a href="/deputies/\d+">([^<]+)</a>', missing)
    assert sorted(listed) == sorted(["冯五", "韩七", "邓四"])
    assert "应述 5 人，已述 2 人，未述 3 人" in missing


def test_township_staff_see_only_their_township(client, login_as, targets, db):
    """Staff of 东城镇 see 东城镇's rows only, on the dashboard and in the 未述 list."""
    from liaison.townships.models import Township

    login_as("township_staff", townships=[db.session.get(Township, targets["A"])])
    page = client.get(f"/dashboard?as_of={AS_OF}").get_data(as_text=True)
    assert "东城镇" in page and "西湖街道" not in page
    assert "未述 2 人" in page  # 冯五 and 韩七; 邓四 is in 西湖街道
    missing = client.get(f"/dashboard/missing?term_id={targets['D']}&as_of={AS_OF}").get_data(as_text=True)
    assert "邓四" not in missing and "冯五" in missing
    assert 'id="bulletins"' in page  # the district's bulletins are sent to every township


@pytest.mark.parametrize("url", ["/dashboard", "/dashboard/missing?term_id=1", "/dashboard/export.xlsx",
                                 "/dashboard/bulletins/bulletin-2024-12.xlsx"])
def test_deputies_are_refused(client, login_as, url):
    """A deputy may not open the dashboard, the 未述 list, the workbook or the archive."""
    login_as("deputy")
    assert client.get(url).status_code == 403


def test_missing_list_of_unknown_term_is_404(client, login_as):
    """An unknown term gives 404."""
    login_as("committee")
    assert client.get("/dashboard/missing?term_id=999999").status_code == 404


def test_empty_district_shows_a_hint(client, login_as, db):
    """With no terms at all the dashboard still opens and says why it is empty."""
    login_as("committee")
    factories.make_township()
    db.session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 200
