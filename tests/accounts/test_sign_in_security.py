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
