"""Helpers for the deputy tests: row counts and the mandate form as a browser posts it."""
import pytest
import sqlalchemy as sa

from liaison.extensions import db


def count(model):
    """How many rows a table holds now."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def mandate_data(term, township, district=None, home=None, station=None, start=None, by_election=False):
    """The mandate form's fields, filled in as staff would."""
    data = {
        "term_id": str(term.id),
        "township_id": str(township.id),
        "electoral_district_id": str(district.id) if district else "",
        "home_id": str(home.id) if home else "",
        "station_id": str(station.id) if station else "",
        "start_date": (start or term.start_date).isoformat(),
    }
    if by_election:
        data["by_election"] = "y"
    return data


def page_text(response):
    """The response's HTML as text."""
    return response.get_data(as_text=True)


@pytest.fixture()
def committee(login_as):
    """A signed-in member of the committee's deputy work office."""
    return login_as("committee")

