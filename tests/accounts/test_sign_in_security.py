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
        "mobile": user.mobile, "password": "lantern-orchard-42", "confirm": "lantern-orchard-42"})
    assert response.status_code == 302


def _from(app, ip):
    """A browser on another network."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = ip
    return browser


def _post_login(app, ip, mobile, password="wrong-password-1"):
    return sign_in(_from(app, ip), mobile, password).get_data(as_text=True)


def test_an_attacked_account_waits_a_growing_time_not_fifteen_minutes(app, client, db):
    """Five wrong passwords from anyone make the number wait 30 s, then 60 s after the next miss, and
    so on: the owner signs in with the right password as soon as the wait is over. Refused attempts
    during a wait are counted in one audit event, not written one by one."""
    owner = factories.make_user()
    db.session.commit()
    with _frozen_now() as frozen:
        for n in range(5):
            _post_login(app, f"10.0.0.{n}", owner.mobile)
        for _ in range(20):
            assert "请 30 秒后再试" in _post_login(app, "10.0.1.1", owner.mobile)
        frozen.tick(timedelta(seconds=31))
        page = _post_login(app, "10.0.1.2", owner.mobile)
        assert "请 60 秒后再试" in page or "请 1 分钟后再试" in page
        assert "或点击下方“忘记密码”找回" in page and "忘记密码？" in page
        frozen.tick(timedelta(seconds=61))
        assert sign_in(client, owner.mobile).status_code == 302
    assert len(_audit(db, "login.failure")) == 6
    assert len(_audit(db, "login.locked")) == 2
    assert [e.detail for e in _audit(db, "login.refused")] == [
        f"{owner.mobile[:3]}****{owner.mobile[-4:]}: 20 attempts refused while locked"]


def test_an_address_with_many_failures_is_locked_but_others_are_not(app, db, monkeypatch):
    """One network trying many numbers is locked for 15 minutes; the owner on another network is not."""
    monkeypatch.setitem(app.config, "LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    owner = factories.make_user()
    db.session.commit()
    for n in range(3):
        _post_login(app, "10.9.9.9", f"1380000{n:04d}")
    page = _post_login(app, "10.9.9.9", owner.mobile, factories.PASSWORD)
    assert "此网络的登录尝试次数过多" in page and "15 分钟后再试" in page
    assert sign_in(_from(app, "10.1.1.1"), owner.mobile).status_code == 302
    assert len(_audit(db, "login.locked")) == 1


def test_an_account_tried_from_many_addresses_alerts_the_committee_once(app, db):
    """Wrong passwords for one account from five networks put one message in each committee member's
    inbox (and none for an unknown number); more attempts in the same run do not repeat it."""
    from liaison.notifications.models import Message

    manager = factories.make_user(roles={"committee"})
    other = factories.make_user(roles={"township_staff"}, townships=[factories.make_township()])
    target = factories.make_deputy()
    account = factories.make_user(roles={"deputy"}, deputy=target)
    db.session.commit()
    with _frozen_now() as frozen:
        for n in range(8):
            _post_login(app, f"10.2.0.{n}", account.mobile)
            _post_login(app, f"10.3.0.{n}", "13999999999")  # nobody's number
            frozen.tick(timedelta(minutes=16))
    messages = db.session.scalars(sa.select(Message)).all()
    assert [(m.user_id, m.kind) for m in messages] == [(manager.id, "login_attack")]
    assert "5 个不同网络地址" in messages[0].body and account.mobile not in messages[0].body
    assert other.id not in {m.user_id for m in messages}


def test_wrong_current_password_on_password_change_is_throttled_and_audited(client, db, login_as):
    """Someone at an unattended session cannot guess the password on the change page: each wrong
    current password is audited, and after five the page makes them wait like the sign-in page."""
    login_as("committee")

    def change(current):
        return client.post("/account/password", data={
            "current_password": current, "new_password": "lantern-orchard-42",
            "confirm": "lantern-orchard-42"}).get_data(as_text=True)

    with _frozen_now() as frozen:
        for n in range(5):
            assert "密码不正确" in change(f"guess-{n}-password") or n == 4
        assert "尝试次数过多" in change(factories.PASSWORD)
        failed = [e for e in _audit(db, "password.changed") if e.outcome.value == "failure"]
        assert len(failed) == 5
        frozen.tick(timedelta(seconds=31))
        response = client.post("/account/password", data={
            "current_password": factories.PASSWORD, "new_password": "lantern-orchard-42",
            "confirm": "lantern-orchard-42"})
        assert response.status_code == 302
