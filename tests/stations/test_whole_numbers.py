"""Whole-number fields read ASCII and full-width digits only: no ``1_000``, no digits of other scripts."""
import pytest
import sqlalchemy as sa

from liaison.extensions import db
from liaison.network.models import Station
from tests.stations.conftest import station_form


@pytest.mark.parametrize("typed, stored", [("200", 200), ("２００", 200), ("+300", 300), (" 250 ", 250)])
def test_ascii_and_full_width_digits_are_read(client, login_as, network, typed, stored):
    """A radius typed with a Chinese input method (full-width digits) is stored as the same number."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(network.a, network.a_district, radius_m=typed))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(sa.select(Station.radius_m)) == stored


@pytest.mark.parametrize("typed, message", [
    ("1_000", "签到范围半径（米）应为整数。"),
    ("٣٠٠", "签到范围半径（米）应为整数。"),  # Arabic-Indic digits: int() would take them
    ("३००", "签到范围半径（米）应为整数。"),  # Devanagari digits
    ("2 00", "签到范围半径（米）应为整数。"),
    ("9" * 5000, "签到范围半径（米）的数值太大。"),
])
def test_other_digits_and_separators_are_refused(client, login_as, network, typed, message):
    """Underscores, spaces inside and digits of other scripts are refused in Chinese; nothing is saved."""
    login_as("committee")
    response = client.post("/stations/new", data=station_form(network.a, network.a_district, radius_m=typed))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Station)) == 0
