"""Reads for the accounts pages: the account list with its search and role filter."""
import sqlalchemy as sa

from liaison.accounts.access import STAFF_ROLES
from liaison.accounts.models import Role, User, UserRole, user_townships
from liaison.deputies.models import Deputy, Mandate
from liaison.deputies.queries import held_on
from liaison.extensions import db
from liaison.terms.models import Term
from liaison.text import mobile_conditions
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township


def account_list(q=None, role=None, pending=False):
    """Accounts matching ``q`` (part of the name, or the mobile number as shown) and holding ``role``;
    with ``pending``, only enabled accounts still without a password (awaiting activation).

    Staff accounts come first, then deputies' accounts in pinyin order. Accounts have no pinyin
    key of their own, so staff who are not deputies sort by name as stored.
    """
    query = (sa.select(User).outerjoin(Deputy, Deputy.id == User.deputy_id)
             .order_by(User.deputy_id.is_not(None), Deputy.name_sort_key, User.name, User.id))
    q = (q or "").strip()
    if q:
        matches = [User.name.contains(q, autoescape=True), *mobile_conditions(User.mobile, q)]
        query = query.where(sa.or_(*matches))
    if role is not None:
        query = query.where(User.role_rows.any(UserRole.role == role))
    if pending:
        query = query.where(User.enabled.is_(True), User.password_hash.is_(None))
    return query


def township_choices():
    """Every township as (id, name), in pinyin order, for the account forms."""
    return db.session.execute(sa.select(Township.id, Township.name).order_by(*ADMINISTRATIVE_ORDER)).all()


def townships_by_ids(ids):
    """The townships with these ids, in pinyin order (unknown ids are simply absent)."""
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Township).where(Township.id.in_(set(ids))).order_by(*ADMINISTRATIVE_ORDER)))


def township_staff(township_id):
    """Enabled township staff scoped to that township."""
    return db.session.scalars(
        sa.select(User).join(user_townships, user_townships.c.user_id == User.id)
        .where(user_townships.c.township_id == township_id, User.enabled.is_(True),
               sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.township_staff))
        .order_by(User.id)).all()


def staff_of_townships(township_ids):
    """(user, township_id) for enabled township staff scoped to those townships."""
    if not township_ids:
        return []
    return db.session.execute(
        sa.select(User, user_townships.c.township_id)
        .join(user_townships, user_townships.c.user_id == User.id)
        .where(user_townships.c.township_id.in_(township_ids), User.enabled.is_(True),
               sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.township_staff))
        .order_by(user_townships.c.township_id, User.id)).all()


def awaiting_activation(township_id, day):
    """Deputies of a township (a mandate held there on ``day``) whose account is enabled and still has
    no password, in 姓氏笔画 order (rule R16): who a bulk activation sheet is for (rule R25). Accounts
    that are also staff are left out: only the committee hands those a link (``may_issue_activation``)."""
    staff = sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(STAFF_ROLES))
    held = sa.exists().where(Mandate.deputy_id == Deputy.id, Mandate.township_id == township_id,
                             Mandate.term_id == Term.id, held_on(day))
    return db.session.scalars(
        sa.select(User).join(Deputy, Deputy.id == User.deputy_id)
        .where(User.enabled.is_(True), User.password_hash.is_(None), ~staff, held)
        .order_by(Deputy.stroke_sort_key, Deputy.id)).all()


def district_managers():
    """Enabled committee staff and admins (who look after the whole district)."""
    return db.session.scalars(sa.select(User).where(
        User.enabled.is_(True),
        sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_((Role.committee, Role.admin))))
        .order_by(User.id)).all()
