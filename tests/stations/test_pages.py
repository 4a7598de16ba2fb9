"""Adding, editing and reading homes and stations: opening hours, the detail page, the list."""
from datetime import time
from decimal import Decimal

from liaison.network.models import OpeningHours, StationKind
from tests.stations.conftest import (checked_values, count, make_mandate, make_station, station_form,
                                    station_named)


def test_create_station_with_opening_hours_shows_them_per_weekday(client, login_as, network):
    """A station added with 周一/三/五 morning and afternoon hours shows them on its page."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(
        network.a, network.a_district, name="城关镇第一选区联络站", address="城关镇人民路 8 号",
        latitude="30.2740851", longitude="120.15507", radius_m="150", open_on_holidays="y",
        weekdays=["0", "2", "4"], am_opens="09:00", am_closes="11:30", pm_opens="14:00", pm_closes="17:00",
    ))
    station = station_named("城关镇第一选区联络站")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/stations/{station.id}"
    assert station.kind is StationKind.station
    assert station.electoral_district_id == network.a_district.id
    assert station.latitude == Decimal("30.274085") and station.longitude == Decimal("120.155070")
    assert station.radius_m == 150 and station.open_on_holidays and station.active
    assert [(h.weekday, h.opens, h.closes) for h in station.opening_hours] == [
        (day, opens, closes) for day in (0, 2, 4)
        for opens, closes in ((time(9), time(11, 30)), (time(14), time(17)))
    ]

    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "已添加“城关镇第一选区联络站”" in page
    assert "城关第一选区" in page and "城关镇人民路 8 号" in page and "法定节假日也接待" in page
    assert "周一</th>" in page and "09:00–11:30、14:00–17:00" in page
    assert page.count("09:00–11:30、14:00–17:00") == 3
    assert page.count("不接待") == 4


def test_home_with_morning_only(client, login_as, network):
    """A 代表之家 needs no district; one morning range on 周六 is enough."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(
        network.a, kind="home", name="城关镇人大代表之家", weekdays=["5"], am_opens="08:30", am_closes="12:00"))
    assert response.status_code == 302
    station = station_named("城关镇人大代表之家")
    assert station.kind is StationKind.home and station.electoral_district_id is None
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "代表之家" in page and "08:30–12:00" in page and "不设选区" in page


def test_edit_form_is_filled_in_and_replaces_opening_hours(client, login_as, network, db):
    """The edit form shows the stored values; saving replaces the hours with the new ones."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关镇第二联络站")
    for day in (0, 1):
        db.session.add(OpeningHours(station=station, weekday=day, opens=time(9), closes=time(11, 30)))
    login_as("committee")

    form_page = client.get(f"/stations/{station.id}/edit").get_data(as_text=True)
    assert 'value="城关镇第二联络站"' in form_page
    assert 'value="09:00"' in form_page and 'value="11:30"' in form_page
    assert checked_values(form_page, "weekdays") == {"0", "1"}
    assert checked_values(form_page, "kind") == {"station"}

    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, network.a_district, name="城关镇第二联络站（新址）", address="解放路 2 号",
        weekdays=["5", "6"], pm_opens="14:30", pm_closes="16:30"))
    assert response.status_code == 302
    station = station_named("城关镇第二联络站（新址）")
    assert station.address == "解放路 2 号"
    assert [(h.weekday, h.opens, h.closes) for h in station.opening_hours] == [
        (5, time(14, 30), time(16, 30)), (6, time(14, 30), time(16, 30))]
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "14:30–16:30" in page and "09:00" not in page


def test_clearing_hours_removes_them(client, login_as, network, db):
    """Unticking every day and clearing the times leaves the station with no fixed hours."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关镇第三联络站")
    db.session.add(OpeningHours(station=station, weekday=2, opens=time(9), closes=time(11)))
    login_as("committee")
    client.post(f"/stations/{station.id}/edit", data=station_form(network.a, network.a_district,
                                                                  name="城关镇第三联络站"))
    assert count(OpeningHours) == 0
    assert "未设定固定接待时间" in client.get(f"/stations/{station.id}").get_data(as_text=True)


def test_irregular_stored_hours_are_flagged_on_the_edit_form(client, login_as, network, db):
    """Hours that differ by day cannot be shown as one set of ranges: the form says saving unifies them."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关镇第四联络站")
    db.session.add(OpeningHours(station=station, weekday=0, opens=time(9), closes=time(11)))
    db.session.add(OpeningHours(station=station, weekday=3, opens=time(14), closes=time(17)))
    login_as("committee")
    page = client.get(f"/stations/{station.id}/edit").get_data(as_text=True)
    assert "现有接待时间各天不同" in page


def test_detail_lists_deputies_whose_own_station_it_is(app, client, login_as, network):
    """The page names the deputies whose mandate names it as own station, past ones marked."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关镇第五联络站")
    mandate = make_mandate(network, network.a, name="李红梅", station=station)
    make_mandate(network, network.a, name="赵志刚", station=station, ended=True)
    make_mandate(network, network.a, name="孙立新")
    login_as("committee")
    page = client.get(f"/stations/{station.id}").get_data(as_text=True)
    assert "李红梅" in page and "赵志刚" in page and "孙立新" not in page
    assert page.index("李红梅") < page.index("赵志刚")
    assert page.count("已不在任") == 1 and "本人的联络站" in page
    deputy_id = mandate.deputy_id
    # Names link to the deputy's page once the deputies blueprint has one.
    if "deputies.detail" in app.view_functions:
        assert f'href="/deputies/{deputy_id}"' in page
    else:
        assert "/deputies/" not in page


def test_list_shows_columns_sorted_by_pinyin(client, login_as, network):
    """The list shows name, kind badge, township, district, address and state, in pinyin order."""
    make_station(network.a, electoral_district=network.a_district, name="张村联络站", address="张村 1 号")
    make_station(network.a, kind=StationKind.home, name="城关镇代表之家", address="府前路 3 号")
    make_station(network.b, electoral_district=network.b_district, name="李庄联络站", address="李庄 5 号",
                 active=False)
    login_as("committee")
    page = client.get("/stations").get_data(as_text=True)
    assert page.index("城关镇代表之家") < page.index("李庄联络站") < page.index("张村联络站")
    for text in ("府前路 3 号", "城关第一选区", "柳溪乡", ">家<", ">站<", "已停用", "在用"):
        assert text in page


def test_list_filters_and_search(client, login_as, network):
    """Kind, township, state and a search on name or address narrow the list."""
    make_station(network.a, electoral_district=network.a_district, name="张村联络站", address="张村 1 号")
    make_station(network.a, kind=StationKind.home, name="城关镇代表之家", address="府前路 3 号")
    make_station(network.b, electoral_district=network.b_district, name="李庄联络站", address="李庄 5 号",
                 active=False)
    login_as("committee")

    def names(query):
        """Which of the three stations the list shows for a query string."""
        page = client.get("/stations" + query).get_data(as_text=True)
        return {n for n in ("张村联络站", "城关镇代表之家", "李庄联络站") if n in page}

    assert names("?kind=home") == {"城关镇代表之家"}
    assert names("?kind=station") == {"张村联络站", "李庄联络站"}
    assert names(f"?township_id={network.b.id}") == {"李庄联络站"}
    assert names("?active=0") == {"李庄联络站"}
    assert names("?q=府前") == {"城关镇代表之家"}
    assert names("?q=张村") == {"张村联络站"}
    assert names("?q=%25") == set()
    assert "没有符合条件" in client.get("/stations?q=不存在").get_data(as_text=True)


def test_list_is_paginated(client, login_as, network):
    """Past one page (20 rows) the list continues on the next page."""
    for n in range(21):
        make_station(network.a, kind=StationKind.home, name=f"代表之家{n:02d}")
    login_as("committee")
    first = client.get("/stations").get_data(as_text=True)
    assert "第 1 / 2 页，共 21 条" in first and "代表之家19" in first and "代表之家20" not in first
    second = client.get("/stations?page=2").get_data(as_text=True)
    assert "代表之家20" in second and "代表之家00" not in second


def test_second_active_home_is_allowed_with_a_warning(client, login_as, network):
    """A township may get a second active 代表之家, but staff are told one already exists."""
    make_station(network.a, kind=StationKind.home, name="城关镇代表之家")
    login_as("committee")
    response = client.post("/stations/new", data=station_form(network.a, kind="home", name="城关镇第二代表之家"),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert station_named("城关镇第二代表之家") is not None
    assert "已有在用的代表之家（城关镇代表之家）" in page


def test_no_warning_when_the_other_home_is_inactive(client, login_as, network):
    """An inactive old home does not count: adding the new one brings no warning."""
    make_station(network.a, kind=StationKind.home, name="城关镇旧代表之家", active=False)
    login_as("committee")
    page = client.post("/stations/new", data=station_form(network.a, kind="home", name="城关镇代表之家"),
                       follow_redirects=True).get_data(as_text=True)
    assert "已添加" in page and "已有在用的代表之家" not in page
