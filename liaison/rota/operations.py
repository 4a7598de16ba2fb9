"""Writes on the rota: propose, edit, publish; unavailability; leave and swaps; activities; attendance.

Each function validates the domain rules, raises ``InvalidInput`` with a Chinese message naming the
field, flushes and logs ids only; the view, job or command commits. Once a month is published,
every change tells the deputies it affects (inbox, and the configured channels).
"""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.accounts.queries import township_staff
from liaison.clock import Month, date_words, day_label, local_today, times_label, utcnow
from liaison.deputies.operations import refuse_stranger
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.notifications.operations import notify_deputy, send
from liaison.rota import planning, queries
from liaison.rota.models import (AssignmentStatus, LeaveRequest, RequestKind, RequestStatus, RotaMonth,
                                 RotaStatus, Slot, SlotAssignment, Unavailability)

log = logging.getLogger(__name__)

THEME_MAX = 100
REASON_MAX = 200
CAPACITY_MAX = 20
YEAR_RANGE = (2000, 2100)


# --- wording shared by messages and errors ------------------------------------------------------------

def slot_label(slot):
    """10月14日（周三）09:00–11:30 东升村代表联络站."""
    return f"{day_label(slot.local_date)}{times_label(slot.starts, slot.ends)} {slot.station.name}"


def month_label(year, month):
    """2026年10月."""
    return str(Month(year, month).label)




# --- proposing -------------------------------------------------------------------------------------

def _check_month(year, month, today):
    """Refuse impossible or past months."""
    low, high = YEAR_RANGE
    if year is None or not low <= year <= high:
        raise InvalidInput(_l("年份应在 %(low)s 到 %(high)s 之间。", low=low, high=high), "year")
    if month is None or not 1 <= month <= 12:
        raise InvalidInput(_l("请选择 1 到 12 月中的一个月份。"), "month")
    if Month(year, month).last < today:
        raise InvalidInput(_l("%(month)s 已经过去，不能再排班。请选择本月或以后的月份。",
                              month=month_label(year, month)), "month")


def _check_capacity(capacity):
    """Refuse a slot size outside 1–20 places."""
    if capacity is None or not 1 <= capacity <= CAPACITY_MAX:
        raise InvalidInput(_l("每个时段的名额应在 1 到 %(n)s 人之间。", n=CAPACITY_MAX), "capacity")


def _check_theme(theme):
    """The theme without surrounding spaces; refused when too long."""
    theme = (theme or "").strip()
    if len(theme) > THEME_MAX:
        raise InvalidInput(_l("主题最多 %(n)s 个字。", n=THEME_MAX), "theme")
    return theme


def _clear_slots(rota_month):
    """Delete a draft month's slots and their places (a refill replaces them all).

    Two DELETE statements: through the relationship the ORM loads and deletes every place one by
    one. A draft has no leave requests (they need a published month), so nothing else hangs off them.
    """
    month_slot_ids = sa.select(Slot.id).where(Slot.rota_month_id == rota_month.id)
    db.session.execute(sa.delete(SlotAssignment).where(SlotAssignment.slot_id.in_(month_slot_ids)))
    db.session.execute(sa.delete(Slot).where(Slot.rota_month_id == rota_month.id))
    db.session.expire(rota_month, ["slots"])


def _write_slots(rota_month, windows, theme):
    """Insert the proposal's slots, then their places, as two bulk INSERTs.

    A month for 1,000 deputies is ~500 slots and ~1,000 places: built as ORM objects through the
    relationships and flushed one by one they took most of the proposal's time. The slot ids come
    back in the order of the windows (``sort_by_parameter_order``), so each place finds its slot.
    Rows inserted this way are not in the session: ``rota_month.slots`` is expired and loads them
    when next read.
    """
    if windows:
        slot_ids = db.session.scalars(
            sa.insert(Slot).returning(Slot.id, sort_by_parameter_order=True),
            [{"rota_month_id": rota_month.id, "station_id": w.station_id, "local_date": w.day,
              "starts": w.starts, "ends": w.ends, "theme": theme, "capacity": w.capacity} for w in windows]).all()
        places = [{"slot_id": slot_id, "deputy_id": deputy_id}
                  for slot_id, window in zip(slot_ids, windows, strict=True) for deputy_id in window.deputy_ids]
        if places:
            db.session.execute(sa.insert(SlotAssignment), places)
    db.session.expire(rota_month, ["slots"])


def propose_rota(township, year, month, capacity=planning.DEFAULT_CAPACITY, theme="", first_day=None,
                 today=None):
    """Fill (or refill) a township's DRAFT month with the planner's proposal.

    Returns ``(rota_month, proposal)``. Slots before ``first_day`` (default: tomorrow, or the 1st
    for a later month) are not planned. A published month is refused: staff edit it by hand.
    """
    today = today or local_today()
    _check_month(year, month, today)
    _check_capacity(capacity)
    theme = _check_theme(theme)
    first_day = first_day or max(Month(year, month).first, today + timedelta(days=1))
    rota_month = queries.find_rota_month(township.id, year, month)
    if rota_month is not None and rota_month.published:
        raise InvalidInput(_l("%(township)s %(month)s 的排班已经公示，不能重新生成；请在排班页面逐个调整。",
                              township=township.name, month=month_label(year, month)), "month")
    if rota_month is None:
        rota_month = RotaMonth(township_id=township.id, year=year, month=month, status=RotaStatus.draft)
        db.session.add(rota_month)
        db.session.flush()
    else:
        _clear_slots(rota_month)

    plan = queries.plan_input(township.id, year, month, capacity, first_day=first_day)
    proposal = planning.propose(plan)
    if not proposal.filled_windows:
        # Rule R21: "0 个接待时段" never comes without its reason.
        proposal.why_empty = queries.why_no_slots(township.id, year, month, plan)
    _write_slots(rota_month, proposal.filled_windows, theme)
    log.info("rota proposed: rota_month=%s slots=%s placed=%s unplaced=%s away=%s", rota_month.id,
             len(proposal.filled_windows), len(proposal.placed), len(proposal.unplaced), len(proposal.away))
    return rota_month, proposal


# --- editing slots and places -----------------------------------------------------------------------

def _check_not_past(day, today, field):
    """Refuse changes to a day that has passed."""
    if day < today:
        raise InvalidInput(_l("%(day)s 已经过去，不能再更改。", day=day_label(day)), field)


def _hours_text(station):
    """周三 09:00–11:30、周五 09:00–11:30, or 未设置."""
    if not station.opening_hours:
        return str(_l("未设置接待时间"))
    return "、".join(f"{h.weekday_label}{times_label(h.opens, h.closes)}" for h in station.opening_hours)


def check_slot_time(station, day, starts, ends):
    """Refuse a slot outside the station's receiving hours that day (holidays and 调休 included)."""
    if starts is None:
        raise InvalidInput(_l("请填写开始时间，如 09:00。"), "starts")
    if ends is None:
        raise InvalidInput(_l("请填写结束时间，如 11:30。"), "ends")
    if ends <= starts:
        raise InvalidInput(_l("结束时间应晚于开始时间。"), "ends")
    info = queries.calendar.day_info(day)
    plan_day = planning.Day(day, info.workday, info.holiday)
    if info.holiday and not station.open_on_holidays:
        raise InvalidInput(_l("%(day)s 是法定节假日（%(name)s），%(station)s 节假日不接待。如确需接待，请先在家站设置中"
                              "勾选“节假日也接待”。", day=day_label(day), name=info.name or _l("节假日"),
                              station=station.name), "local_date")
    hours = planning.hours_on(queries.station_input(station), plan_day)
    if not hours:
        raise InvalidInput(_l("%(station)s 在 %(day)s 不接待。它的接待时间是：%(hours)s。", station=station.name,
                              day=day_label(day), hours=_hours_text(station)), "local_date")
    if not any(opens <= starts and ends <= closes for opens, closes in hours):
        periods = "、".join(times_label(o, c) for o, c in hours)
        raise InvalidInput(_l("时段超出了 %(station)s 当天的接待时间（%(periods)s），请调整开始或结束时间。",
                              station=station.name, periods=periods), "starts")


def add_slot(rota_month, station, local_date, starts, ends, theme="", capacity=planning.DEFAULT_CAPACITY,
             today=None):
    """Add a slot to a month at one of its township's active stations, within its receiving hours."""
    today = today or local_today()
    if station is None or station.township_id != rota_month.township_id:
        raise InvalidInput(_l("请选择本乡镇（街道）的一个家站。"), "station_id")
    if not station.active:
        raise InvalidInput(_l("%(station)s 已停用，不能排班。", station=station.name), "station_id")
    if local_date is None:
        raise InvalidInput(_l("请填写日期，格式如 2026-10-14。"), "local_date")
    if (local_date.year, local_date.month) != (rota_month.year, rota_month.month):
        raise InvalidInput(_l("日期应在 %(month)s 之内。", month=month_label(rota_month.year, rota_month.month)),
                           "local_date")
    _check_not_past(local_date, today, "local_date")
    _check_capacity(capacity)
    theme = _check_theme(theme)
    check_slot_time(station, local_date, starts, ends)
    for other in queries.slots_on(rota_month.id, station.id, local_date):
        if other.starts < ends and starts < other.ends:
            raise InvalidInput(_l("%(station)s 当天已有 %(times)s 的时段，与新时段重叠。请直接在原时段中添加代表。",
                                  station=station.name, times=times_label(other.starts, other.ends)),
                               "starts")
    slot = Slot(rota_month=rota_month, station=station, local_date=local_date, starts=starts, ends=ends,
                theme=theme, capacity=capacity)
    db.session.add(slot)
    db.session.flush()
    log.info("slot added: slot=%s rota_month=%s", slot.id, rota_month.id)
    return slot


def delete_slot(slot, today=None):
    """Delete a slot; after publishing, its deputies are told it is cancelled."""
    today = today or local_today()
    _check_not_past(slot.local_date, today, None)
    rota_month = slot.rota_month
    if rota_month.published:
        for assignment in slot.holding:
            notify_deputy(assignment.deputy, _l("排班变更：接待安排取消"),
                          _l("您 %(slot)s 的接待安排已取消。", slot=slot_label(slot)), "rota_changed")
    slot_id = slot.id
    rota_month.slots.remove(slot)
    db.session.flush()
    log.info("slot deleted: slot=%s rota_month=%s", slot_id, rota_month.id)


def _check_can_take(slot, deputy, today, field="deputy_id", leaving=None, replacing=False):
    """Refuse a deputy who cannot take a place in the slot (scope, suspension, dates, capacity, clash).

    ``leaving`` is a place the deputy gives up at the same time (a swap), so it does not clash;
    ``replacing`` means someone leaves this slot at the same time, so its capacity does not matter.
    """
    rota_month = slot.rota_month
    day = slot.local_date
    if not queries.in_force_in_township(deputy.id, rota_month.township_id, day):
        refuse_stranger(deputy, rota_month.township_id, field)
        raise InvalidInput(_l("%(name)s 在 %(day)s 不是%(township)s的在任代表（或已暂停执行代表职务），不能排班。",
                              name=deputy.name, day=day_label(day), township=rota_month.township.name), field)
    for row in db.session.scalars(sa.select(Unavailability).where(
            Unavailability.deputy_id == deputy.id, Unavailability.first_day <= day,
            Unavailability.last_day >= day)):
        raise InvalidInput(_l("%(name)s 已登记 %(day)s 不能接待（%(reason)s）。", name=deputy.name,
                              day=day_label(day), reason=row.reason or _l("未填原因")), field)
    for place in queries.deputy_places_on(deputy.id, day):
        other = place.slot
        if leaving is not None and place.id == leaving.id:
            continue
        if other.id == slot.id:
            raise InvalidInput(_l("%(name)s 已在这个时段。", name=deputy.name), field)
        if other.starts < slot.ends and slot.starts < other.ends:
            raise InvalidInput(_l("%(name)s 当天 %(times)s 已安排在 %(station)s，时间冲突。", name=deputy.name,
                                  times=times_label(other.starts, other.ends), station=other.station.name),
                               field)
    if not replacing and slot.free_places <= 0:
        raise InvalidInput(_l("这个时段的名额已满（%(n)s 人）。请选择其他时段，或先增加名额。", n=slot.capacity), field)


def _take_place(slot, deputy):
    """Give the deputy a place in the slot (re-using their earlier row if they had left it)."""
    existing = next((a for a in slot.assignments if a.deputy_id == deputy.id), None)
    if existing is not None:
        existing.status = AssignmentStatus.assigned
        existing.status_changed_at = utcnow()
        existing.status_note = ""
        return existing
    assignment = SlotAssignment(slot=slot, deputy=deputy, status=AssignmentStatus.assigned)
    db.session.add(assignment)
    return assignment


def assign_deputy(slot, deputy, today=None):
    """Add a deputy to a slot; after publishing, the deputy is told."""
    today = today or local_today()
    if deputy is None:
        raise InvalidInput(_l("请选择一位代表。"), "deputy_id")
    _check_not_past(slot.local_date, today, "deputy_id")
    _check_can_take(slot, deputy, today)
    assignment = _take_place(slot, deputy)
    db.session.flush()
    if slot.rota_month.published:
        notify_deputy(deputy, _l("排班变更：新增接待安排"),
                      _l("您新增了一次接待安排：%(slot)s。地址：%(address)s。", slot=slot_label(slot),
                         address=slot.station.address), "rota_changed")
    log.info("deputy assigned: assignment=%s slot=%s", assignment.id, slot.id)
    return assignment


def remove_assignment(assignment, today=None):
    """Take a deputy off a slot; after publishing, the deputy is told."""
    today = today or local_today()
    slot = assignment.slot
    _check_not_past(slot.local_date, today, None)
    if slot.rota_month.published and assignment.status.holds_place:
        notify_deputy(assignment.deputy, _l("排班变更：接待安排取消"),
                      _l("您 %(slot)s 的接待安排已取消。", slot=slot_label(slot)), "rota_changed")
    assignment_id = assignment.id
    slot.assignments.remove(assignment)
    db.session.flush()
    log.info("deputy removed: assignment=%s slot=%s", assignment_id, slot.id)


# --- publishing ---------------------------------------------------------------------------------------

def publish_rota(rota_month, published_by=None, notify=True, today=None):
    """Publish (公示) a draft month and tell each deputy with a place their slots, once.

    Returns the number of days between today and the first slot; the view warns when it is below
    ``LIAISON_ROTA_NOTICE_DAYS`` (publishing late is allowed: better late than not at all).
    """
    today = today or local_today()
    if rota_month.published:
        raise InvalidInput(_l("这个月的排班已经公示过了。"), None)
    slots = queries.month_slots(rota_month.id)
    if not slots:
        raise InvalidInput(_l("这个月还没有任何接待时段，不能公示。请先生成排班或添加时段。"), None)
    rota_month.status = RotaStatus.published
    rota_month.published_at = utcnow()
    rota_month.published_by = published_by
    db.session.flush()
    sent = 0
    if notify:
        sent = notify_published(rota_month, slots)
    log.info("rota published: rota_month=%s messages=%s", rota_month.id, sent)
    record_event("rota.published", target=rota_month, actor=published_by,
                 detail=f"{rota_month.year}-{rota_month.month:02d} slots={len(slots)} messages={sent}")
    return (slots[0].local_date - today).days


def notify_published(rota_month, slots, only=None):
    """One message per deputy with a place in the month (or only the deputy ids in ``only``), listing
    their slots; never twice per month."""
    by_deputy = {}
    for slot in slots:
        for assignment in slot.holding:
            if only is not None and assignment.deputy_id not in only:
                continue
            by_deputy.setdefault(assignment.deputy_id, (assignment.deputy, []))[1].append(slot)
    label = month_label(rota_month.year, rota_month.month)
    sent = 0
    for deputy, deputy_slots in by_deputy.values():
        lines = "；".join(f"{slot_label(s)}（{s.station.address}）" for s in deputy_slots)
        message = notify_deputy(
            deputy, _l("%(month)s进站接待安排已公示", month=label),
            _l("您在%(month)s的进站接待安排：%(lines)s。到站后请扫描站点二维码签到。如需请假或换班，请在“我的排班”中提出申请。",
               month=label, lines=lines),
            "rota_published", dedupe_key=f"rota_published:{rota_month.id}")
        sent += message is not None
    return sent


# --- the rota stays true (rule R20) ------------------------------------------------------------------

#: Places a change of the deputy's situation may take back: not yet happened (assigned), or marked
#: missed for a day on which the person could not receive after all (no-show). Attended ones stay.
RELEASABLE = (AssignmentStatus.assigned, AssignmentStatus.no_show)


def release_places_of_mandate(mandate, first_day, last_day, why, today=None):
    """Take the mandate's deputy off every slot from ``first_day`` to ``last_day`` (None: on) of a
    township where, after the change, they hold no mandate in force that day (rule R20).

    Called by ``end_mandate`` and ``create_suspension`` in their transaction (connected by the
    application factory). A person who still holds another mandate in force in the slot's township
    keeps the place.
    """
    def no_longer_in_force(place):
        slot = place.slot
        return not queries.in_force_in_township(place.deputy_id, slot.rota_month.township_id, slot.local_date)

    return release_places(mandate.deputy, first_day, last_day, why, keep_unless=no_longer_in_force,
                          today=today)


def release_places(deputy, first_day, last_day, why, keep_unless=None, today=None):
    """Mark the deputy's places from ``first_day`` to ``last_day`` (None: on) removed with ``why``, in
    draft and published months alike, and tell township staff and (for published places from today
    on) the deputy. Returns the places removed.

    ``keep_unless(place)``, when given, must be true for a place to be removed. Places already
    attended, on leave or swapped out are left as they are. A pending leave or swap request on a
    removed place is closed with the same reason. The deputy hears once, listing every
    slot; each township's staff hear once per change.
    """
    today = today or local_today()
    why = str(why)
    places = [p for p in queries.deputy_places_from(deputy.id, first_day, last_day, RELEASABLE)
              if keep_unless is None or keep_unless(p)]
    if not places:
        return []
    now = utcnow()
    for place in places:
        place.status = AssignmentStatus.removed
        place.status_changed_at = now
        place.status_note = why[:REASON_MAX]
        # A leave or swap asked for this place has nothing left to decide: closed, not left waiting
        # for staff whose approval would then be refused.
        for request in place.requests:
            if request.status is RequestStatus.pending:
                request.status = RequestStatus.closed
                request.decided_at = now
                request.decision_note = why[:REASON_MAX]
    db.session.flush()
    told = [p for p in places if p.slot.rota_month.published and p.slot.local_date >= today]
    if told:
        lines = "；".join(slot_label(p.slot) for p in told)
        notify_deputy(deputy, _l("排班变更：接待安排取消"),
                      _l("%(why)s，您的以下接待安排已取消：%(lines)s。如有疑问，请联系乡镇人大工作人员。",
                         why=why, lines=lines), "rota_changed")
    by_township = {}
    for place in places:
        by_township.setdefault(place.slot.rota_month.township_id, []).append(place)
    for township_id, township_places in by_township.items():
        lines = "；".join(
            f"{slot_label(p.slot)}{'' if p.slot.rota_month.published else str(_l('（草稿）'))}"
            for p in township_places)
        for user in township_staff(township_id):
            send(user, _l("%(name)s 已从排班中移出", name=deputy.name),
                 _l("%(why)s，已从以下接待时段移出：%(lines)s。已公示的时段空出了名额，如需补位，请在“排班”页面添加代表。",
                    why=why, lines=lines),
                 kind="rota_removed")
    log.info("places released: deputy=%s places=%s told=%s", deputy.id, len(places), len(told))
    return places


# --- unavailability ----------------------------------------------------------------------------------

def record_unavailability(deputy, first_day, last_day, reason="", recorded_by=None, today=None):
    """Record dates a deputy cannot receive constituents (by the deputy or staff)."""
    today = today or local_today()
    if deputy is None:
        raise InvalidInput(_l("请选择一位代表。"), "deputy_id")
    if first_day is None:
        raise InvalidInput(_l("请填写开始日期，格式如 2026-10-14。"), "first_day")
    last_day = last_day or first_day
    if last_day < first_day:
        raise InvalidInput(_l("结束日期不能早于开始日期。"), "last_day")
    if last_day < today:
        raise InvalidInput(_l("这些日期已经过去，不需要登记。"), "last_day")
    if (last_day - first_day).days > 366:
        raise InvalidInput(_l("一次最多登记一年；更长的情况请联系乡镇人大工作人员。"), "last_day")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("请填写原因，如 出差、住院。"), "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("原因最多 %(n)s 个字。", n=REASON_MAX), "reason")
    row = Unavailability(deputy=deputy, first_day=first_day, last_day=last_day, reason=reason,
                         recorded_by=recorded_by)
    db.session.add(row)
    db.session.flush()
    log.info("unavailability recorded: unavailability=%s deputy=%s", row.id, deputy.id)
    # Rule R20: the dates now known to be away come off the rota (from today on: the past is the past).
    if first_day == last_day:
        why = _l("%(name)s 登记了%(day)s不能接待（%(reason)s）", name=deputy.name, day=date_words(first_day),
                 reason=reason)
    else:
        why = _l("%(name)s 登记了%(first)s至%(last)s不能接待（%(reason)s）", name=deputy.name,
                 first=date_words(first_day), last=date_words(last_day), reason=reason)
    release_places(deputy, max(first_day, today), last_day, why, today=today)
    return row


def delete_unavailability(row):
    """Delete a recorded unavailable period."""
    row_id = row.id
    db.session.delete(row)
    db.session.flush()
    log.info("unavailability deleted: unavailability=%s", row_id)


# --- leave and swaps ------------------------------------------------------------------------------------

def request_leave(assignment, kind, reason, swap_with=None, today=None):
    """A deputy asks for leave from a place, or for a colleague to take it over (换班)."""
    today = today or local_today()
    slot = assignment.slot
    if not slot.rota_month.published or assignment.status is not AssignmentStatus.assigned:
        raise InvalidInput(_l("只能为已公示、仍由您接待的安排申请请假或换班。"), None)
    if slot.local_date < today:
        raise InvalidInput(_l("这次接待已经过去，不能再申请。"), None)
    if any(r.status is RequestStatus.pending for r in assignment.requests):
        raise InvalidInput(_l("这次接待已有一个待审批的申请，请等待工作人员处理。"), None)
    if kind not in (RequestKind.leave, RequestKind.swap):
        raise InvalidInput(_l("请选择请假或换班。"), "kind")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("请填写原因。"), "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("原因最多 %(n)s 个字。", n=REASON_MAX), "reason")
    if kind is RequestKind.swap:
        if swap_with is None:
            raise InvalidInput(_l("换班请选择一位同事。"), "swap_with_deputy_id")
        if swap_with.id == assignment.deputy_id:
            raise InvalidInput(_l("换班请选择另一位代表。"), "swap_with_deputy_id")
        _check_swap_partner(slot, swap_with)
    else:
        swap_with = None
    request = LeaveRequest(assignment=assignment, kind=kind, reason=reason, swap_with=swap_with,
                           status=RequestStatus.pending, requested_at=utcnow())
    db.session.add(request)
    db.session.flush()
    rota_month = slot.rota_month
    for user in township_staff(rota_month.township_id):
        send(user, _l("%(name)s 申请%(kind)s", name=assignment.deputy.name, kind=kind.label),
             _l("%(name)s 申请%(kind)s：%(slot)s。原因：%(reason)s。请在“请假换班审批”中处理。",
                name=assignment.deputy.name, kind=kind.label, slot=slot_label(slot), reason=reason),
             kind="rota_request", dedupe_key=f"rota_request:{request.id}")
    log.info("leave requested: request=%s assignment=%s kind=%s", request.id, assignment.id, kind.value)
    return request


def _check_swap_partner(slot, partner, field="swap_with_deputy_id"):
    """Refuse a colleague who cannot take the slot over."""
    rota_month = slot.rota_month
    if not queries.in_force_in_township(partner.id, rota_month.township_id, slot.local_date):
        refuse_stranger(partner, rota_month.township_id, field)
        raise InvalidInput(_l("%(name)s 不是%(township)s当天的在任代表，不能换班。", name=partner.name,
                              township=rota_month.township.name), field)
    if any(a.deputy_id == partner.id and a.status.holds_place for a in slot.assignments):
        raise InvalidInput(_l("%(name)s 已在这个时段，请选择其他同事。", name=partner.name), field)


def _partner_place_to_exchange(assignment, partner, today):
    """The colleague's earliest upcoming place in the same month that the requester can take, or None."""
    rota_month_id = assignment.slot.rota_month_id
    for place in queries.deputy_slots_in_month(partner.id, rota_month_id):
        if place.status is not AssignmentStatus.assigned or place.slot.local_date < today:
            continue
        try:
            _check_can_take(place.slot, assignment.deputy, today, None, leaving=assignment, replacing=True)
        except InvalidInput:
            continue
        return place
    return None


def decide_request(request, approve, decided_by=None, note="", today=None):
    """Approve or refuse a pending request; approval updates the places and tells everyone affected.

    Leave frees the place. A swap hands the place to the colleague; when the colleague has an
    upcoming place of their own in the same month that the requester can take, the two exchange
    (the requester takes the colleague's earliest such place).
    """
    today = today or local_today()
    if request.status is not RequestStatus.pending:
        raise InvalidInput(_l("这个申请已经处理过了。"), None)
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise InvalidInput(_l("说明最多 %(n)s 个字。", n=REASON_MAX), "note")
    assignment = request.assignment
    slot = assignment.slot
    deputy = assignment.deputy
    exchanged = None
    now = utcnow()
    if approve:
        if assignment.status is not AssignmentStatus.assigned or slot.local_date < today:
            raise InvalidInput(_l("这次接待已经过去或已有变化，不能再批准。"), None)
        if request.kind is RequestKind.leave:
            assignment.status = AssignmentStatus.on_leave
        else:
            partner = request.swap_with
            _check_swap_partner(slot, partner, None)
            exchanged = _partner_place_to_exchange(assignment, partner, today)
            _check_can_take(slot, partner, today, None, leaving=exchanged, replacing=True)
            assignment.status = AssignmentStatus.swapped_out
            if exchanged is not None:
                exchanged.status = AssignmentStatus.swapped_out
                exchanged.status_changed_at = now
                _take_place(exchanged.slot, deputy)
            _take_place(slot, partner)
        assignment.status_changed_at = now
    request.status = RequestStatus.approved if approve else RequestStatus.refused
    request.decided_by = decided_by
    request.decided_at = now
    request.decision_note = note
    db.session.flush()
    _tell_decision(request, slot, deputy, exchanged)
    log.info("leave request decided: request=%s approved=%s", request.id, approve)
    return request


def _tell_decision(request, slot, deputy, exchanged):
    """Tell the requester (and, for an approved swap, the colleague) what was decided."""
    kind = request.kind.label
    approved = request.status is RequestStatus.approved
    note = _l("说明：%(note)s。", note=request.decision_note) if request.decision_note else ""
    if not approved:
        notify_deputy(deputy, _l("%(kind)s申请未批准", kind=kind),
                      _l("您对 %(slot)s 的%(kind)s申请未获批准，请按原安排接待。%(note)s", slot=slot_label(slot),
                         kind=kind, note=note),
                      "rota_request_decided", f"rota_request_decided:{request.id}")
        return
    if request.kind is RequestKind.leave:
        notify_deputy(deputy, _l("请假申请已批准"),
                      _l("您对 %(slot)s 的请假申请已批准。本月如尚未进站，请另行安排。%(note)s",
                         slot=slot_label(slot), note=note),
                      "rota_request_decided", f"rota_request_decided:{request.id}")
        return
    partner = request.swap_with
    if exchanged is not None:
        mine = _l("您与 %(name)s 对调：您改为 %(new)s 接待。%(note)s", name=partner.name,
                  new=slot_label(exchanged.slot), note=note)
        theirs = _l("经批准，您与 %(name)s 换班：您改为 %(new)s 接待（原 %(old)s 的安排已取消）。",
                    name=deputy.name, new=slot_label(slot), old=slot_label(exchanged.slot))
    else:
        mine = _l("%(name)s 将代您 %(slot)s 接待。本月如尚未进站，请另行安排。%(note)s", name=partner.name,
                  slot=slot_label(slot), note=note)
        theirs = _l("经批准，您代 %(name)s 于 %(slot)s 接待选民。地址：%(address)s。", name=deputy.name,
                    slot=slot_label(slot), address=slot.station.address)
    notify_deputy(deputy, _l("换班申请已批准"), mine, "rota_request_decided",
                  f"rota_request_decided:{request.id}")
    notify_deputy(partner, _l("排班变更：换班"), theirs, "rota_changed", f"rota_swap:{request.id}")


# --- attendance (the no-show job) -----------------------------------------------------------------------

def record_attendance(day):
    """Mark each place of a published slot on ``day`` attended or no-show from the check-ins.

    A deputy attended when they have a check-in at that station on that date in any status but
    rejected (a pending one shows they came). Running it again changes nothing unless check-ins
    changed. Returns (attended, no-shows, changed).
    """
    places = queries.places_on(day)
    came = queries.checked_in_pairs(day, {(p.deputy_id, p.slot.station_id) for p in places})
    attended = no_shows = changed = 0
    now = utcnow()
    for place in places:
        status = (AssignmentStatus.attended if (place.deputy_id, place.slot.station_id) in came
                  else AssignmentStatus.no_show)
        attended += status is AssignmentStatus.attended
        no_shows += status is AssignmentStatus.no_show
        if place.status is not status:
            place.status = status
            place.status_changed_at = now
            changed += 1
    db.session.flush()
    log.info("attendance recorded: day=%s attended=%s no_shows=%s changed=%s", day.isoformat(), attended,
             no_shows, changed)
    return attended, no_shows, changed


def notice_days():
    """How many days ahead a rota should be published (公示), from the config."""
    return current_app.config["LIAISON_ROTA_NOTICE_DAYS"]
