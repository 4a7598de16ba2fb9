"""What users type is shown as text everywhere, including inside translated messages."""
from tests import factories


def test_markup_in_a_name_is_escaped_in_flashes_and_form_errors(client, db, login_as):
    """A duplicate-name error and a success flash both interpolate the typed name: still text."""
    login_as("committee")
    name = "<i>q</i>镇"
    first = client.post("/townships/new", data={"name": name, "kind": "township"}, follow_redirects=True)
    second = client.post("/townships/new", data={"name": name, "kind": "township"})
    for response in (first, second):
        html = response.get_data(as_text=True)
        assert "<i>q</i>" not in html
        assert "&lt;i&gt;q&lt;/i&gt;镇" in html


def test_script_in_a_deputy_name_stays_text_on_the_list(client, db, login_as):
    township = factories.make_township()
    deputy = factories.make_deputy(name="<script>x</script>")
    factories.make_mandate(deputy=deputy, township=township)
    login_as("committee")
    html = client.get("/deputies").get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
