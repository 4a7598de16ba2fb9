"""Sign-in throttling: lock an account or a client address after too many failures.

Counts live in the database, so every gunicorn worker and every instance share them. A row is
read with ``SELECT … FOR UPDATE`` (PostgreSQL) or inside SQLite's ``BEGIN IMMEDIATE``, so two
workers counting at once cannot both read the old value.
"""
import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from liaison.accounts.models import LoginThrottle
from liaison.clock import utcnow
from liaison.extensions import db


def account_key(mobile):
    return "account:" + hashlib.sha256((mobile or "").encode()).hexdigest()[:64]


def address_key(ip):
    return "address:" + (ip or "unknown")[:60]


def _limits(key):
    config = current_app.config
    if key.startswith("account:"):
        return config["LIAISON_LOGIN_MAX_FAILURES"], config["LIAISON_LOGIN_LOCK_MINUTES"]
    return config["LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS"], config["LIAISON_LOGIN_LOCK_MINUTES"]


def locked_until(*keys):
    """Return the latest lock end among ``keys`` still in the future, or None."""
    now = utcnow()
    ends = db.session.scalars(
        sa.select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)
    ).all()
    return max(ends) if ends else None


def register_failure(key, limit=None, lock_minutes=None):
    """Count one failure for ``key``; lock it when the limit is reached. Returns the lock end or None.

    ``limit`` and ``lock_minutes`` default to the sign-in settings; other counters (opinions left
    per address) pass their own, under their own key prefix.
    """
    if limit is None or lock_minutes is None:
        limit, lock_minutes = _limits(key)
    window = timedelta(minutes=lock_minutes)
    now = utcnow()
    row = db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    if row is None:
        try:
            with db.session.begin_nested():
                row = LoginThrottle(key=key, failures=0, window_started_at=now)
                db.session.add(row)
        except IntegrityError:
            # Another worker inserted it first: count on its row.
            row = db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    if row.window_started_at + window < now and not (row.locked_until and row.locked_until > now):
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + timedelta(minutes=lock_minutes)
    db.session.flush()
    return row.locked_until if row.locked_until and row.locked_until > now else None


def clear(key):
    """Forget the failures of ``key`` (after a successful sign-in)."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
