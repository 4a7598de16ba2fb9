"""The one way a request, job or command writes: run the write, then commit it or roll it back.

Operations (``record_checkin``, ``publish_rota`` …) validate, flush and log; they never commit.
The caller hands the write to ``commit``: a broken domain rule (``InvalidInput``) rolls the whole
transaction back and is shown next to the form field it names, or as a flash message; anything
else commits once. Work that must not happen unless the data is saved — removing a replaced file —
or that must be undone when it is not — removing a file written for a record that was rolled
back — is registered with ``after_commit`` / ``after_rollback`` and run by the session hooks
below, installed once for every session. Nothing leaves the process before the commit: messages
are rows, delivered afterwards by the scheduler (``liaison.notifications.delivery``).
"""
import functools
import logging
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import flash
from sqlalchemy.orm import Session

from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.sqlite import write_next

log = logging.getLogger(__name__)

_ON_COMMIT, _ON_ROLLBACK = "liaison_on_commit", "liaison_on_rollback"


class Written(NamedTuple):
    """What ``commit`` did: ``ok`` is True when the write was committed; ``value`` is what it
    returned; ``error`` the refusal that rolled it back."""

    ok: bool
    value: Any = None
    error: Exception | None = None

    def __bool__(self):
        return self.ok


def commit(write, form=None, flash_category="danger", show=True, refusals=(InvalidInput,)):
    """Run ``write()`` and commit; on a refusal roll back and show the rule's message.

    A refusal is one of ``refusals`` (a broken domain rule). Its message goes next to the field it
    names on ``form`` (when given), else into a flash of ``flash_category``; with ``show`` False
    the caller shows it (``Written.error``). Returns a ``Written``, truthy when committed. Any
    other exception propagates; the request then ends without a commit, which rolls back.
    """
    write_next(db.session())
    try:
        value = write()
    except refusals as error:
        db.session.rollback()
        # A refusal that is itself worth recording (a made-up id, audited as access denied).
        record_refusal = getattr(error, "record_refusal", None)
        if record_refusal is not None:
            record_refusal()
        if show and isinstance(error, InvalidInput):
            if form is not None:
                form.attach_error(error)
            else:
                flash(error.message, flash_category)
        return Written(False, error=error)
    db.session.commit()
    return Written(True, value)


def after_commit(callback):
    """Run ``callback()`` once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(_ON_COMMIT, []).append(callback)


def after_rollback(callback):
    """Run ``callback()`` if the current transaction ends without a commit."""
    db.session.info.setdefault(_ON_ROLLBACK, []).append(callback)


def _run(callbacks):
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 - cleanup must not undo what is saved, nor hide the first error
            log.exception("after-transaction callback failed")


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session):
    # SQLAlchemy also calls this when a savepoint is released; only the outermost commit counts.
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, []))


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction):
    # The outermost transaction ended; when it committed, ``_after_commit`` has run and emptied
    # both lists, so what is left was rolled back (an explicit rollback, an error, or the session
    # closed at the end of a request without a commit).
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_ON_COMMIT, None)
        _run(session.info.pop(_ON_ROLLBACK, []))


def insert_unless_taken(model, values, key, returning):
    """INSERT one row unless a row with the same ``key`` columns exists; the value of the new row's
    ``returning`` column, or None when the key was taken.

    One statement (``ON CONFLICT … DO NOTHING RETURNING``, SQLite 3.35+ and PostgreSQL) in place of
    a savepoint, an ORM flush and a release: the hot write of a check-in. A concurrent insert of the
    same key waits for the other transaction on PostgreSQL, and SQLite serialises writers, so
    "taken" means taken by a committed row or by this transaction's own. The statement is built
    once and run on the session's connection with the values as parameters: building it with the
    values inside, or running it through the ORM, costs several times the INSERT itself.
    """
    connection = db.session.connection()
    statement = _insert_unless_taken_statement(model.__table__, tuple(key), returning, connection.dialect.name)
    return connection.execute(statement, values).scalar()


@functools.cache
def _insert_unless_taken_statement(table, key, returning, dialect):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=list(key)).returning(table.c[returning])
