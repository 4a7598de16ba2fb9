"""Sign-in throttling holds across worker processes, since the counts live in the database."""
import multiprocessing

import sqlalchemy as sa

from liaison.audit.models import AuditEvent
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
    failures, locked = actions.count("login.failure"), actions.count("login.locked")
    assert failures + locked == 50, "every attempt is audited"
    assert 5 <= failures <= 8  # the limit, plus at most one racing attempt per other worker
    # Even the right password is refused now.
    response = sign_in(app.test_client(), mobile)
    assert "尝试次数过多" in response.get_data(as_text=True)
