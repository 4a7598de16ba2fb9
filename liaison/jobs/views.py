"""The jobs page: each registered job, its schedule and its latest runs, for committee staff."""
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from liaison.accounts.access import DISTRICT_ROLES, roles_required
from liaison.jobs import bp, queries
from liaison.jobs.registry import load_jobs

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
def index():
    """Every job with its latest runs (times in local time) and their outcome."""
    jobs = [{"job": job, "schedule": schedule_label(job, current_app.config),
             "runs": queries.latest_runs(job.id, RUNS_SHOWN)} for job in load_jobs().values()]
    return render_template("jobs/index.html", jobs=jobs, stale_before=queries.stale_cutoff())
