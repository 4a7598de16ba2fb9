"""Who may use the network pages: committee everywhere, township staff at home, deputies nowhere."""
import pytest

from liaison.network.models import Station, StationKind
from tests.stations.conftest import count, make_station, station_form, station_named


@pytest.fixture()
def stations(network):
    """One 联络站 in 城关镇 (A) and one in 柳溪乡 (B)."""
    a = make_station(network.a, electoral_district=network.a_district, name="城关站", address="城关路 1 号")
    b = make_station(network.b, electoral_district=network.b_district, name="柳溪站", address="柳溪路 2 号")
    return a, b


def _routes(station_id):
    """Every network route as (method, url, form data)."""
    return [
        ("get", "/stations", None),
        ("get", "/stations/new", None),
        ("post", "/stations/new", {}),
        ("get", f"/stations/{station_id}", None),
        ("get", f"/stations/{station_id}/edit", None),
        ("post", f"/stations/{station_id}/edit", {}),
        ("post", f"/stations/{station_id}/active", {"active": "0"}),
    ]


def test_deputies_get_403_everywhere(client, login_as, stations):
    """A deputy (not staff) is refused every network page, and nothing changes."""
    login_as("deputy")
    for method, url, data in _routes(stations[0].id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, (method, url)
    assert station_named("城关站").active


def test_anonymous_visitors_are_sent_to_sign_in(client, stations):
    """Without signing in every network page leads to the login page."""
    for method, url, data in _routes(stations[0].id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("role", ["committee", "admin"])
def test_district_staff_see_and_manage_every_township(client, login_as, stations, role):
    """Committee staff and admins see both townships' stations and may open any of them."""
    login_as(role)
    page = client.get("/stations").get_data(as_text=True)
    assert "城关站" in page and "柳溪站" in page
    for station in stations:
        assert client.get(f"/stations/{station.id}").status_code == 200
        assert client.get(f"/stations/{station.id}/edit").status_code == 200


def test_township_staff_see_only_their_township(client, login_as, network, stations):
    """Staff of 城关镇 list only 城关镇's stations; filtering on 柳溪乡 shows nothing of it."""
    login_as("township_staff", townships=[network.a])
    page = client.get("/stations").get_data(as_text=True)
    assert "城关站" in page and "柳溪站" not in page
    page = client.get(f"/stations?township_id={network.b.id}").get_data(as_text=True)
    assert "柳溪站" not in page and "柳溪乡" not in page
    assert "柳溪站" not in client.get("/stations?q=柳溪").get_data(as_text=True)


def test_township_staff_get_404_for_another_townships_station(client, login_as, network, stations):
    """Staff of 城关镇 get 404 for 柳溪乡's station on every page, and cannot change it."""
    _a, b = stations
    login_as("township_staff", townships=[network.a])
    assert client.get(f"/stations/{b.id}").status_code == 404
    assert client.get(f"/stations/{b.id}/edit").status_code == 404
    response = client.post(f"/stations/{b.id}/edit",
                           data=station_form(network.a, network.a_district, name="改名"))
    assert response.status_code == 404
    assert client.post(f"/stations/{b.id}/active", data={"active": "0"}).status_code == 404
    station = station_named("柳溪站")
    assert station is not None and station.active and station.township_id == network.b.id
    assert station_named("改名") is None


def test_township_staff_create_in_their_township(client, login_as, network):
    """Staff of 城关镇 add a station there; the form offers only their township and its districts."""
    login_as("township_staff", townships=[network.a])
    form_page = client.get("/stations/new").get_data(as_text=True)
    assert "城关镇" in form_page and "城关第一选区" in form_page
    assert "柳溪乡" not in form_page and "柳溪第一选区" not in form_page
    response = client.post("/stations/new", data=station_form(network.a, network.a_district, name="城关新站"))
    assert response.status_code == 302
    assert station_named("城关新站").township_id == network.a.id


def test_township_staff_cannot_choose_another_township(client, login_as, network):
    """Posting 柳溪乡 (not offered) is refused with a message, and nothing is saved."""
    login_as("township_staff", townships=[network.a])
    response = client.post("/stations/new", data=station_form(network.b, network.b_district, name="越界站"))
    assert response.status_code == 200
    assert "只能选择您管辖范围内的乡镇（街道）。" in response.get_data(as_text=True)
    response = client.post("/stations/new", data=station_form(network.a, network.b_district, name="越界站"))
    assert "只能选择您管辖范围内乡镇（街道）的选区。" in response.get_data(as_text=True)
    assert count(Station) == 0


def test_township_staff_cannot_move_their_station_away(client, login_as, network, stations):
    """Editing 城关站 into 柳溪乡 is refused: staff keep their stations inside their townships."""
    a, _b = stations
    login_as("township_staff", townships=[network.a])
    response = client.post(f"/stations/{a.id}/edit",
                           data=station_form(network.b, network.b_district, name="城关站"))
    assert "只能选择您管辖范围内的乡镇（街道）。" in response.get_data(as_text=True)
    assert station_named("城关站").township_id == network.a.id


def test_township_staff_edit_and_deactivate_their_station(client, login_as, network, stations):
    """Staff of 城关镇 edit and deactivate their own station."""
    a, _b = stations
    login_as("township_staff", townships=[network.a])
    response = client.post(f"/stations/{a.id}/edit", data=station_form(
        network.a, network.a_district, name="城关站", address="新华路 3 号"))
    assert response.status_code == 302
    assert client.post(f"/stations/{a.id}/active", data={"active": "0"}).status_code == 302
    station = station_named("城关站")
    assert station.address == "新华路 3 号" and not station.active


def test_staff_of_two_townships_choose_between_them(client, login_as, network):
    """Staff responsible for both townships get both in the form and may add a home in either."""
    login_as("township_staff", townships=[network.a, network.b])
    form_page = client.get("/stations/new").get_data(as_text=True)
    assert "城关镇" in form_page and "柳溪乡" in form_page
    response = client.post("/stations/new", data=station_form(network.b, kind="home", name="柳溪乡代表之家"))
    assert response.status_code == 302
    assert station_named("柳溪乡代表之家").kind is StationKind.home
