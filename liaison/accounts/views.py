"""Sign-in, sign-out, activation and password pages."""
import io

import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from flask import (abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from liaison.accounts import bp, operations
from liaison.accounts.access import STAFF_ROLES, roles_required, visible_township_ids
from liaison.accounts.forms import ChangePasswordForm, ConfirmForm, LoginForm, SetPasswordForm
from liaison.accounts.models import Role, User
from liaison.accounts.session import safe_next
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.text import normalize_mobile

DEMO_ACCOUNTS = (
    ("13900000001", _l("区人大常委会工作人员")),
    ("13900000002", _l("乡镇工作人员（第一个乡镇）")),
    ("13900000003", _l("人大代表")),
)
DEMO_PASSWORD = "liaison-demo"


def _sign_in(user, remember):
    # A fresh session at sign-in: nothing from before (a planted session id, an old
    # language choice aside) survives into the signed-in one.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    # Deputies stay signed in on their phone (a sliding 60 days); staff sessions end with the browser.
    login_user(user, remember=remember and not user.has_role(*STAFF_ROLES))
    operations.record_login(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with mobile number and password."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if form.validate_on_submit():
        mobile = normalize_mobile(form.mobile.data)
        user = db.session.scalar(sa.select(User).where(User.mobile == mobile))
        if user is None or not user.check_password(form.password.data):
            flash(_l("手机号码或密码不正确。"), "danger")
        elif not user.enabled:
            flash(_l("此账号已停用，请联系工作人员。"), "danger")
        else:
            _sign_in(user, form.remember.data)
            db.session.commit()
            return redirect(safe_next(form.next.data))
    demo = DEMO_ACCOUNTS if current_app.config["LIAISON_DEMO"] else ()
    return render_template("accounts/login.html", form=form, demo_accounts=demo, demo_password=DEMO_PASSWORD)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out here and on every other device (the session token rotates)."""
    user = db.session.get(User, current_user.id)
    user.end_all_sessions()
    db.session.commit()
    logout_user()
    flash(_l("您已退出登录。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token):
    """A deputy opens the link or QR code staff gave them and sets a password."""
    try:
        row = operations.find_activation(token)
    except InvalidInput as error:
        return render_template("accounts/activate_invalid.html", message=error.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = operations.activate(token, form.password.data)
        except InvalidInput as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            _sign_in(user, remember=True)
            db.session.commit()
            flash(_l("密码已设置，欢迎使用。"), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/activate.html", form=form, user=row.user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other devices are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        try:
            operations.change_password(user, form.current_password.data, form.new_password.data)
        except InvalidInput as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
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
    """Staff may manage the accounts of deputies holding a mandate in their townships."""
    user = db.get_or_404(User, user_id)
    ids = visible_township_ids()
    if ids is None:
        return user
    if user.deputy is None or not ({m.township_id for m in user.deputy.mandates} & ids):
        abort(404)
    if user.has_role(Role.committee, Role.admin):
        abort(404)
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
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.enabled:
        flash(_l("账号已停用，请先启用。"), "warning")
        return redirect(request.referrer or url_for("main.index"))
    token = operations.issue_activation(user, issued_by=current_user)
    db.session.commit()
    link = current_app.config["LIAISON_PUBLIC_URL"].rstrip("/") + url_for("accounts.activate", token=token)
    return render_template("accounts/activation_issued.html", user=user, link=link, qr=activation_qr_svg(link))


issue_activation.reshows_expired_form = False


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
        operations.set_enabled(user, enable)
        db.session.commit()
        flash(_l("账号已启用。") if enable else _l("账号已停用，其所有登录已失效。"), "success")
    return redirect(safe_next(request.form.get("next")))


set_enabled.reshows_expired_form = False
