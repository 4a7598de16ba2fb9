"""Check-in pages: the page a station's QR opens, the confirmation and 我的履职 for deputies; today's
check-ins, the pending queue and 补登 for staff. (签退, which records opinions, is with the opinions.)"""
import secrets
from datetime import date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import STAFF_ROLES, ensure_township, refuse_out_of_scope, roles_required
from liaison.accounts.models import Role
from liaison.clock import local_today
from liaison.deputies.queries import deputies_in_force
from liaison.errors import InvalidInput, reshows_expired_form
from liaison.extensions import db
from liaison.network.models import CheckinPolicy, Station
from liaison.paging import one_page
from liaison.transaction import commit
from stations.checkin import bp, operations, queries
from stations.checkin.forms import BackEntryForm, BulkBackEntryForm, ReviewForm, ScanForm, station_choices
from stations.checkin.models import COUNTED, Checkin, RejectReason, Status
from stations.tokens import (ScanRefused, check_kiosk_token, forget_kiosk_scan, kiosk_code_use, noted_kiosk_code,
                             remember_kiosk_scan, station_for_code)

#: The HTTP status of each refusal: gone for old posters and closed stations, forbidden for people
#: who may not check in, a bad request for tokens.
REFUSAL_STATUS = {
    RejectReason.unknown_code: 404,
    RejectReason.voided_code: 410,
    RejectReason.inactive_station: 410,
    RejectReason.expired_token: 400,
    RejectReason.used_token: 400,
    RejectReason.invalid_token: 400,
    RejectReason.other_station: 400,
    RejectReason.not_deputy: 403,
    RejectReason.no_mandate: 403,
}
#: Refusals that a fresh scan of the screen at the station cures.
RESCAN_HELPS = {RejectReason.expired_token, RejectReason.used_token, RejectReason.invalid_token,
                RejectReason.other_station}


def _scan_url(code, token=None):
    """The scan page's own URL, token included, for signing in and coming straight back (through the
    deputy's door, so a deputy whose sign-in failed to stick is not shown the public page)."""
    return url_for("checkin.scan", code=code, t=token or None, door=DEPUTY_DOOR)


def _refused(refused, code):
    """The page for a refused scan: the reason's Chinese message and what to do next."""
    return render_template("checkin/refused.html", reason=refused.reason, message=refused.message,
                           station=refused.station, rescan=refused.reason in RESCAN_HELPS,
                           code=code), REFUSAL_STATUS[refused.reason]


def _blocker(user, today):
    """A signed-in user who cannot check in here: the message to show instead of the button."""
    if not user.has_role(Role.deputy) or user.deputy is None:
        return RejectReason.not_deputy.message
    if not operations.serving_mandates(user.deputy, today):
        return RejectReason.no_mandate.message
    return None


def _show_scan(code, token, nonce=None):
    """GET: the station and one large 签到 button. Reads only; a refusal is shown, never stored."""
    try:
        station = station_for_code(code)
        if token:
            kiosk_code = check_kiosk_token(token, station, noted=noted_kiosk_code(session, station))
            _refuse_if_used_by_another(kiosk_code, station)
            if not current_user.is_authenticated:
                remember_kiosk_scan(session, station, kiosk_code)
    except ScanRefused as refused:
        return _refused(refused, code)
    if not (nonce and operations.NONCE_PATTERN.fullmatch(nonce)):
        # Made when the page is shown: a double tap or a retry sends it again and gets the same row.
        nonce = secrets.token_urlsafe(16)
    form = ScanForm(formdata=None, nonce=nonce, t=token)
    blocker = _blocker(current_user, local_today()) if current_user.is_authenticated else None
    has_fence = station.latitude is not None and station.longitude is not None
    # A scan the fence can weigh asks the phone where it is: a poster under the fence policy, and a
    # kiosk code wherever staff do not confirm every scan anyway.
    policy = station.checkin_policy
    locate = has_fence and (policy is not CheckinPolicy.staff_confirms if token else policy is CheckinPolicy.fence)
    return render_template(
        "checkin/scan.html", station=station, form=form, kiosk=bool(token), blocker=blocker,
        locate=locate, has_fence=has_fence,
        login_url=url_for("accounts.login", next=_scan_url(station.code, token)),
    )


def _refuse_if_used_by_another(kiosk_code, station):
    """Say at once that a kiosk code already made someone else's check-in (its own deputy may tap again)."""
    use = kiosk_code_use(kiosk_code)
    deputy_id = getattr(current_user, "deputy_id", None)  # None when signed out
    if use is not None and (deputy_id is None or use.checkin.deputy_id != deputy_id):
        raise ScanRefused(RejectReason.used_token, station)


def _record_scan(code):
    """POST: record the check-in, or store the refusal and say why."""
    if not current_user.is_authenticated:
        # Sign in, then back to the same page (with the kiosk token) to tap 签到 again.
        return redirect(url_for("accounts.login", next=_scan_url(code, request.form.get("t"))))
    form = ScanForm()
    if not form.validate_on_submit():
        # Only an expired CSRF token lands here: show the button again, keeping the nonce.
        page = _show_scan(code, form.t.data, form.nonce.data)
        return page if isinstance(page, tuple) else (page, 400)

    def check_in():
        station = station_for_code(code)
        checkin = operations.record_checkin(current_user, code, form.nonce.data, token=form.t.data or None,
                                            location=form.location(),
                                            noted_code=noted_kiosk_code(session, station), station=station)
        # Read before the commit expires it: reading after would open a transaction just for the id.
        return checkin.id

    written = commit(check_in, show=False, refusals=(ScanRefused, InvalidInput))
    if isinstance(written.error, ScanRefused):
        refused = written.error
        commit(lambda: operations.record_failed_scan(refused.reason, code, refused.station, current_user))
        return _refused(refused, code)
    if written.error is not None:
        return render_template("checkin/refused.html", reason=None, message=written.error.message, station=None,
                               rescan=True, code=code), 400
    checkin_id = written.value
    forget_kiosk_scan(session)
    return redirect(url_for("checkin.done", checkin_id=checkin_id), code=303)


#: The station's public page (``liaison.public``, a layer above): what the poster's URL shows to a
#: visitor who is not a signed-in deputy (rule R28). Looked up by endpoint, as menus look up
#: optional pages, because this layer may not import that one.
PUBLIC_PAGE = "public.station"
#: The query argument of the small "我是代表，登录签到" link: the deputy's door of the same URL.
DEPUTY_DOOR = "deputy"


def _signed_in_deputy():
    return current_user.is_authenticated and current_user.has_role(Role.deputy)


@bp.route("/s/<code>", methods=["GET", "POST"])
@reshows_expired_form
def scan(code):
    """The page a station's QR code opens (poster: /s/<code>; kiosk screen: /s/<code>?t=<token>).

    One poster, two doors (rule R28): a signed-in deputy gets the 签到 button; anyone else gets the
    station's public page (我要留言, 查询办理进度), whose small "我是代表" link comes back here with
    ``door=deputy`` to sign in and check in. A visitor is told about a code that no longer works
    (unknown, re-keyed, closed) the same way whichever door they use.
    """
    if request.method == "POST":
        return _record_scan(code)
    token = (request.args.get("t") or "")[:512]
    if not _signed_in_deputy() and request.args.get("door") != DEPUTY_DOOR \
            and PUBLIC_PAGE in current_app.view_functions:
        try:
            station = station_for_code(code)
        except ScanRefused as refused:
            return _refused(refused, code)
        # Nothing is noted in the session here: the kiosk scan note waits for the deputy's door.
        return current_app.view_functions[PUBLIC_PAGE](code=station.code)
    return _show_scan(code, token)


@bp.route("/checkins/<int:checkin_id>")
@roles_required(Role.deputy)
def done(checkin_id):
    """The confirmation after 签到: time, place, whether it counts, this month's and quarter's status."""
    checkin = queries.own_checkin_or_404(checkin_id)
    today = local_today()
    return render_template(
        "checkin/done.html", checkin=checkin, status=queries.deputy_status(checkin.deputy_id, today),
        can_check_out=operations.can_check_out(checkin, current_user, today),
    )


@bp.route("/me")
@roles_required(Role.deputy)
def mine():
    """我的履职: this month, this quarter and this year at a glance, then every check-in."""
    deputy = current_user.deputy
    if deputy is None:
        return render_template("checkin/mine.html", deputy=None, status=None, pagination=None)
    today = local_today()
    pagination = one_page(queries.history(deputy.id))
    return render_template("checkin/mine.html", deputy=deputy, status=queries.deputy_status(deputy.id, today),
                           pagination=pagination, serving=bool(operations.serving_mandates(deputy, today)))


@bp.route("/checkins/today")
@roles_required(*STAFF_ROLES)
def today():
    """Today's check-ins at the user's homes and stations; the page reloads itself every minute."""
    day = local_today()
    counts = queries.todays_counts(day)
    return render_template(
        "checkin/today.html", day=day, rows=queries.todays_checkins(day),
        total=sum(counts.values()), counted=sum(counts.get(status, 0) for status in COUNTED),
        pending=counts.get(Status.pending, 0),
    )


@bp.route("/checkins/pending")
@roles_required(*STAFF_ROLES)
def queue():
    """The pending (待核实) check-ins at the user's stations, to confirm or reject one by one or in a batch."""
    pagination = one_page(queries.pending_queue())
    return render_template("checkin/queue.html", pagination=pagination, form=ReviewForm(formdata=None))


@bp.route("/checkins/review", methods=["POST"])
@roles_required(*STAFF_ROLES)
def review():
    """Confirm or reject the ticked check-ins; any outside the user's townships answers 404."""
    form = ReviewForm()
    page = request.form.get("page", type=int)
    back = redirect(url_for("checkin.queue", page=page if page and page > 1 else None))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return back
    if form.action.data not in ("confirm", "reject"):
        flash(_l("请点“确认有效”或“驳回”。"), "danger")
        return back
    ids = sorted(set(form.ids.data or []))
    checkins = queries.checkins_by_ids(ids)
    if len(checkins) != len(ids):
        abort(404)
    for checkin in checkins:
        ensure_township(checkin.station.township_id)
    written = commit(lambda: operations.review_checkins(checkins, form.action.data == "confirm", current_user,
                                                       form.note.data, form.reason.data))
    if not written:
        return back
    changed = written.value
    skipped = len(checkins) - len(changed)
    if form.action.data == "confirm":
        flash(_l("已确认 %(n)s 条签到，计入履职。", n=len(changed)), "success")
    else:
        flash(_l("已驳回 %(n)s 条签到，代表已收到驳回原因。", n=len(changed)), "success")
    if skipped:
        flash(_l("%(n)s 条已由他人处理过，未作改动。", n=skipped), "info")
    return back


def _deputy_in_scope_or_404(deputy_id):
    """A deputy with a mandate in the user's townships (the only ones staff may back-enter for)."""
    found = queries.deputies_in_scope(ids=[deputy_id])
    if not found:
        refuse_out_of_scope()
    return found[0]


@bp.route("/checkins/back-entry", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def back_entry():
    """补登: record a check-in from the paper sign-in sheet for a deputy who could not scan."""
    q = (request.args.get("q") or "").strip()[:50]
    form = BackEntryForm()
    if request.method == "GET":
        form.station_id.data = request.args.get("station_id", type=int)
        form.day.data = form.day.data or local_today()
    deputies = queries.deputies_in_scope(q)
    form.fill_choices(queries.stations_in_scope(), deputies)
    if request.method == "GET" and q and len(deputies) == 1:
        form.deputy_id.data = deputies[0].id  # the one found: no need to pick it again
    if form.validate_on_submit():
        station = db.session.get(Station, form.station_id.data) if form.station_id.data else None
        if station is not None:
            ensure_township(station.township_id)
        deputy = _deputy_in_scope_or_404(form.deputy_id.data) if form.deputy_id.data else None
        if form.save(lambda: operations.back_enter_checkin(
                station, deputy, datetime.combine(form.day.data, form.time.data), form.reason.data,
                current_user)):
            checkin = form.saved
            flash(_l("已为 %(name)s 补登 %(day)s 在%(station)s的签到。", name=deputy.name,
                     day=checkin.local_date.isoformat(), station=station.name), "success")
            return redirect(url_for("checkin.back_entry", station_id=station.id))
    return render_template("checkin/back_entry.html", form=form, q=q)


@bp.route("/checkins/back-entry/many", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def back_entry_many():
    """补登 for many deputies of one event at once (rule R26): choose the home or station, date and
    time, tick the deputies on the paper sheet, give one reason, save once."""
    form = BulkBackEntryForm()
    if request.method == "GET":
        form.station_id.data = request.args.get("station_id", type=int)
        form.day.data = request.args.get("day", type=_iso_day) or local_today()
    stations = queries.stations_in_scope()
    form.station_id.choices = station_choices(stations)
    station = db.session.get(Station, form.station_id.data) if form.station_id.data else None
    if station is not None:
        ensure_township(station.township_id)
    people = deputies_in_force(station.township_id, form.day.data) if station and form.day.data else []
    if form.validate_on_submit() and station is not None:
        offered = {d.id: d for d in people}
        ticked = [offered[i] for i in form.deputy_ids.data or [] if i in offered]
        if form.save(lambda: operations.back_enter_checkins(
                station, ticked, datetime.combine(form.day.data, form.time.data), form.reason.data,
                current_user)):
            flash(_l("已为 %(n)s 位代表补登 %(day)s 在%(station)s的签到。", n=len(form.saved),
                     day=form.day.data.isoformat(), station=station.name), "success")
            return redirect(url_for("checkin.back_entry_many", station_id=station.id,
                                    day=form.day.data.isoformat()))
    return render_template("checkin/back_entry_many.html", form=form, station=station, people=people,
                           ticked=set(form.deputy_ids.data or []))


def _iso_day(value):
    """A query argument's ISO date (2026-12-06); anything else raises ValueError (ignored by ``type=``)."""
    return date.fromisoformat(value)
