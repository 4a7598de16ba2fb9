"""Writes on accounts. Each function flushes and logs; the caller commits once."""
import hmac
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.accounts.access import STAFF_ROLES
from liaison.accounts import throttle
from liaison.accounts.models import ActivationToken, LoginThrottle, PasswordResetCode, Role, User
from liaison.accounts.passwords import is_common
from liaison.audit.models import Outcome
from liaison.audit.operations import record_event
from liaison.clock import utcnow
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.text import is_mobile, mask_mobile, normalize_mobile

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8


def check_password_rules(password, mobile=None, field="password"):
    """Refuse passwords that are short, all digits, contain the mobile number, or are common."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("密码至少需要 %(n)s 位。", n=MIN_PASSWORD_LENGTH), field)
    if len(password) > 128:
        raise InvalidInput(_l("密码太长了（最多 128 位）。"), field)
    if password.isdigit():
        raise InvalidInput(_l("密码不能全是数字。"), field)
    if mobile and mobile in password:
        raise InvalidInput(_l("密码不能包含手机号码。"), field)
    if is_common(password):
        raise InvalidInput(_l("这个密码太常见，容易被猜中（常用单词、拼音、姓名加数字等），请换一个。"), field)


def township_of(user):
    """The township the audit trail files an account's events under: a deputy's latest mandate's,
    else a township staff member's only township; None for district-wide accounts."""
    if user.deputy is not None and user.deputy.latest_township_id is not None:
        return user.deputy.latest_township_id
    ids = user.township_ids
    return next(iter(ids)) if len(ids) == 1 else None


class AccountTaken(InvalidInput):
    """The mobile number already has an account (found by the check, or by the unique key in a race)."""

    def __init__(self, mobile):
        super().__init__(_l("手机号码 %(mobile)s 已有账号。", mobile=mobile), "mobile")


def create_user(mobile, name, roles, townships=(), password=None, deputy=None):
    """Create an account; without a password it waits for activation."""
    mobile = normalize_mobile(mobile)
    if not is_mobile(mobile):
        raise InvalidInput(_l("手机号码应为 11 位数字，以 1 开头。"), "mobile")
    if db.session.scalar(sa.select(User.id).where(User.mobile == mobile)) is not None:
        raise AccountTaken(mobile)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_l("请输入姓名。"), "name")
    roles = set(roles)
    if not roles:
        raise InvalidInput(_l("请至少选择一个角色。"), "roles")
    if Role.township_staff in roles and not townships:
        raise InvalidInput(_l("乡镇（街道）工作人员必须指定所属乡镇（街道）。"), "townships")
    if Role.deputy in roles and deputy is None:
        raise InvalidInput(_l("代表账号必须关联一名代表。"), "roles")
    if password is not None:
        check_password_rules(password, mobile)
    try:
        # A savepoint: a clash undoes this account only, not the caller's other writes. The account
        # is made inside it, so a refused one is not left hanging on the deputy either.
        with db.session.begin_nested():
            user = User(mobile=mobile, name=name, deputy=deputy, townships=list(townships))
            user.set_roles(roles)
            if password is not None:
                user.set_password(password)
            db.session.add(user)
    except IntegrityError:
        # A parallel request created an account for this number (or this deputy) after the check.
        raise AccountTaken(mobile) from None
    log.info("user created: user=%s roles=%s", user.id, ",".join(sorted(r.value for r in roles)))
    return user


def check_staff_roles(roles, townships, by, current=frozenset(), user=None):
    """Refuse a set of staff roles that ``by`` may not give (to ``user``, who now holds ``current``).

    人大代表 is never chosen by hand: it comes with a mandate. Only an admin grants or removes
    系统管理员, and nobody takes away their own 区人大常委会 or 系统管理员 role (the district
    would otherwise lose its last manager by a slip of the finger).
    """
    if Role.deputy in roles:
        raise InvalidInput(_l("“人大代表”角色随代表资格自动授予，不能在此选择。"), "roles")
    if any(role not in STAFF_ROLES for role in roles):
        raise InvalidInput(_l("所选角色无效，请从列表中选择。"), "roles")
    if (Role.admin in roles) != (Role.admin in current) and not by.has_role(Role.admin):
        raise InvalidInput(_l("只有系统管理员可以授予或取消“系统管理员”角色。"), "roles")
    if user is not None and user.id == by.id:
        for role in (Role.committee, Role.admin):
            if role in current and role not in roles:
                raise InvalidInput(_l("不能取消自己的“%(role)s”角色，请由其他管理人员操作。", role=role.label),
                                   "roles")
    if Role.township_staff in roles and not townships:
        raise InvalidInput(_l("乡镇（街道）工作人员必须指定所属乡镇（街道），请至少选择一个。"), "townships")


def create_staff_user(mobile, name, roles, townships, by):
    """Create a staff account awaiting activation; townships only matter to township staff."""
    roles = set(roles)
    if not roles:
        raise InvalidInput(_l("请至少选择一个角色。"), "roles")
    check_staff_roles(roles, townships, by)
    user = create_user(mobile, name, roles, townships if Role.township_staff in roles else ())
    log.info("staff account created: user=%s by=%s townships=%s",
             user.id, by.id, ",".join(str(t.id) for t in user.townships))
    record_event("user.created", target=user, actor=by, township_id=township_of(user),
                 detail="roles=" + ",".join(sorted(r.value for r in roles)))
    return user


def update_user_access(user, roles, townships, by, name=None):
    """Change an account's staff roles, townships and (optionally) name; return whether the scope changed.

    The 人大代表 role stays as it is. A change of roles or townships ends the user's sessions, so
    pages already open cannot keep showing townships the user no longer looks after.
    """
    if name is not None:
        name = name.strip()
        if not name:
            raise InvalidInput(_l("请输入姓名。"), "name")
        user.name = name
    staff_roles = set(roles)
    check_staff_roles(staff_roles, townships, by, current=user.roles, user=user)
    wanted = staff_roles | (user.roles & {Role.deputy})
    if not wanted:
        raise InvalidInput(_l("请至少选择一个角色。"), "roles")
    wanted_townships = []
    if Role.township_staff in wanted:
        wanted_townships = sorted(townships, key=lambda t: t.name_sort_key)
    changed = wanted != user.roles or {t.id for t in wanted_townships} != user.township_ids
    if changed:
        user.set_roles(wanted)
        user.townships = wanted_townships
        user.end_all_sessions()
    db.session.flush()
    log.info("account access updated: user=%s by=%s roles=%s townships=%s sessions_ended=%s",
             user.id, by.id, ",".join(sorted(r.value for r in wanted)),
             ",".join(str(t.id) for t in wanted_townships), changed)
    if changed:
        record_event("user.access_changed", target=user, actor=by, township_id=township_of(user),
                     detail="roles={} townships={}".format(",".join(sorted(r.value for r in wanted)),
                                                           ",".join(str(t.id) for t in wanted_townships)))
    return changed


def account_for_deputy(deputy):
    """Return the deputy's account, creating one awaiting activation when there is none."""
    if deputy.account is not None:
        if not deputy.account.has_role(Role.deputy):
            deputy.account.set_roles(deputy.account.roles | {Role.deputy})
        return deputy.account
    existing = db.session.scalar(sa.select(User).where(User.mobile == deputy.mobile))
    if existing is None:
        try:
            return create_user(deputy.mobile, deputy.name, {Role.deputy}, deputy=deputy)
        except AccountTaken:
            # Two mandates added at once for a new person: the other request made the account
            # first (now committed), so this mandate joins it instead of failing.
            existing = db.session.scalar(sa.select(User).where(User.mobile == deputy.mobile))
            if existing is None:
                raise
    # Township staff who are also deputies: one account, both roles.
    existing.deputy = deputy
    existing.set_roles(existing.roles | {Role.deputy})
    db.session.flush()
    return existing


def issue_activation(user, issued_by=None):
    """Make a new single-use activation token (voiding older ones) and return it in clear, once."""
    return _issue_activation(user, issued_by)[0]


def _issue_activation(user, issued_by):
    """``issue_activation``, returning the token and its expiry instant."""
    now = utcnow()
    db.session.execute(
        sa.update(ActivationToken)
        .where(ActivationToken.user_id == user.id, ActivationToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(24)
    expires_at = now + timedelta(days=current_app.config["LIAISON_ACTIVATION_DAYS"])
    db.session.add(ActivationToken(
        user_id=user.id, token_hash=ActivationToken.hash(token), expires_at=expires_at,
        created_by_id=issued_by.id if issued_by else None,
    ))
    db.session.flush()
    log.info("activation issued: user=%s by=%s", user.id, issued_by.id if issued_by else None)
    record_event("account.activation_issued", target=user, actor=issued_by, township_id=township_of(user))
    return token, expires_at


def find_activation(token):
    """Return the usable token row for a clear token, or raise ``InvalidInput`` saying why not."""
    row = db.session.scalar(
        sa.select(ActivationToken).where(ActivationToken.token_hash == ActivationToken.hash(token or ""))
    )
    if row is None:
        raise InvalidInput(_l("激活链接无效，请向工作人员索取新的激活码。"))
    if row.used_at is not None:
        raise InvalidInput(_l("此激活链接已使用或已作废，请向工作人员索取新的激活码。"))
    if row.expires_at <= utcnow():
        raise InvalidInput(_l("此激活链接已过期（有效期 7 天），请向工作人员索取新的激活码。"))
    if not row.user.enabled:
        raise InvalidInput(_l("此账号已停用，请联系工作人员。"))
    return row


def activate(token, password, mobile):
    """Use an activation token: the person types their full mobile number, which must be the
    account's (rule R25: a link or slip can travel, the number in one's head does not), then sets
    the first password; the token can never be used again."""
    row = find_activation(token)
    if normalize_mobile(mobile) != row.user.mobile:
        raise InvalidInput(mobile_mismatch(row.user), "mobile")
    check_password_rules(password, row.user.mobile)
    # Claim the token with a guarded UPDATE so two taps cannot both succeed.
    claimed = db.session.execute(
        sa.update(ActivationToken)
        .where(ActivationToken.id == row.id, ActivationToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise InvalidInput(_l("此激活链接已使用或已作废，请向工作人员索取新的激活码。"))
    row.user.set_password(password)
    row.user.end_all_sessions()
    db.session.flush()
    log.info("account activated: user=%s", row.user_id)
    record_event("account.activated", target=row.user, actor=row.user, township_id=township_of(row.user))
    return row.user


def set_password(user, new_password):
    """Set a password (own change, once the view has checked the current one under the throttle; or a
    CLI reset) and end every session of that user."""
    check_password_rules(new_password, user.mobile, "new_password")
    user.set_password(new_password)
    user.end_all_sessions()
    db.session.flush()
    log.info("password changed: user=%s", user.id)
    record_event("password.changed", target=user, township_id=township_of(user))


def set_enabled(user, enabled):
    """Disable (ending every session) or re-enable an account."""
    user.enabled = enabled
    if not enabled:
        user.end_all_sessions()
    db.session.flush()
    log.info("account %s: user=%s", "enabled" if enabled else "disabled", user.id)
    record_event("account.enabled" if enabled else "account.disabled", target=user,
                 township_id=township_of(user))


def record_login(user):
    """Note a successful sign-in on the account and in the audit trail."""
    user.last_login_at = utcnow()
    db.session.flush()
    record_event("login.success", target=user, actor=user, township_id=township_of(user))


def record_failed_login(mobile, user):
    """Note a wrong password (or an unknown number) for the number typed; the number is masked."""
    record_event("login.failure", outcome=Outcome.failure, detail=mask_mobile(mobile),
                 target_type="users", target_id=user.id if user else "",
                 township_id=township_of(user) if user else None)


def sign_out_everywhere(user):
    """End every session of the user (this device and all others), audited."""
    user.end_all_sessions()
    db.session.flush()
    record_event("logout", target=user, actor=user, township_id=township_of(user))


def record_wrong_own_password(user, action):
    """Note a wrong password typed by a signed-in user to confirm ``action`` (a confirmation or a change)."""
    record_event(action, outcome=Outcome.failure, target=user, detail="wrong password",
                 township_id=township_of(user))


def record_password_confirmation(user, confirmed):
    """Note a re-entered password before an export or a reveal: given right, or wrong."""
    record_event("password.confirmed", outcome=Outcome.success if confirmed else Outcome.failure,
                 target=user, township_id=township_of(user))


def mobile_mismatch(user):
    """What a person who typed another number than the account's is told (its last four digits only)."""
    return _l("您输入的手机号码与此激活码登记的号码（尾号 %(last4)s）不一致。请输入您本人的完整 11 位手机号码；"
              "如号码已更换，请联系乡镇人大专干。", last4=user.mobile[-4:])


def issue_activations(users, issued_by):
    """Issue a new activation link to each account (bulk activation, rule R25): [(user, token, expires_at)].

    Each account's older links are voided, as for one; accounts that already have a password, or
    are disabled, are refused with their names so nobody's working password is put at risk."""
    if not users:
        raise InvalidInput(_l("请先勾选要发放激活码的代表。"), "ids")
    refused = [user.name for user in users if user.password_hash or not user.enabled]
    if refused:
        raise InvalidInput(_l("%(names)s 的账号已激活或已停用，不能发放激活码。请取消勾选后再试。",
                              names="、".join(refused)), "ids")
    issued = []
    for user in users:
        issued.append((user, *_issue_activation(user, issued_by)))
    return issued


def send_activation_links(issued, link_of, expiry_label):
    """Queue one SMS (and inbox message) per issued link (rule R25); the delivery job sends them
    after the commit. ``link_of(token)`` makes the absolute link; ``expiry_label(instant)`` its date."""
    # Imported here, as the throttle's alert does: notifications read deputies, whose operations
    # import this module, so a module-level import would be circular.
    from liaison.notifications.operations import send

    sent = []
    for user, token, expires_at in issued:
        with force_locale("zh_CN"):
            subject = str(_l("激活账号"))
            body = str(_l("%(name)s，请打开 %(link)s ，输入您的手机号码并设置密码。%(expires)s前有效。",
                          name=user.name, link=link_of(token), expires=expiry_label(expires_at)))
        if send(user, subject, body, kind="activation_link") is not None:
            sent.append(user)
    log.info("activation links queued: count=%s", len(sent))
    return sent


# --- 忘记密码: a new password by SMS code, or by asking township staff (rule R35) -------------------

#: Wrong codes that void a code.
RESET_CODE_TRIES = 5
RESET_CODE_DIGITS = 6


class ResetLimit(InvalidInput):
    """Too many requests for this number or from this address in the window."""

    def __init__(self, minutes):
        super().__init__(_l("请求过于频繁，请 %(n)s 分钟后再试，或直接联系乡镇（街道）人大工作人员。", n=minutes))


def _send(user, subject, body, kind, dedupe_key=None):
    """Queue a message (inbox, SMS …) through the delivery job. Imported here, as in ``throttle``: the
    notifications package reads deputies, whose package imports this module."""
    from liaison.notifications.operations import send

    return send(user, subject, body, kind=kind, dedupe_key=dedupe_key)


def _count_reset_request(mobile, ip):
    """Count one request for the number and one for the address, registered or not, so neither the
    answer nor the limit tells whether the number has an account. Refused past either limit."""
    config = current_app.config
    window = config["LIAISON_RESET_WINDOW_MINUTES"]
    for key, limit in ((throttle.hashed_key("reset-number", mobile), config["LIAISON_RESET_MAX_PER_NUMBER"]),
                       (throttle.ip_key("reset-address", ip), config["LIAISON_RESET_MAX_PER_ADDRESS"])):
        throttle.register_failure(key, limit=limit, lock_minutes=window)
        counted = db.session.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.key == key))
        if counted > limit:
            raise ResetLimit(window)


def reset_requests_blocked(mobile, ip):
    """True when this number or this address may not ask again yet (the page says so before the count)."""
    return throttle.locked_until(throttle.hashed_key("reset-number", normalize_mobile(mobile)),
                                 throttle.ip_key("reset-address", ip)) is not None


def _checked_mobile(mobile):
    mobile = normalize_mobile(mobile)
    if not is_mobile(mobile):
        raise InvalidInput(_l("手机号码应为 11 位数字，以 1 开头。"), "mobile")
    return mobile


def resettable_account(mobile):
    """The account a number may reset by itself: an enabled deputy account that carries no staff role
    (staff rights are not handed over by an SMS; the committee resets those); None otherwise."""
    user = db.session.scalar(sa.select(User).where(User.mobile == mobile))
    if user is None or not user.enabled or not user.has_role(Role.deputy) or user.has_role(*STAFF_ROLES):
        return None
    return user


def request_reset_code(mobile, ip):
    """Send a six-digit code by SMS (through the delivery job) to a registered deputy's number.

    Counted per number and per address first, whether or not the number is registered; for an
    unknown number nothing else happens, and the caller shows the same page either way. A new code
    voids the older ones. Returns the normalised number.
    """
    mobile = _checked_mobile(mobile)
    _count_reset_request(mobile, ip)
    user = resettable_account(mobile)
    if user is None:
        record_event("password.reset_requested", outcome=Outcome.failure, detail=f"{mask_mobile(mobile)} no account")
        return mobile
    now = utcnow()
    db.session.execute(sa.update(PasswordResetCode)
                       .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
                       .values(used_at=now))
    code = "".join(secrets.choice("0123456789") for _ in range(RESET_CODE_DIGITS))
    minutes = current_app.config["LIAISON_RESET_CODE_MINUTES"]
    db.session.add(PasswordResetCode(user_id=user.id, code_hash=PasswordResetCode.hash(user.id, code),
                                     created_at=now, expires_at=now + timedelta(minutes=minutes)))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = str(_l("重置密码验证码"))
        body = str(_l("验证码 %(code)s，%(n)s 分钟内有效，用于重置代表联络平台的登录密码。如非本人操作，请勿告诉他人。",
                      code=code, n=minutes))
    _send(user, subject, body, "password_reset")
    db.session.flush()
    log.info("password reset code sent: user=%s", user.id)
    record_event("password.reset_requested", target=user, township_id=township_of(user), detail="sms")
    return mobile


def reset_password_with_code(mobile, code, password, ip):
    """Set a new password with the SMS code; returns the user, or None when the code is wrong or old.

    A wrong code is counted on the code (RESET_CODE_TRIES void it) and on the address, and returns
    None rather than raising, so the caller's commit keeps the count; an unknown number is answered
    exactly as a wrong code. The password rules are checked first (nothing counted). On success
    every session ends, the number's sign-in failures are forgotten and the code is used up.
    """
    mobile = normalize_mobile(mobile)
    check_password_rules(password, mobile)
    config = current_app.config
    address = throttle.ip_key("reset-verify", ip)
    window = config["LIAISON_RESET_WINDOW_MINUTES"]
    if throttle.locked_until(address) is not None:
        raise ResetLimit(window)
    user = resettable_account(mobile) if is_mobile(mobile) else None
    now = utcnow()
    row = None
    if user is not None:
        row = db.session.scalar(
            sa.select(PasswordResetCode).where(PasswordResetCode.user_id == user.id,
                                               PasswordResetCode.used_at.is_(None),
                                               PasswordResetCode.expires_at > now)
            .order_by(PasswordResetCode.id.desc()).limit(1).with_for_update())
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if row is None or not hmac.compare_digest(row.code_hash, PasswordResetCode.hash(user.id, code)):
        if row is not None:
            row.attempts += 1
            if row.attempts >= RESET_CODE_TRIES:
                row.used_at = now
        throttle.register_failure(address, limit=config["LIAISON_RESET_WRONG_CODES_PER_ADDRESS"],
                                  lock_minutes=window)
        record_event("password.reset", outcome=Outcome.failure, target_type="users",
                     target_id=user.id if user else "", detail=f"{mask_mobile(mobile)} wrong or expired code")
        db.session.flush()
        return None
    claimed = db.session.execute(
        sa.update(PasswordResetCode).where(PasswordResetCode.id == row.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now)).rowcount
    if claimed != 1:
        return None
    user.set_password(password)
    user.end_all_sessions()
    throttle.clear_account(mobile)
    db.session.flush()
    log.info("password reset by sms code: user=%s", user.id)
    record_event("password.reset", target=user, actor=user, township_id=township_of(user), detail="sms code")
    return user


def ask_staff_for_reset(mobile, ip, deputy_page_url=None):
    """Ask the deputy's township staff (their inbox, and SMS through the delivery job) to give the deputy
    a new activation code; the committee when the township has none. Counted and answered like
    ``request_reset_code``; ``deputy_page_url(deputy)`` makes the address the message points to.
    Returns the normalised number."""
    # Imported here: the queries read deputies, whose package imports this module.
    from liaison.accounts.queries import district_managers, staff_of_townships

    mobile = _checked_mobile(mobile)
    _count_reset_request(mobile, ip)
    user = resettable_account(mobile)
    if user is None or user.deputy is None:
        record_event("password.help_requested", outcome=Outcome.failure, detail=f"{mask_mobile(mobile)} no account")
        return mobile
    township_ids = {m.township_id for m in user.deputy.mandates}
    staff = {u.id: u for u, _ in staff_of_townships(township_ids)}
    recipients = list(staff.values()) or district_managers()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = str(_l("%(name)s 代表忘记密码，请协助重置", name=user.name))
        body = str(_l("%(name)s 代表（%(mobile)s）在登录页点了“忘记密码”，请工作人员协助。请先与本人电话核实，再在代表信息页"
                      "点“发放激活码（重设密码）”，把激活码当面或通过可靠方式交给本人。",
                      name=user.name, mobile=mask_mobile(user.mobile)))
        if deputy_page_url is not None:
            body += str(_l("代表信息页：%(url)s", url=deputy_page_url(user.deputy)))
    day = utcnow().strftime("%Y%m%d")
    for recipient in recipients:
        _send(recipient, subject, body, "password_help", dedupe_key=f"password_help:{user.id}:{day}")
    log.info("password help asked: user=%s staff=%s", user.id, len(recipients))
    record_event("password.help_requested", target=user, township_id=township_of(user),
                 detail=f"to {len(recipients)} staff")
    return mobile
