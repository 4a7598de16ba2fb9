"""The audit page: committee staff search the trail."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, render_template, request

from liaison.accounts.access import roles_required
from liaison.accounts.models import Role
from liaison.audit import bp
from liaison.audit.models import AuditEvent, Outcome
from liaison.audit.operations import ACTION_LABELS
from liaison.clock import local_zone
from liaison.extensions import db


def _parse_day(value):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@bp.route("/audit")
@roles_required(Role.committee, Role.admin)
def index():
    """Search audit events by action, outcome, person or text, and by local date range."""
    query = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    action = request.args.get("action", "")
    if action in ACTION_LABELS:
        query = query.where(AuditEvent.action == action)
    outcome = request.args.get("outcome", "")
    if outcome in {o.value for o in Outcome}:
        query = query.where(AuditEvent.outcome == Outcome(outcome))
    q = request.args.get("q", "").strip()[:50]
    if q:
        like = f"%{q}%"
        query = query.where(sa.or_(AuditEvent.actor_name.like(like), AuditEvent.detail.like(like),
                                   AuditEvent.ip.like(like), AuditEvent.target_id == q))
    zone = local_zone()
    start, end = _parse_day(request.args.get("from")), _parse_day(request.args.get("to"))
    if start:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(start, time.min, zone))
    if end:
        query = query.where(AuditEvent.occurred_at < datetime.combine(end + timedelta(days=1), time.min, zone))
    page = db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["LIAISON_PAGE_SIZE"], error_out=False)
    return render_template("audit/index.html", page=page, actions=ACTION_LABELS, outcomes=list(Outcome),
                           retention_days=current_app.config["LIAISON_AUDIT_RETENTION_DAYS"])
