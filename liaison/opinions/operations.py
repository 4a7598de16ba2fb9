"""Writes for opinions: receive (public page or reception), then register, answer, refer, turn into a
suggestion, reply, hand over to 信访 or reject, and the constituent's verdict.

Each write checks the step is allowed from the current status, changes the opinion, adds a
timeline event and an audit event, and flushes; the view commits once. The optimistic lock on
``Opinion.version`` stops two staff members from both acting on the same opinion.
"""
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from liaison.accounts import throttle
from liaison.accounts.access import STAFF_ROLES
from liaison.accounts.models import LoginThrottle
from liaison.audit.operations import record_event
from liaison.clock import local_today, to_local, utcnow
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import StationKind
from liaison.notifications.operations import send_text
from liaison.opinions.models import (Category, Channel, EventKind, Handling, Opinion, OpinionEvent, Satisfaction,
                                     Status, month_key, new_lookup_number)
from liaison.text import is_mobile, mask_mobile, normalize_mobile
from liaison.transaction import after_rollback
from liaison.uploads import attachment_path, sniff_type
from stations.checkin.operations import check_out

log = logging.getLogger(__name__)

CONTENT_MAX, NAME_MAX, REPLY_MAX, NOTE_MAX, DEPARTMENT_MAX, COMMENT_MAX = 2000, 50, 2000, 1000, 100, 500
CONTENT_MIN = 5
PHOTO_MAX_BYTES = 5 * 1024 * 1024
#: Photo kinds told by ``sniff_type``, with their content type.
PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}
#: How far ahead a referral's due date may be set.
DUE_MAX_DAYS = 366
SUBMISSIONS_REFUSED = _l("此网络提交的留言过多，请稍后再试，或在接待时间到站当面反映。")


class StaleOpinion(InvalidInput):
    """Someone else acted on the opinion since this page was opened."""

    def __init__(self):
        super().__init__(_l("此意见刚被他人处理过，请刷新页面后查看最新状态。"))


class SubmissionLimit(InvalidInput):
    """This address left as many opinions as allowed in the current window."""

    def __init__(self):
        super().__init__(SUBMISSIONS_REFUSED)


# --- abuse limits ---------------------------------------------------------------------------------

def _window():
    return current_app.config["LIAISON_OPINION_WINDOW_MINUTES"]


def submissions_blocked(ip):
    """True when this address has left as many opinions as allowed in the current window."""
    return throttle.locked_until(throttle.ip_key("opinion", ip)) is not None


def count_submission(ip):
    """Count one opinion left from this address, in the transaction that stores it; refuse it
    (``SubmissionLimit``) when the address already left as many as allowed in the window.

    Call it before the opinion is written: the counter row stays locked (``FOR UPDATE`` on
    PostgreSQL, SQLite's write transaction) until the request commits or rolls back, so parallel
    posts from one address are counted one after the other and never all pass a check made
    before any of them was counted. A refused one rolls back, its count with it.
    """
    key = throttle.ip_key("opinion", ip)
    limit = current_app.config["LIAISON_OPINION_MAX_PER_ADDRESS"]
    throttle.register_failure(key, limit=limit, lock_minutes=_window())
    counted = db.session.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.key == key))
    if counted > limit:
        raise SubmissionLimit()


def lookups_blocked(ip):
    """True when this address has asked for too many numbers that do not exist."""
    return throttle.locked_until(throttle.ip_key("opinion-lookup", ip)) is not None


def count_lookup_miss(ip):
    """Count a lookup of a number that does not exist; many of them look like guessing."""
    limit = current_app.config["LIAISON_OPINION_LOOKUP_MISSES"]
    throttle.register_failure(throttle.ip_key("opinion-lookup", ip), limit=limit, lock_minutes=_window())


# --- checks on what people typed ----------------------------------------------------------------

def _text(value, maximum, field, label, minimum=1):
    value = (value or "").strip()
    if len(value) < minimum:
        if minimum <= 1:
            raise InvalidInput(_l("请填写%(label)s。", label=label), field)
        raise InvalidInput(_l("%(label)s至少 %(n)s 个字。", label=label, n=minimum), field)
    if len(value) > maximum:
        raise InvalidInput(_l("%(label)s不能超过 %(n)s 个字（现在 %(len)s 个字）。", label=label, n=maximum,
                              len=len(value)), field)
    return value


def _optional_text(value, maximum, field, label):
    value = (value or "").strip()
    return _text(value, maximum, field, label) if value else ""


def checked_phone(value):
    """A typed mobile number, normalised; '' when left blank; refused when not a mainland mobile."""
    if not (value or "").strip():
        return ""
    phone = normalize_mobile(value)
    if not is_mobile(phone):
        raise InvalidInput(_l("手机号码应为 11 位数字，以 13–19 开头；不愿留号码可以不填。"), "phone")
    return phone


def read_photo(upload):
    """The photo's bytes and content type, or (None, ""); refuses what is too large or not JPG/PNG."""
    if upload is None or not getattr(upload, "filename", ""):
        return None, ""
    data = upload.stream.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise InvalidInput(_l("照片太大：不能超过 %(mb)s MB，请缩小后再上传。", mb=PHOTO_MAX_BYTES // (1024 * 1024)),
                           "photo")
    kind = sniff_type(data)
    if kind not in PHOTO_TYPES:
        raise InvalidInput(_l("照片只能是 JPG 或 PNG 图片。"), "photo")
    return data, PHOTO_TYPES[kind]


def store_photo(opinion, data, content_type):
    """Write the photo under a random name; it is removed again if the opinion is not stored."""
    name = secrets.token_hex(16)
    with open(attachment_path(name), "wb") as handle:
        handle.write(data)
    after_rollback(lambda: _remove_photo(name))
    opinion.photo_name, opinion.photo_type, opinion.photo_size = name, content_type, len(data)
    return name


def _remove_photo(name):
    """Remove a photo file written for an opinion that was not stored; one already gone is fine."""
    try:
        os.remove(attachment_path(name))
    except FileNotFoundError:
        pass


# --- intake ---------------------------------------------------------------------------------------

def _stored(text):
    """Text kept in the timeline, in the product's language whatever the acting user reads."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(text)


def _add_event(opinion, kind, by=None, note="", public=True):
    event = OpinionEvent(kind=kind, at=utcnow(), by=by, note=note, public=public)
    opinion.events.append(event)
    return event


def _audit(action, opinion, detail=""):
    record_event(action, target=opinion, detail=detail or opinion.number)


# --- telling the constituent (rule R29) --------------------------------------------------------

#: The message kind of every text to a constituent (its SMS template, LIAISON_SMS_TEMPLATES).
TEXT_KIND = "opinion_progress"

#: Each step the constituent is told of by SMS: its subject. The text names the lookup number and
#: the step, never what the opinion says.
TEXT_STEPS = {
    "registered": _l("您的意见已登记"),
    "referred": _l("您的意见已转交办理"),
    "suggestion": _l("您的意见已转为人大代表建议"),
    "answered": _l("您的意见已答复"),
    "overdue": _l("您的意见已过答复期限"),
}


def track_url(opinion):
    """The lookup page of an opinion as a full address (a text is read outside the site)."""
    base = current_app.config["LIAISON_PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for("opinions.track", number=opinion.number, _external=True)


def _text_body(opinion, step):
    number = opinion.grouped_number
    if step == "answered":
        return _l("查询号 %(number)s，请查看答复并评价：%(url)s", number=number, url=track_url(opinion))
    if step == "overdue":
        return _l("查询号 %(number)s，工作人员正在督办，答复后会再告诉您。进度：%(url)s", number=number,
                  url=track_url(opinion))
    return _l("查询号 %(number)s，办理进度：%(url)s", number=number, url=track_url(opinion))


def tell_constituent(opinion, step, key_suffix=""):
    """Queue the SMS of a step to the constituent, when they left a number and agreed to be told.

    Every path that creates or moves an opinion calls it here, in the operations (the public page,
    a reception record, a deputy's 签退 record, staff's steps, the overdue job), and the delivery job
    sends it after the commit. Once per step (and per due date or reply): a repeated step sends
    nothing. Returns the message or None.
    """
    if not opinion.phone or opinion.phone_consented_at is None:
        return None
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, body = str(TEXT_STEPS[step]), str(_text_body(opinion, step))
    key = f"opinion:{opinion.id}:{step}" + (f":{key_suffix}" if key_suffix else "")
    return send_text(opinion.phone, subject, body, kind=TEXT_KIND, dedupe_key=key)


def _unique_number():
    """A lookup number not yet used (a clash among 8.5×10¹¹ values is rare, but checked)."""
    for _ in range(10):
        number = new_lookup_number()
        if not db.session.query(Opinion.id).filter_by(number=number).first():
            return number
    raise RuntimeError("could not draw an unused lookup number")


#: A public form sent again with the same text within this time is taken as one opinion.
REPEAT_SECONDS = 120


def _same_opinion_just_left(station, content, name, phone, now):
    """The opinion this very form made moments ago, when a phone on a slow network sent it twice."""
    return db.session.scalar(
        sa.select(Opinion).where(Opinion.station_id == station.id, Opinion.channel == Channel.public_page,
                                 Opinion.content == content, Opinion.constituent_name == name,
                                 Opinion.phone == phone,
                                 Opinion.received_at >= now - timedelta(seconds=REPEAT_SECONDS))
        .order_by(Opinion.id.desc()).limit(1))


def receive_opinion(station, channel, category, content, name="", phone="", photo=None, by=None, deputy=None,
                    on_spot_reply="", checkin=None, phone_consent=False):
    """Create an opinion at a station (接), with its first timeline events.

    ``photo`` is ``(bytes, content_type)`` already checked by ``read_photo``. Opinions recorded by
    staff during a reception are registered at once; an answer given on the spot closes them with
    that reply. The same public form sent twice in a row (a double tap, a resend on a slow network)
    gives back the opinion it made the first time. ``checkin`` is the check-in whose 签退 recorded
    it (rule R33). Returns the opinion.

    The phone number is kept only when ``phone_consent`` says the constituent agreed (rule R29):
    without it no number is stored and no text is sent. The constituent is then told by SMS that it
    is registered, with its lookup number (or answered, when answered on the spot).
    """
    if not station.active:
        raise InvalidInput(_l("此联络站已停用，暂不接收留言。"))
    content = _text(content, CONTENT_MAX, "content", _l("意见内容"), minimum=CONTENT_MIN)
    name = _optional_text(name, NAME_MAX, "name", _l("姓名"))
    phone = checked_phone(phone) if phone_consent else ""
    on_spot_reply = _optional_text(on_spot_reply, REPLY_MAX, "on_spot_reply", _l("当场答复内容"))
    now = utcnow()
    if by is None:
        repeated = _same_opinion_just_left(station, content, name, phone, now)
        if repeated is not None:
            return repeated
    today = to_local(now).date()
    opinion = Opinion(
        number=_unique_number(), station=station, township_id=station.township_id, channel=channel,
        category=category, content=content, constituent_name=name, phone=phone, received_at=now,
        received_on=today, received_month=month_key(today), recorded_by=by, deputy=deputy,
        status=Status.received, checkin=checkin, phone_consented_at=now if phone else None)
    db.session.add(opinion)
    _add_event(opinion, EventKind.received, by=by, note=_stored(channel.label))
    if photo is not None and photo[0] is not None:
        store_photo(opinion, *photo)
    if by is not None and by.has_role(*STAFF_ROLES):
        _register(opinion, by)
    if on_spot_reply:
        _reply(opinion, on_spot_reply, by, Handling.on_spot, EventKind.answered_on_spot)
    try:
        db.session.flush()
    except IntegrityError:
        raise InvalidInput(_l("提交时出现冲突，请再提交一次。")) from None
    _audit("opinion.received", opinion, f"{opinion.number} {channel.value} {mask_mobile(phone)}".strip())
    if on_spot_reply:
        _tell_answered(opinion)
    else:
        tell_constituent(opinion, "registered")
    return opinion


# --- 签退: the reception record, one opinion per matter ------------------------------------------------

#: The most matters one 签退 records (more is a meeting, recorded by staff on the 接待登记 page).
MATTERS_MAX_LINES = 20


@dataclass(frozen=True)
class Matter:
    """One line of the reception record as the deputy typed it."""

    category: Category | None = None
    content: str = ""
    name: str = ""
    phone: str = ""
    #: The constituent agreed to leave the number (for the SMS about the lookup number and a call back).
    phone_consent: bool = False

    @property
    def blank(self):
        return not (self.category or (self.content or "").strip() or (self.name or "").strip()
                    or (self.phone or "").strip())


def check_out_with_reception(checkin, user, constituents_received=None, matters=()):
    """签退 with the reception record: the check-out, and each matter raised as its own opinion (rule R33).

    One transaction: the check-out and every opinion, or nothing (a refused line names its field,
    ``matters-<i>-<field>``). Each matter goes through ``receive_opinion`` like any reception record,
    so it gets its lookup number and whatever follows an opinion's intake. A phone number is kept only
    when the constituent agreed (the box is unticked by default); a number typed without the tick is
    refused rather than silently dropped. A home's 签退 takes no reception record (matters there are
    recorded on the 接待登记 page). Returns the opinions, in the order typed.
    """
    lines = [(i, m) for i, m in enumerate(matters) if not m.blank]
    at_station = checkin.station_kind is StationKind.station
    if not at_station:
        lines = []
    if len(lines) > MATTERS_MAX_LINES:
        raise InvalidInput(_l("一次签退最多登记 %(n)s 条群众意见，更多的请在“接待登记”中录入。", n=MATTERS_MAX_LINES))
    if at_station and lines and constituents_received == 0:
        raise InvalidInput(_l("登记了 %(n)s 条群众意见，接待群众人数不能为 0。", n=len(lines)), "constituents_received")
    check_out(checkin, user, constituents_received)
    opinions = []
    for number, (i, matter) in enumerate(lines, start=1):
        prefix = f"matters-{i}-"
        if matter.category is None:
            raise InvalidInput(_l("第 %(n)s 条：请选择类别。", n=number), prefix + "category")
        if (matter.phone or "").strip() and not matter.phone_consent:
            raise InvalidInput(_l("第 %(n)s 条：留号码须经群众同意，请勾选“群众同意留下手机号码”，或删去号码。", n=number),
                               prefix + "phone_consent")
        try:
            opinion = receive_opinion(checkin.station, Channel.reception, matter.category, matter.content,
                                      name=matter.name, phone=matter.phone, by=user, deputy=user.deputy,
                                      checkin=checkin, phone_consent=matter.phone_consent)
        except InvalidInput as error:
            raise InvalidInput(_l("第 %(n)s 条：%(message)s", n=number, message=error.message),
                               prefix + (error.field or "content")) from None
        opinions.append(opinion)
    log.info("reception recorded at check-out: checkin=%s opinions=%s", checkin.id, len(opinions))
    return opinions


# --- handling -------------------------------------------------------------------------------------

def _require(opinion, allowed, version):
    """Refuse a step from a status it does not follow, or based on an older page."""
    if version is not None and str(version) != str(opinion.version):
        raise StaleOpinion()
    if opinion.status not in allowed:
        raise InvalidInput(_l("此意见当前状态为“%(status)s”，不能进行这项操作。", status=opinion.status.label))


def _register(opinion, by):
    """登记: accept into the queue (once)."""
    if opinion.registered_on is None:
        opinion.registered_on = local_today()
        opinion.registered_by = by
        _add_event(opinion, EventKind.registered, by=by)
    if opinion.status is Status.received:
        opinion.status = Status.registered


def _reply(opinion, text, by, handling, kind):
    opinion.reply = text
    opinion.replied_at = utcnow()
    opinion.replied_on = to_local(opinion.replied_at).date()
    opinion.replied_by = by
    opinion.handling = opinion.handling or handling
    opinion.status = Status.replied
    opinion.concluded_on = opinion.replied_on
    # A reply after a reopening is rated afresh: the verdict belongs to the latest reply (rule R30).
    opinion.satisfaction, opinion.satisfaction_comment, opinion.satisfaction_at = None, "", None
    _add_event(opinion, kind, by=by)


def _tell_answered(opinion):
    """The SMS of a reply: once per reply (the reply after each reopening is told again)."""
    tell_constituent(opinion, "answered", key_suffix=str(opinion.reopened_count or 0))


def _flush():
    try:
        db.session.flush()
    except StaleDataError:  # the optimistic lock: another request changed it first
        raise StaleOpinion() from None


#: Statuses waiting for staff to decide a step; a reopened opinion is one of them again (rule R30).
UNDECIDED = (Status.received, Status.registered, Status.reopened)


def register_opinion(opinion, by, version=None):
    """登记."""
    _require(opinion, (Status.received,), version)
    _register(opinion, by)
    _flush()
    _audit("opinion.registered", opinion)


def answer_on_spot(opinion, reply, by, version=None):
    """当场答复: staff answer it at once; the reply goes to the constituent."""
    _require(opinion, UNDECIDED, version)
    reply = _text(reply, REPLY_MAX, "reply", _l("答复内容"))
    _register(opinion, by)
    _reply(opinion, reply, by, Handling.on_spot, EventKind.answered_on_spot)
    _flush()
    _audit("opinion.replied", opinion)
    _tell_answered(opinion)


def _checked_due(due_on, required=True):
    if due_on is None:
        if required:
            raise InvalidInput(_l("请填写办理期限。"), "due_on")
        return None
    today = local_today()
    if due_on < today:
        raise InvalidInput(_l("办理期限不能早于今天（%(today)s）。", today=today.isoformat()), "due_on")
    if due_on > today + timedelta(days=DUE_MAX_DAYS):
        raise InvalidInput(_l("办理期限不能超过一年。"), "due_on")
    return due_on


def refer_opinion(opinion, department, due_on, by, note="", version=None):
    """转办: send it to a government department with a due date (again, to change either)."""
    _require(opinion, UNDECIDED + (Status.referred,), version)
    department = _text(department, DEPARTMENT_MAX, "department", _l("承办部门"))
    due_on = _checked_due(due_on)
    note = _optional_text(note, NOTE_MAX, "note", _l("转办说明"))
    _register(opinion, by)
    opinion.department, opinion.due_on = department, due_on
    opinion.referred_on = opinion.referred_on or local_today()
    opinion.handling, opinion.status = Handling.referral, Status.referred
    # A new due date is a new deadline: its overdue reminder may go out again.
    opinion.overdue_reminded_on = None
    _add_event(opinion, EventKind.referred, by=by,
               note=_stored(_l("承办部门：%(d)s；办理期限：%(due)s", d=department, due=due_on.isoformat())))
    if note:
        _add_event(opinion, EventKind.note, by=by, note=note, public=False)
    _flush()
    _audit("opinion.referred", opinion, f"{opinion.number} → {department} {due_on.isoformat()}")
    tell_constituent(opinion, "referred", key_suffix=due_on.isoformat())


def turn_into_suggestion(opinion, deputy, text, due_on, by, version=None):
    """转为建议: a deputy takes it up as a suggestion; ``due_on`` is optional."""
    _require(opinion, UNDECIDED, version)
    if deputy is None:
        raise InvalidInput(_l("请选择提出建议的代表。"), "deputy_id")
    text = _text(text, CONTENT_MAX, "text", _l("建议内容"))
    due_on = _checked_due(due_on, required=False)
    _register(opinion, by)
    opinion.suggestion_deputy, opinion.suggestion_text, opinion.due_on = deputy, text, due_on
    # 转 counts a suggestion as well as a referral, by the date it was passed on.
    opinion.referred_on = opinion.referred_on or local_today()
    opinion.handling, opinion.status = Handling.suggestion, Status.suggestion
    opinion.overdue_reminded_on = None
    _add_event(opinion, EventKind.suggestion, by=by, note=_stored(_l("由 %(name)s 代表提出建议", name=deputy.name)))
    _flush()
    _audit("opinion.suggestion", opinion, f"{opinion.number} deputy #{deputy.id}")
    tell_constituent(opinion, "suggestion")


def record_reply(opinion, reply, by, version=None):
    """答复: the answer (from the department, the deputy or staff) that the constituent will read."""
    _require(opinion, UNDECIDED + (Status.referred, Status.suggestion), version)
    reply = _text(reply, REPLY_MAX, "reply", _l("答复内容"))
    _register(opinion, by)
    _reply(opinion, reply, by, Handling.direct, EventKind.replied)
    _flush()
    _audit("opinion.replied", opinion)
    _tell_answered(opinion)


def close_without_contact(opinion, result, by, version=None):
    """办结（群众未留联系方式）: the constituent left no number, so nobody can call them back; the result
    is written where they can read it with their lookup number, and the opinion is closed (rule R30)."""
    _require(opinion, UNDECIDED + (Status.referred, Status.suggestion), version)
    if opinion.phone:
        raise InvalidInput(_l("群众留了联系电话：请答复并告知群众，不能按“未留联系方式”办结。"))
    result = _text(result, REPLY_MAX, "reply", _l("办理结果"))
    _register(opinion, by)
    _reply(opinion, result, by, Handling.direct, EventKind.closed_no_contact)
    _flush()
    _audit("opinion.closed_no_contact", opinion)


def _close(opinion, status, kind, note, by, version, action):
    _require(opinion, UNDECIDED, version)
    note = _text(note, NOTE_MAX, "note", _l("说明"))
    opinion.status, opinion.closing_note = status, note
    opinion.closed_at, opinion.closed_by = utcnow(), by
    opinion.concluded_on = to_local(opinion.closed_at).date()
    # The constituent sees that it moved on, not staff's reasons.
    _add_event(opinion, kind, by=by)
    _add_event(opinion, EventKind.note, by=by, note=note, public=False)
    _flush()
    _audit(action, opinion)


def hand_over_petition(opinion, note, by, version=None):
    """转信访: a petition belonging to the standing committee's 信访 work leaves the station's handling."""
    _close(opinion, Status.handed_over, EventKind.handed_over, note, by, version, "opinion.handed_over")


def reject_opinion(opinion, note, by, version=None):
    """不予受理: spam, abuse or nothing to handle."""
    _close(opinion, Status.rejected, EventKind.rejected, note, by, version, "opinion.rejected")


def record_phone_reveal(opinion):
    """Note that the signed-in staff member was shown the constituent's full phone number."""
    _audit("mobile.revealed", opinion, f"opinion {opinion.number} {mask_mobile(opinion.phone)}")


def rate_reply(opinion, satisfaction, comment=""):
    """The constituent's verdict on the reply: once, and only after a reply."""
    if opinion.satisfaction is not None:
        raise InvalidInput(_l("您已经评价过了，谢谢。"))
    if opinion.status is not Status.replied:
        raise InvalidInput(_l("收到答复后才能评价。"))
    if not isinstance(satisfaction, Satisfaction):
        raise InvalidInput(_l("请选择满意、基本满意或不满意。"), "satisfaction")
    comment = _optional_text(comment, COMMENT_MAX, "comment", _l("评价意见"))
    opinion.satisfaction, opinion.satisfaction_comment = satisfaction, comment
    opinion.satisfaction_at = utcnow()
    _add_event(opinion, EventKind.rated, note=_stored(satisfaction.label))
    if satisfaction is Satisfaction.unsatisfied:
        _reopen(opinion, comment)
    _flush()
    record_event("opinion.rated", target=opinion, detail=f"{opinion.number} {satisfaction.value}")
    if satisfaction is Satisfaction.unsatisfied:
        record_event("opinion.reopened", target=opinion, detail=opinion.number)


def _reopen(opinion, reason):
    """不满意 sends the opinion back to staff's queue with the constituent's reason (rule R30)."""
    opinion.status = Status.reopened
    opinion.concluded_on = None
    opinion.reopened_count = (opinion.reopened_count or 0) + 1
    opinion.reopened_on = to_local(opinion.satisfaction_at).date()
    opinion.reopen_reason = reason
    _add_event(opinion, EventKind.reopened)
    if reason:
        _add_event(opinion, EventKind.note, note=_stored(_l("群众不满意的原因：%(reason)s", reason=reason)),
                   public=False)
