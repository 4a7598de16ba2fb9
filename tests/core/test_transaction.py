"""The one way to write (liaison.transaction): commit or roll back, and the work that waits for either."""
import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from liaison.errors import InvalidInput
from liaison.townships.models import Township
from liaison.transaction import after_commit, after_rollback, commit
from tests import factories


def _townships(db):
    return db.session.scalar(sa.select(sa.func.count(Township.id)))


def test_a_write_is_committed_and_its_after_commit_work_runs(app, db):
    """A saved write keeps its row; work waiting for the commit runs once, rollback work never."""
    ran = []
    with app.test_request_context():
        def write():
            after_commit(lambda: ran.append("commit"))
            after_rollback(lambda: ran.append("rollback"))
            return factories.make_township(name="成功镇")

        written = commit(write)
        assert written and written.value.name == "成功镇"
    db.session.rollback()
    assert ran == ["commit"]
    assert _townships(db) == 1


def test_a_broken_rule_rolls_everything_back_and_is_shown(app, db):
    """On a broken rule nothing of the write stays, its rollback work runs, and the message is flashed."""
    ran = []
    with app.test_request_context():
        def write():
            factories.make_township(name="半途镇")
            db.session.flush()
            after_commit(lambda: ran.append("commit"))
            after_rollback(lambda: ran.append("rollback"))
            raise InvalidInput("名称重复")

        written = commit(write)
        assert not written and written.value is None
        assert get_flashed_messages(with_categories=True) == [("danger", "名称重复")]
    assert ran == ["rollback"]
    assert _townships(db) == 0


def test_a_session_closed_without_commit_runs_the_rollback_work(app, db):
    """A request that ends without committing (an error page, an abort) still removes what it wrote."""
    ran = []
    with app.app_context():
        from liaison.extensions import db as inner

        factories.make_township(name="未存镇")
        inner.session.flush()
        after_rollback(lambda: ran.append("rollback"))
        inner.session.remove()
    assert ran == ["rollback"]


def test_a_savepoint_does_not_run_the_work_early(app, db):
    """Work waits for the outermost transaction: a savepoint's end (nested) runs nothing."""
    ran = []
    with app.test_request_context():
        def write():
            after_commit(lambda: ran.append("commit"))
            with db.session.begin_nested():
                factories.make_township(name="嵌套镇")
            assert ran == []
            return None

        commit(write)
    assert ran == ["commit"]


def test_a_failing_callback_does_not_undo_the_commit(app, db, caplog):
    """Cleanup that fails is logged; the saved data stays saved and later callbacks still run."""
    ran = []
    with app.test_request_context():
        def write():
            after_commit(lambda: 1 / 0)
            after_commit(lambda: ran.append("second"))
            return factories.make_township(name="坚固镇")

        assert commit(write)
    assert ran == ["second"]
    assert "after-transaction callback failed" in caplog.text
    assert _townships(db) == 1


@pytest.mark.parametrize("field, shown_on", [("name", "field"), (None, "flash")])
def test_the_message_goes_next_to_its_field(app, db, field, shown_on):
    """A rule naming a form field shows beside it; one naming none shows at the top of the form."""
    from wtforms import StringField

    from liaison.forms import Form

    class NameForm(Form):
        name = StringField()

    with app.test_request_context(method="POST", data={"name": "x"}):
        app.config["WTF_CSRF_ENABLED"] = False
        form = NameForm()
        form.validate()

        def write():
            raise InvalidInput("这个名称已被使用", field)

        assert not form.save(write)
        flashed = get_flashed_messages()
    if shown_on == "field":
        assert form.name.errors == ["这个名称已被使用"] and flashed == []
    else:
        assert form.name.errors == [] and flashed == ["这个名称已被使用"]


def test_an_event_recorded_now_commits_alone(app, db):
    """A refusal's audit event is saved, and nothing the request had written before it."""
    from liaison.audit.models import AuditEvent
    from liaison.audit.operations import record_event_now

    with app.test_request_context():
        factories.make_township(name="拒绝前写入镇")
        db.session.flush()
        record_event_now("access.denied", detail="GET /x")
        db.session.rollback()
    assert _townships(db) == 0
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["access.denied"]
