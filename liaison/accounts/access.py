"""Who may do what: role checks and township scoping (staff never see another township)."""
from functools import wraps

from flask import abort
from flask_login import current_user

from liaison.accounts.models import Role
from liaison.extensions import login_manager

STAFF_ROLES = (Role.township_staff, Role.committee, Role.admin)
DISTRICT_ROLES = (Role.committee, Role.admin)


def roles_required(*roles):
    """Let in signed-in users holding any of ``roles``; others sign in (401) or get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                _record_denial()
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def visible_township_ids(user=None):
    """The townships a user may see: ``None`` means the whole district."""
    user = user or current_user
    if user.has_role(*DISTRICT_ROLES):
        return None
    if user.has_role(Role.township_staff):
        return user.township_ids
    return set()


def scope(query, township_column, user=None):
    """Restrict a select to the user's townships."""
    ids = visible_township_ids(user)
    if ids is None:
        return query
    return query.where(township_column.in_(ids))


def ensure_township(township_id, user=None):
    """Answer 404 when a record's township is outside the user's scope (no hint that it exists)."""
    ids = visible_township_ids(user)
    if ids is not None and township_id not in ids:
        refuse_out_of_scope(township_id)


def refuse_out_of_scope(township_id=None):
    """Answer 404 for a record outside the user's townships, and audit the attempt."""
    _record_denial(township_id)
    abort(404)


def _record_denial(township_id=None):
    """Audit a refused request: a page outside the user's role, or a record outside their townships."""
    from flask import request

    from liaison.audit.models import Outcome
    from liaison.audit.operations import record_event_now

    record_event_now("access.denied", outcome=Outcome.denied, township_id=township_id,
                     detail=f"{request.method} {request.path}"[:500])


def may_issue_activation(user, actor=None):
    """Whether ``actor`` (the signed-in user) may issue ``user`` an activation link.

    A link sets a new password, so it hands the account to whoever holds it: only an admin issues
    one for an admin, or for a staff account (乡镇/区人大常委会/管理员) that already has a password.
    Deputies' accounts and accounts still awaiting their first password stay with the committee
    and township staff (within their townships, checked by the caller).
    """
    actor = actor or current_user
    if actor.has_role(Role.admin):
        return True
    if user.has_role(Role.admin):
        return False
    return not (user.password_hash and user.has_role(*STAFF_ROLES))


def refuse_forbidden():
    """Answer 403 for an action the user's role does not allow on this record, and audit the attempt."""
    _record_denial()
    abort(403)


def recent_password_required(view):
    """Ask for the password again before exports and phone-number reveals, unless given in the last 10 minutes.

    A POST whose password is stale goes to the confirm page and comes back as a GET of ``next``,
    so the person repeats the action; nothing is done without the confirmation.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        from flask import redirect, request, url_for

        from liaison.accounts.session import password_recently_confirmed

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not password_recently_confirmed():
            back = request.form.get("next") if request.method == "POST" else request.full_path.rstrip("?")
            return redirect(url_for("accounts.confirm_password", next=back or request.referrer or "/"))
        return view(*args, **kwargs)

    return wrapped
