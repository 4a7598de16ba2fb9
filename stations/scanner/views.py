"""Scan mode pages: choose the station, the camera page, the scans it sends (JSON), and the deputy's
own daily code on 我的履职 (a template global, so that page's view needs no change).

The camera page is the one page of the app that may use the camera and run WebAssembly (the
decoder): it sends its own Content-Security-Policy (``'wasm-unsafe-eval'``) and Permissions-Policy
(``camera=(self)``); every other response keeps the strict defaults of ``liaison.security``.
"""
import base64
from datetime import datetime, timezone

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from liaison.accounts.access import STAFF_ROLES, ensure_township, roles_required
from liaison.clock import local_today, to_local
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import Station
from liaison.security import CONTENT_SECURITY_POLICY
from liaison.transaction import commit
from stations import qrcodes
from stations.checkin import operations
from stations.checkin.models import Status
from stations.checkin.queries import stations_in_scope
from stations.scanner import bp
from stations.tokens import ScanRefused, make_deputy_code

#: The camera page's policy: the app's own, plus WebAssembly compiled from the vendored decoder.
SCANNER_CSP = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
#: The camera page alone may open the camera (every other page: ``camera=()``).
SCANNER_PERMISSIONS = "geolocation=(), camera=(self), microphone=()"
#: Milliseconds a scan time may be sent with: a 13-digit epoch, between 2020 and 2100.
SCAN_TIME_BOUNDS_MS = (1_577_836_800_000, 4_102_444_800_000)


@bp.app_template_global("deputy_code")
def deputy_code(deputy_id):
    """Today's personal code of a deputy for 我的履职: ``{"day", "text", "qr"}`` (a data: URL of its SVG)."""
    day = local_today()
    text = make_deputy_code(deputy_id, day)
    svg = qrcodes.qr_svg(text)
    qr = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return {"day": day, "text": text, "qr": qr}


@bp.route("/scan-mode")
@roles_required(*STAFF_ROLES)
def choose():
    """Choose the home or station this device scans at (or go to the one the device is fixed to)."""
    stations = [s for s in stations_in_scope() if s.active]
    return render_template("scanner/choose.html", stations=stations)


def _station_or_404(station_id):
    station = db.get_or_404(Station, station_id)
    ensure_township(station.township_id)
    return station


@bp.route("/scan-mode/<int:station_id>")
@roles_required(*STAFF_ROLES)
def camera(station_id):
    """The camera page: reads deputies' codes, shows a big green or red answer, queues scans offline."""
    station = _station_or_404(station_id)
    response = current_app.make_response(render_template(
        "scanner/camera.html", station=station, user_id=current_user.id,
        max_age_hours=current_app.config["LIAISON_SCAN_MAX_AGE_HOURS"],
        submit_url=url_for("scanner.submit", station_id=station.id),
    ))
    response.headers["Content-Security-Policy"] = SCANNER_CSP
    response.headers["Permissions-Policy"] = SCANNER_PERMISSIONS
    return response


def _scan_time(value):
    """The scan time the device sent (epoch milliseconds) as an aware UTC datetime, or ``InvalidInput``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not SCAN_TIME_BOUNDS_MS[0] <= value <= SCAN_TIME_BOUNDS_MS[1]:
        raise InvalidInput(_l("扫码时间无效，请重新扫码。"), "scanned_at")
    return datetime.fromtimestamp(value / 1000, timezone.utc)


def _answer(result, message, status=200, **extra):
    return jsonify(result=result, message=str(message), **extra), status


@bp.route("/scan-mode/<int:station_id>/scans", methods=["POST"])
@roles_required(*STAFF_ROLES)
def submit(station_id):
    """One scan from the camera page, live or from its offline queue (JSON in, JSON out).

    Answers 200 with ``result`` ``recorded`` (counts), ``pending`` (待核实), ``already`` (已签到 at
    that time, no new row) or ``refused`` (the reason): the device drops the scan from its queue.
    A malformed scan answers 400 ``invalid`` (dropped too); anything else (signed out, a stale CSRF
    token, a server error) leaves the scan queued for the next try.
    """
    station = _station_or_404(station_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _answer("invalid", _l("扫码数据无效。"), 400)
    code = body.get("code") if isinstance(body.get("code"), str) else ""
    nonce = body.get("nonce") if isinstance(body.get("nonce"), str) else ""
    witness = current_user._get_current_object()

    def scan():
        done = operations.record_code_scan(witness, station, code, nonce, _scan_time(body.get("scanned_at")))
        checkin = done.checkin
        # Read before the commit expires the row.
        return (done.already, checkin.deputy.name, checkin.occurred_at,
                checkin.pending_reason if checkin.status is Status.pending else None)

    written = commit(scan, show=False, refusals=(ScanRefused, InvalidInput))
    if isinstance(written.error, ScanRefused):
        refused = written.error
        commit(lambda: operations.record_failed_scan(refused.reason, code, station, witness))
        return _answer("refused", refused.message, reason=refused.reason.value)
    if written.error is not None:
        return _answer("invalid", written.error.message, 400)
    already, name, occurred_at, pending = written.value
    time = format_datetime(to_local(occurred_at), "HH:mm")
    if already:
        return _answer("already", _l("已签到 %(time)s", time=time), name=name, time=time)
    if pending is not None:
        return _answer("pending", _l("已记录，待工作人员核实：%(reason)s", reason=pending.label), name=name, time=time)
    return _answer("recorded", _l("签到成功 %(time)s", time=time), name=name, time=time)
