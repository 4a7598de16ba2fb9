"""Who may open which deputy page: roles, and township staff kept to their own townships."""
import pytest

from tests import factories
from tests.deputies.conftest import page_text


def _deputy_with_mandate(township=None):
    """A deputy with one mandate in the township."""
    mandate = factories.make_mandate(township=township)
    return mandate.deputy, mandate


def _urls(deputy, mandate):
    """Every deputy page, by endpoint name, for these records."""
    return {
        "index": "/deputies",
        "new": "/deputies/new",
        "detail": f"/deputies/{deputy.id}",
        "edit": f"/deputies/{deputy.id}/edit",
        "new_mandate": f"/deputies/{deputy.id}/mandates/new",
        "edit_mandate": f"/mandates/{mandate.id}/edit",
        "end_mandate": f"/mandates/{mandate.id}/end",
        "new_suspension": f"/mandates/{mandate.id}/suspensions/new",
    }


#: (role, page, expected status) for a record inside the township staff member's township.
ACCESS = [
    *[("committee", page, 200) for page in
      ("index", "new", "detail", "edit", "new_mandate", "edit_mandate", "end_mandate", "new_suspension")],
    *[("admin", page, 200) for page in ("index", "new", "detail", "edit_mandate")],
    ("township_staff", "index", 200),
    ("township_staff", "detail", 200),
    *[("township_staff", page, 403) for page in
      ("new", "edit", "new_mandate", "edit_mandate", "end_mandate", "new_suspension")],
    *[("deputy", page, 403) for page in
      ("index", "new", "detail", "edit", "new_mandate", "edit_mandate", "end_mandate", "new_suspension")],
]


@pytest.mark.parametrize("role,page,status", ACCESS)
def test_role_access_table(client, db, login_as, role, page, status):
    """Committee and admin manage everything; township staff only look; deputies get 403."""
    township = factories.make_township()
    deputy, mandate = _deputy_with_mandate(township)
    login_as(role, townships=[township] if role == "township_staff" else ())
    assert client.get(_urls(deputy, mandate)[page]).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    """Without signing in, the list redirects to the login page."""
    response = client.get("/deputies")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_staff_see_only_deputies_of_their_townships(client, db, login_as):
    """Staff of township A see A's deputy in the list, not a deputy whose only mandate is in B."""
    town_a = factories.make_township(name="东湖镇")
    town_b = factories.make_township(name="西山镇")
    factories.make_mandate(deputy=factories.make_deputy(name="甲代表"), township=town_a)
    factories.make_mandate(deputy=factories.make_deputy(name="乙代表"), township=town_b)
    login_as("township_staff", townships=[town_a])
    page = page_text(client.get("/deputies"))
    assert "甲代表" in page
    assert "乙代表" not in page


def test_other_townships_deputy_is_404_for_staff(client, db, login_as):
    """Staff of A opening the page of a deputy who only sits in B get 404, as if it did not exist."""
    town_a = factories.make_township()
    town_b = factories.make_township()
    deputy_b, _ = _deputy_with_mandate(town_b)
    login_as("township_staff", townships=[town_a])
    assert client.get(f"/deputies/{deputy_b.id}").status_code == 404
    assert client.get("/deputies/999999").status_code == 404


def test_township_filter_offers_only_the_staff_members_townships(client, db, login_as):
    """The township filter lists the staff member's townships and no others."""
    town_a = factories.make_township(name="东湖镇")
    factories.make_township(name="西山镇")
    login_as("township_staff", townships=[town_a])
    page = page_text(client.get("/deputies"))
    assert "东湖镇" in page
    assert "西山镇" not in page


def test_staff_filtering_on_another_township_find_nobody(client, db, login_as):
    """Typing another township's id into the filter shows nothing from it."""
    town_a = factories.make_township()
    town_b = factories.make_township()
    factories.make_mandate(deputy=factories.make_deputy(name="乙代表"), township=town_b)
    login_as("township_staff", townships=[town_a])
    page = page_text(client.get(f"/deputies?township_id={town_b.id}"))
    assert "乙代表" not in page


def test_staff_see_only_their_townships_mandates_of_a_deputy(client, db, login_as):
    """A deputy sitting in A (区) and B (市): staff of A see the A mandate and a note, not B's."""
    from liaison.terms.models import Level

    town_a = factories.make_township(name="东湖镇")
    town_b = factories.make_township(name="西山镇")
    deputy = factories.make_deputy(name="丙代表")
    factories.make_mandate(deputy=deputy, township=town_a, term=factories.make_term(name="区第八届"))
    factories.make_mandate(deputy=deputy, township=town_b,
                           term=factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届"))
    login_as("township_staff", townships=[town_a])
    page = page_text(client.get(f"/deputies/{deputy.id}"))
    assert "区第八届" in page
    assert "市第十五届" not in page
    assert "在其他乡镇（街道）另有代表资格" in page
    assert "修改信息" not in page
