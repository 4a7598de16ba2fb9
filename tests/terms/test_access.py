"""Only the district committee and admins use the term pages."""
import pytest

from liaison.extensions import db
from liaison.terms.models import Term
from tests import factories
from tests.townships.helpers import count

PAGES = [("GET", "/terms"), ("GET", "/terms/new"), ("POST", "/terms/new"),
         ("GET", "/terms/{term_id}/edit"), ("POST", "/terms/{term_id}/edit")]

FORM = {"level": "district", "ordinal": "9", "township_id": "0", "name": "区第九届",
        "start_date": "2026-12-31", "end_date": "2031-12-31"}


@pytest.fixture()
def term(db):
    """区第八届, for the URLs that name a term."""
    return factories.make_term(name="区第八届")


@pytest.mark.parametrize("role", ["township_staff", "deputy", ("township_staff", "deputy")])
@pytest.mark.parametrize("method,url", PAGES)
def test_township_staff_and_deputies_get_403(client, login_as, term, role, method, url):
    """Township staff and deputies are refused every term page, and nothing is written."""
    login_as(role)
    data = FORM if method == "POST" else None
    response = client.open(url.format(term_id=term.id), method=method, data=data)
    assert response.status_code == 403
    assert count(Term) == 1
    assert db.session.get(Term, term.id).name == "区第八届"


@pytest.mark.parametrize("role", ["committee", "admin"])
@pytest.mark.parametrize("url", [url for method, url in PAGES if method == "GET"])
def test_committee_and_admin_open_every_page(client, login_as, term, role, url):
    """The district committee and admins open each term page."""
    login_as(role)
    assert client.get(url.format(term_id=term.id)).status_code == 200


@pytest.mark.parametrize("url", [url for method, url in PAGES if method == "GET"])
def test_signed_out_visitors_are_sent_to_sign_in(client, term, url):
    """Someone not signed in is sent to the sign-in page."""
    response = client.get(url.format(term_id=term.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
