"""Kiosk tokens and station codes: what a scanned URL must carry to be believed.

A kiosk screen shows a QR that changes every few seconds; it carries a token signed with the
app's secret, naming the station and its key version, that expires soon after. A photo of it
forwarded to someone elsewhere is already stale when they scan it.
"""
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from liaison.clock import utcnow
from liaison.extensions import db
from liaison.network.models import Station
from stations.checkin.models import RejectReason
from stations.models import VoidedCode

#: Seconds between two QR codes on a kiosk screen.
KIOSK_ROTATE_SECONDS = 20


class ScanRefused(Exception):
    """A scan that cannot become a check-in; ``reason`` is a ``RejectReason``."""

    def __init__(self, reason, station=None):
        super().__init__(reason.value)
        self.reason = reason
        self.station = station

    @property
    def message(self):
        return self.reason.message


def _signer(now=None):
    """The kiosk signer; its clock is ``now`` when given (tests), else the app's one clock."""
    signer = TimestampSigner(current_app.config["SECRET_KEY"], salt="liaison.kiosk-token")
    signer.get_timestamp = lambda: int((now or utcnow()).timestamp())
    return signer


def kiosk_token_lifetime():
    """Seconds a kiosk token stays valid: long enough to scan and load on a weak signal."""
    return current_app.config.get("LIAISON_KIOSK_TOKEN_SECONDS", 60)


def make_kiosk_token(station, now=None):
    """A signed token naming the station and its current key version, stamped with the time."""
    return _signer(now).sign(f"{station.id}.{station.key_version}").decode()


def check_kiosk_token(token, station, now=None):
    """Accept a kiosk token for ``station`` or raise ``ScanRefused`` saying why not."""
    try:
        value = _signer(now).unsign(token or "", max_age=kiosk_token_lifetime()).decode()
    except SignatureExpired:
        raise ScanRefused(RejectReason.expired_token, station) from None
    except BadSignature:
        raise ScanRefused(RejectReason.invalid_token, station) from None
    station_id, _, version = value.partition(".")
    if station_id != str(station.id):
        raise ScanRefused(RejectReason.other_station, station)
    if version != str(station.key_version):
        # A token from before a re-key: the screen showing it is no longer trusted.
        raise ScanRefused(RejectReason.invalid_token, station)


def _display_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="liaison.kiosk-display")


def make_display_token(station):
    """A token that lets one kiosk screen keep fetching codes after staff sign out.

    It only authorises fetching this station's kiosk codes, for LIAISON_KIOSK_DISPLAY_HOURS,
    and dies with a re-key; a staff session is not kept alive by the screen's requests.
    """
    return _display_serializer().dumps([station.id, station.key_version])


def display_token_valid(token, station):
    """True when ``token`` was made for this station at its current key version and is fresh."""
    max_age = current_app.config["LIAISON_KIOSK_DISPLAY_HOURS"] * 3600
    try:
        station_id, version = _display_serializer().loads(token or "", max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        return False
    return station_id == station.id and version == station.key_version


def station_for_code(code):
    """The station a scanned code names, or ``ScanRefused`` (unknown, voided by a re-key, inactive)."""
    code = (code or "").strip().lower()[:16]
    station = db.session.scalar(sa.select(Station).where(Station.code == code))
    if station is None:
        voided = db.session.get(VoidedCode, code)
        if voided is not None:
            raise ScanRefused(RejectReason.voided_code, voided.station)
        raise ScanRefused(RejectReason.unknown_code)
    if not station.active:
        raise ScanRefused(RejectReason.inactive_station, station)
    return station


#: Minutes a kiosk scan made while signed out stays good for the sign-in that follows.
KIOSK_SIGN_IN_MINUTES = 10


def remember_kiosk_scan(session, station):
    """Note in this browser's session that it scanned a valid kiosk code while signed out.

    A deputy who is not yet signed in on their phone spends more than a token's minute signing
    in; the note lets the same browser finish the kiosk check-in afterwards. It lives in the
    signed session cookie of that browser only, so a forwarded link gains nothing.
    """
    session["kiosk_scan"] = [station.id, station.key_version, int(utcnow().timestamp())]


def kiosk_scan_station(session, station):
    """The station id when this browser scanned ``station``'s kiosk code within the allowed minutes."""
    note = session.get("kiosk_scan")
    if not note or len(note) != 3:
        return None
    station_id, version, at = note
    fresh = utcnow().timestamp() - at <= KIOSK_SIGN_IN_MINUTES * 60
    return station_id if fresh and station_id == station.id and version == station.key_version else None
