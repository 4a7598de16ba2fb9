"""Bad input on the station form: a clear Chinese message next to the field, and nothing saved."""
from datetime import time

import pytest

from liaison.network.models import OpeningHours, Station, StationKind
from tests.stations.conftest import count, make_mandate, make_station, station_form, station_named

HOURS = {"weekdays": ["0"], "am_opens": "09:00", "am_closes": "11:30"}

CASES = [
    ({"name": "城"}, "名称应为 2 到 80 个字（现在是 1 个）"),
    ({"name": "城" * 81}, "名称应为 2 到 80 个字（现在是 81 个）"),
    ({"name": "   "}, "名称应为 2 到 80 个字（现在是 0 个）"),
    ({"kind": "shop"}, "请选择类型：代表之家或代表联络站。"),
    ({"township_id": ""}, "请选择所属乡镇（街道）。"),
    ({"electoral_district_id": ""}, "代表联络站必须选择所服务的选区。"),
    ({"kind": "home"}, "代表之家服务整个乡镇（街道），不设选区，请把选区留空。"),
    ({"address": " "}, "请填写地址，方便代表和选民找到这里。"),
    ({"address": "路" * 201}, "地址应为 2 到 200 个字。"),
    ({"latitude": "30.27"}, "已填写纬度，请同时填写经度；不知道坐标时两项都留空。"),
    ({"longitude": "120.15"}, "已填写经度，请同时填写纬度；不知道坐标时两项都留空。"),
    ({"latitude": "北纬30度", "longitude": "120.15"}, "纬度应为以度为单位的数字，例如 30.274085。"),
    ({"latitude": "30.27", "longitude": "abc"}, "经度应为以度为单位的数字，例如 30.274085。"),
    ({"latitude": "95", "longitude": "120.15"}, "纬度应在 -90 到 90 之间。"),
    ({"latitude": "30.27", "longitude": "190"}, "经度应在 -180 到 180 之间。"),
    ({"latitude": "60.5", "longitude": "120.15"}, "纬度 60.500000 不在中国境内（约 18 到 54），请核对家站入口的坐标。"),
    ({"latitude": "30.27", "longitude": "2.35"}, "经度 2.350000 不在中国境内（约 73 到 135），请核对家站入口的坐标。"),
    ({"latitude": "120.15", "longitude": "30.27"}, "纬度和经度似乎填反了"),
    ({"radius_m": "10"}, "签到范围半径应在 20 到 5000 米之间。"),
    ({"radius_m": "6000"}, "签到范围半径应在 20 到 5000 米之间。"),
    ({"radius_m": ""}, "请填写签到范围半径（米），一般为 200。"),
    ({"radius_m": "两百"}, "签到范围半径（米）应为整数。"),
    ({"weekdays": ["0", "1"]}, "已勾选接待日，请填写接待时间（至少一个时段的开始和结束）。"),
    ({"am_opens": "09:00", "am_closes": "11:30"}, "已填写接待时间，请至少勾选一个接待日。"),
    ({**HOURS, "am_closes": ""}, "请填写上午接待的结束时间（已填写开始时间）。"),
    ({**HOURS, "pm_closes": "17:00"}, "请填写下午接待的开始时间（已填写结束时间）。"),
    ({**HOURS, "am_closes": "09:00"}, "上午接待的结束时间应晚于开始时间。"),
    ({**HOURS, "pm_opens": "15:00", "pm_closes": "14:00"}, "下午接待的结束时间应晚于开始时间。"),
    ({**HOURS, "pm_opens": "11:00", "pm_closes": "14:00"}, "上午和下午的接待时间有重叠，请调整。"),
    ({**HOURS, "am_opens": "9点"}, "上午开始应为“时:分”，例如 09:00。"),
    ({**HOURS, "weekdays": ["7"]}, "接待日无效，请重新勾选周一至周日中的日子。"),
]


@pytest.mark.parametrize("overrides, message", CASES, ids=[m[:12] for _o, m in CASES])
def test_bad_input_on_new_station_is_refused(client, login_as, network, overrides, message):
    """Each rule broken on the add form shows its Chinese message and saves no station or hours."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(network.a, network.a_district, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Station) == 0
    assert count(OpeningHours) == 0


def test_district_of_another_township_is_refused(client, login_as, network):
    """A 联络站 of 城关镇 cannot serve a 选区 of 柳溪乡."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(network.a, network.b_district))
    assert "所选选区“柳溪第一选区”属于柳溪乡，不属于城关镇；请选择本乡镇（街道）的选区。" in response.get_data(as_text=True)
    assert count(Station) == 0


def test_name_must_be_unique_within_the_township(client, login_as, network):
    """A second 城关镇第一联络站 is refused in 城关镇 but the same name is fine in 柳溪乡."""
    make_station(network.a, electoral_district=network.a_district, name="第一联络站")
    login_as("committee")
    response = client.post("/stations/new", data=station_form(network.a, network.a_district, name="第一联络站"))
    assert "城关镇已有名为“第一联络站”的家站，请换一个名称。" in response.get_data(as_text=True)
    assert count(Station) == 1
    response = client.post("/stations/new", data=station_form(network.b, network.b_district, name="第一联络站"))
    assert response.status_code == 302
    assert count(Station) == 2


def _station_with_hours(network, db, name="城关镇第一联络站"):
    """A 联络站 of 城关镇 open on Monday mornings."""
    station = make_station(network.a, electoral_district=network.a_district, name=name, address="人民路 1 号")
    db.session.add(OpeningHours(station=station, weekday=0, opens=time(9), closes=time(11, 30)))
    return station


def _unchanged(station_id, name="城关镇第一联络站"):
    """Assert the station made by ``_station_with_hours`` is exactly as it was."""
    station = station_named(name)
    assert station is not None and station.id == station_id
    assert station.kind is StationKind.station and station.active and station.address == "人民路 1 号"
    assert [(h.weekday, h.opens, h.closes) for h in station.opening_hours] == [(0, time(9), time(11, 30))]


def test_bad_edit_changes_nothing(client, login_as, network, db):
    """A refused edit keeps the old name, address and opening hours."""
    station = _station_with_hours(network, db)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, network.a_district, address="新地址 9 号", weekdays=["3"],
        am_opens="10:00", am_closes="09:00"))
    assert "上午接待的结束时间应晚于开始时间。" in response.get_data(as_text=True)
    _unchanged(station.id)


def test_renaming_to_a_taken_name_is_refused(client, login_as, network, db):
    """Editing a station to the name of another station of the same township is refused."""
    station = _station_with_hours(network, db)
    make_station(network.a, kind=StationKind.home, name="城关镇代表之家")
    login_as("committee")
    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, network.a_district, name="城关镇代表之家", **HOURS))
    assert "城关镇已有名为“城关镇代表之家”的家站" in response.get_data(as_text=True)
    _unchanged(station.id)


def test_kind_change_refused_while_mandates_name_the_station(client, login_as, network, db):
    """A station some mandate names as own station cannot become a home (even an ended mandate)."""
    station = _station_with_hours(network, db)
    make_mandate(network, network.a, station=station, ended=True)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, kind="home", **HOURS))
    assert ("有 1 项代表资格以“城关镇第一联络站”为本人的家站，不能更改类型；如确需更改，请先把这些代表调整到其他家站。"
            in response.get_data(as_text=True))
    _unchanged(station.id)


def test_township_change_refused_while_mandates_name_the_station(client, login_as, network, db):
    """A station some mandate names as own station cannot move to another township."""
    station = _station_with_hours(network, db)
    make_mandate(network, network.a, station=station)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.b, network.b_district, name="城关镇第一联络站", **HOURS))
    assert "不能更改所属乡镇（街道）" in response.get_data(as_text=True)
    _unchanged(station.id)


def test_kind_change_allowed_when_no_mandate_names_it(client, login_as, network, db):
    """With no deputy assigned, a station can be turned into a home (its district cleared)."""
    station = _station_with_hours(network, db)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/edit", data=station_form(network.a, kind="home", **HOURS))
    assert response.status_code == 302
    station = station_named("城关镇第一联络站")
    assert station.kind is StationKind.home and station.electoral_district_id is None


def test_unticking_active_on_the_edit_form_is_refused_while_in_use(client, login_as, network, db):
    """The edit form's 在用 box follows the same rule as the deactivate button."""
    station = _station_with_hours(network, db)
    make_mandate(network, network.a, station=station)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, network.a_district, active=None, **HOURS))
    assert "有 1 名代表的代表资格（在任或即将开始）仍以“城关镇第一联络站”为本人的代表联络站" in response.get_data(as_text=True)
    _unchanged(station.id)
