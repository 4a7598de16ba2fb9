"""Only the district committee and admins use the township and district pages."""
import pytest

from liaison.extensions import db
from liaison.terms.models import Level
from liaison.townships.models import ElectoralDistrict, Township
from tests import factories
from tests.townships.helpers import count


@pytest.fixture()
def records(db):
    """A township with a district, for the URLs that name one."""
    township = factories.make_township(name="安平镇")
    district = factories.make_district(term=factories.make_term(level=Level.district), township=township)
    return {"township_id": township.id, "district_id": district.id}


PAGES = [
    ("GET", "/townships"),
    ("GET", "/townships/new"),
    ("POST", "/townships/new"),
    ("GET", "/townships/{township_id}"),
    ("GET", "/townships/{township_id}/edit"),
    ("POST", "/townships/{township_id}/edit"),
    ("GET", "/townships/{township_id}/districts/new"),
    ("POST", "/townships/{township_id}/districts/new"),
    ("GET", "/districts/{district_id}/edit"),
    ("POST", "/districts/{district_id}/edit"),
]

FORM = {"name": "新名字镇", "kind": "township", "term_id": "0", "township_id": "0"}


@pytest.mark.parametrize("role", ["township_staff", "deputy", ("township_staff", "deputy")])
@pytest.mark.parametrize("method,url", PAGES)
def test_township_staff_and_deputies_get_403(client, login_as, records, role, method, url):
    """Township staff (even of this very township) and deputies are refused, and nothing is written."""
    own_township = [db.session.get(Township, records["township_id"])] if "township_staff" in role else []
    login_as(role, townships=own_township)
    townships, districts = count(Township), count(ElectoralDistrict)
    response = client.open(url.format(**records), method=method, data=FORM if method == "POST" else None)
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
    assert (count(Township), count(ElectoralDistrict)) == (townships, districts)


@pytest.mark.parametrize("role", ["committee", "admin"])
@pytest.mark.parametrize("url", [url for method, url in PAGES if method == "GET"])
def test_committee_and_admin_open_every_page(client, login_as, records, role, url):
    """The district committee and admins open each page."""
    login_as(role)
    assert client.get(url.format(**records)).status_code == 200


@pytest.mark.parametrize("url", [url for method, url in PAGES if method == "GET"])
def test_signed_out_visitors_are_sent_to_sign_in(client, records, url):
    """Someone not signed in is sent to the sign-in page."""
    response = client.get(url.format(**records))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
