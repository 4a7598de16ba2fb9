"""Sign-in throttling holds across worker processes, since the counts live in the database."""
import multiprocessing
import re
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.accounts.models import LoginThrottle

from liaison.audit.models import AuditEvent
from liaison.clock import utcnow
from tests import factories
from tests.conftest import make_test_app, sign_in


def hammer(database_url, mobile, attempts):
    """One worker process: its own app and connections, posting wrong passwords."""
    from liaison.extensions import db

    app = make_test_app(database_url)
    client = app.test_client()
    texts = [sign_in(client, mobile, "wrong-password-1").get_data(as_text=True) for _ in range(attempts)]
    with app.app_context():
        db.engine.dispose()
    return sum("尝试次数过多" in t for t in texts)


def test_fifty_wrong_passwords_over_four_processes_end_in_lockout(app, db, database_url):
    """Fifty wrong passwords at once from four workers: about five are checked, the rest are refused
    and counted on the lock, and the audit trail holds one event per lock plus one count, not fifty."""
    user = factories.make_user()
    mobile = user.mobile
    db.session.commit()
    db.session.close()
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(4) as pool:
        locked_answers = pool.starmap(hammer, [(database_url, mobile, n) for n in (13, 13, 12, 12)])
    # Most of the 50 were refused as locked without even checking the password.
    assert sum(locked_answers) >= 50 - 5 - 3
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    failures, locks = actions.count("login.failure"), actions.count("login.locked")
    # A racing failure that arrives after the lock began writes the refusals counted so far as one
    # event; the rest are still on the lock.
    pending = db.session.scalar(sa.select(sa.func.sum(LoginThrottle.refused)))
    assert failures + _refused_in_audit(db) + pending == 50, "every attempt is audited or counted on the lock"
    assert 5 <= failures <= 8  # the limit, plus at most one racing attempt per other worker
    assert 1 <= locks <= failures - 4  # one event per lock, none per refused attempt
    assert actions.count("login.refused") <= failures - 5
    # Even the right password is refused now; once the wait is over it signs in, and the refused
    # attempts still pending go into the audit trail as one counted event.
    assert "尝试次数过多" in sign_in(app.test_client(), mobile).get_data(as_text=True)
    with freeze_time(utcnow().replace(tzinfo=None) + timedelta(minutes=16)):
        assert sign_in(app.test_client(), mobile).status_code == 302
    assert failures + _refused_in_audit(db) == 51
    assert db.session.scalar(sa.select(sa.func.count(LoginThrottle.key))) <= 1  # only the address row


def _refused_in_audit(db):
    """Attempts refused while locked, as counted in the ``login.refused`` events."""
    details = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "login.refused")).all()
    return sum(int(re.fullmatch(r"\d{3}\*{4}\d{4}: (\d+) attempts refused while locked", d).group(1))
               for d in details)
