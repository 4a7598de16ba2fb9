"""Adding and correcting a deputy (the person): normalised, unique mobile numbers, Chinese messages."""
import re

import sqlalchemy as sa

from liaison.accounts.models import User
from liaison.deputies.models import Deputy, Gender
from tests import factories
from tests.deputies.conftest import count, page_text


def _person(**kw):
    """The deputy form's fields, overridden by ``kw``."""
    data = {"name": "王建国", "gender": "male", "ethnicity": "回族", "mobile": "+86 139-1234-5678"}
    data.update(kw)
    return data


def test_committee_adds_a_deputy_with_normalised_mobile(client, db, committee):
    """The new deputy is saved with the mobile as 11 digits and the chosen ethnicity; next comes a mandate."""
    response = client.post("/deputies/new", data=_person())
    deputy = db.session.scalar(sa.select(Deputy).where(Deputy.name == "王建国"))
    assert deputy.mobile == "13912345678"
    assert deputy.gender is Gender.male and deputy.ethnicity == "回族"
    assert response.headers["Location"].endswith(f"/deputies/{deputy.id}/mandates/new")


def test_new_deputy_form_defaults_to_han(client, db, committee):
    """The ethnicity select starts at 汉族 and lists all 56 groups."""
    page = page_text(client.get("/deputies/new"))
    assert '<option selected value="汉族">' in page or '<option value="汉族" selected>' in page
    assert "鄂伦春族" in page


def test_bad_mobile_is_refused(client, db, committee):
    """A number that is not a mainland mobile is refused with a message; nothing is saved."""
    response = client.post("/deputies/new", data=_person(mobile="0571-8888"))
    assert response.status_code == 200
    assert "手机号码应为 11 位数字" in page_text(response)
    assert count(Deputy) == 0


def test_duplicate_mobile_names_the_other_deputy(client, db, committee):
    """A number already registered says whose it is; no second person is saved."""
    factories.make_deputy(name="李秀英", mobile="13912345678")
    response = client.post("/deputies/new", data=_person(mobile="139 1234 5678"))
    assert "手机号码已登记在代表“李秀英”名下" in page_text(response)
    assert count(Deputy) == 1


def test_missing_name_is_refused(client, db, committee):
    """An empty name is refused in Chinese."""
    response = client.post("/deputies/new", data=_person(name=" "))
    assert "请填写代表姓名" in page_text(response)
    assert count(Deputy) == 0


def test_editing_a_deputy_updates_their_account_too(client, db, committee):
    """A corrected name and number also change the account's name and sign-in number."""
    mandate = factories.make_mandate(deputy=factories.make_deputy(name="旧名字", mobile="13700000001"))
    user = factories.make_user(roles={"deputy"}, deputy=mandate.deputy)
    deputy_id, user_id = mandate.deputy_id, user.id
    response = client.post(f"/deputies/{deputy_id}/edit",
                           data=_person(name="新名字", gender="female", ethnicity="汉族", mobile="13700000002"))
    assert response.status_code == 302
    db.session.expire_all()
    deputy = db.session.get(Deputy, deputy_id)
    assert (deputy.name, deputy.mobile, deputy.gender) == ("新名字", "13700000002", Gender.female)
    account = db.session.get(User, user_id)
    assert (account.name, account.mobile) == ("新名字", "13700000002")


def test_editing_to_another_accounts_number_is_refused(client, db, committee):
    """A deputy's account cannot take a number another account signs in with; nothing changes."""
    deputy = factories.make_deputy(mobile="13700000001")
    factories.make_user(roles={"deputy"}, deputy=deputy)
    factories.make_user(name="专干小周", mobile="13600000009")
    deputy_id = deputy.id
    response = client.post(f"/deputies/{deputy_id}/edit", data=_person(mobile="13600000009"))
    assert "手机号码已被账号“专干小周”用于登录" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Deputy, deputy_id).mobile == "13700000001"


def test_edit_form_shows_current_data(client, db, committee):
    """The edit form opens filled in with the deputy's data, the number masked as on every page."""
    deputy = factories.make_deputy(name="蒋文", mobile="13700000003")
    page = page_text(client.get(f"/deputies/{deputy.id}/edit"))
    assert 'value="蒋文"' in page and 'value="137****0003"' in page and "13700000003" not in page


def test_new_deputy_form_works_with_real_csrf(app, client, db, committee, monkeypatch):
    """With CSRF checking on, the form's own token lets the deputy be saved; no token is refused."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = page_text(client.get("/deputies/new"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/deputies/new", data=_person()).status_code == 400
    assert count(Deputy) == 0
    assert client.post("/deputies/new", data={**_person(), "csrf_token": token}).status_code == 302
    assert count(Deputy) == 1


def test_pages_have_no_inline_styles_or_scripts(client, db, committee):
    """The deputy pages stay within a strict CSP: no style="" attributes and no inline <script>."""
    mandate = factories.make_mandate()
    for url in ("/deputies", "/deputies/new", f"/deputies/{mandate.deputy_id}",
                f"/mandates/{mandate.id}/edit", f"/mandates/{mandate.id}/end",
                f"/mandates/{mandate.id}/suspensions/new"):
        page = page_text(client.get(url))
        assert "style=" not in page, url
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], url
