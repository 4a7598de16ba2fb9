"""Kiosk tokens, station codes and the deputy's personal code: what a scanned code must carry to be believed.

A kiosk screen shows a QR that changes every few seconds; it carries a token signed with the
app's secret, naming the station, its key version and a random code (nonce), that expires soon
after. Each code makes one check-in in total (``KioskCodeUse``): a photo of it forwarded to a chat
group counts for one person at most, and not at all once the deputy at the screen has used it.
"""
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, Signer, TimestampSigner, URLSafeTimedSerializer

from liaison.clock import utcnow
from liaison.extensions import db
from stations.checkin.models import KioskCodeUse, RejectReason
from liaison.network.models import Station
from stations.models import VoidedCode

#: Seconds between two QR codes on a kiosk screen.
KIOSK_ROTATE_SECONDS = 20
#: Seconds between two asks of the kiosk screen whether its code has been used (then it shows a new one).
KIOSK_POLL_SECONDS = 2
#: The request header that carries the kiosk display token (never the URL: URLs reach access logs).
DISPLAY_TOKEN_HEADER = "X-Kiosk-Display"


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


def make_kiosk_code(station, now=None):
    """A new kiosk code: ``(token, nonce)``, the token signed over the station, its key version and the nonce."""
    nonce = secrets.token_urlsafe(9)
    return _signer(now).sign(f"{station.id}.{station.key_version}.{nonce}").decode(), nonce


def make_kiosk_token(station, now=None):
    """A signed token for a new kiosk code of ``station``, stamped with the time."""
    return make_kiosk_code(station, now)[0]


def check_kiosk_token(token, station, now=None, noted=None):
    """The code (nonce) of a kiosk token good for ``station``, or ``ScanRefused`` saying why not.

    ``noted`` is the code this browser noted when it scanned while signed out (see
    ``remember_kiosk_scan``): that one code is still accepted after its token expired. Whether the
    code was already used is decided when the check-in is saved (``KioskCodeUse``).
    """
    expired = False
    try:
        value = _signer(now).unsign(token or "", max_age=kiosk_token_lifetime())
    except SignatureExpired as error:
        # The signature was verified before the age was: the payload is ours.
        value, expired = error.payload or b"", True
    except BadSignature:
        raise ScanRefused(RejectReason.invalid_token, station) from None
    parts = value.decode().split(".")
    if len(parts) != 3:
        raise ScanRefused(RejectReason.invalid_token, station)
    station_id, version, nonce = parts
    if expired and (noted is None or nonce != noted):
        raise ScanRefused(RejectReason.expired_token, station)
    if station_id != str(station.id):
        raise ScanRefused(RejectReason.other_station, station)
    if version != str(station.key_version):
        # A token from before a re-key: the screen showing it is no longer trusted.
        raise ScanRefused(RejectReason.invalid_token, station)
    return nonce


def kiosk_code_use(nonce):
    """The use of a kiosk code (its check-in), or None while nobody has used it."""
    return db.session.get(KioskCodeUse, nonce) if nonce else None


def _display_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="liaison.kiosk-display")


def make_display_token(station):
    """A token that lets one kiosk screen keep fetching codes after staff sign out.

    It only authorises fetching this station's kiosk codes, for LIAISON_KIOSK_DISPLAY_HOURS,
    and dies with a re-key; a staff session is not kept alive by the screen's requests. The page
    keeps it in the document and sends it in the ``DISPLAY_TOKEN_HEADER`` header, never in a URL,
    so it stays out of access logs, proxies and the browser history.
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


#: Built once: every scan asks it, and building a statement costs as much as running it.
_STATION_BY_CODE = sa.select(Station).where(Station.code == sa.bindparam("code"))


def station_for_code(code):
    """The station a scanned code names, or ``ScanRefused`` (unknown, voided by a re-key, inactive)."""
    code = (code or "").strip().lower()[:16]
    station = db.session.scalar(_STATION_BY_CODE, {"code": code})
    if station is None:
        voided = db.session.get(VoidedCode, code)
        if voided is not None:
            raise ScanRefused(RejectReason.voided_code, voided.station)
        raise ScanRefused(RejectReason.unknown_code)
    if not station.active:
        raise ScanRefused(RejectReason.inactive_station, station)
    return station


#: Minutes a kiosk scan made while signed out stays good for the sign-in that follows.
KIOSK_SIGN_IN_MINUTES = 5


def remember_kiosk_scan(session, station, nonce):
    """Note in this browser's session that it scanned the kiosk code ``nonce`` while signed out.

    A deputy who is not yet signed in on their phone spends more than a token's minute signing
    in; the note lets the same browser finish that one kiosk check-in afterwards. It names the
    code, which makes one check-in in total, and lasts ``KIOSK_SIGN_IN_MINUTES``: a copy of the
    cookie moved to another phone gains at most the same few minutes, for the same single code.
    """
    session["kiosk_scan"] = [station.id, station.key_version, nonce, int(utcnow().timestamp())]


def noted_kiosk_code(session, station):
    """The kiosk code this browser scanned at ``station`` while signed out, when still fresh; else None."""
    note = session.get("kiosk_scan")
    if not isinstance(note, list) or len(note) != 4:
        return None
    station_id, version, nonce, at = note
    fresh = 0 <= utcnow().timestamp() - at <= KIOSK_SIGN_IN_MINUTES * 60
    return nonce if fresh and station_id == station.id and version == station.key_version else None


def forget_kiosk_scan(session):
    """Drop the note once its check-in is saved: it served its one purpose."""
    session.pop("kiosk_scan", None)


# --- the deputy's personal code (代表码) ------------------------------------------------------

#: The first part of a deputy's code: tells it from a station's URL and names the format's version.
DEPUTY_CODE_PREFIX = "LDC1"


def _deputy_code_signer():
    return Signer(current_app.config["SECRET_KEY"], salt="liaison.deputy-code", sep=".")


def make_deputy_code(deputy_id, day):
    """The deputy's personal code for one local date (rule R36): ``LDC1.<deputy id>.<yyyymmdd>.<signature>``.

    Signed with the app's secret over the deputy and the day, so it names one person for one day and
    changes at local midnight; nothing is stored. It carries no URL: a phone that reads it opens
    nothing, and only a station's device in scan mode gives it a meaning.
    """
    return _deputy_code_signer().sign(f"{DEPUTY_CODE_PREFIX}.{deputy_id}.{day:%Y%m%d}").decode()


def check_deputy_code(text, day):
    """The deputy id a personal code names, if it was valid on the local date ``day``; else ``ScanRefused``.

    A code of an earlier day is expired ("代表码已过期…"): yesterday's screenshot fails. A code
    of a later day than the scan cannot have been shown at that scan, so it is refused as invalid.
    """
    text = (text or "").strip()
    if len(text) > 128 or not text.startswith(DEPUTY_CODE_PREFIX + "."):
        raise ScanRefused(RejectReason.deputy_code_invalid)
    try:
        value = _deputy_code_signer().unsign(text).decode()
    except BadSignature:
        raise ScanRefused(RejectReason.deputy_code_invalid) from None
    _, deputy_id, stamp = value.split(".")
    try:
        deputy_id, valid_on = int(deputy_id), datetime.strptime(stamp, "%Y%m%d").date()
    except ValueError:
        raise ScanRefused(RejectReason.deputy_code_invalid) from None
    if valid_on < day:
        raise ScanRefused(RejectReason.deputy_code_expired)
    if valid_on > day:
        raise ScanRefused(RejectReason.deputy_code_invalid)
    return deputy_id
