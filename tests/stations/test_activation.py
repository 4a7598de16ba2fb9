"""Deactivating and re-activating stations: history is kept, and stations deputies rely on stay on."""
import re
from datetime import timedelta

from liaison.clock import local_today
from liaison.network.models import Station, StationKind
from tests import factories
from tests.stations.conftest import count, make_mandate, make_station, station_form, station_named


def test_deactivation_refused_while_deputies_rely_on_the_station(client, login_as, network):
    """With two current mandates naming it as own station, deactivation is refused and says so."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    make_mandate(network, network.a, name="李红梅", station=station)
    make_mandate(network, network.a, name="赵志刚", station=station)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/active", data={"active": "0"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "有 2 名代表的代表资格（在任或即将开始）仍以“城关站”为本人的代表联络站，请先把他们调整到其他家站，再停用。" in page
    assert station_named("城关站").active


def test_deactivation_refused_for_a_home_named_as_own_home(client, login_as, network):
    """A 代表之家 named as a deputy's own home stays active."""
    home = make_station(network.a, kind=StationKind.home, name="城关镇代表之家")
    make_mandate(network, network.a, home=home)
    login_as("committee")
    page = client.post(f"/stations/{home.id}/active", data={"active": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "有 1 名代表的代表资格（在任或即将开始）仍以“城关镇代表之家”为本人的代表之家" in page
    assert station_named("城关镇代表之家").active


def test_upcoming_mandates_also_keep_the_station_on(client, login_as, network):
    """A mandate of a term that starts next month counts: its deputies will need the station."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    start = local_today() + timedelta(days=30)
    term = factories.make_term(name="区第九届", ordinal=9, start_date=start,
                               end_date=start + timedelta(days=1826))
    district = factories.make_district(term=term, township=network.a, name="新城关第一选区")
    factories.make_mandate(deputy=factories.make_deputy(name="钱新"), term=term, township=network.a,
                           electoral_district=district, station=station)
    login_as("committee")
    client.post(f"/stations/{station.id}/active", data={"active": "0"})
    assert station_named("城关站").active


def test_deactivation_keeps_history_once_mandates_ended(client, login_as, network):
    """When the only mandate naming it has ended, the station is deactivated but kept, deputy still listed."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    make_mandate(network, network.a, name="赵志刚", station=station, ended=True)
    login_as("committee")
    response = client.post(f"/stations/{station.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/stations/{station.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已停用“城关站”：历史记录保留，今后不再接受签到和排班。" in page
    assert "赵志刚" in page and "重新启用" in page
    assert not station_named("城关站").active
    assert count(Station) == 1


def test_reactivation(client, login_as, network):
    """An inactive station can be switched on again."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站", active=False)
    login_as("committee")
    page = client.post(f"/stations/{station.id}/active", data={"active": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已重新启用“城关站”。" in page
    assert station_named("城关站").active


def test_reactivating_a_second_home_warns(client, login_as, network):
    """Switching an old home back on next to an active one brings the one-home reminder."""
    make_station(network.a, kind=StationKind.home, name="城关镇代表之家")
    old = make_station(network.a, kind=StationKind.home, name="城关镇旧代表之家", active=False)
    login_as("committee")
    page = client.post(f"/stations/{old.id}/active", data={"active": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已有在用的代表之家（城关镇代表之家）" in page


def test_bad_active_value_is_a_bad_request(client, login_as, network):
    """Only active=1 or active=0 is understood."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    login_as("committee")
    assert client.post(f"/stations/{station.id}/active", data={"active": "no"}).status_code == 400
    assert station_named("城关站").active


def test_next_is_followed_only_on_site(client, login_as, network):
    """After the button the list (``next``) is shown again; an outside address is ignored."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    login_as("committee")
    response = client.post(f"/stations/{station.id}/active",
                           data={"active": "0", "next": "/stations?kind=station"})
    assert response.headers["Location"] == "/stations?kind=station"
    response = client.post(f"/stations/{station.id}/active", data={"active": "1", "next": "https://evil.cn"})
    assert response.headers["Location"] == "/"


def test_active_button_needs_a_csrf_token(app, client, login_as, network, monkeypatch):
    """Without its CSRF token the deactivate button changes nothing."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    login_as("committee")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/stations/{station.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert station_named("城关站").active


def test_buttons_and_forms_carry_their_csrf_token(app, client, login_as, network, monkeypatch):
    """With CSRF on, the deactivate button on the detail page and the edit form both work as served."""
    station = make_station(network.a, electoral_district=network.a_district, name="城关站")
    login_as("committee")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    def token(page):
        """The CSRF token of the first form on the page."""
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    detail = client.get(f"/stations/{station.id}").get_data(as_text=True)
    response = client.post(f"/stations/{station.id}/active",
                           data={"active": "0", "csrf_token": token(detail)})
    assert response.status_code == 302
    edit = client.get(f"/stations/{station.id}/edit").get_data(as_text=True)
    response = client.post(f"/stations/{station.id}/edit", data=station_form(
        network.a, network.a_district, name="城关站", address="新华路 3 号", active=None, csrf_token=token(edit)))
    assert response.status_code == 302
    assert station_named("城关站").address == "新华路 3 号"
