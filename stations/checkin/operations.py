"""Writes on check-ins: record a scan (the deputy's, or a station's device reading the deputy's code) or
refuse it, 签退, 补登 and staff review. Each flushes and logs; the view commits once.

What counts at once (docs/rules.md, rule R3):

- A kiosk scan counts at once (its signed token expires within a minute and makes one check-in in
  total, so a forwarded code counts for one person at most), unless the station's policy is
  ``staff_confirms``, or the phone shared a location precise enough to place it outside the fence:
  then it is pending (``outside_fence``). A phone that shares nothing, or only a coarse fix, is
  not held: the screen's code is the proof, the location can only add doubt.
- A poster scan counts at once only under the ``fence`` policy, when the phone shared its location,
  the station has coordinates, the fix is precise enough and it lies inside the fence. Otherwise it
  is pending (待核实) with the reason. A photo of a poster forwarded to a chat group never counts on
  its own: the phone at home is outside the fence, or shares nothing. Under the ``kiosk_only`` and
  ``staff_confirms`` policies staff decide every poster scan, so the page does not ask for location.
- Fence rule, decided here: the fix is precise enough when its reported accuracy is at most
  ``max(radius_m, 100 m)`` (a phone indoors typically reports 10–65 m; a cell-tower fix of several
  hundred metres cannot tell inside from outside). It is inside when the distance from the
  station's point is at most ``radius_m + min(accuracy, 50 m)``: the margin forgives GPS jitter at
  the edge, and its cap keeps a coarse fix from stretching the fence.
- A deputy's personal code read by a station's device in staff hands (扫代表码, ``record_code_scan``)
  counts at once whatever the station's policy (a staff member of the township saw the deputy's
  phone), at the device's scan time, unless that time is too old or in the future (rules R36–R38).
- A doubt holds whatever else applies: when the deputy's previous check-in (any station, not
  rejected) was so recent that travelling between the two stations' points would need more than
  120 km/h, the new scan is pending, even from a kiosk. Places closer than 500 m (a home and a
  station sharing a compound) never raise the doubt. The reason stored and told to the deputy is
  the one about this scan when there is one (no location, outside the fence, a coarse fix):
  a deputy who shared no location is told so, not about a journey; the travel doubt is then kept
  beside it (``travel_doubt``) and staff see both (rule R32). A scan locks its deputy's
  row before reading the previous check-in, so two scans sent at the same instant are decided one
  after the other and the second sees the first.

The phone's coordinates are used for the fence test and dropped: only ``inside_fence`` and the
accuracy in whole metres are stored, and neither coordinates nor accuracy are ever logged.
"""
import logging
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, make_transient_to_detached

from liaison.accounts.access import STAFF_ROLES, visible_township_ids
from liaison.accounts.models import Role
from liaison.audit.operations import record_event
from liaison.clock import local_zone, to_local, utcnow
from liaison.deputies.models import Deputy, Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.transaction import after_rollback, insert_unless_taken
from liaison.notifications.operations import notify_deputy
from liaison.network.models import CheckinPolicy, Station, StationKind
from stations.checkin.models import (COUNTED, Checkin, FailedScan, KioskCodeUse, Method, PendingReason,
                                     RejectReason, Status)
from stations.checkin.queries import period_keys
from stations.tokens import ScanRefused, check_deputy_code, check_kiosk_token, station_for_code

log = logging.getLogger(__name__)

#: A client nonce: what ``secrets.token_urlsafe(16)`` makes (22 characters), within sane bounds.
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: The loosest accuracy a fix may report and still decide the fence (see the module docstring).
MIN_ACCURACY_LIMIT_M = 100
#: The most the reported accuracy may widen the fence at its edge.
EDGE_MARGIN_CAP_M = 50
#: Faster than this between two stations' points is a doubt (a car on an expressway, at most).
MAX_TRAVEL_KMH = 120
#: Places this close are never a doubt, however short the time between the scans.
TRAVEL_FLOOR_M = 500
EARTH_RADIUS_M = 6_371_008.8
MAX_CONSTITUENTS = 500
MATTERS_MAX = 2000
REASON_MIN, REASON_MAX = 2, 200
NOTE_MAX = 200

#: The short list staff choose a rejection's reason from (rule R23); "other" asks for the words.
REJECTION_REASONS = (
    ("not_on_site", _l("不在站点现场（定位不在范围内）")),
    ("no_record", _l("纸质签到簿或现场无此记录")),
    ("wrong_time", _l("签到时间不是接待或活动时间")),
    ("duplicate", _l("重复签到或代他人签到")),
    ("other", _l("其他（请在说明中写明）")),
)


@dataclass(frozen=True)
class Location:
    """Where the phone said it was: used for the fence test, then dropped (never stored or logged)."""

    latitude: float = field(repr=False)
    longitude: float = field(repr=False)
    #: Radius in metres of the phone's 68% confidence circle, as the browser reports it.
    accuracy_m: float = field(repr=False)

    @classmethod
    def parse(cls, latitude, longitude, accuracy):
        """A location from the page's hidden fields, or None when absent or not believable."""
        try:
            values = [float(v) for v in (latitude, longitude, accuracy)]
        except (TypeError, ValueError):
            return None
        lat, lon, acc = values
        if not all(math.isfinite(v) for v in values):
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < acc < 1_000_000):
            return None
        return cls(lat, lon, acc)


def distance_m(lat1, lon1, lat2, lon2):
    """Great-circle (haversine) distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def judge_location(station, location):
    """Decide the fence for a scan: ``(inside_fence, accuracy_m, pending reason or None)``."""
    if station.latitude is None or station.longitude is None:
        # Nothing to compare with; the page did not ask the phone either.
        return None, None, PendingReason.no_fence
    if location is None:
        return None, None, PendingReason.no_location
    accuracy = max(1, math.ceil(location.accuracy_m))
    distance = distance_m(float(station.latitude), float(station.longitude),
                          location.latitude, location.longitude)
    inside = distance <= station.radius_m + min(accuracy, EDGE_MARGIN_CAP_M)
    if accuracy > max(station.radius_m, MIN_ACCURACY_LIMIT_M):
        return inside, accuracy, PendingReason.low_accuracy
    if not inside:
        return False, accuracy, PendingReason.outside_fence
    return True, accuracy, None


def _check_nonce(nonce):
    """Return the nonce, or refuse a missing or malformed one (the page always sends a good one)."""
    nonce = (nonce or "").strip()
    if not NONCE_PATTERN.fullmatch(nonce):
        raise InvalidInput(_l("签到页面不完整（缺少校验码），请重新扫码打开签到页面后再点“签到”。"), "nonce")
    return nonce


def _existing(deputy_id, nonce):
    """The check-in already saved for this deputy and nonce, if any."""
    return db.session.scalar(
        sa.select(Checkin).where(Checkin.deputy_id == deputy_id, Checkin.client_nonce == nonce))


def serving_mandates(deputy, day):
    """The deputy's mandates in force and not suspended on that local date."""
    return _serving(deputy.mandates, day)


def _serving(mandates, day):
    return [m for m in mandates if m.held_on(day) and not m.suspended_on(day)]


def _serving_mandates_of(deputy_id, day):
    """``serving_mandates`` in one statement: the mandates, their terms and suspensions, no Deputy row."""
    mandates = db.session.scalars(_MANDATES_OF_DEPUTY, {"deputy_id": deputy_id}).unique().all()
    return _serving(mandates, day)


# The statements every scan runs, built once: building a statement and its cache key costs about
# as much as running it on this path.
_MANDATES_OF_DEPUTY = (sa.select(Mandate).where(Mandate.deputy_id == sa.bindparam("deputy_id"))
                       .options(joinedload(Mandate.term), joinedload(Mandate.suspensions)))
_PREVIOUS_CHECKIN = (
    sa.select(Checkin.occurred_at, Station.id, Station.latitude, Station.longitude)
    .join(Station, Station.id == Checkin.station_id)
    .where(Checkin.deputy_id == sa.bindparam("deputy_id"), Checkin.status != Status.rejected,
           Checkin.occurred_at <= sa.bindparam("now", type_=Checkin.occurred_at.type))
    .order_by(Checkin.occurred_at.desc(), Checkin.id.desc())
    .limit(1))


def _away_from_own(station, mandates):
    """True when the place is not the deputy's own station (for 站) or own home (for 家)."""
    if station.kind is StationKind.station:
        own = {m.station_id for m in mandates}
    else:
        own = {m.home_id for m in mandates}
    return station.id not in own


def _implausible_travel(deputy_id, station, now):
    """True when the previous check-in's place is too far away to have come from in the time since."""
    if station.latitude is None or station.longitude is None:
        return False
    previous = db.session.connection().execute(_PREVIOUS_CHECKIN, {"deputy_id": deputy_id, "now": now}).first()
    if previous is None or previous.id == station.id or previous.latitude is None:
        return False
    distance = distance_m(float(previous.latitude), float(previous.longitude),
                          float(station.latitude), float(station.longitude))
    if distance < TRAVEL_FLOOR_M:
        return False
    seconds = (now - previous.occurred_at).total_seconds()
    return seconds <= 0 or distance / seconds * 3.6 > MAX_TRAVEL_KMH


def _with_travel_doubt(reason, deputy_id, station, at):
    """(the reason to store, the travel doubt) for a scan whose own reason is ``reason`` (rule R32):
    the reason about the scan itself stays; the travel doubt is the stored reason only when there
    is none, and is kept beside it otherwise."""
    doubt = _implausible_travel(deputy_id, station, at)
    return (PendingReason.implausible_travel if doubt and reason is None else reason), doubt


def _decide(station, method, location):
    """Status, pending reason, inside_fence and accuracy for a scan, by method and station policy."""
    if method is Method.kiosk:
        if station.checkin_policy is CheckinPolicy.staff_confirms:
            return PendingReason.station_policy, None, None
        if location is None or station.latitude is None or station.longitude is None:
            # The screen's single-use code stands on its own; the page asked, the phone shared nothing.
            return None, None, None
        inside, accuracy, fence_reason = judge_location(station, location)
        # A precise fix away from the station doubts the code (a forwarded photo); a coarse one cannot.
        return (fence_reason if fence_reason is PendingReason.outside_fence else None), inside, accuracy
    if station.checkin_policy is not CheckinPolicy.fence:
        # Staff decide every poster scan here; the page does not ask where the phone is.
        return PendingReason.station_policy, None, None
    inside, accuracy, fence_reason = judge_location(station, location)
    return fence_reason, inside, accuracy


def record_checkin(user, code, nonce, token=None, location=None, noted_code=None, station=None):
    """Record a deputy's scan at a station and return the check-in (status accepted or pending).

    ``noted_code`` is the kiosk code this browser scanned while signed out (see
    ``stations.tokens.remember_kiosk_scan``): its token may have expired during sign-in.

    Raises ``ScanRefused`` (the caller stores it with ``record_failed_scan``) or ``InvalidInput``
    for a missing nonce. A retry with the same nonce returns the check-in already saved, even when
    the kiosk token has expired since: the unique key (deputy_id, client_nonce) makes it one row.
    A kiosk code makes one check-in in total: saved with it as a ``KioskCodeUse``, whose key lets
    one of two concurrent uses through; the deputy who used it gets that check-in back, anyone else
    is refused (``used_token``). ``station`` is the station the caller already found for ``code``.
    """
    nonce = _check_nonce(nonce)
    # Only the id is needed: loading the Deputy row would cost a statement on every scan.
    deputy_id = user.deputy_id if user.has_role(Role.deputy) else None
    try:
        station = station or station_for_code(code)
        checkin, kiosk_code = _new_checkin(deputy_id, station, nonce, token, location, noted_code)
    except ScanRefused:
        # A retry of a scan already saved (its kiosk token may have expired since) names that row.
        # Looked up only here: on a first scan the unique key below finds a retry for free.
        saved = _existing(deputy_id, nonce) if deputy_id is not None else None
        if saved is None:
            raise
        log.info("checkin retry: checkin=%s deputy=%s", saved.id, deputy_id)
        return saved
    return _save_checkin(checkin, station, kiosk_code)


def _save_checkin(checkin, station, kiosk_code=None):
    """Add a new check-in (and its kiosk code's use); a retry joins the row already saved.

    A retry, or a parallel request with the same nonce, meets the unique key (deputy, nonce): this
    one then returns the row already saved instead of failing. A kiosk code used a moment ago by
    someone else meets the key of kiosk_code_uses the same way: the new row is taken back and the
    scan refused, unless the code's check-in is the deputy's own (a second tap).
    """
    deputy_id, nonce = checkin.deputy_id, checkin.client_nonce
    values = {column.key: getattr(checkin, column.key) for column in _CHECKIN_COLUMNS if column.key in checkin.__dict__}
    checkin_id = insert_unless_taken(Checkin, values, ["deputy_id", "client_nonce"], "id")
    if checkin_id is None:
        saved = _existing(deputy_id, nonce)
        if saved is None:
            raise RuntimeError(f"check-in key (deputy {deputy_id}, nonce) taken, but no such row is visible")
        log.info("checkin retry joined: checkin=%s deputy=%s", saved.id, deputy_id)
        return saved
    if kiosk_code is not None:
        used = insert_unless_taken(KioskCodeUse, {"nonce": kiosk_code, "checkin_id": checkin_id,
                                                  "used_at": checkin.occurred_at}, ["nonce"], "nonce")
        if used is None:
            db.session.execute(sa.delete(Checkin).where(Checkin.id == checkin_id))
            saved = _own_use(kiosk_code, deputy_id)
            if saved is None:
                raise ScanRefused(RejectReason.used_token, station)
            log.info("checkin retry joined: checkin=%s deputy=%s", saved.id, deputy_id)
            return saved
    # The row is in the database: the object becomes its persistent copy in the session, so the
    # caller reads it (and its relationships) without a statement of its own.
    checkin.id = checkin_id
    make_transient_to_detached(checkin)
    db.session.add(checkin)
    # A flushed new object leaves the session when its transaction rolls back; this one was added
    # as already persistent, so it is taken out by hand (else it would name a row that is gone,
    # and SQLite, which reuses the id, would refuse the next check-in's object in this session).
    after_rollback(lambda: checkin in db.session and db.session.expunge(checkin))
    log.info("checkin recorded: checkin=%s deputy=%s station=%s method=%s status=%s reason=%s",
             checkin.id, deputy_id, station.id, checkin.method.value, checkin.status.value,
             checkin.pending_reason.value if checkin.pending_reason else "")
    return checkin


#: The columns a new check-in's INSERT may carry (the id comes from the database).
_CHECKIN_COLUMNS = [column for column in Checkin.__table__.columns if column.key != "id"]


#: A scan time this far ahead of the server's clock is still "now": device clocks drift a little.
SCAN_CLOCK_SKEW_SECONDS = 120


@dataclass(frozen=True)
class CodeScan:
    """What a station's device in scan mode gets back for one deputy's code (rules R36–R38)."""

    checkin: Checkin
    #: True when the deputy already had a check-in at this station on that day (no new row).
    already: bool


def record_code_scan(witness, station, deputy_code, nonce, scanned_at):
    """扫代表码: the station's device, held by ``witness``, read a deputy's personal code at ``scanned_at``.

    The same check-in as a deputy's own scan (one row per deputy and nonce, the deputy's row lock,
    their mandates on the day, the travel doubt), recorded with ``Method.deputy_code``:

    - the code must name the deputy for the local date of the scan time (rule R36), else
      ``ScanRefused`` (an earlier day's code is expired); the witness may not scan their own code;
    - the scan counts at its scan time (an offline device sends it later), unless that time is
      older than ``LIAISON_SCAN_MAX_AGE_HOURS`` or ahead of the server's clock: then it waits for
      staff (待核实), recorded at the scan time, or at the receive time when the scan time lies in
      the future — never back-dated silently (rule R37);
    - a deputy with a check-in at this station on that day that counts, or a code scan there still
      pending, gets it back with ``already`` set, never a second row; a replay of the same nonce (an
      upload sent twice) gets its own row back (rule R38).

    ``scanned_at`` is an aware UTC datetime. Raises ``InvalidInput`` for a malformed nonce.
    """
    _check_staff_scope(witness, station.township_id, "station_id")
    nonce = _check_nonce(nonce)
    received = utcnow()
    if not isinstance(scanned_at, datetime) or scanned_at.tzinfo is None:
        raise InvalidInput(_l("扫码时间无效，请重新扫码。"), "scanned_at")
    if not station.active:
        raise ScanRefused(RejectReason.inactive_station, station)
    too_old = received - scanned_at > timedelta(hours=current_app.config["LIAISON_SCAN_MAX_AGE_HOURS"])
    in_future = scanned_at - received > timedelta(seconds=SCAN_CLOCK_SKEW_SECONDS)
    occurred_at = received if in_future else min(scanned_at, received)
    local_date, month_key, quarter_key = period_keys(occurred_at)
    try:
        # Valid at the scan time: an offline scan of yesterday's code made yesterday still counts.
        deputy_id = check_deputy_code(deputy_code, period_keys(scanned_at)[0])
    except ScanRefused as refused:
        refused.station = station
        raise
    if witness.deputy_id is not None and witness.deputy_id == deputy_id:
        raise ScanRefused(RejectReason.own_code, station)
    replay = _existing(deputy_id, nonce)
    if replay is not None:
        log.info("code scan replay: checkin=%s deputy=%s", replay.id, deputy_id)
        # The same scan sent again (its answer was lost on the way back): the same row, as first answered.
        return CodeScan(replay, already=False)
    lock_deputy(deputy_id)
    # A pending scan of another kind (a poster without location) does not stand in the way: the code,
    # read by staff, is the better proof and counts; the pending one stays for staff to decide.
    same_day = db.session.scalar(
        sa.select(Checkin).where(Checkin.deputy_id == deputy_id, Checkin.station_id == station.id,
                                 Checkin.local_date == local_date,
                                 sa.or_(Checkin.status.in_(COUNTED),
                                        sa.and_(Checkin.method == Method.deputy_code,
                                                Checkin.status == Status.pending)))
        .order_by(Checkin.occurred_at).limit(1))
    if same_day is not None:
        log.info("code scan already checked in: checkin=%s deputy=%s", same_day.id, deputy_id)
        return CodeScan(same_day, already=True)
    mandates = _serving_mandates_of(deputy_id, local_date)
    if not mandates:
        raise ScanRefused(RejectReason.no_mandate, station)
    # A staff member of the township saw the deputy's phone: that is what staff_confirms asks for,
    # so the station's policy holds nothing here; only the time and the travel doubt do.
    reason = None
    if in_future:
        reason = PendingReason.scan_in_future
    elif too_old:
        reason = PendingReason.scan_too_old
    reason, travel_doubt = _with_travel_doubt(reason, deputy_id, station, occurred_at)
    checkin = Checkin(
        deputy_id=deputy_id, station_id=station.id, station_kind=station.kind, occurred_at=occurred_at,
        local_date=local_date, month_key=month_key, quarter_key=quarter_key, method=Method.deputy_code,
        status=Status.pending if reason else Status.accepted, pending_reason=reason,
        client_nonce=nonce, travel_doubt=travel_doubt, away_from_own=_away_from_own(station, mandates),
        witness_id=witness.id, scanned_at=scanned_at, created_at=received,
    )
    saved = _save_checkin(checkin, station)
    return CodeScan(saved, already=saved is not checkin)


def _own_use(kiosk_code, deputy_id):
    """The deputy's own check-in made with this kiosk code (a second tap from a reopened page), if any."""
    if kiosk_code is None:
        return None
    return db.session.scalar(
        sa.select(Checkin).join(KioskCodeUse, KioskCodeUse.checkin_id == Checkin.id)
        .where(KioskCodeUse.nonce == kiosk_code, Checkin.deputy_id == deputy_id))


def lock_deputy(deputy_id):
    """Hold the deputy's row until the transaction ends, so their scans are decided one at a time.

    ``SELECT … FOR UPDATE`` on PostgreSQL: a second scan sent at the same instant waits here and
    then reads the first one's check-in. SQLite has no row locks and needs none: every write
    transaction there starts with ``BEGIN IMMEDIATE`` (``liaison.sqlite``), which serialises them,
    so the statement is not sent there.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(sa.select(Deputy.id).where(Deputy.id == deputy_id).with_for_update())


def _new_checkin(deputy_id, station, nonce, token, location, noted_code):
    """The check-in a scan makes (not yet added to the session) and its kiosk code, or ``ScanRefused``."""
    method, kiosk_code = Method.poster, None
    if token:
        kiosk_code = check_kiosk_token(token, station, noted=noted_code)
        method = Method.kiosk
    if deputy_id is None:
        raise ScanRefused(RejectReason.not_deputy, station)
    lock_deputy(deputy_id)
    now = utcnow()
    local_date, month_key, quarter_key = period_keys(now)
    mandates = _serving_mandates_of(deputy_id, local_date)
    if not mandates:
        raise ScanRefused(RejectReason.no_mandate, station)

    reason, inside, accuracy = _decide(station, method, location)
    reason, travel_doubt = _with_travel_doubt(reason, deputy_id, station, now)
    checkin = Checkin(
        deputy_id=deputy_id, station_id=station.id, station_kind=station.kind, occurred_at=now,
        local_date=local_date, month_key=month_key, quarter_key=quarter_key, method=method,
        status=Status.pending if reason else Status.accepted, pending_reason=reason,
        inside_fence=inside, accuracy_m=accuracy, client_nonce=nonce, travel_doubt=travel_doubt,
        away_from_own=_away_from_own(station, mandates), created_at=now,
    )
    return checkin, kiosk_code


def record_failed_scan(reason, code, station=None, user=None):
    """Keep a refused scan for statistics (old posters, forwarded tokens); nothing else is written."""
    user_id = user.id if user is not None and getattr(user, "is_authenticated", False) else None
    scan = FailedScan(occurred_at=utcnow(), station_id=station.id if station is not None else None,
                      scanned_code=(code or "")[:64], reason=reason, user_id=user_id)
    db.session.add(scan)
    db.session.flush()
    log.info("scan refused: failed_scan=%s reason=%s station=%s user=%s",
             scan.id, reason.value, scan.station_id or "", user_id or "")
    return scan


def can_check_out(checkin, user, today=None):
    """Whether ``user`` may still check out of this check-in (签退): their own, today, not yet, not 补登."""
    today = today or to_local(utcnow()).date()
    return (user.deputy_id is not None and checkin.deputy_id == user.deputy_id
            and checkin.method is not Method.back_entry and checkin.status is not Status.rejected
            and checkin.checked_out_at is None and checkin.local_date == today)


def check_out(checkin, user, constituents_received=None, matters_raised=""):
    """签退: record when the deputy left, the minutes spent and, at a station, the reception record (接待记录).

    A home (代表之家) is where deputies come back for collective activities (季回家): its 签退 asks
    for no reception record, and none is stored (rule R33). The matters raised at a station become
    opinions one by one (``liaison.opinions.operations.check_out_with_reception``); the free text
    ``matters_raised`` is kept for records made before that.
    """
    if user.deputy_id is None or checkin.deputy_id != user.deputy_id:
        raise InvalidInput(_l("只能为自己的签到签退。"))
    if checkin.method is Method.back_entry:
        raise InvalidInput(_l("补登的签到不需要签退。"))
    if checkin.status is Status.rejected:
        raise InvalidInput(_l("这次签到已被驳回，不能签退。"))
    if checkin.checked_out_at is not None:
        raise InvalidInput(_l("这次签到已经签退过了。"))
    now = utcnow()
    if to_local(now).date() != checkin.local_date:
        raise InvalidInput(_l("只能在签到当天签退。"))
    if checkin.station_kind is StationKind.home:
        constituents_received, matters_raised = None, ""
    elif constituents_received is None:
        raise InvalidInput(_l("请填写接待群众人数，没有接待填 0。"), "constituents_received")
    if constituents_received is not None and (
            not isinstance(constituents_received, int) or not 0 <= constituents_received <= MAX_CONSTITUENTS):
        raise InvalidInput(_l("接待群众人数应为 0 到 %(n)s 之间的整数。", n=MAX_CONSTITUENTS),
                           "constituents_received")
    matters = (matters_raised or "").strip()
    if len(matters) > MATTERS_MAX:
        raise InvalidInput(_l("反映的问题最多 %(n)s 字，现在是 %(len)s 字，请精简。", n=MATTERS_MAX, len=len(matters)),
                           "matters_raised")
    minutes = max(0, int((now - checkin.occurred_at).total_seconds() // 60))
    # A conditional update, so two taps on 签退 in parallel record it once.
    done = db.session.execute(
        sa.update(Checkin)
        .where(Checkin.id == checkin.id, Checkin.checked_out_at.is_(None))
        .values(checked_out_at=now, duration_minutes=minutes, constituents_received=constituents_received,
                matters_raised=matters)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(checkin)
    if not done:
        raise InvalidInput(_l("这次签到已经签退过了。"))
    log.info("checkin checked out: checkin=%s minutes=%s", checkin.id, minutes)
    return checkin


def _check_staff_scope(by, township_id, field_name=None):
    """Refuse work by someone who is not staff of the place's township (or of the district)."""
    if not by.has_role(*STAFF_ROLES):
        raise InvalidInput(_l("只有工作人员可以进行此操作。"), field_name)
    ids = visible_township_ids(by)
    if ids is not None and township_id not in ids:
        raise InvalidInput(_l("只能处理本乡镇（街道）家站的签到。"), field_name)


def back_enter_checkin(station, deputy, occurred_at_local, reason, by):
    """补登: staff record a check-in from a paper sign-in sheet; it counts and is marked as back-entered.

    ``occurred_at_local`` is the local wall-clock date and time on the sheet (a naive datetime).
    """
    if station is None:
        raise InvalidInput(_l("请选择家站。"), "station_id")
    _check_staff_scope(by, station.township_id, "station_id")
    if deputy is None:
        raise InvalidInput(_l("请选择代表。"), "deputy_id")
    if by.deputy_id is not None and by.deputy_id == deputy.id:
        # Staff who are deputies too cannot vouch for themselves: a colleague must enter it.
        raise InvalidInput(_l("不能为自己补登签到，请由其他工作人员补登。"), "deputy_id")
    if not isinstance(occurred_at_local, datetime):
        raise InvalidInput(_l("请填写签到的日期和时间。"), "day")
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise InvalidInput(_l("请填写补登原因（至少 %(n)s 个字），例如“手机没电，见纸质签到簿”。", n=REASON_MIN),
                           "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("补登原因最多 %(n)s 个字。", n=REASON_MAX), "reason")
    occurred_at = occurred_at_local.replace(tzinfo=local_zone(), fold=0)
    now = utcnow()
    if occurred_at > now:
        raise InvalidInput(_l("补登的时间不能晚于现在，请核对日期和时间。"), "day")
    local_date, month_key, quarter_key = period_keys(occurred_at)
    mandates = serving_mandates(deputy, local_date)
    if not mandates:
        raise InvalidInput(_l("%(name)s 在 %(day)s 没有在任的代表职务（或被暂停执行代表职务），不能补登。",
                              name=deputy.name, day=local_date.isoformat()), "deputy_id")
    duplicate = db.session.scalar(
        sa.select(Checkin.id).where(Checkin.deputy_id == deputy.id, Checkin.station_id == station.id,
                                    Checkin.local_date == local_date, Checkin.status != Status.rejected)
        .limit(1))
    if duplicate is not None:
        raise InvalidInput(_l("%(name)s 在 %(day)s 已有在%(station)s的签到，无需补登。", name=deputy.name,
                              day=local_date.isoformat(), station=station.name), "deputy_id")
    checkin = Checkin(
        deputy_id=deputy.id, station_id=station.id, station_kind=station.kind, occurred_at=occurred_at,
        local_date=local_date, month_key=month_key, quarter_key=quarter_key, method=Method.back_entry,
        status=Status.accepted, client_nonce="be-" + secrets.token_urlsafe(24),
        away_from_own=_away_from_own(station, mandates), entered_by_id=by.id, back_entry_reason=reason,
        created_at=now,
    )
    db.session.add(checkin)
    db.session.flush()
    record_event("checkin.back_entry", target=checkin, township_id=station.township_id, actor=by,
                 detail=f"deputy={deputy.id} station={station.id} local_date={local_date.isoformat()}")
    log.info("checkin back-entered: checkin=%s deputy=%s station=%s by=%s",
             checkin.id, deputy.id, station.id, by.id)
    return checkin


def rejection_text(reason, note):
    """The words a rejection is recorded and told with: the chosen reason, then the typed note; or
    refused when neither says why (rule R23)."""
    labels = dict(REJECTION_REASONS)
    note = (note or "").strip()
    if reason and reason not in labels:
        raise InvalidInput(_l("请从列表中选择驳回原因。"), "reason")
    if reason == "other" and not note:
        raise InvalidInput(_l("选择“其他”时，请在说明中写明驳回原因。"), "note")
    if not reason and not note:
        raise InvalidInput(_l("驳回前请选择或填写驳回原因：代表会在消息中看到它。"), "reason")
    chosen = "" if reason in (None, "", "other") else str(labels[reason])
    text = "；".join(part for part in (chosen, note) if part)
    if len(text) > NOTE_MAX:
        raise InvalidInput(_l("原因和说明合计最多 %(n)s 个字。", n=NOTE_MAX), "note")
    return text


def _tell_rejected(checkin, reason):
    """Tell the deputy, in their inbox (and the configured channels), that a check-in was rejected and why."""
    when = to_local(checkin.occurred_at).strftime("%m-%d %H:%M")
    notify_deputy(checkin.deputy, _l("签到未通过核实"),
                  _l("您 %(when)s 在 %(station)s 的签到未通过核实，不计入履职。原因：%(reason)s。"
                     "如有异议，请联系乡镇人大工作人员。", when=when, station=checkin.station.name,
                     reason=reason),
                  "checkin_rejected", dedupe_key=f"checkin_rejected:{checkin.id}")


def back_enter_checkins(station, deputies, occurred_at_local, reason, by):
    """补登 for many deputies of one event at once, with one reason (rule R26): each is entered as
    ``back_enter_checkin`` enters one, all or nothing. When some cannot be entered (already checked
    in there that day, not serving, oneself) nothing is saved and one message names every one of
    them; a problem shared by all (the station, the time, the reason) is refused as for one."""
    deputies = list({d.id: d for d in deputies}.values())
    if not deputies:
        raise InvalidInput(_l("请勾选要补登的代表。"), "deputy_ids")
    problems, checkins = [], []
    for deputy in deputies:
        try:
            with db.session.begin_nested():
                checkins.append(back_enter_checkin(station, deputy, occurred_at_local, reason, by))
        except InvalidInput as error:
            if error.field != "deputy_id":
                raise
            problems.append(str(error.message))
    if problems:
        raise InvalidInput(_l("以下代表不能补登，全部未保存：%(problems)s 请取消勾选后再保存。",
                              problems=" ".join(problems)), "deputy_ids")
    log.info("checkins back-entered together: count=%s station=%s by=%s", len(checkins), station.id, by.id)
    return checkins


def review_checkins(checkins, confirm, by, note="", reason=""):
    """Confirm (counts from then on) or reject pending check-ins; returns those that changed.

    Only pending rows change: one already reviewed, perhaps by a colleague a moment ago, keeps
    its first decision (the update is conditional on the status, so parallel reviews cannot clash).
    A rejection needs a reason (chosen from ``REJECTION_REASONS`` or typed), and each deputy whose
    check-in it rejects is told why in their inbox (rule R23).
    """
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_l("备注最多 %(n)s 个字。", n=NOTE_MAX), "note")
    if not checkins:
        raise InvalidInput(_l("请先勾选要核实的签到。"), "ids")
    if not confirm:
        note = rejection_text(reason, note)
    for checkin in checkins:
        _check_staff_scope(by, checkin.station.township_id)
        if by.deputy_id is not None and checkin.deputy_id == by.deputy_id:
            raise InvalidInput(_l("不能核实自己的签到，请由其他工作人员核实。"), "ids")
    status = Status.confirmed if confirm else Status.rejected
    now = utcnow()
    changed = []
    for checkin in checkins:
        township_id = checkin.station.township_id
        done = db.session.execute(
            sa.update(Checkin)
            .where(Checkin.id == checkin.id, Checkin.status == Status.pending)
            .values(status=status, reviewed_by_id=by.id, reviewed_at=now, review_note=note)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done:
            record_event("checkin.confirmed" if confirm else "checkin.rejected", target=checkin,
                         township_id=township_id, actor=by, detail=note)
            changed.append(checkin)
            if not confirm:
                _tell_rejected(checkin, note)
        # The row was changed in SQL (or by a colleague): read it afresh when next used.
        db.session.expire(checkin)
    log.info("checkins reviewed: status=%s changed=%s of=%s by=%s",
             status.value, len(changed), len(checkins), by.id)
    return changed
