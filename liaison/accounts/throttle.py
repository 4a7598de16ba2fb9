"""Sign-in throttling: an account waits a growing time after failures; a client address is locked.

Counts live in the database, so every gunicorn worker and every instance share them. A row is
read with ``SELECT … FOR UPDATE`` (PostgreSQL) or inside SQLite's ``BEGIN IMMEDIATE``, so two
workers counting at once cannot both read the old value. Nothing here sleeps: a request that must
wait is answered at once with the time to wait.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.accounts.models import LoginThrottle, LoginThrottleAddress, Role, User, UserRole
from liaison.audit.models import Outcome
from liaison.audit.operations import record_event
from liaison.clock import utcnow
from liaison.extensions import db
from liaison.text import mask_mobile

#: An account's failures are forgotten after a day without one (or at a successful sign-in).
FORGET_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Wait:
    """Sign-in refused until ``until``; ``scope`` is ``account`` (this number) or ``address`` (this network)."""

    until: datetime
    scope: str


def hashed_key(prefix, value):
    """A counter's key for a value kept only as its hash (a mobile number)."""
    return f"{prefix}:" + hashlib.sha256((value or "").encode()).hexdigest()[:64]


def ip_key(prefix, ip):
    """A counter's key for a remote address."""
    return f"{prefix}:{(ip or 'unknown')[:60]}"


def account_key(mobile):
    return hashed_key("account", mobile)


def address_key(ip):
    return ip_key("address", ip)


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
    row = _locked_row(key, now)
    if row.window_started_at + window < now and not (row.locked_until and row.locked_until > now):
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + timedelta(minutes=lock_minutes)
    db.session.flush()
    return row.locked_until if row.locked_until and row.locked_until > now else None


def _locked_row(key, now):
    """The counter row of ``key``, locked for this transaction; created when there is none."""
    row = db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    if row is None:
        try:
            with db.session.begin_nested():
                row = LoginThrottle(key=key, failures=0, refused=0, window_started_at=now)
                db.session.add(row)
        except IntegrityError:
            # Another worker inserted it first: count on its row.
            row = db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    return row


def _count_in_window(row, limit, lock_minutes, now):
    """Count one failure in a window of ``lock_minutes``; lock for as long at ``limit``. True when a lock starts."""
    if row.window_started_at + timedelta(minutes=lock_minutes) < now and not _is_locked(row, now):
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    if row.failures >= limit and not _is_locked(row, now):
        row.locked_until = now + timedelta(minutes=lock_minutes)
        return True
    return False


def _is_locked(row, now):
    return row.locked_until is not None and row.locked_until > now


def clear(key):
    """Forget the failures of ``key``."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))


# --- signing in (and the password asked again when signed in) --------------------------------

def refusal(mobile, ip):
    """The wait in force for this number or this address, or None when the attempt may go ahead.

    A refused attempt is counted on the locked rows, not audited one by one: the count is written
    as one event when the lock is next looked at (``_report_refused``).
    """
    now = utcnow()
    rows = db.session.scalars(sa.select(LoginThrottle).where(
        LoginThrottle.key.in_((account_key(mobile), address_key(ip))), LoginThrottle.locked_until > now)).all()
    if not rows:
        return None
    db.session.execute(sa.update(LoginThrottle).where(LoginThrottle.key.in_([row.key for row in rows]))
                       .values(refused=LoginThrottle.refused + 1))
    latest = max(rows, key=lambda row: row.locked_until)
    return Wait(latest.locked_until, "address" if latest.key.startswith("address:") else "account")


def register_sign_in_failure(mobile, ip, user=None):
    """Count a wrong password against the address and the number; returns the ``Wait`` now in force, or None.

    The address is locked for LIAISON_LOGIN_LOCK_MINUTES after LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS
    failures in as many minutes. The number is never locked for a fixed time: after
    LIAISON_LOGIN_MAX_FAILURES failures each further attempt waits twice as long as the one before
    (LIAISON_LOGIN_BACKOFF_SECONDS, then double, up to LIAISON_LOGIN_LOCK_MINUTES), so the owner
    who knows their password gets in soon after an attacker stops. ``user`` is the account the
    number belongs to, if any: an account tried from many addresses alerts the committee.
    """
    config = current_app.config
    now = utcnow()
    waits = []

    address = _locked_row(address_key(ip), now)
    _report_refused(address, f"address {(ip or '')[:45]}")
    if _count_in_window(address, config["LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS"],
                        config["LIAISON_LOGIN_LOCK_MINUTES"], now):
        record_event("login.locked", outcome=Outcome.denied,
                     detail=f"address {(ip or '')[:45]}: {address.failures} failures, "
                            f"locked {config['LIAISON_LOGIN_LOCK_MINUTES']} min")
    if _is_locked(address, now):
        waits.append(Wait(address.locked_until, "address"))

    account = _locked_row(account_key(mobile), now)
    _report_refused(account, mask_mobile(mobile))
    if account.last_failed_at is None or now - account.last_failed_at > FORGET_AFTER:
        account.failures = 0
        account.window_started_at = now
        _forget_addresses(account.key)
    account.failures += 1
    account.last_failed_at = now
    free = config["LIAISON_LOGIN_MAX_FAILURES"]
    if account.failures >= free:
        wait = min(config["LIAISON_LOGIN_BACKOFF_SECONDS"] * 2 ** min(account.failures - free, 30),
                   config["LIAISON_LOGIN_LOCK_MINUTES"] * 60)
        account.locked_until = now + timedelta(seconds=wait)
        record_event("login.locked", outcome=Outcome.denied, target_type="users",
                     target_id=user.id if user else "",
                     detail=f"{mask_mobile(mobile)}: {account.failures} failures, next try in {wait} s")
        waits.append(Wait(account.locked_until, "account"))
    if user is not None:
        _note_address(account, ip, user, now)
    db.session.flush()
    return max(waits, key=lambda w: w.until) if waits else None


def clear_account(mobile):
    """Forget the failures of a number after a successful sign-in (writing any refusals still uncounted)."""
    key = account_key(mobile)
    row = db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
    if row is not None:
        _report_refused(row, mask_mobile(mobile))
        db.session.delete(row)
    _forget_addresses(key)
    db.session.flush()


def _report_refused(row, label):
    """One audit event for the attempts refused during the last lock, then start counting again."""
    if row.refused:
        record_event("login.refused", outcome=Outcome.denied,
                     detail=f"{label}: {row.refused} attempts refused while locked")
        row.refused = 0


def _forget_addresses(key):
    db.session.execute(sa.delete(LoginThrottleAddress).where(LoginThrottleAddress.key == key))


def _note_address(account, ip, user, now):
    """Remember that ``ip`` failed on this account; from LIAISON_LOGIN_ALERT_ADDRESSES addresses on, alert."""
    address = (ip or "unknown")[:60]
    if db.session.get(LoginThrottleAddress, (account.key, address)) is None:
        try:
            with db.session.begin_nested():
                db.session.add(LoginThrottleAddress(key=account.key, address=address, first_failed_at=now))
        except IntegrityError:
            pass  # another worker noted the same address
    count = db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottleAddress)
                              .where(LoginThrottleAddress.key == account.key))
    if count >= current_app.config["LIAISON_LOGIN_ALERT_ADDRESSES"]:
        _alert_committee(user, count, account.window_started_at)


def _alert_committee(user, addresses, since):
    """Tell the district's managers, once per run of failures, that an account is tried from many addresses."""
    from liaison.notifications.operations import send

    managers = db.session.scalars(sa.select(User).where(
        User.enabled.is_(True),
        sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_((Role.committee, Role.admin))))
        .order_by(User.id)).all()
    with force_locale("zh_CN"):
        subject = str(_l("账号 %(mobile)s 正被多个网络地址尝试登录", mobile=mask_mobile(user.mobile)))
        body = str(_l("%(name)s（%(mobile)s）的账号自 %(since)s 起已有来自 %(n)s 个不同网络地址的密码错误。"
                      "系统已让该账号的登录按次数延时，并锁定失败过多的地址。请与本人核实；如非本人操作，"
                      "可在“操作日志”中查看详情，必要时请本人修改密码。",
                      name=user.name, mobile=mask_mobile(user.mobile),
                      since=since.strftime("%Y-%m-%d %H:%M UTC"), n=addresses))
    key = f"login_attack:{user.id}:{since:%Y%m%d%H%M%S}"
    for manager in managers:
        send(manager, subject, body, kind="login_attack", dedupe_key=key)


# --- activation: the full number typed before a first password (rule R25) -------------------

def activation_keys(token_id, ip):
    """The counters of one activation link, and of the address typing numbers into links."""
    return f"activation:{token_id}", ip_key("activation-address", ip)


def activation_refusal(token_id, ip):
    """The instant until which this link (or this address) may not try another number, or None."""
    return locked_until(*activation_keys(token_id, ip))


def register_activation_failure(token_id, ip, user):
    """Count a wrong number typed on an activation link, as sign-in counts wrong passwords: after
    LIAISON_LOGIN_MAX_FAILURES the link waits LIAISON_LOGIN_LOCK_MINUTES (so a found slip cannot be
    tried through the numbers of a township), and an address trying many links is locked the same
    way at the per-address limit. Audited with the number masked. Returns (lock end or None, tries left)."""
    config = current_app.config
    link, address = activation_keys(token_id, ip)
    lock = register_failure(link, config["LIAISON_LOGIN_MAX_FAILURES"], config["LIAISON_LOGIN_LOCK_MINUTES"])
    lock = register_failure(address, config["LIAISON_LOGIN_MAX_FAILURES_PER_ADDRESS"],
                            config["LIAISON_LOGIN_LOCK_MINUTES"]) or lock
    failures = db.session.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.key == link)) or 0
    record_event("account.activation_mismatch", outcome=Outcome.failure, target=user,
                 detail=f"{mask_mobile(user.mobile)}: {failures} wrong numbers")
    return lock, max(0, config["LIAISON_LOGIN_MAX_FAILURES"] - failures)
