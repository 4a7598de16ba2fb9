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
        abort(404)
