"""The dashboard's three states (rule R8), its 年述职 (rule R11), the people behind every number and the
export link, on the hand-built world of tests/rates (year 2024, numbers worked out there)."""
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from liaison.rates import queries as rates
from tests import factories


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _table(html, table_id):
    """A table of the page as rows of cells (th and td), each (text, classes)."""
    table = lxml.html.fromstring(html).get_element_by_id(table_id)
    for br in table.iter("br"):  # a line break reads as a space
        br.tail = " " + (br.tail or "")
    return [[(" ".join(cell.text_content().split()), cell.get("class") or "")
             for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]


def _column(rows, header):
    """The cells of the column whose header starts with ``header``, below the header row."""
    index = next(i for i, (text, _c) in enumerate(rows[0]) if text.startswith(header))
    return [row[index] for row in rows[1:]]


def test_as_of_mid_month_no_cell_of_the_running_month_reads_as_missed(client, login_as, targets, app):
    """Rule R8, as of 2024-12-15: December and the fourth quarter have not ended. Every cell of their
    columns (district and townships) says 进行中 with its figure so far, none says 未到; November, ended,
    does show who missed it. The ended months' total is the sum of January–November only."""
    login_as("committee")
    html = _page(client, f"/dashboard?as_of=2024-12-15&year=2024&visit_term={targets['D']}")
    months = _table(html, "months")
    assert months[0][12][0] == "12月 进行中" and "col-running" in months[0][12][1]
    december = _column(months, "12月")
    assert len(december) == 3  # 合计, 东城镇, 西湖街道
    for text, classes in december:
        assert "进行中" in text and "截至目前" in text and "cell-running" in classes
        assert "未到" not in text and "×" not in text and "✗" not in text
    november = _column(months, "11月")
    assert all("cell-ended" in classes and "进行中" not in text for text, classes in november)
    with app.app_context():
        from datetime import date

        rows = rates.monthly_visits(2024, targets["D"], date(2024, 12, 15), group_by=None)
    december_row, ended = rows[-1], rows[:-1]
    assert not december_row.closed and all(row.closed for row in ended)
    # 区 in December: P1, P2, P4, P5 (his suspension ended in August), P7 due; nobody in by the 15th.
    assert (december_row.due, december_row.met, december_row.in_progress) == (5, 0, 5)
    assert december[0][0].endswith("0/5 尚未 5")
    met, due = sum(r.met for r in ended), sum(r.due for r in ended)
    total = _column(months, "已结束月份合计")[0][0]
    assert total == f"{met / due * 100:.1f}% {met}/{due}"
    assert "未到" in " ".join(text for text, _c in november)  # ended months still show who missed
    quarters = _table(html, "quarters")
    for text, classes in _column(quarters, "第4季度"):
        assert "进行中" in text and "未到" not in text
    assert "12月*" in html  # the chart marks the running month, explained below it


def test_a_past_year_has_no_period_in_progress(client, login_as, targets):
    """As of 2024-12-31 every month of 2024 has ended: no cell says 进行中."""
    login_as("committee")
    html = _page(client, f"/dashboard?as_of=2024-12-31&year=2024&visit_term={targets['D']}")
    for table_id in ("months", "quarters"):
        rows = _table(html, table_id)
        assert not any("进行中" in text for row in rows for text, _c in row)


def test_annual_reporting_is_progress_before_december_and_a_rate_after(client, login_as, targets):
    """Rule R11 for 2024: 区 due P1, P2, P4 (P5 exempted, P7 began after 30 June, P3 ended), done
    P1 and P2; 市 due P2 (covered by the 区 report) and P6. Before December it is the year's
    progress (年度述职进展, 截至目前), not a rate; in December the year's 年述职率."""
    login_as("committee")
    html = _page(client, "/dashboard?as_of=2024-11-15&year=2024")
    section = lxml.html.fromstring(html).get_element_by_id("annual")
    heading = section.xpath(".//h2")[0].text_content()
    assert heading == "2024年年度述职进展" and "不是全年述职率" in section.text_content()
    cards = lxml.html.fromstring(html).get_element_by_id("annual-cards").xpath("./div")
    district = {dt.text_content(): dt.getnext().text_content() for dt in cards[0].xpath(".//dt")}
    assert "区第八届" in cards[0].text_content() and "截至目前" in cards[0].text_content()
    assert district == {"应述": "3", "已述": "2", "尚未述职": "1", "免述": "1", "下半年任职": "1"}
    rows = _table(html, "annual-townships")
    assert rows[1][:4] == [("东城镇", ""), ("2/2", ""), ("1", ""), ("100.0%", "cell-rate")]  # 冯五 exempted
    assert rows[2][0][0] == "西湖街道" and rows[2][1][0] == "0/1"

    html = _page(client, "/dashboard?as_of=2024-12-31&year=2024")
    section = lxml.html.fromstring(html).get_element_by_id("annual")
    assert section.xpath(".//h2")[0].text_content() == "2024年年述职率"
    cards = lxml.html.fromstring(html).get_element_by_id("annual-cards").xpath("./div")
    texts = [card.text_content() for card in cards]
    assert "66.7%" in texts[0] and "未述" in texts[0] and "截至目前" not in texts[0]
    assert "市第十五届" in texts[1] and "50.0%" in texts[1]


def _people_links(html):
    """Every link of the page into the drill-down, with the number it shows."""
    tree = lxml.html.fromstring(html)
    return [(a.get("href"), a.text_content().strip())
            for a in tree.xpath("//a[contains(@href, '/dashboard/people?')]")]


def _listed(client, href):
    """Follow a drill-down link: the count on its active filter and the names listed."""
    html = _page(client, href)
    tree = lxml.html.fromstring(html)
    active = tree.xpath("//ul[@id='people-filters']//a[@aria-current='page']//span")[0].text_content()
    if tree.xpath("//ul[@id='missing']"):
        # 进行中 of a month or quarter: the who-is-missing list with its remind boxes (rule R24).
        names = tree.xpath("//ul[@id='missing']/li//span[@class='fw-bold']")
        return int(active), [node.text_content() for node in names]
    rows = tree.get_element_by_id("people").xpath("./tbody/tr")
    names = [row.xpath("./td")[1].text_content() for row in rows if len(row.xpath("./td")) == 5]
    return int(active), names


@pytest.mark.parametrize("query", ["as_of=2024-12-15&year=2024", "as_of=2024-11-15&year=2024"])
def test_every_count_of_the_dashboard_opens_the_people_it_counts(client, login_as, targets, query):
    """Each number that counts people links to a list of exactly that many people."""
    login_as("committee")
    html = _page(client, f"/dashboard?{query}&visit_term={targets['D']}")
    links = _people_links(html)
    assert len(links) > 40
    for href, text in links:
        number = int(re.search(r"\d+", text)[0])
        count, names = _listed(client, href)
        assert count == number == len(names), href


def test_drill_down_lists_names_and_states(client, login_as, targets):
    """Who has not reported this year yet (邓四: his report is only planned), who is still to come in
    December (进行中) and who missed November."""
    login_as("committee")
    base = f"/dashboard/people?term={targets['D']}&as_of=2024-11-15&year=2024"
    html = _page(client, base + "&figure=year&what=missing")
    assert _listed(client, base + "&figure=year&what=missing") == (1, ["邓四"])
    assert "尚未述职" in html and "年度尚未结束" in html
    assert _listed(client, base + "&figure=year&what=exempted") == (1, ["冯五"])
    assert _listed(client, base + "&figure=year&what=late_start") == (1, ["韩七"])
    december = f"/dashboard/people?term={targets['D']}&as_of=2024-12-15&year=2024&figure=month&period=202412"
    count, names = _listed(client, december + "&what=in_progress")
    assert count == 5 and sorted(names) == sorted(["安一", "白二", "邓四", "冯五", "韩七"])
    assert _listed(client, december + "&what=missed") == (0, [])
    html = _page(client, december + "&what=due")
    assert "进行中" in html and "未到</td>" not in html
    count, names = _listed(client, december.replace("202412", "202411") + "&what=missed")
    assert count == len(names) > 0
    assert _listed(client, f"/dashboard/people?figure=term&term={targets['D']}&as_of=2024-12-31&what=missing"
                   f"&township={targets['B']}") == (1, ["邓四"])


def test_township_staff_see_only_their_townships_people(client, login_as, targets, db):
    """Staff of 东城镇 get only its people, a 403 for 西湖街道, and their dashboard links only 东城镇."""
    from liaison.townships.models import Township

    login_as("township_staff", townships=[db.session.get(Township, targets["A"])])
    html = _page(client, "/dashboard?as_of=2024-12-15&year=2024")
    links = _people_links(html)
    assert links and not any(f"township={targets['B']}" in href for href, _t in links)
    for href, _text in links:
        _count, names = _listed(client, href)
        assert not {"陈三", "邓四"} & set(names), href  # 西湖街道's 区 deputies
    base = f"/dashboard/people?figure=term&term={targets['D']}&as_of=2024-12-31&what=due"
    _count, names = _listed(client, base)
    assert set(names) == {"安一", "白二", "冯五", "韩七"}  # 东城镇's 区 mandates
    response = client.get(base + f"&township={targets['B']}")
    assert response.status_code == 403 and "邓四" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query, status, message", [
    ("figure=bogus&term={D}", 400, "统计项目不对"),
    ("figure=term", 400, "请指定届次"),
    ("figure=term&term=abc", 400, "请指定届次"),
    ("figure=term&term=%C2%B2", 400, "请指定届次"),
    ("figure=term&term=99999999999999999999", 400, "请指定届次"),
    ("figure=year&term={D}&year=0", 400, "年度不对"),
    ("figure=term&term=99999", 404, "没有这个届次"),
    ("figure=term&term={D}&what=everyone", 400, "筛选条件不对"),
    ("figure=term&term={D}&as_of=2024-13-01", 400, "统计截止日期"),
    ("figure=term&term={D}&township=x", 400, "乡镇（街道）编号不对"),
    ("figure=term&term={D}&township=99999", 404, "没有这个乡镇（街道）"),
    ("figure=year&term={D}&year=1999", 400, "年度不对"),
    ("figure=year&term={D}&year=-5", 400, "年度不对"),
    ("figure=month&term={D}&year=2024&as_of=2024-12-15", 400, "请指定月份或季度"),
    ("figure=month&term={D}&year=2024&as_of=2024-06-15&period=202407", 404, "还没有开始"),
    ("figure=quarter&term={D}&year=2024&as_of=2024-12-15&period=202412", 404, "不在所选年度内"),
])
def test_bad_drill_down_addresses_say_what_is_wrong(client, login_as, targets, query, status, message):
    """Every parameter is checked: a clear Chinese message, never a 500."""
    login_as("committee")
    response = client.get("/dashboard/people?" + query.format(D=targets["D"]))
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_drill_down_is_for_staff_only(client, login_as, targets):
    login_as("deputy")
    assert client.get(f"/dashboard/people?figure=term&term={targets['D']}").status_code == 403


def test_export_link_follows_the_chosen_year_and_date(client, login_as, targets):
    """The download link carries the dashboard's year and as-of date."""
    login_as("committee")
    html = _page(client, "/dashboard?as_of=2025-03-10&year=2024")
    href = lxml.html.fromstring(html).get_element_by_id("export").get("href")
    assert urlsplit(href).path == "/dashboard/export.xlsx"
    assert parse_qs(urlsplit(href).query) == {"year": ["2024"], "as_of": ["2025-03-10"]}


def test_people_list_pages_through_long_lists(client, login_as, targets, db):
    """More than a page of people: the list is paged and numbered on."""
    from datetime import date

    from liaison.terms.models import Term
    from liaison.townships.models import Township

    term = db.session.get(Term, targets["D"])
    township = db.session.get(Township, targets["A"])
    for index in range(105):
        factories.make_mandate(deputy=factories.make_deputy(name=f"测{index:03d}"), term=term,
                               township=township, start_date=date(2024, 1, 1))
    db.session.commit()
    login_as("committee")
    url = f"/dashboard/people?figure=term&term={targets['D']}&as_of=2024-12-31&what=missing"
    count, names = _listed(client, url)
    assert count == 108 and len(names) == 100  # 冯五, 邓四, 韩七 and the 105
    html = _page(client, url + "&page=2")
    assert "第 2 / 2 页，共 108 条" in html and ">101<" in html


def test_a_year_not_begun_shows_nothing_due(client, login_as, targets):
    """Choosing a year after the as-of date: 年述职 says it has not begun, no period is listed."""
    login_as("committee")
    html = _page(client, "/dashboard?as_of=2024-06-30&year=2025")
    assert "2025年尚未开始" in lxml.html.fromstring(html).get_element_by_id("annual").text_content()
    assert [text for text, _c in _table(html, "months")[0]] == ["乡镇（街道）", "已结束月份合计"]
    response = client.get(f"/dashboard/people?figure=year&term={targets['D']}&year=2025&as_of=2024-06-30")
    assert response.status_code == 200 and "没有符合条件的代表" in response.get_data(as_text=True)
