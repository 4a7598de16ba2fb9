"""The activity pages (staff): the list, a new activity at a home, and one activity's attendance."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import STAFF_ROLES, ensure_township, roles_required
from liaison.activities import bp, operations, queries
from liaison.activities.forms import ActivityForm, AttendanceForm
from liaison.activities.models import Activity, ActivityType
from liaison.clock import WEEKDAY_LABELS, local_today
from liaison.deputies.models import Deputy
from liaison.deputies.queries import deputies_in_force
from liaison.errors import reshows_expired_form
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.paging import one_page


def _activity_or_404(activity_id):
    """The activity, or 404 when its home lies outside the user's townships."""
    activity = db.get_or_404(Activity, activity_id)
    ensure_township(activity.station.township_id)
    return activity


@bp.route("/rota/activities")
@roles_required(*STAFF_ROLES)
def index():
    """Collective activities at the homes of the user's townships (季回家), newest first."""
    pagination = one_page(queries.activity_list())
    return render_template("activities/index.html", pagination=pagination, weekday_labels=WEEKDAY_LABELS)


@bp.route("/rota/activities/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def new():
    """Create an activity at a home: first choose the home, then the date, time, type and invitations."""
    homes = queries.homes_in_scope()
    station_id = request.args.get("station_id", type=int)
    if station_id is None and len(homes) == 1:
        station_id = homes[0].id
    if station_id is None:
        return render_template("activities/choose_home.html", homes=homes)
    station = db.get_or_404(Station, station_id)
    ensure_township(station.township_id)
    if station.kind is not StationKind.home:
        abort(404)
    form = ActivityForm()
    people = deputies_in_force(station.township_id, local_today())
    form.invited.choices = [(d.id, d.name) for d in people]
    if request.method == "GET":
        form.invited.data = [d.id for d in people]
        form.type.data = ActivityType.study
    if form.validate_on_submit():
        invited = db.session.scalars(sa.select(Deputy).where(Deputy.id.in_(form.invited.data or [])))
        if form.save(lambda: operations.create_activity(station, form.local_date.data, form.starts.data,
                                                        form.ends.data, form.type.data, form.title.data,
                                                        list(invited), created_by=current_user).id):
            activity_id = form.saved
            flash(_l("已创建活动，受邀代表已收到通知。"), "success")
            return redirect(url_for(".show", activity_id=activity_id))
    return render_template("activities/form.html", form=form, station=station)


@bp.route("/rota/activities/<int:activity_id>")
@roles_required(*STAFF_ROLES)
def show(activity_id):
    """One activity with its attendance: invited deputies and whether they checked in, then the uninvited."""
    activity = _activity_or_404(activity_id)
    return _show(activity, AttendanceForm())


def _show(activity, form):
    attendees = queries.attendance(activity)
    came = {a.deputy_id for a in attendees if a.checked_in_at}
    invited = {a.deputy_id for a in attendees if a.invited}
    # The paper sheet's boxes (rule R26): the invited first, then everyone else serving in the
    # township that day; those already checked in are shown ticked and cannot be entered again.
    sheet = sorted(deputies_in_force(activity.station.township_id, activity.local_date),
                   key=lambda d: (d.id not in invited, d.name_sort_key, d.id))
    return render_template("activities/show.html", activity=activity, attendees=attendees,
                           weekday_labels=WEEKDAY_LABELS, today=local_today(),
                           invited=[a for a in attendees if a.invited],
                           came=[a for a in attendees if a.invited and a.checked_in_at],
                           uninvited=[a for a in attendees if not a.invited],
                           sheet=sheet, came_ids=came, invited_ids=invited, form=form,
                           ticked=set(form.deputy_ids.data or []))


@bp.route("/rota/activities/<int:activity_id>/attendance", methods=["POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def record_attendance(activity_id):
    """Attendance from the paper sign-in sheet: tick many, save once (rule R26)."""
    activity = _activity_or_404(activity_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        offered = {d.id: d for d in deputies_in_force(activity.station.township_id, activity.local_date)}
        ticked = [offered[i] for i in form.deputy_ids.data or [] if i in offered]
        if form.save(lambda: operations.record_attendance(activity, ticked, current_user)):
            flash(_l("已登记 %(n)s 位代表出席（按纸质签到表补登）。", n=len(form.saved)), "success")
            return redirect(url_for(".show", activity_id=activity.id))
    return _show(activity, form)


@bp.app_template_global("my_invitations")
def my_invitations(deputy_id, today):
    """我的履职's 季回家 activity invitations from this quarter on (the page lives with check-ins, a layer
    below the activities, so the activities lend it this; rule R34)."""
    return queries.deputy_invitations(deputy_id, today)
