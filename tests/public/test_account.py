"""The public account of each station and township (rule R31): the same figures staff see on the
dashboard (one query function), no personal data and no opinion texts, 少于5件 below five opinions."""
import re
from datetime import date, datetime, timezone

import pytest
from freezegun import freeze_time

from liaison.dashboard.queries import opinion_panel
from liaison.opinions.models import Satisfaction, Status
from liaison.public.queries import account
from tests import factories
from tests.opinions.sample import TODAY, hand_computed_district, make_opinion

NOW = "2026-11-26 04:00:00"


@pytest.fixture()
def district(db):
    """The hand-computed district, with two more replies at 东升 (so 安平镇 has five) and two reception
    days at 东升 (two deputies on 11-04 count once) and one at 河口."""
    d = hand_computed_district(db)
    for received in (date(2026, 11, 1), date(2026, 11, 6)):
        make_opinion(d.dongsheng, received, Status.replied, registered_on=received, reply="已处理。",
                     replied_on=date(2026, 11, 11), satisfaction=Satisfaction.satisfied)
    when = datetime(2026, 11, 4, 2, 0, tzinfo=timezone.utc)
    factories.make_checkin(d.li, d.dongsheng, when)
    factories.make_checkin(d.wang, d.dongsheng, when)
    factories.make_checkin(d.li, d.dongsheng, datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc))
    factories.make_checkin(d.wang, d.hekou, when)
    db.session.commit()
    return d


def _section(html, element_id):
    return html.split(f'id="{element_id}"', 1)[1].split("</section>", 1)[0]


def _shown(section):
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', section))


def _expected(row, days):
    """What the public page must show for a staff row (rule R31)."""
    def few(base, text):
        return "少于5件" if base < 5 else text
    return {
        "received": few(row.received, f"{row.received}件"),
        "replied": few(row.replied, f"{row.replied}件"),
        "days": few(row.replied, f"{(row.answer_days / row.replied) if row.replied else 0:.1f}天"),
        "satisfaction": few(row.rated, f"{(row.satisfaction_rate or 0) * 100:.0f}%"),
        "reopened": few(row.received, f"{row.reopened}件"),
        "reception-days": f"{days}天",
    }


@freeze_time(NOW)
def test_public_figures_are_the_staff_figures(app, db, district):
    """Per township and per station, the public pages show exactly the dashboard's figures for the year,
    each under five opinions as 少于5件; no name, phone or opinion text."""
    staff = opinion_panel(2026, None, TODAY)
    public = account(2026, TODAY, "township")
    assert [r.opinions for r in public] == staff.townships  # one query function, the same rows
    anping = next(r for r in staff.townships if r.name == "安平镇")
    assert (anping.received, anping.replied, anping.rated) == (8, 5, 5)
    assert anping.answer_days == 29 + 0 + 53 + 10 + 5
    assert anping.reopened == 0
    visitor = app.test_client()
    html = visitor.get("/account").get_data(as_text=True)
    days = {r.key: r.reception_days for r in public}
    assert days == {district.anping.id: 2, district.qinghe.id: 1}
    for row in staff.townships:
        assert _shown(_section(html, f"township-{row.key}")) == _expected(row, days[row.key]), row.name
    assert _shown(_section(html, f"township-{district.anping.id}"))["days"] == "19.4天"
    assert _shown(_section(html, f"township-{district.qinghe.id}"))["received"] == "少于5件"

    staff_stations = opinion_panel(2026, None, TODAY, township_ids=[district.anping.id]).stations
    page = visitor.get(f"/account/township/{district.anping.id}").get_data(as_text=True)
    public_stations = account(2026, TODAY, "station", township_ids=[district.anping.id])
    assert [r.opinions for r in public_stations] == staff_stations
    for row, public_row in zip(staff_stations, public_stations):
        shown = _shown(_section(page, f"station-{row.key}"))
        assert shown == _expected(row, public_row.reception_days), row.name
    station_page = visitor.get(f"/p/{district.dongsheng.code}/account").get_data(as_text=True)
    dongsheng = next(r for r in staff_stations if r.key == district.dongsheng.id)
    assert _shown(_section(station_page, "station-figures")) == _expected(dongsheng, 2)

    for page_html in (html, page, station_page):
        assert "李明" not in page_html and "王芳" not in page_html
        assert "信号灯" not in page_html and "红绿灯" not in page_html and "已处理" not in page_html
        assert not re.search(r"1[3-9]\d{9}|1\d{2}\*{4}\d{4}", page_html)


@freeze_time(NOW)
def test_a_reopened_opinion_is_counted_for_staff_and_public(app, db, district):
    """不满意 reopens: the reopened figure moves on the dashboard and on the public page alike."""
    from liaison.opinions.operations import rate_reply

    opinion = district.opinions[0]
    opinion.satisfaction = None
    rate_reply(opinion, Satisfaction.unsatisfied, "还是没有改。")
    db.session.commit()
    staff = opinion_panel(2026, None, TODAY)
    anping = next(r for r in staff.townships if r.name == "安平镇")
    assert anping.reopened == 1
    html = app.test_client().get("/account").get_data(as_text=True)
    assert _shown(_section(html, f"township-{district.anping.id}"))["reopened"] == "1件"
    dashboard = staff.total.reopened
    assert dashboard == 1
