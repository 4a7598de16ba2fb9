"""The committee's system pages: the scheduled jobs and their runs, and the audit trail.

They sit with the features, not with the job registry and the audit trail they show: a page needs
accounts (who may see it), which the infrastructure below must not import."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from liaison.accounts.access import DISTRICT_ROLES, roles_required
from liaison.audit.models import AuditEvent, Outcome
from liaison.audit.operations import ACTION_LABELS
from liaison.clock import local_zone
from liaison.jobs import queries as job_queries
from liaison.jobs.registry import load_jobs
from liaison.paging import one_page
from liaison.system import bp

RUNS_SHOWN = 6


def schedule_label(job, config):
    """The job's cron schedule in words, e.g. 每月 25 日 09:00 (local time)."""
    fields = job.cron_fields(config)
    time = f"{int(fields.get('hour', 0)):02d}:{int(fields.get('minute', 0)):02d}"
    day = str(fields.get("day", "*"))
    separator = str(_l("、"))
    days = separator.join(str(_l("%(d)s 日", d=p)) if p.isdigit() else str(_l("最后一天"))
                          for p in day.split(","))
    month = str(fields.get("month", "*"))
    if month != "*":
        return _l("每年 %(months)s 月的 %(days)s %(time)s", months=month.replace(",", separator), days=days,
                  time=time)
    if day != "*":
        return _l("每月 %(days)s %(time)s", days=days, time=time)
    if "day_of_week" in fields:
        return _l("每周（%(dow)s） %(time)s", dow=fields["day_of_week"], time=time)
    return _l("每天 %(time)s", time=time)


@bp.route("/jobs")
@roles_required(*DISTRICT_ROLES)
def jobs():
    """Every job with its latest runs (times in local time) and their outcome."""
    jobs = [{"job": job, "schedule": schedule_label(job, current_app.config),
             "runs": job_queries.latest_runs(job.id, RUNS_SHOWN)} for job in load_jobs().values()]
    return render_template("system/jobs.html", jobs=jobs, stale_before=job_queries.stale_cutoff())


# --- the audit trail ------------------------------------------------------------------------

def _parse_day(value):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@bp.route("/audit")
@roles_required(*DISTRICT_ROLES)
def audit():
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
    page = one_page(query)
    return render_template("system/audit.html", page=page, actions=ACTION_LABELS, outcomes=list(Outcome),
                           retention_days=current_app.config["LIAISON_AUDIT_RETENTION_DAYS"])
