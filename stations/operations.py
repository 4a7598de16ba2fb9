"""Writes on the network: create, edit, (de)activate and re-key homes and stations, with their opening hours.

Each function checks every rule before touching anything, flushes and logs ids only (never
coordinates); the caller commits once, or rolls back on ``InvalidInput``.
"""
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from liaison.audit.operations import record_event
from liaison.clock import utcnow
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import CheckinPolicy, OpeningHours, Station, StationKind, new_station_code
from stations import queries
from stations.models import VoidedCode

log = logging.getLogger(__name__)

NAME_MIN, NAME_MAX = 2, 80
ADDRESS_MIN, ADDRESS_MAX = 2, 200
DEFAULT_RADIUS_M = 200
RADIUS_MIN_M, RADIUS_MAX_M = 20, 5000
#: Stored precision of coordinates: six decimals is about 0.1 m.
COORDINATE_STEP = Decimal("0.000001")
#: A generous box around mainland China: anything outside is a typo or swapped fields.
CHINA_LATITUDE = (Decimal(18), Decimal(54))
CHINA_LONGITUDE = (Decimal(73), Decimal(135))
#: ``update_station``'s default for the check-in policy: leave it as it is.
KEEP = object()
#: Fresh codes tried before giving up; with 31**8 codes a single collision is already unlikely.
CODE_ATTEMPTS = 10


# --- opening hours (接待时间) ---------------------------------------------------------------

def opening_hours_from_ranges(weekdays, ranges):
    """Turn the phone form's input into opening-hours rows ``(weekday, opens, closes)``.

    ``weekdays`` are the ticked days (0 = Monday); ``ranges`` is a sequence of
    ``(field_prefix, label, opens, closes)``, e.g. ``("am", "上午", time(9), time(11, 30))``,
    each applied to every ticked day. Nothing ticked and nothing filled in means no fixed hours.
    """
    days = set()
    for day in weekdays or ():
        if not isinstance(day, int) or not 0 <= day <= 6:
            raise InvalidInput(_l("接待日无效，请重新勾选周一至周日中的日子。"), "weekdays")
        days.add(day)
    periods = []
    for prefix, label, opens, closes in ranges:
        if opens is None and closes is None:
            continue
        if opens is None:
            raise InvalidInput(_l("请填写%(period)s接待的开始时间（已填写结束时间）。", period=label),
                               f"{prefix}_opens")
        if closes is None:
            raise InvalidInput(_l("请填写%(period)s接待的结束时间（已填写开始时间）。", period=label),
                               f"{prefix}_closes")
        if closes <= opens:
            raise InvalidInput(_l("%(period)s接待的结束时间应晚于开始时间。", period=label), f"{prefix}_closes")
        for _prefix, other_label, other_opens, other_closes in periods:
            if opens < other_closes and other_opens < closes:
                raise InvalidInput(_l("%(first)s和%(second)s的接待时间有重叠，请调整。",
                                      first=other_label, second=label), f"{prefix}_opens")
        periods.append((prefix, label, opens, closes))
    if periods and not days:
        raise InvalidInput(_l("已填写接待时间，请至少勾选一个接待日。"), "weekdays")
    if days and not periods:
        first_prefix = ranges[0][0] if ranges else "weekdays"
        raise InvalidInput(_l("已勾选接待日，请填写接待时间（至少一个时段的开始和结束）。"),
                           f"{first_prefix}_opens")
    return sorted((day, opens, closes) for day in days for _prefix, _label, opens, closes in periods)


def _check_opening_hours(rows):
    """Every row on a real weekday, ending after it starts, not overlapping another that day."""
    by_day = {}
    for day, opens, closes in rows:
        if not isinstance(day, int) or not 0 <= day <= 6:
            raise InvalidInput(_l("接待日无效，请重新勾选周一至周日中的日子。"), "weekdays")
        if opens is None or closes is None or closes <= opens:
            raise InvalidInput(_l("接待时间的结束时间应晚于开始时间。"), "weekdays")
        for other_opens, other_closes in by_day.get(day, ()):
            if opens < other_closes and other_opens < closes:
                raise InvalidInput(_l("同一天的接待时间段有重叠，请调整。"), "weekdays")
        by_day.setdefault(day, []).append((opens, closes))
    return sorted(rows)


def _replace_opening_hours(station, rows):
    """Make the station's opening hours exactly ``rows``, leaving them alone when unchanged."""
    current = sorted((h.weekday, h.opens, h.closes) for h in station.opening_hours)
    if current == list(rows):
        return
    if station.opening_hours:
        station.opening_hours.clear()
        # Delete the old rows before inserting new ones: (station, weekday, opens) is unique.
        db.session.flush()
    for day, opens, closes in rows:
        station.opening_hours.append(OpeningHours(weekday=day, opens=opens, closes=closes))


# --- field rules ----------------------------------------------------------------------------

def _coordinate(value, field):
    """Return the value as a Decimal rounded to six places (or None); refuse anything else."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise InvalidInput(_l("坐标应为数字，例如 30.274085。"), field) from None
    if not number.is_finite():
        raise InvalidInput(_l("坐标应为数字，例如 30.274085。"), field)
    return number


def _check_coordinates(latitude, longitude):
    """Both or neither; on the globe; and inside China, with a hint when they look swapped."""
    latitude = _coordinate(latitude, "latitude")
    longitude = _coordinate(longitude, "longitude")
    if latitude is None and longitude is None:
        return None, None
    if latitude is None:
        raise InvalidInput(_l("已填写经度，请同时填写纬度；不知道坐标时两项都留空。"), "latitude")
    if longitude is None:
        raise InvalidInput(_l("已填写纬度，请同时填写经度；不知道坐标时两项都留空。"), "longitude")
    in_lat = CHINA_LATITUDE[0] <= latitude <= CHINA_LATITUDE[1]
    in_lon = CHINA_LONGITUDE[0] <= longitude <= CHINA_LONGITUDE[1]
    if not (in_lat and in_lon) and (CHINA_LATITUDE[0] <= longitude <= CHINA_LATITUDE[1]
                                    and CHINA_LONGITUDE[0] <= latitude <= CHINA_LONGITUDE[1]):
        raise InvalidInput(_l("纬度和经度似乎填反了：在中国，纬度约为 18 到 54，经度约为 73 到 135。"),
                           "latitude")
    if not Decimal(-90) <= latitude <= Decimal(90):
        raise InvalidInput(_l("纬度应在 -90 到 90 之间。"), "latitude")
    if not Decimal(-180) <= longitude <= Decimal(180):
        raise InvalidInput(_l("经度应在 -180 到 180 之间。"), "longitude")
    if not in_lat:
        raise InvalidInput(_l("纬度 %(value)s 不在中国境内（约 18 到 54），请核对家站入口的坐标。",
                              value=latitude), "latitude")
    if not in_lon:
        raise InvalidInput(_l("经度 %(value)s 不在中国境内（约 73 到 135），请核对家站入口的坐标。",
                              value=longitude), "longitude")
    return latitude, longitude


def _checked_values(station, kind, name, township, address, electoral_district, latitude, longitude,
                    radius_m, opening_hours, checkin_policy):
    """Check every field rule shared by create and edit; return the cleaned values."""
    if not isinstance(kind, StationKind):
        raise InvalidInput(_l("请选择类型：代表之家或代表联络站。"), "kind")
    if township is None:
        raise InvalidInput(_l("请选择所属乡镇（街道）。"), "township_id")
    name = (name or "").strip()
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidInput(_l("名称应为 %(min)s 到 %(max)s 个字（现在是 %(n)s 个）。",
                              min=NAME_MIN, max=NAME_MAX, n=len(name)), "name")
    if queries.name_taken(township.id, name, except_id=station.id if station else None):
        raise InvalidInput(_l("%(township)s已有名为“%(name)s”的家站，请换一个名称。",
                              township=township.name, name=name), "name")
    if kind is StationKind.station:
        if electoral_district is None:
            raise InvalidInput(_l("代表联络站必须选择所服务的选区。"), "electoral_district_id")
        if electoral_district.township_id != township.id:
            raise InvalidInput(_l("所选选区“%(district)s”属于%(other)s，不属于%(township)s；请选择本乡镇（街道）的选区。",
                                  district=electoral_district.name, other=electoral_district.township.name,
                                  township=township.name), "electoral_district_id")
    elif electoral_district is not None:
        raise InvalidInput(_l("代表之家服务整个乡镇（街道），不设选区，请把选区留空。"), "electoral_district_id")
    address = (address or "").strip()
    if not address:
        raise InvalidInput(_l("请填写地址，方便代表和选民找到这里。"), "address")
    if not ADDRESS_MIN <= len(address) <= ADDRESS_MAX:
        raise InvalidInput(_l("地址应为 %(min)s 到 %(max)s 个字。", min=ADDRESS_MIN, max=ADDRESS_MAX), "address")
    latitude, longitude = _check_coordinates(latitude, longitude)
    if radius_m is None:
        raise InvalidInput(_l("请填写签到范围半径（米），一般为 200。"), "radius_m")
    if not isinstance(radius_m, int) or not RADIUS_MIN_M <= radius_m <= RADIUS_MAX_M:
        raise InvalidInput(_l("签到范围半径应在 %(min)s 到 %(max)s 米之间。",
                              min=RADIUS_MIN_M, max=RADIUS_MAX_M), "radius_m")
    if not isinstance(checkin_policy, CheckinPolicy):
        raise InvalidInput(_l("请选择签到核实方式：扫码屏和扫海报的签到哪些即时有效、哪些需工作人员核实。"),
                           "checkin_policy")
    rows = _check_opening_hours(list(opening_hours or ()))
    return dict(kind=kind, name=name, township=township, address=address,
                electoral_district=electoral_district, latitude=latitude, longitude=longitude,
                radius_m=radius_m, checkin_policy=checkin_policy), rows


def _refuse_deactivation_in_use(station):
    """Deactivating keeps history, but deputies relying on the station must move first."""
    relying = queries.count_deputies_relying_on(station.id)
    if relying:
        raise InvalidInput(
            _l("有 %(n)s 名代表的代表资格（在任或即将开始）仍以“%(name)s”为本人的%(kind)s，"
               "请先把他们调整到其他家站，再停用。", n=relying, name=station.name, kind=station.kind.label),
            "active")


# --- operations -----------------------------------------------------------------------------

def create_station(kind, name, township, address, electoral_district=None, latitude=None, longitude=None,
                   radius_m=DEFAULT_RADIUS_M, open_on_holidays=False, active=True, opening_hours=(),
                   checkin_policy=CheckinPolicy.fence):
    """Add a 代表之家 or 代表联络站 with its opening hours ``[(weekday, opens, closes), ...]``."""
    values, rows = _checked_values(None, kind, name, township, address, electoral_district,
                                   latitude, longitude, radius_m, opening_hours, checkin_policy)
    station = Station(open_on_holidays=bool(open_on_holidays), active=bool(active), code=_unused_code(),
                      **values)
    for day, opens, closes in rows:
        station.opening_hours.append(OpeningHours(weekday=day, opens=opens, closes=closes))
    db.session.add(station)
    db.session.flush()
    log.info("station created: station=%s township=%s kind=%s hours=%s",
             station.id, station.township_id, station.kind.value, len(rows))
    record_event("station.created", target=station, detail=_audit_detail(station))
    return station


def _audit_detail(station):
    """What decides where a check-in counts, for the audit trail; never the coordinates themselves."""
    return (f"{station.name} {station.kind.value} active={int(station.active)} "
            f"policy={station.checkin_policy.value} radius_m={station.radius_m} "
            f"hours={len(station.opening_hours)}")


def update_station(station, kind, name, township, address, electoral_district=None, latitude=None,
                   longitude=None, radius_m=DEFAULT_RADIUS_M, open_on_holidays=False, active=True,
                   opening_hours=(), checkin_policy=KEEP):
    """Edit a station; its opening hours are replaced by ``opening_hours``."""
    if checkin_policy is KEEP:
        checkin_policy = station.checkin_policy
    values, rows = _checked_values(station, kind, name, township, address, electoral_district,
                                   latitude, longitude, radius_m, opening_hours, checkin_policy)
    kind_changed = values["kind"] is not station.kind
    township_changed = values["township"].id != station.township_id
    if kind_changed or township_changed:
        # Mandates of any term point at it as a home or a station; moving or retyping it would
        # silently rewrite their history (季回家 at a "station", a home in another township).
        in_use = queries.count_mandates_naming(station.id)
        if in_use:
            raise InvalidInput(
                _l("有 %(n)s 项代表资格以“%(name)s”为本人的家站，不能更改%(what)s；"
                   "如确需更改，请先把这些代表调整到其他家站。", n=in_use, name=station.name,
                   what=_l("类型") if kind_changed else _l("所属乡镇（街道）")),
                "kind" if kind_changed else "township_id")
    if station.active and not active:
        _refuse_deactivation_in_use(station)
    for key, value in values.items():
        setattr(station, key, value)
    station.open_on_holidays = bool(open_on_holidays)
    station.active = bool(active)
    _replace_opening_hours(station, rows)
    db.session.flush()
    log.info("station updated: station=%s township=%s kind=%s active=%s hours=%s policy=%s",
             station.id, station.township_id, station.kind.value, station.active, len(rows),
             station.checkin_policy.value)
    record_event("station.updated", target=station, detail=_audit_detail(station))
    return station


def set_station_active(station, active):
    """Switch a station on or off; an inactive one keeps its history but takes no new check-ins."""
    active = bool(active)
    if station.active == active:
        return station
    if not active:
        _refuse_deactivation_in_use(station)
    station.active = active
    db.session.flush()
    log.info("station %s: station=%s", "activated" if active else "deactivated", station.id)
    record_event("station.activated" if active else "station.deactivated", target=station, detail=station.name)
    return station


def _unused_code():
    """A new station code that no station uses and no re-key has voided.

    A voided code must never come back: an old poster of one station would then check
    deputies in at another. The unique constraint on ``stations.code`` remains the last guard.
    """
    for _attempt in range(CODE_ATTEMPTS):
        code = new_station_code()
        taken = db.session.scalar(sa.select(Station.id).where(Station.code == code).limit(1))
        if taken is None and db.session.get(VoidedCode, code) is None:
            return code
    raise RuntimeError(f"no unused station code after {CODE_ATTEMPTS} attempts")


def rekey_station(station, by=None):
    """Give the station a new QR code: every poster printed before, and every kiosk token, stops working.

    The old code is kept as voided, so scanning an old poster says "此二维码已作废" instead of
    "not found"; ``key_version`` goes up, which kiosk tokens carry.
    """
    db.session.add(VoidedCode(code=station.code, station_id=station.id, voided_at=utcnow(),
                              voided_by_id=by.id if by is not None else None))
    station.code = _unused_code()
    station.key_version += 1
    record_event("station.rekeyed", target=station, actor=by, detail=f"key_version={station.key_version}")
    db.session.flush()
    log.info("station re-keyed: station=%s key_version=%s by=%s",
             station.id, station.key_version, by.id if by is not None else None)
    return station
