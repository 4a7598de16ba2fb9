"""How flask-login finds the signed-in user, and the rule for where to go after sign-in."""
import functools
from urllib.parse import unquote, urlsplit

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from liaison.clock import utcnow
from flask_babel import lazy_gettext as _l

from liaison.extensions import db


def init_login_manager(login_manager):
    """Configure the login manager: identity is ``id:session_token:issued`` (see ``User.get_id``)."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(identity):
        from liaison.accounts.models import User

        user_id, token, issued = _parse_identity(identity)
        if user_id is None:
            return None
        # The remember cookie carries the identity as it was when the cookie was last set (signed
        # with the secret key): a cookie not refreshed within its lifetime is refused here, even
        # though a browser (or a thief) may still send it.
        lifetime = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
        if utcnow().timestamp() - issued > lifetime:
            return None
        # One statement for the user and their roles (every request asks for the roles). Townships
        # only matter to staff pages, which load them when they ask.
        user = db.session.scalars(_user_with_roles(), {"user_id": user_id}).unique().one_or_none()
        if user is None or not user.enabled or user.session_token != token:
            return None
        return user


@functools.cache
def _user_with_roles():
    """The statement of ``load_user``, built once (building it costs about as much as running it)."""
    from liaison.accounts.models import User

    return (sa.select(User).where(User.id == sa.bindparam("user_id"))
            .options(joinedload(User.role_rows), lazyload(User.townships)))


def _parse_identity(identity):
    """(user id, session token, issue time) from ``id:token:issued``, or Nones for anything else.

    Identities from before the issue time was added (``id:token``) are refused: one sign-in again.
    """
    parts = (identity or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1] or not parts[2].isdigit():
        return None, None, None
    return int(parts[0]), parts[1], int(parts[2])


#: Requests a screen makes by itself (the kiosk's rotating code): they are not a person at work,
#: so they neither keep a staff session alive nor end it.
IDLE_EXEMPT = {"static", "bootstrap.static", "stations.kiosk_qr"}


def init_app(app):
    """Staff idle timeout and the deputies' sliding remember cookie; call after ``login_manager.init_app``.

    Flask-Login's own REMEMBER_COOKIE_REFRESH_EACH_REQUEST would hand every signed-in user a
    remember cookie, staff included, so the refresh is done here for deputies only. This hook
    runs before Flask-Login's (after-request hooks run last-registered first).
    """

    @app.before_request
    def end_idle_staff_sessions():
        """Staff who leave a screen unattended are signed out (deputies keep their phone sign-in)."""
        from liaison.accounts.access import STAFF_ROLES

        if request.endpoint in IDLE_EXEMPT or not current_user.is_authenticated:
            return None
        now = int(utcnow().timestamp())
        if current_user.has_role(*STAFF_ROLES):
            limit = current_app.config["LIAISON_STAFF_IDLE_MINUTES"] * 60
            # Sign-in starts the clock (``mark_signed_in``): a staff session without it did not come
            # from a sign-in, so it is treated as idle rather than as just started.
            seen = session.get("seen_at")
            if seen is None or now - seen > limit:
                logout_user()
                session.clear()
                flash(_l("长时间未操作，已自动退出，请重新登录。"), "info")
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        session["seen_at"] = now
        return None

    @app.after_request
    def slide_deputy_sign_in(response):
        from liaison.accounts.access import STAFF_ROLES

        cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if g.get("csrf_failed"):
            return response  # a request whose token failed changes nothing, the session included
        if (cookie_name in request.cookies and "_remember" not in session and session.get("_user_id")
                and current_user.is_authenticated and not current_user.has_role(*STAFF_ROLES)):
            # A new issue time in the identity, so the renewed cookie counts its lifetime from now.
            session["_user_id"] = current_user.get_id()
            session["_remember"] = "set"
        return response


def safe_next(target, fallback_endpoint="main.index"):
    """Return ``target`` when it is a path on this site, else the fallback page.

    Browsers strip tabs and newlines and treat a backslash like a slash, so ``/%09/evil.cn`` and
    ``/\\evil.cn`` both lead off-site; anything but a plain absolute path is refused.
    """
    fallback = url_for(fallback_endpoint)
    if not target or not isinstance(target, str):
        return fallback
    decoded = target
    for _ in range(3):  # undo double encoding too
        decoded = unquote(decoded)
    if any(ch in decoded for ch in "\\") or any(ord(ch) < 32 or ch.isspace() for ch in decoded):
        return fallback
    if not decoded.startswith("/") or decoded.startswith("//"):
        return fallback
    parts = urlsplit(decoded)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def mark_signed_in():
    """Start the idle clock and count the password as just given, at sign-in."""
    session["seen_at"] = int(utcnow().timestamp())
    mark_password_confirmed()


def mark_password_confirmed():
    """Remember that the password was just given (at sign-in or on the confirm page)."""
    session["password_confirmed_at"] = int(utcnow().timestamp())


def password_recently_confirmed():
    """True when the password was given within LIAISON_REAUTH_MINUTES."""
    confirmed = session.get("password_confirmed_at")
    limit = timedelta(minutes=current_app.config["LIAISON_REAUTH_MINUTES"]).total_seconds()
    return confirmed is not None and utcnow().timestamp() - confirmed <= limit
