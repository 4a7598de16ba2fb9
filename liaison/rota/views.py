"""The rota pages: months, propose, edit, publish and the printable notice (staff); the public station
page; deputies' own slots, leave and unavailable dates; requests to decide; activities at homes."""
import calendar
import json
from collections import OrderedDict

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from liaison.accounts.access import STAFF_ROLES, ensure_township, refuse_out_of_scope, roles_required
from liaison.accounts.access import visible_township_ids
from liaison.accounts.models import Role
from liaison.clock import Month, day_label, local_today, times_label
from liaison.deputies.models import Deputy
from liaison.deputies.queries import deputy_township_ids
from liaison.deputies.queries import deputies_in_force
from liaison.errors import reshows_expired_form
from liaison.extensions import db
from liaison.names import name_syllables
from liaison.network.models import WEEKDAY_LABELS, Station
from liaison.paging import one_page
from liaison.rota import bp, operations, queries
from liaison.rota.forms import (AssignForm, ConfirmForm, DecideForm, LeaveForm, ProposeForm, SlotForm,
                                UnavailabilityForm)
from liaison.rota.models import (HOLDING_PLACE, AssignmentStatus, LeaveRequest, RequestKind, RequestStatus,
                                 RotaMonth, Slot, SlotAssignment, Unavailability)
from liaison.townships.models import Township
from liaison.transaction import commit
from stations import qrcodes


def _month_or_404(rota_month_id):
    """The month, or 404 when it does not exist or lies outside the user's townships."""
    rota_month = db.get_or_404(RotaMonth, rota_month_id)
    ensure_township(rota_month.township_id)
    return rota_month


def _slot_or_404(slot_id):
    """The slot, or 404 when it lies outside the user's townships."""
    slot = db.get_or_404(Slot, slot_id)
    ensure_township(slot.rota_month.township_id)
    return slot


def _confirmed():
    """The CSRF check of a one-button form; a stale or forged one answers 400."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _back_to_month(rota_month, day=None):
    """The month page, scrolled to a date."""
    anchor = f"d{day:%Y%m%d}" if day else None
    return redirect(url_for(".month", rota_month_id=rota_month.id, _anchor=anchor))


def _next_month(today):
    """(year, month) of the month after ``today``: what staff usually plan."""
    following = Month.of(today).next()
    return following.year, following.month


# --- months ---------------------------------------------------------------------------------------

def _index_page(form):
    """The months list with the propose form."""
    township_id = request.args.get("township_id", type=int)
    pagination = one_page(queries.rota_months(township_id))
    counts = queries.month_counts([m.id for m in pagination.items])
    townships = queries.townships_in_scope()
    return render_template("rota/index.html", pagination=pagination, counts=counts, form=form,
                           townships=townships, township_id=township_id,
                           pending=db.session.scalar(sa.select(sa.func.count()).select_from(
                               queries.requests_in_scope().subquery())))


@bp.route("/rota")
@roles_required(*STAFF_ROLES)
def index():
    """Each township's months, newest first, and the form that proposes a month."""
    form = ProposeForm()
    form.set_choices(queries.townships_in_scope())
    year, month = _next_month(local_today())
    form.year.data, form.month.data = year, month
    chosen = request.args.get("township_id", type=int)
    if chosen:
        form.township_id.data = chosen
    return _index_page(form)


@bp.route("/rota/propose", methods=["POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def propose():
    """Create or refill a township's draft month from the planner; the month page lists who is left."""
    form = ProposeForm()
    townships = queries.townships_in_scope()
    form.set_choices(townships)
    if form.validate_on_submit():
        township = db.session.get(Township, form.township_id.data) if form.township_id.data else None
        if township is None:
            form.township_id.errors = [_l("请选择乡镇（街道）。")]
            return _index_page(form), 400
        ensure_township(township.id)
        def propose_month():
            rota_month, proposal = operations.propose_rota(township, form.year.data, form.month.data,
                                                           form.capacity.data, form.theme.data)
            # Read before the commit expires it.
            return rota_month.id, proposal

        if form.save(propose_month):
            rota_month_id, proposal = form.saved
            year, month_number = form.year.data, form.month.data
            missing = queries.holidays_missing(year, month_number)
            if missing:
                flash(_holidays_missing_text(missing), "danger")
            if proposal.why_empty:
                flash(_l("没有生成接待时段：%(why)s", why=proposal.why_empty), "warning")
            else:
                flash(_l("已生成排班建议：%(slots)s 个接待时段，安排 %(placed)s 位代表。",
                         slots=len(proposal.filled_windows), placed=len(proposal.placed)), "success")
            for name, end in queries.provisional_ends(township.id, year, month_number):
                flash(_provisional_text(name, end), "info")
            if proposal.unplaced:
                flash(_l("有 %(n)s 位应进站代表未能安排，原因见“未能安排的代表”。", n=len(proposal.unplaced)), "warning")
            return redirect(url_for(".month", rota_month_id=rota_month_id))
    return _index_page(form), 400


def _holidays_missing_text(year):
    """The loud warning for a month of a year whose holidays nobody recorded (rule R21)."""
    return _l("%(year)s年的法定节假日和调休尚未录入：排班只避开了周末，元旦、春节等法定节假日可能被排上接待，调休上班的周末不会安排。"
              "请区人大常委会代表工作室先在“节假日”页面录入%(year)s年的安排，再重新生成排班。", year=year)


def _provisional_text(name, end):
    """What the rota does past a term's provisional end (rules R5, R21)."""
    return _l("%(term)s的届满日期 %(end)s 是暂定的：换届（新一届人民代表大会第一次会议）之前，本届代表照常排班、签到和统计。",
              term=name, end=end.isoformat())


def _candidates_by_day(rota_month, slots):
    """{date: deputies in force that day} for the month's slot dates (one query for the month)."""
    period = Month(rota_month.year, rota_month.month)
    mandates = queries.township_mandates(rota_month.township_id, period.first, period.last)
    result = {}
    for day in {s.local_date for s in slots}:
        people = {m.deputy_id: m.deputy for m in mandates if m.held_on(day) and not m.suspended_on(day)}
        result[day] = sorted(people.values(), key=lambda d: (d.name_sort_key, d.id))
    return result


def _search_keys(name):
    """(initials, full pinyin) of a name, lower case: 王芳 → ("wf", "wangfang")."""
    syllables = name_syllables(name)
    return "".join(s[:1] for s in syllables).lower(), "".join(syllables).lower()


def _people_json(candidates, unplaced_ids):
    """The slot search's list, embedded once in the month page (static/rota-pick.js reads it):
    {"2026-12-03": [[id, name, initials, pinyin, not placed this month], ...]}."""
    keys = {}
    data = {}
    for day, people in candidates.items():
        rows = []
        for d in people:
            if d.id not in keys:
                keys[d.id] = _search_keys(d.name)
            rows.append([d.id, d.name, *keys[d.id], d.id in unplaced_ids])
        data[day.isoformat()] = rows
    # Embedded in a <script type="application/json">: "</" must not end the element.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _find_deputy(people, text):
    """(deputy, None) for the one deputy among ``people`` that ``text`` names — the full name, then
    exact pinyin initials or pinyin, then the start of either or part of the name (as the page's
    list matches) — or (None, message) when there is none or more than one."""
    typed = text.strip()
    wanted = typed.lower().replace(" ", "")
    tiers = (
        lambda d: d.name == typed,
        lambda d: wanted in _search_keys(d.name),
        lambda d: typed in d.name or any(key.startswith(wanted) for key in _search_keys(d.name)),
    )
    for matches in tiers:
        found = [d for d in people if matches(d)]
        if len(found) == 1:
            return found[0], None
        if found:
            return None, _l("“%(q)s”对应多位代表（%(names)s），请在列表中选择。", q=typed,
                            names=_l("、").join(d.name for d in found[:5]))
    return None, _l("没有找到“%(q)s”：请输入当天可以安排的代表的姓名或拼音首字母。", q=typed)


@bp.route("/rota/<int:rota_month_id>")
@roles_required(*STAFF_ROLES)
def month(rota_month_id):
    """A month by date and station with its deputies, who is not placed and why, and the edit forms."""
    rota_month = _month_or_404(rota_month_id)
    slots = queries.month_slots(rota_month.id)
    today = local_today()
    unplaced, away = queries.shortfalls(rota_month, slots, today)
    own = queries.own_station_ids(rota_month.township_id, rota_month.year, rota_month.month)
    unplaced_ids = {s.deputy_id for s in unplaced}
    candidates = _candidates_by_day(rota_month, slots)
    days = OrderedDict()
    for slot in slots:
        taken = {a.deputy_id for a in slot.assignments if a.status in HOLDING_PLACE}
        people = [d for d in candidates.get(slot.local_date, []) if d.id not in taken]
        # Deputies with no place this month come first: they are the ones to place.
        people.sort(key=lambda d: d.id not in unplaced_ids)
        days.setdefault(slot.local_date, []).append((slot, people))
    slot_form = SlotForm()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(rota_month.year, rota_month.month)
    stations = db.session.scalars(
        sa.select(Station).where(Station.township_id == rota_month.township_id, Station.active.is_(True))
        .order_by(Station.kind.desc(), Station.name_sort_key)).all()
    slot_form.station_id.choices = [(s.id, f"{s.name}（{s.kind.short_label}）") for s in stations]
    first_day = slots[0].local_date if slots else None
    why_empty = None
    if not slots:
        why_empty = queries.why_no_slots(rota_month.township_id, rota_month.year, rota_month.month,
                                         queries.plan_input(rota_month.township_id, rota_month.year,
                                                            rota_month.month, first_day=today))
    missing = queries.holidays_missing(rota_month.year, rota_month.month)
    return render_template(
        "rota/month.html", rota_month=rota_month, days=days, unplaced=unplaced, away=away, own=own,
        unplaced_ids=unplaced_ids, slot_form=slot_form, assign_form=AssignForm(), today=today,
        weekday_labels=WEEKDAY_LABELS, first_day=first_day, notice_days=operations.notice_days(),
        weeks=weeks, people_json=_people_json(candidates, unplaced_ids),
        # One theme for the whole month is said once above the calendar, not under every slot.
        common_theme=themes.pop() if len(themes := {s.theme for s in slots}) == 1 else None,
        no_shows=sum(1 for s in slots for a in s.assignments if a.status is AssignmentStatus.no_show),
        removed=[a for s in slots for a in s.assignments if a.status is AssignmentStatus.removed],
        why_empty=why_empty, holidays_missing=_holidays_missing_text(missing) if missing else None,
        provisional=[_provisional_text(name, end) for name, end in
                     queries.provisional_ends(rota_month.township_id, rota_month.year, rota_month.month)],
        AssignmentStatus=AssignmentStatus)


@bp.route("/rota/<int:rota_month_id>/slots", methods=["POST"])
@roles_required(*STAFF_ROLES)
def add_slot(rota_month_id):
    """Add a slot by hand (within the station's receiving hours, not on a holiday it keeps closed)."""
    rota_month = _month_or_404(rota_month_id)
    form = SlotForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return _back_to_month(rota_month)
    station = db.session.get(Station, form.station_id.data) if form.station_id.data else None
    written = commit(lambda: operations.add_slot(rota_month, station, form.local_date.data, form.starts.data,
                                                 form.ends.data, form.theme.data, form.capacity.data).local_date)
    if not written:
        return _back_to_month(rota_month)
    day = written.value
    flash(_l("已添加时段：%(day)s。", day=day_label(day)), "success")
    return _back_to_month(rota_month, day)


@bp.route("/rota/slots/<int:slot_id>/delete", methods=["POST"])
@roles_required(*STAFF_ROLES)
def delete_slot(slot_id):
    """Delete a slot (its deputies are told when the month is published)."""
    slot = _slot_or_404(slot_id)
    _confirmed()
    rota_month, day = slot.rota_month, slot.local_date
    if commit(lambda: operations.delete_slot(slot)):
        flash(_l("已删除 %(day)s 的时段。", day=day_label(day)), "success")
    return _back_to_month(rota_month, day)


@bp.route("/rota/slots/<int:slot_id>/deputies", methods=["POST"])
@roles_required(*STAFF_ROLES)
def assign(slot_id):
    """Add a deputy to a slot (capacity, dates, scope checked)."""
    slot = _slot_or_404(slot_id)
    form = AssignForm()
    rota_month, day = slot.rota_month, slot.local_date
    if not form.validate_on_submit():
        abort(400)
    deputy = db.session.get(Deputy, form.deputy_id.data) if form.deputy_id.data else None
    if deputy is None and form.deputy_name.data:
        # Typed without the page's script (or before its list opened): look the name up.
        people = _candidates_by_day(rota_month, [slot]).get(day, [])
        deputy, refusal = _find_deputy(people, form.deputy_name.data)
        if refusal:
            flash(refusal, "danger")
            return _back_to_month(rota_month, day)
    written = commit(lambda: operations.assign_deputy(slot, deputy).deputy.name)
    if written:
        name = written.value
        flash(_l("已安排 %(name)s：%(day)s。", name=name, day=day_label(day)), "success")
    return _back_to_month(rota_month, day)


@bp.route("/rota/assignments/<int:assignment_id>/delete", methods=["POST"])
@roles_required(*STAFF_ROLES)
def unassign(assignment_id):
    """Take a deputy off a slot (told when the month is published)."""
    assignment = db.get_or_404(SlotAssignment, assignment_id)
    slot = assignment.slot
    ensure_township(slot.rota_month.township_id)
    _confirmed()
    rota_month, day, name = slot.rota_month, slot.local_date, assignment.deputy.name
    if commit(lambda: operations.remove_assignment(assignment)):
        flash(_l("已将 %(name)s 移出 %(day)s 的时段。", name=name, day=day_label(day)), "success")
    return _back_to_month(rota_month, day)


@bp.route("/rota/<int:rota_month_id>/publish", methods=["POST"])
@roles_required(*STAFF_ROLES)
def publish(rota_month_id):
    """Publish (公示) the month and tell its deputies; warn when it is late for the notice period."""
    rota_month = _month_or_404(rota_month_id)
    _confirmed()
    slots = queries.month_slots(rota_month.id)
    unplaced, _away = queries.shortfalls(rota_month, slots, local_today())
    written = commit(lambda: operations.publish_rota(rota_month, published_by=current_user))
    if not written:
        return _back_to_month(rota_month)
    days_ahead = written.value
    flash(_l("已公示。每位安排了接待的代表都收到了通知；公示页可打印张贴。"), "success")
    notice = operations.notice_days()
    if days_ahead < notice:
        flash(_l("提醒：离第一个接待时段只有 %(n)s 天，少于应提前公示的 %(notice)s 天。请尽快张贴公示，并电话告知相关代表。",
                 n=max(days_ahead, 0), notice=notice), "warning")
    if unplaced:
        flash(_l("还有 %(n)s 位应进站代表没有安排，请在下方补充。", n=len(unplaced)), "warning")
    missing_year = queries.holidays_missing(rota_month.year, rota_month.month)
    if missing_year:  # rule R21: said again when the month goes public, not only on the draft
        flash(_holidays_missing_text(missing_year), "danger")
    return _back_to_month(rota_month)


@bp.route("/rota/<int:rota_month_id>/notice")
@roles_required(*STAFF_ROLES)
def notice(rota_month_id):
    """The printable public notice (公示) of a month: who receives constituents where and when."""
    rota_month = _month_or_404(rota_month_id)
    slots = [s for s in queries.month_slots(rota_month.id) if s.holding]
    # Each station of the month with its poster's code: 选民扫码留言 · 代表扫码签到 (rule R28).
    stations = list({s.station.id: s.station for s in slots}.values())
    codes = [(station, Markup(qrcodes.qr_svg(qrcodes.station_url(station)))) for station in stations]
    return render_template("rota/notice.html", rota_month=rota_month, slots=slots, codes=codes,
                           weekday_labels=WEEKDAY_LABELS)


# --- deputies' own pages ----------------------------------------------------------------------------

def _my_deputy():
    """The signed-in deputy's person record (a deputy account always has one)."""
    deputy = current_user.deputy
    if deputy is None:
        abort(403)
    return deputy


@bp.route("/my/slots")
@roles_required(Role.deputy)
def my_slots():
    """The deputy's upcoming reception slots, with leave and swap requests."""
    deputy = _my_deputy()
    today = local_today()
    places = queries.my_places(deputy.id, today)
    return render_template("rota/my_slots.html", places=places, today=today, weekday_labels=WEEKDAY_LABELS,
                           unavailable=queries.my_unavailability(deputy.id, today),
                           AssignmentStatus=AssignmentStatus, RequestStatus=RequestStatus)


@bp.route("/my/slots/<int:assignment_id>/leave", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(Role.deputy)
def request_leave(assignment_id):
    """Ask for leave from one of the deputy's own places, or for a colleague to take it."""
    deputy = _my_deputy()
    assignment = db.session.get(SlotAssignment, assignment_id)
    if assignment is None or assignment.deputy_id != deputy.id or not assignment.slot.rota_month.published:
        abort(404)
    slot = assignment.slot
    form = LeaveForm()
    colleagues = [d for d in deputies_in_force(slot.rota_month.township_id, slot.local_date)
                  if d.id != deputy.id and not any(a.deputy_id == d.id and a.status in HOLDING_PLACE
                                                   for a in slot.assignments)]
    form.swap_with_deputy_id.choices = [("", _l("（请假不用选）"))] + [(d.id, d.name) for d in colleagues]
    if form.validate_on_submit():
        chosen = form.swap_with_deputy_id.data
        swap_with = db.session.get(Deputy, chosen) if chosen else None
        if form.save(lambda: operations.request_leave(assignment, form.kind.data, form.reason.data, swap_with)):
            flash(_l("申请已提交，工作人员处理后会通知您。"), "success")
            return redirect(url_for(".my_slots"))
    return render_template("rota/leave_form.html", form=form, slot=slot, assignment=assignment,
                           weekday_labels=WEEKDAY_LABELS)


def _unavailability_form(staff):
    """The unavailable-dates form; staff choose the deputy, deputies record their own."""
    form = UnavailabilityForm()
    if staff:
        form.deputy_id.choices = [("", _l("请选择"))] + [(d.id, d.name) for d in queries.deputies_in_scope()]
    else:
        del form.deputy_id
    return form


def _save_unavailability(form, deputy, endpoint):
    """Record the form's dates for the deputy; a redirect on success, None after an error."""
    name = deputy.name if deputy is not None else ""
    if not form.save(lambda: operations.record_unavailability(deputy, form.first_day.data, form.last_day.data,
                                                              form.reason.data, recorded_by=current_user)):
        return None
    flash(_l("已登记 %(name)s 不能接待的日期；以后生成排班时会避开。", name=name), "success")
    return redirect(url_for(endpoint))


@bp.route("/my/unavailable", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(Role.deputy)
def my_unavailability():
    """The deputy's own dates when they cannot receive constituents."""
    deputy = _my_deputy()
    form = _unavailability_form(staff=False)
    if form.validate_on_submit():
        done = _save_unavailability(form, deputy, ".my_unavailability")
        if done is not None:
            return done
    return render_template("rota/unavailability.html", form=form, staff=False,
                           rows=queries.my_unavailability(deputy.id, local_today()))


@bp.route("/my/unavailable/<int:unavailability_id>/delete", methods=["POST"])
@roles_required(Role.deputy)
def delete_my_unavailability(unavailability_id):
    """Delete one of the deputy's own unavailable periods."""
    deputy = _my_deputy()
    row = db.session.get(Unavailability, unavailability_id)
    if row is None or row.deputy_id != deputy.id:
        abort(404)
    _confirmed()
    commit(lambda: operations.delete_unavailability(row))
    flash(_l("已删除。"), "success")
    return redirect(url_for(".my_unavailability"))


def _ensure_deputy_in_scope(deputy_id):
    """404 unless the deputy holds a mandate in one of the staff member's townships."""
    visible = visible_township_ids()
    if visible is not None and not deputy_township_ids(deputy_id) & visible:
        refuse_out_of_scope()


@bp.route("/rota/unavailability", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def unavailability():
    """Staff record and list deputies' unavailable dates in their townships."""
    form = _unavailability_form(staff=True)
    if form.validate_on_submit():
        deputy = db.session.get(Deputy, form.deputy_id.data) if form.deputy_id.data else None
        if deputy is not None:
            _ensure_deputy_in_scope(deputy.id)
        done = _save_unavailability(form, deputy, ".unavailability")
        if done is not None:
            return done
    pagination = one_page(queries.unavailability_in_scope(local_today()))
    return render_template("rota/unavailability.html", form=form, staff=True, pagination=pagination,
                           rows=pagination.items)


@bp.route("/rota/unavailability/<int:unavailability_id>/delete", methods=["POST"])
@roles_required(*STAFF_ROLES)
def delete_unavailability(unavailability_id):
    """Delete a deputy's unavailable period (staff, in scope)."""
    row = db.get_or_404(Unavailability, unavailability_id)
    _ensure_deputy_in_scope(row.deputy_id)
    _confirmed()
    commit(lambda: operations.delete_unavailability(row))
    flash(_l("已删除。"), "success")
    return redirect(url_for(".unavailability"))


# --- requests --------------------------------------------------------------------------------------

@bp.route("/rota/requests", endpoint="requests")
@roles_required(*STAFF_ROLES)
def request_list():
    """Pending leave and swap requests in the user's townships, then the latest decided ones."""
    pending = db.session.scalars(queries.requests_in_scope()).all()
    decided = db.session.scalars(
        queries.requests_in_scope(status=None).where(LeaveRequest.status != RequestStatus.pending)
        .limit(20)).all()
    return render_template("rota/requests.html", pending=pending, decided=decided,
                           weekday_labels=WEEKDAY_LABELS, RequestKind=RequestKind)


@bp.route("/rota/requests/<int:request_id>", methods=["POST"])
@roles_required(*STAFF_ROLES)
def decide(request_id):
    """Approve or refuse a request; approval updates the places and tells the deputies."""
    leave_request = db.get_or_404(LeaveRequest, request_id)
    ensure_township(leave_request.assignment.slot.rota_month.township_id)
    form = DecideForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "refuse"):
        abort(400)
    approve = form.decision.data == "approve"
    if commit(lambda: operations.decide_request(leave_request, approve, decided_by=current_user,
                                                note=form.note.data)):
        flash(_l("已批准，相关代表已收到通知。") if approve else _l("已不予批准，申请人已收到通知。"), "success")
    return redirect(url_for(".requests"))


@bp.app_template_global("my_next_place")
def my_next_place(deputy_id, today):
    """我的履职's next reception slot, and whether a leave or swap request for it waits for staff (the
    page lives with check-ins, a layer below the rota, so the rota lends it this; rule R34)."""
    place = queries.next_place(deputy_id, today)
    if place is None:
        return None
    waiting = any(r.status is RequestStatus.pending for r in place.requests)
    slot = place.slot
    return {"assignment": place, "slot": slot, "waiting": waiting, "day": day_label(slot.local_date),
            "times": times_label(slot.starts, slot.ends)}
