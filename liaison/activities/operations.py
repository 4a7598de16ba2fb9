"""Writes on activities: create one at a home and tell the invited."""
import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l

from liaison.activities.models import Activity, ActivityInvitation, ActivityType
from liaison.activities.queries import local_instant
from liaison.clock import day_label, times_label, utcnow
from liaison.deputies.operations import refuse_stranger
from liaison.deputies.queries import deputies_in_force
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import StationKind
from liaison.notifications.operations import notify_deputy
from stations.checkin.operations import REASON_MAX, back_enter_checkins

log = logging.getLogger(__name__)

TITLE_MAX = 100


def create_activity(station, local_date, starts, ends, activity_type, title, invited=(), created_by=None,
                    notify=True):
    """Create a collective activity (季回家) at a home and invite deputies; the invited are told
    (unless ``notify`` is False, for the demo seed)."""
    if station is None or station.kind is not StationKind.home:
        raise InvalidInput(_l("请选择一个代表之家。"), "station_id")
    if not station.active:
        raise InvalidInput(_l("%(station)s 已停用。", station=station.name), "station_id")
    if local_date is None:
        raise InvalidInput(_l("请填写日期，格式如 2026-10-14。"), "local_date")
    if starts is None:
        raise InvalidInput(_l("请填写开始时间，如 14:30。"), "starts")
    if ends is None:
        raise InvalidInput(_l("请填写结束时间，如 16:30。"), "ends")
    if ends <= starts:
        raise InvalidInput(_l("结束时间应晚于开始时间。"), "ends")
    if not isinstance(activity_type, ActivityType):
        raise InvalidInput(_l("请选择活动类型。"), "type")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_l("请填写活动名称，如 学习新修订的代表法。"), "title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_l("活动名称最多 %(n)s 个字。", n=TITLE_MAX), "title")
    invited = list(dict.fromkeys(invited))
    allowed = {d.id for d in deputies_in_force(station.township_id, local_date)}
    stray = [d for d in invited if d.id not in allowed]
    for deputy in stray:
        refuse_stranger(deputy, station.township_id, "invited")
    if stray:
        raise InvalidInput(_l("%(names)s 在 %(day)s 不是%(township)s的在任代表，不能邀请。",
                              names="、".join(d.name for d in stray), day=day_label(local_date),
                              township=station.township.name), "invited")
    activity = Activity(station=station, local_date=local_date, starts=starts, ends=ends, type=activity_type,
                        title=title, created_by=created_by,
                        invitations=[ActivityInvitation(deputy=d) for d in invited])
    db.session.add(activity)
    db.session.flush()
    if notify:
        notify_invited(activity, invited)
    log.info("activity created: activity=%s station=%s invited=%s", activity.id, station.id, len(invited))
    return activity


def notify_invited(activity, deputies):
    """Tell invited deputies where and when the activity is; once per deputy and activity."""
    station = activity.station
    for deputy in deputies:
        notify_deputy(
            deputy, _l("活动邀请：%(title)s", title=activity.title),
            _l("请于 %(day)s%(times)s 到 %(station)s（%(address)s）参加%(type)s活动“%(title)s”。到达后请扫描二维码签到。",
               day=day_label(activity.local_date), times=times_label(activity.starts, activity.ends),
               station=station.name, address=station.address, type=activity.type.label, title=activity.title),
            "activity_invited", f"activity_invited:{activity.id}")


def record_attendance(activity, deputies, by):
    """Attendance from the paper sign-in sheet (rule R26): each ticked deputy gets one 补登 check-in
    at the activity's home at its start time, with the sheet as the reason, all saved at once (or
    none, with every deputy who cannot be entered named). Returns the check-ins."""
    if local_instant(activity.local_date, activity.starts) > utcnow():
        raise InvalidInput(_l("活动还没有开始，不能登记出席。"), "deputy_ids")
    reason = str(_l("活动纸质签到表：%(title)s", title=activity.title))[:REASON_MAX]
    checkins = back_enter_checkins(activity.station, deputies,
                                   datetime.combine(activity.local_date, activity.starts), reason, by)
    log.info("activity attendance recorded: activity=%s count=%s", activity.id, len(checkins))
    return checkins
