"""Sign-in, sign-out, activation and password pages, and the committee's account management pages."""
import io
import math

import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from flask import (abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from liaison.accounts import bp, operations, queries, throttle
from liaison.accounts.access import (DISTRICT_ROLES, STAFF_ROLES, may_issue_activation, refuse_forbidden,
                                    refuse_out_of_scope, roles_required, visible_township_ids)
from liaison.accounts.forms import (BulkActivationForm, ChangePasswordForm, ConfirmForm, ConfirmPasswordForm,
                                    ForgotPasswordForm, LoginForm, NewUserForm, ResetPasswordForm, SetPasswordForm,
                                    UserAccessForm)
from liaison.accounts.models import Role, User, password_matches
from liaison.accounts.session import mark_password_confirmed, mark_signed_in, safe_next
from liaison.audit.models import Outcome
from liaison.audit.operations import record_event_now
from liaison.clock import local_today, to_local, utcnow
from liaison.errors import InvalidInput, reshows_expired_form
from liaison.extensions import db
from liaison.paging import one_page
from liaison.text import mask_mobile, normalize_mobile
from liaison.transaction import commit

DEMO_ACCOUNTS = (
    ("13900000001", _l("区人大常委会工作人员")),
    ("13900000002", _l("乡镇工作人员（第一个乡镇）")),
    ("13900000003", _l("人大代表")),
)
DEMO_PASSWORD = "liaison-demo"


def _sign_in(user, remember):
    # A fresh session at sign-in: nothing from before survives into the signed-in one, except
    # the language choice and a kiosk code scanned just before signing in.
    kept = {key: session[key] for key in ("lang", "kiosk_scan") if key in session}
    session.clear()
    session.update(kept)
    # Deputies stay signed in on their phone (a sliding 60 days); staff sessions end with the browser.
    login_user(user, remember=remember and not user.has_role(*STAFF_ROLES))
    mark_signed_in()
    operations.record_login(user)


def _wait_message(wait):
    """Tell the person how long to wait and what to do next, in Chinese (rule R35)."""
    seconds = max(1, math.ceil((wait.until - utcnow()).total_seconds()))
    if wait.scope == "address":
        return _l("此网络的登录尝试次数过多，已暂时锁定。请 %(n)s 分钟后再试，或改用手机流量登录；"
                  "忘记密码请点击下方“忘记密码”找回。", n=math.ceil(seconds / 60))
    if seconds < 60:
        return _l("尝试次数过多，请 %(n)s 秒后再试，或点击下方“忘记密码”找回。", n=seconds)
    return _l("尝试次数过多，请 %(n)s 分钟后再试，或点击下方“忘记密码”找回。", n=math.ceil(seconds / 60))


@bp.route("/login", methods=["GET", "POST"])
@reshows_expired_form
def login():
    """Sign in with mobile number and password; failures make the number wait and can lock the address."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if form.validate_on_submit():
        mobile = normalize_mobile(form.mobile.data)
        # A refused attempt is counted on the lock, not audited one by one (one event later).
        wait = commit(lambda: throttle.refusal(mobile, request.remote_addr)).value
        if wait:
            flash(_wait_message(wait), "danger")
            return render_template("accounts/login.html", form=form, demo_accounts=_demo_accounts(),
                                   demo_password=DEMO_PASSWORD)
        user = db.session.scalar(sa.select(User).where(User.mobile == mobile))
        if not password_matches(user, form.password.data):
            def fail():
                wait = throttle.register_sign_in_failure(mobile, request.remote_addr, user)
                operations.record_failed_login(mobile, user)
                return wait

            wait = commit(fail).value
            flash(_wait_message(wait) if wait else _l("手机号码或密码不正确。"), "danger")
        elif not user.enabled:
            record_event_now("login.failure", outcome=Outcome.denied, target=user, detail="disabled")
            flash(_l("此账号已停用，请联系工作人员。"), "danger")
        else:
            commit(lambda: (throttle.clear_account(mobile), _sign_in(user, form.remember.data)))
            return redirect(safe_next(form.next.data))
    return render_template("accounts/login.html", form=form, demo_accounts=_demo_accounts(),
                           demo_password=DEMO_PASSWORD)


def _demo_accounts():
    return DEMO_ACCOUNTS if current_app.config["LIAISON_DEMO"] else ()


def _own_password_refused(password, action):
    """Check the signed-in user's password under the sign-in throttle; the message to show, or None when right.

    A wrong password counts against the account and the address as at sign-in (someone holding an
    unattended session must not get unlimited guesses) and is audited as a failed ``action``.
    """
    wait = commit(lambda: throttle.refusal(current_user.mobile, request.remote_addr)).value
    if wait:
        return _wait_message(wait)
    if current_user.check_password(password):
        return None

    def fail():
        wait = throttle.register_sign_in_failure(current_user.mobile, request.remote_addr, current_user)
        operations.record_wrong_own_password(current_user, action)
        return wait

    wait = commit(fail).value
    return _wait_message(wait) if wait else _l("密码不正确。")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out here and on every other device (the session token rotates)."""
    commit(lambda: operations.sign_out_everywhere(db.session.get(User, current_user.id)))
    logout_user()
    session.clear()
    flash(_l("您已退出登录。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@reshows_expired_form
@login_required
def confirm_password():
    """Ask for the password again before an export or a phone-number reveal."""
    form = ConfirmPasswordForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        refused = _own_password_refused(form.password.data, "password.confirmed")
        if refused is None:
            mark_password_confirmed()
            commit(lambda: operations.record_password_confirmation(current_user, True))
            return redirect(safe_next(form.next.data))
        flash(refused, "danger")
    return render_template("accounts/confirm_password.html", form=form)


@bp.route("/activate/<token>", methods=["GET", "POST"])
@reshows_expired_form
def activate(token):
    """A deputy opens the link or QR code staff gave them and sets a password."""
    try:
        row = operations.find_activation(token)
    except InvalidInput as error:
        return render_template("accounts/activate_invalid.html", message=error.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        # The full number first, counted like wrong passwords at sign-in (rule R25): a slip found
        # on a desk must not let its finder try the numbers of a township.
        lock = commit(lambda: throttle.activation_refusal(row.id, request.remote_addr)).value
        if lock:
            form.attach_error(InvalidInput(_activation_wait(lock), "mobile"))
        elif normalize_mobile(form.mobile.data) != row.user.mobile:
            lock, left = commit(lambda: throttle.register_activation_failure(
                row.id, request.remote_addr, row.user)).value
            message = _activation_wait(lock) if lock else "{}{}".format(
                operations.mobile_mismatch(row.user), _l("还可以再试 %(n)s 次。", n=left))
            form.attach_error(InvalidInput(message, "mobile"))
        elif form.save(lambda: _sign_in(operations.activate(token, form.password.data, form.mobile.data),
                                        remember=True)):
            commit(lambda: throttle.clear(throttle.activation_keys(row.id, request.remote_addr)[0]))
            flash(_l("密码已设置，欢迎使用。"), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/activate.html", form=form, user=row.user, last4=row.user.mobile[-4:])


def _activation_wait(until):
    """What a person is told when an activation link waits after too many wrong numbers."""
    minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
    return _l("输入错误次数过多，此激活码已暂停使用，请 %(n)s 分钟后再试，或请乡镇人大专干重新发放激活码。", n=minutes)


# --- 忘记密码 (rule R35) ---------------------------------------------------------------------------

def _deputy_page_url(deputy):
    """The deputy's page as a full address, for staff reading the request outside the site too."""
    return current_app.config["LIAISON_PUBLIC_URL"].rstrip("/") + url_for("deputies.detail", deputy_id=deputy.id)


@bp.route("/password/forgot", methods=["GET", "POST"])
@reshows_expired_form
def forgot_password():
    """忘记密码: an SMS code to the registered number, or a request to the township's staff.

    The answer is the same whether or not the number is registered (and so are the limits)."""
    form = ForgotPasswordForm(mobile=request.args.get("mobile", "")[:20] if request.method == "GET" else None)
    if form.validate_on_submit():
        ip = request.remote_addr
        if form.ask_staff.data:
            write = lambda: operations.ask_staff_for_reset(form.mobile.data, ip,  # noqa: E731
                                                           deputy_page_url=_deputy_page_url)
        else:
            write = lambda: operations.request_reset_code(form.mobile.data, ip)  # noqa: E731
        if form.save(write):
            mobile = form.saved
            if form.ask_staff.data:
                return render_template("accounts/forgot_asked.html", masked=mask_mobile(mobile))
            session["reset_mobile"] = mobile
            return redirect(url_for(".reset_password"))
        if request.method == "POST" and operations.reset_requests_blocked(form.mobile.data, ip):
            return render_template("accounts/forgot.html", form=form), 429
        return render_template("accounts/forgot.html", form=form), 400
    return render_template("accounts/forgot.html", form=form), 400 if request.method == "POST" else 200


def _reset_and_sign_in(form, ip):
    user = operations.reset_password_with_code(form.mobile.data, form.code.data, form.password.data, ip)
    if user is not None:
        _sign_in(user, remember=True)
    return user


@bp.route("/password/reset", methods=["GET", "POST"])
@reshows_expired_form
def reset_password():
    """The SMS code and a new password; right, the deputy is signed in."""
    sent_to = session.get("reset_mobile", "")
    form = ResetPasswordForm(mobile=sent_to if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        written = commit(lambda: _reset_and_sign_in(form, request.remote_addr), form=form)
        if written and written.value is not None:
            flash(_l("密码已重新设置，已为您登录。其他设备上的登录已失效。"), "success")
            return redirect(url_for("main.index"))
        if written:
            form.code.errors = [_l("验证码不正确或已过期。请核对短信中的验证码，或返回重新获取。")]
        status = 400
    elif request.method == "POST":
        status = 400
    masked = mask_mobile(sent_to) if sent_to else ""
    return render_template("accounts/reset.html", form=form, masked=masked,
                           minutes=current_app.config["LIAISON_RESET_CODE_MINUTES"]), status


@bp.route("/account/password", methods=["GET", "POST"])
@reshows_expired_form
@login_required
def change_password():
    """Change one's own password; other devices are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        refused = _own_password_refused(form.current_password.data, "password.changed")
        if refused is not None:
            form.attach_error(InvalidInput(refused, "current_password"))
            return render_template("accounts/password.html", form=form)
        user = db.session.get(User, current_user.id)
        if form.save(lambda: operations.set_password(user, form.new_password.data)):
            login_user(user, remember=bool(request.cookies.get(current_app.config.get(
                "REMEMBER_COOKIE_NAME", "remember_token"))))
            flash(_l("密码已修改，其他设备上的登录已失效。"), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def switch_language(code):
    """Switch the interface language for this browser session."""
    if code in current_app.config["LIAISON_LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")))


def _user_in_scope_or_404(user_id):
    """Township staff may manage the accounts of deputies (deputies only) holding a mandate in
    their townships.

    The committee manages every account, but only an admin touches an admin's account: a new
    activation link sets a new password, so it would hand the account to whoever holds the link.
    """
    user = db.get_or_404(User, user_id)
    ids = visible_township_ids()
    if ids is None:
        if user.has_role(Role.admin) and not current_user.has_role(Role.admin):
            abort(403)
        return user
    if user.deputy is None or not ({m.township_id for m in user.deputy.mandates} & ids):
        refuse_out_of_scope()
    # A deputy who is also staff (of this or another township) carries staff rights: a new
    # activation link would hand them to whoever holds it, so only the committee acts on them.
    if user.has_role(*STAFF_ROLES):
        refuse_out_of_scope()
    return user


def activation_qr_svg(url):
    """Render a URL as an inline SVG QR code a phone can scan from the staff's screen."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Markup(buffer.getvalue().decode())


@bp.route("/users/<int:user_id>/activation", methods=["POST"])
@roles_required(Role.township_staff, Role.committee, Role.admin)
def issue_activation(user_id):
    """Issue a new activation link (voiding older ones) and show it with its QR code, once."""
    user = _user_in_scope_or_404(user_id)
    if not may_issue_activation(user):
        refuse_forbidden()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.enabled:
        flash(_l("账号已停用，请先启用。"), "warning")
        return redirect(request.referrer or url_for("main.index"))
    written = commit(lambda: operations.issue_activation(user, issued_by=current_user))
    if not written:
        return redirect(request.referrer or url_for("main.index"))
    return _show_activation(written.value, user)


def _show_activation(token, user):
    """Show a just-issued activation token's link and QR code (the only time it is visible)."""
    link = current_app.config["LIAISON_PUBLIC_URL"].rstrip("/") + url_for("accounts.activate", token=token)
    return render_template("accounts/activation_issued.html", user=user, link=link,
                           qr=activation_qr_svg(link))


@bp.route("/users/<int:user_id>/enabled", methods=["POST"])
@roles_required(Role.township_staff, Role.committee, Role.admin)
def set_enabled(user_id):
    """Disable or re-enable an account; disabling signs it out everywhere."""
    user = _user_in_scope_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_l("不能停用自己的账号。"), "warning")
    else:
        enable = request.form.get("enabled") == "1"
        commit(lambda: operations.set_enabled(user, enable))
        flash(_l("账号已启用。") if enable else _l("账号已停用，其所有登录已失效。"), "success")
    return redirect(safe_next(request.form.get("next")))


# --- account management (区人大常委会 and admins) ---------------------------------------------

def account_status(user):
    """The account's state as (key, label): disabled, awaiting activation (no password) or active."""
    if not user.enabled:
        return "disabled", _l("已停用")
    if not user.password_hash:
        return "pending", _l("未激活")
    return "active", _l("已激活")


def _role_filter(value):
    """The role named in the ``role`` query parameter, or None for every role."""
    return next((role for role in Role if role.value == value), None)


@bp.route("/users")
@roles_required(*DISTRICT_ROLES)
def users():
    """Every account, searchable by name or mobile number and filterable by role."""
    q = request.args.get("q", "").strip()
    role = _role_filter(request.args.get("role"))
    pending = bool(request.args.get("pending"))
    pagination = one_page(queries.account_list(q, role, pending))
    return render_template("accounts/users.html", pagination=pagination, q=q, role=role, roles=list(Role),
                           pending=pending,
                           status=account_status, may_issue_activation=may_issue_activation)


def _access_form(form_class, user=None):
    """Build a new-account or edit form with the townships to choose from."""
    form = form_class()
    form.townships.choices = [SelectChoice(row.id, row.name) for row in queries.township_choices()]
    if user is not None and request.method == "GET":
        form.name.data = user.name
        form.roles.data = [role.value for role in STAFF_ROLES if role in user.roles]
        form.townships.data = sorted(user.township_ids)
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new_user():
    """Create a staff account (no password yet) and show its activation link at once."""
    form = _access_form(NewUserForm)
    if form.validate_on_submit():
        def create():
            townships = queries.townships_by_ids(form.townships.data)
            user = operations.create_staff_user(form.mobile.data, form.name.data, form.role_set(), townships,
                                                by=current_user)
            return user, operations.issue_activation(user, issued_by=current_user)

        if form.save(create):
            flash(_l("账号已创建。请把下面的激活码交给本人设置密码。"), "success")
            user, token = form.saved
            return _show_activation(token, user)
    return render_template("accounts/users_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def edit_user(user_id):
    """Change an account's name, roles and townships; a new scope applies at once."""
    user = db.get_or_404(User, user_id)
    form = _access_form(UserAccessForm, user)
    if form.validate_on_submit():
        if form.save(lambda: operations.update_user_access(
                user, form.role_set(), queries.townships_by_ids(form.townships.data), by=current_user,
                name=form.name.data)):
            scope_changed = form.saved
            if scope_changed and user.id == current_user.id:
                # Editing oneself ended one's own session too; stay signed in with the new scope.
                login_user(user)
            flash(_l("账号已保存，新的角色和范围立即生效。") if scope_changed else _l("账号已保存。"), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("accounts/users_form.html", form=form, user=user, status=account_status,
                           may_issue_activation=may_issue_activation)


# --- bulk activation: one A4 sheet of slips, or the links by SMS (rule R25) ---------------------

#: Slips on one A4 page: two columns of four, cut along the dashed lines.
SLIPS_PER_PAGE = 8


def _activation_township():
    """The township of the bulk activation page (``township``), within the user's scope; None when the
    user has no township at all."""
    townships = queries.townships_by_ids(visible_township_ids()) if visible_township_ids() is not None \
        else [row for row in queries.township_choices()]
    wanted = request.values.get("township", type=int)
    chosen = next((t for t in townships if t.id == wanted), None)
    if wanted is not None and chosen is None:
        refuse_out_of_scope()
    return townships, chosen or (townships[0] if townships else None)


@bp.route("/users/activation")
@roles_required(*STAFF_ROLES)
def bulk_activation():
    """The township's deputies whose account has no password yet: tick some or all, then print one
    sheet of activation slips or send the links by SMS."""
    townships, township = _activation_township()
    users = queries.awaiting_activation(township.id, local_today()) if township else []
    return render_template("accounts/bulk_activation.html", townships=townships, township=township,
                           users=users, form=BulkActivationForm(township=township.id if township else ""))


@bp.route("/users/activation", methods=["POST"])
@roles_required(*STAFF_ROLES)
def issue_bulk_activation():
    """Issue a new link to each ticked account (older links void) and show the slips to print, or queue
    the SMS. Only accounts still awaiting activation in the chosen township are issued."""
    form = BulkActivationForm()
    if not form.validate_on_submit():
        abort(400)
    _townships, township = _activation_township()
    if township is None:
        abort(404)
    wanted = set(form.ids.data or [])
    users = [user for user in queries.awaiting_activation(township.id, local_today()) if user.id in wanted]
    action = request.form.get("action")
    if action not in ("print", "sms"):
        abort(400)
    base = current_app.config["LIAISON_PUBLIC_URL"].rstrip("/")

    def link_of(token):
        return base + url_for("accounts.activate", token=token)

    def issue():
        issued = operations.issue_activations(users, issued_by=current_user)
        if action == "sms":
            return operations.send_activation_links(issued, link_of, _expiry_label)
        return issued

    written = commit(issue, flash_category="warning")
    if not written:
        return redirect(url_for(".bulk_activation", township=township.id))
    if len(users) < len(wanted):
        flash(_l("%(n)s 个账号已激活或不在本乡镇（街道），未发放。", n=len(wanted) - len(users)), "info")
    if action == "sms":
        flash(_l("已为 %(n)s 位代表发出激活短信（稍后自动发送），此前发放的激活码已作废。", n=len(written.value)),
              "success")
        return redirect(url_for(".bulk_activation", township=township.id))
    slips = [{"name": user.name, "mobile": mask_mobile(user.mobile), "expires": _expiry_label(expires_at),
              "qr": activation_qr_svg(link_of(token))} for user, token, expires_at in written.value]
    pages = [slips[i:i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    return render_template("accounts/activation_sheet.html", township=township, pages=pages, count=len(slips))


def _expiry_label(instant):
    """The absolute local date and time a link stops working: 2026年12月14日 10:30."""
    return format_datetime(to_local(instant), "yyyy年M月d日 HH:mm")
