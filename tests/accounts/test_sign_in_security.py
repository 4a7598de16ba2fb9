"""What an attacker learns from the sign-in page and a signed-in session: timing, cookie lifetimes,
password checks on the password page, weak passwords, lockouts and who may reset whose account."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.accounts import models as account_models
from liaison.audit.models import AuditEvent
from liaison.clock import utcnow
from tests import factories
from tests.conftest import sign_in


def _audit(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


@pytest.fixture()
def hash_checks(monkeypatch):
    """Count the password hash checks a request makes (the costly step whose time an attacker measures)."""
    calls = []
    real = account_models.check_password_hash

    def spy(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(account_models, "check_password_hash", spy)
    return calls


def test_every_failed_sign_in_costs_one_hash_check(client, db, hash_checks):
    """An unknown number, an account not yet activated and a wrong password all take one hash check,
    so the answer's timing does not tell which numbers are registered or activated."""
    known = factories.make_user(mobile="13800000011")
    factories.make_user(mobile="13800000012", password=None)
    db.session.commit()
    for mobile in ("13800000010", "13800000012", known.mobile):
        hash_checks.clear()
        response = sign_in(client, mobile, "wrong-password-1")
        assert "手机号码或密码不正确" in response.get_data(as_text=True)
        assert len(hash_checks) == 1, mobile


def _frozen_now():
    return freeze_time(utcnow().replace(tzinfo=None))


def test_staff_session_cookie_from_sign_in_times_out_unused(app, client, db):
    """The cookie handed out at sign-in is signed out after 30 idle minutes even if it was never used."""
    user = factories.make_user(roles={"committee"})
    db.session.commit()
    with _frozen_now() as frozen:
        sign_in(client, user.mobile)
        copied = client.get_cookie("session").value
        frozen.tick(timedelta(minutes=31))
        thief = app.test_client()
        thief.set_cookie("session", copied)
        response = thief.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def _remember(client):
    return client.get_cookie("remember_token").value


def _visit_with_cookie(app, cookie):
    """A phone that only has the remember cookie; returns the response and any renewed cookie."""
    phone = app.test_client()
    phone.set_cookie("remember_token", cookie)
    response = phone.get("/")
    renewed = phone.get_cookie("remember_token")
    return response, renewed.value if renewed else None


def test_remember_cookie_is_refused_after_sixty_days_without_use(app, client, db):
    """A deputy who comes back within 60 days stays signed in (the cookie slides forward); a cookie
    left unused for more than 60 days no longer signs anyone in, even if the browser still sends it."""
    deputy = factories.make_deputy()
    factories.make_user(roles={"deputy"}, deputy=deputy)
    db.session.commit()
    with _frozen_now() as frozen:
        sign_in(client, deputy.mobile)
        first = _remember(client)
        frozen.tick(timedelta(days=59))
        response, renewed = _visit_with_cookie(app, first)
        assert response.status_code == 200 and renewed
        frozen.tick(timedelta(days=59))
        assert _visit_with_cookie(app, renewed)[0].status_code == 200
        response, _ = _visit_with_cookie(app, first)  # 118 days old, never renewed
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("password", [
    "password123", "Iloveyou1", "qwertyuiop", "woaini1314", "ZhangWei1988", "wangfang0808", "zhongguo!@#",
    "1314woaini", "qq5201314",
])
def test_common_passwords_are_refused_with_a_clear_message(client, db, login_as, password):
    """Changing to a password from the common list (English or pinyin, with or without a date) is
    refused in Chinese, and the old password still works."""
    login_as("committee")
    response = client.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": password, "confirm": password})
    assert response.status_code == 200
    assert "这个密码太常见" in response.get_data(as_text=True)


def test_the_shipped_list_names_its_source_and_holds_ten_thousand_passwords():
    """The list ships with the package, says where it comes from and under which licence."""
    import gzip
    from importlib import resources

    from liaison.accounts.passwords import common_passwords

    text = gzip.decompress(resources.files("liaison.accounts").joinpath("common_passwords.txt.gz")
                           .read_bytes()).decode()
    assert "Django" in text and "Redistribution and use in source and binary forms" in text
    words = common_passwords()
    assert len(words) >= 10_000 and {"woaini1314", "zhangwei", "password"} <= words
    assert not any(word.startswith("# ") for word in words)


def test_an_uncommon_password_is_accepted_on_activation(app, db):
    """A password built of uncommon words is accepted (the list does not refuse everything)."""
    from liaison.accounts import operations

    user = factories.make_user(password=None)
    token = operations.issue_activation(user)
    db.session.commit()
    response = app.test_client().post(f"/activate/{token}", data={
        "password": "lantern-orchard-42", "confirm": "lantern-orchard-42"})
    assert response.status_code == 302
