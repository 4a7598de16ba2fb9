"""Landing pages: what a deputy, township staff or the committee sees first."""
import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import visible_township_ids
from liaison.accounts.models import Role
from liaison.clock import Month, Quarter, local_today
from liaison.dashboard.queries import target_terms
from liaison.deputies.models import Mandate, last_day_held_in
from liaison.deputies.queries import held_on
from liaison.extensions import db
from liaison.main import bp
from liaison.terms.models import Level, Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township


@bp.route("/")
def index():
    """Send visitors to sign in; show each signed-in user what their roles need."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return home()


def home():
    today = local_today()
    my_mandates = []
    if current_user.has_role(Role.deputy) and current_user.deputy is not None:
        my_mandates = [m for m in current_user.deputy.mandates if m.held_on(today)]
    overview = missing = None
    if current_user.has_role(Role.township_staff, Role.committee, Role.admin):
        overview = pivot_by_term(township_overview(visible_township_ids(), today))
        missing = missing_links(today)
    return render_template("main/index.html", my_mandates=my_mandates, overview=overview, today=today,
                           missing=missing)


def missing_links(today):
    """Staff's shortcuts to who is missing this month and this quarter (rule R24): the drill-down
    of the 区 target term's 进行中 (or the first target term's), as the dashboard links it."""
    terms = target_terms(today)
    district = [term for term in terms if term.level is Level.district]
    term = (district or terms or [None])[0]
    if term is None:
        return []
    base = dict(term=term.id, year=today.year, what="in_progress", as_of=today.isoformat())
    return [(_l("本月谁还没进站"), url_for("dashboard.people", figure="month", period=Month.of(today).key, **base)),
            (_l("本季谁还没回家"), url_for("dashboard.people", figure="quarter", period=Quarter.of(today).key,
                                       **base))]


def pivot_by_term(rows):
    """Turn (township, term, count) rows into one line per township with a column per term."""
    terms = list(dict.fromkeys(row.term for row in rows))
    lines = {}
    for row in rows:
        line = lines.setdefault(row.id, {"name": row.name, "kind": row.kind, "counts": {}})
        line["counts"][row.term] = row.mandates
    totals = {term: sum(line["counts"].get(term, 0) for line in lines.values()) for term in terms}
    return {"terms": terms, "lines": list(lines.values()), "totals": totals}


def township_overview(township_ids, today):
    """Mandates held today (rule R5) per township and term, as plain rows, in one query."""
    query = (
        sa.select(Township.id, Township.name, Township.kind, Term.name.label("term"),
                  sa.func.count(Mandate.id).label("mandates"))
        .join(Mandate, Mandate.township_id == Township.id)
        .join(Term, Term.id == Mandate.term_id)
        .where(held_on(today), Term.start_date <= today, last_day_held_in(Term) >= today)
        .group_by(Township.id, Township.name, Township.kind, Township.position, Term.name, Term.level)
        .order_by(*ADMINISTRATIVE_ORDER, Term.level)
    )
    if township_ids is not None:
        query = query.where(Township.id.in_(township_ids))
    return db.session.execute(query).all()


@bp.route("/healthz")
def healthz():
    """Liveness for the reverse proxy and monitoring: 200 when the database answers, else 503."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        # The request's end removes the session, which discards the failed connection's transaction.
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok"}
