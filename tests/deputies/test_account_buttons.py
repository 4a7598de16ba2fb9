"""The account box on a deputy's page: status, activation code with QR, disabling and enabling."""
import re

import pytest

from liaison.accounts.models import User
from liaison.accounts.operations import account_for_deputy
from tests import factories
from tests.deputies.conftest import page_text


@pytest.fixture()
def deputy_in(db):
    """A deputy with a mandate in the given township and an account awaiting activation."""

    def make(township):
        """Make the deputy and account; return both."""
        mandate = factories.make_mandate(deputy=factories.make_deputy(name="杨帆"), township=township)
        account = account_for_deputy(mandate.deputy)
        return mandate.deputy, account

    return make


#: The 发放激活码 button of one account (the menu's 批量发放激活码 page is not it).
ISSUE_BUTTON = re.compile(r'action="/users/\d+/activation"')


def _form_with_action(page, action):
    """The hidden fields of the POST form that goes to ``action``."""
    match = re.search(r'<form method="post" action="%s".*?</form>' % re.escape(action), page, re.S)
    assert match, f"no form posting to {action}"
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', match.group(0)))


def test_staff_issue_an_activation_code_from_the_deputy_page(app, client, db, login_as, deputy_in,
                                                              monkeypatch):
    """Staff of the deputy's township press 发放激活码 and get the link with a scannable QR code."""
    town = factories.make_township()
    deputy, account = deputy_in(town)
    login_as("township_staff", townships=[town])
    # Real CSRF checking from here on (signing in above posts without a token).
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = page_text(client.get(f"/deputies/{deputy.id}"))
    assert "未激活" in page and "发放激活码" in page and "从未登录" in page
    action = f"/users/{account.id}/activation"
    fields = _form_with_action(page, action)
    assert fields.get("csrf_token")
    response = client.post(action, data=fields)
    assert response.status_code == 200
    issued = page_text(response)
    assert "<svg" in issued and "http://liaison.test/activate/" in issued
    assert "杨帆 的激活码" in issued


def test_staff_disable_and_enable_a_deputys_account(client, db, login_as, deputy_in):
    """停用 disables the account and returns to the page showing 已停用; 启用 turns it back on."""
    town = factories.make_township()
    deputy, account = deputy_in(town)
    account_id = account.id
    login_as("township_staff", townships=[town])
    detail = f"/deputies/{deputy.id}"
    fields = _form_with_action(page_text(client.get(detail)), f"/users/{account_id}/enabled")
    assert fields["enabled"] == "0" and fields["next"] == detail
    response = client.post(f"/users/{account_id}/enabled", data=fields)
    assert response.headers["Location"] == detail
    page = page_text(client.get(detail))
    assert "已停用" in page and not ISSUE_BUTTON.search(page)
    db.session.expire_all()
    assert db.session.get(User, account_id).enabled is False
    fields = _form_with_action(page, f"/users/{account_id}/enabled")
    assert fields["enabled"] == "1"
    client.post(f"/users/{account_id}/enabled", data=fields)
    db.session.expire_all()
    assert db.session.get(User, account_id).enabled is True


def test_activated_account_shows_status_and_last_login(client, db, committee, deputy_in):
    """An account with a password shows 已激活 and when its owner last signed in."""
    from datetime import datetime, timezone

    deputy, account = deputy_in(factories.make_township())
    account.set_password(factories.PASSWORD)
    account.last_login_at = datetime(2024, 5, 1, 1, 30, tzinfo=timezone.utc)
    page = page_text(client.get(f"/deputies/{deputy.id}"))
    assert "已激活" in page and "最近登录：2024-05-01 09:30" in page


def test_deputy_without_mandate_has_no_account_yet(client, db, committee):
    """A person without a mandate has no account; the page says one comes with the mandate."""
    deputy = factories.make_deputy()
    page = page_text(client.get(f"/deputies/{deputy.id}"))
    assert "尚无账号" in page and not ISSUE_BUTTON.search(page)


def test_staff_get_no_buttons_for_a_committee_members_account(client, db, login_as):
    """Staff get no account buttons for a committee member, even one who is a deputy in their township."""
    town = factories.make_township()
    mandate = factories.make_mandate(township=town)
    factories.make_user(roles={"committee", "deputy"}, deputy=mandate.deputy)
    login_as("township_staff", townships=[town])
    page = page_text(client.get(f"/deputies/{mandate.deputy_id}"))
    assert not ISSUE_BUTTON.search(page) and f"/users/{mandate.deputy.account.id}/enabled" not in page
