"""The network pages: list, add, edit, view, (de)activate and re-key homes and stations, their QR
posters and downloads, and the kiosk screen shown at a station (staff only)."""
import base64

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from liaison.accounts.access import STAFF_ROLES, ensure_township, roles_required
from liaison.accounts.session import safe_next
from liaison.clock import utcnow
from liaison.errors import reshows_expired_form
from liaison.extensions import db, login_manager
from liaison.network.models import WEEKDAY_LABELS, Station, StationKind
from liaison.paging import one_page
from liaison.townships.models import ElectoralDistrict, Township
from liaison.transaction import commit
from liaison.uploads import content_disposition
from stations import bp, operations, qrcodes, queries
from stations.checkin.models import RejectReason
from stations.forms import ActiveForm, RekeyForm, StationFilterForm, StationForm
from stations.tokens import (DISPLAY_TOKEN_HEADER, KIOSK_POLL_SECONDS, KIOSK_ROTATE_SECONDS, ScanRefused,
                             display_token_valid, kiosk_code_use, kiosk_token_lifetime, make_display_token,
                             make_kiosk_code, station_for_code)


def _station_or_404(station_id):
    """The station, or 404 when it does not exist or lies outside the user's townships."""
    station = db.get_or_404(Station, station_id)
    ensure_township(station.township_id)
    return station


def _station_form(data=None):
    """The station form with township and district choices limited to the user's scope."""
    form = StationForm(data=data) if data is not None else StationForm()
    form.set_choices(queries.townships_in_scope(), queries.districts_in_scope())
    return form


def _form_values(form):
    """Turn a validated form into the keyword arguments of create_station/update_station."""
    hours = operations.opening_hours_from_ranges(form.weekdays.data, form.ranges())
    district_id = form.electoral_district_id.data
    return dict(
        kind=form.kind.data, name=form.name.data,
        township=db.session.get(Township, form.township_id.data),
        electoral_district=db.session.get(ElectoralDistrict, district_id) if district_id else None,
        address=form.address.data, latitude=form.latitude.data, longitude=form.longitude.data,
        radius_m=form.radius_m.data, open_on_holidays=form.open_on_holidays.data,
        active=form.active.data, opening_hours=hours, checkin_policy=form.checkin_policy.data,
    )


def _is_active_home(station):
    """A 代表之家 in use (the kind a township normally has one of)."""
    return station.kind is StationKind.home and station.active


def _warn_if_second_home(station):
    """A township may have several homes, but usually one is meant (乡镇有家): say so."""
    if not _is_active_home(station):
        return
    others = queries.other_active_homes(station)
    if others:
        flash(_l("提示：%(township)s已有在用的代表之家（%(names)s）。一个乡镇（街道）通常只设一个代表之家，"
                 "如非有意新增，请停用其中一个。", township=station.township.name, names=str(_l("、")).join(others)),
              "warning")


@bp.route("/stations")
@roles_required(*STAFF_ROLES)
def index():
    """List the homes and stations the user may manage, with filters and search."""
    form = StationFilterForm(formdata=request.args)
    townships = queries.townships_in_scope()
    form.set_choices(townships)
    query = queries.station_list(q=form.q.data or None, kind=form.kind.data,
                                 township_id=form.township_id.data, active=form.active_value)
    pagination = one_page(query)
    return render_template("stations/index.html", form=form, pagination=pagination,
                           several_townships=len(townships) != 1)


@bp.route("/stations/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def new():
    """Add a home or station in one of the user's townships."""
    form = _station_form()
    if request.method == "GET":
        chosen = request.args.get("township_id", type=int)
        if chosen is not None and any(choice.value == chosen for choice in form.township_id.choices):
            form.township_id.data = chosen
    if form.validate_on_submit() and form.save(lambda: operations.create_station(**_form_values(form))):
        station = form.saved
        flash(_l("已添加“%(name)s”。", name=station.name), "success")
        _warn_if_second_home(station)
        return redirect(url_for("stations.detail", station_id=station.id))
    return render_template("stations/edit.html", form=form, station=None)


@bp.route("/stations/<int:station_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*STAFF_ROLES)
def edit(station_id):
    """Edit a home or station; its opening hours are replaced by what the form says."""
    station = _station_or_404(station_id)
    data, irregular = StationForm.initial_data(station)
    form = _station_form(data)
    form.hours_irregular = irregular
    if form.validate_on_submit():
        was_active_home = _is_active_home(station)
        old_township_id = station.township_id
        if form.save(lambda: operations.update_station(station, **_form_values(form))):
            flash(_l("已保存“%(name)s”。", name=station.name), "success")
            if not was_active_home or station.township_id != old_township_id:
                _warn_if_second_home(station)
            return redirect(url_for("stations.detail", station_id=station.id))
    return render_template("stations/edit.html", form=form, station=station)


@bp.route("/stations/<int:station_id>")
@roles_required(*STAFF_ROLES)
def detail(station_id):
    """Everything about one station: data, opening hours, its QR code and the deputies it serves."""
    station = _station_or_404(station_id)
    hours_by_day = [(label, [h for h in station.opening_hours if h.weekday == day])
                    for day, label in enumerate(WEEKDAY_LABELS)]
    return render_template(
        "stations/detail.html", station=station, hours_by_day=hours_by_day,
        has_hours=bool(station.opening_hours), deputies=queries.deputies_of_station(station.id),
        link_deputies="deputies.detail" in current_app.view_functions,
        rekey_form=RekeyForm(), station_url=qrcodes.station_url(station), rotate_seconds=KIOSK_ROTATE_SECONDS,
    )


@bp.route("/stations/<int:station_id>/active", methods=["POST"])
@roles_required(*STAFF_ROLES)
def set_active(station_id):
    """Deactivate (keeping history) or re-activate a station; refused while deputies rely on it."""
    station = _station_or_404(station_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    active = form.active.data == "1"
    was_active = station.active
    if commit(lambda: operations.set_station_active(station, active)):
        if active:
            flash(_l("已重新启用“%(name)s”。", name=station.name), "success")
            if not was_active:
                _warn_if_second_home(station)
        else:
            flash(_l("已停用“%(name)s”：历史记录保留，今后不再接受签到和排班。", name=station.name), "success")
    return redirect(safe_next(form.next.data) if form.next.data
                    else url_for("stations.detail", station_id=station.id))


# --- QR posters and downloads --------------------------------------------------------------

def _qr_file_name(station, extension):
    """The downloaded file's name, e.g. 白鹭镇代表之家-签到二维码.png."""
    return f"{station.name}-签到二维码.{extension}"


def _download(body, mimetype, filename):
    """A file download that is never cached: after a re-key the old image must not come back."""
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/stations/<int:station_id>/poster")
@roles_required(*STAFF_ROLES)
def poster(station_id):
    """The printable A4 poster: 家 or 站, the station and township, the QR code, how to check in."""
    station = _station_or_404(station_id)
    url = qrcodes.station_url(station)
    # The SVG is drawn by the qrcode library from our own URL; its text is escaped XML.
    return render_template("stations/poster.html", station=station, url=url,
                           url_shown=url.split("://", 1)[-1], qr=Markup(qrcodes.qr_svg(url)))


@bp.route("/stations/<int:station_id>/poster.png")
@roles_required(*STAFF_ROLES)
def poster_png(station_id):
    """The poster's QR code as a PNG file, for printing in other layouts."""
    station = _station_or_404(station_id)
    return _download(qrcodes.qr_png(qrcodes.station_url(station)), "image/png",
                     _qr_file_name(station, "png"))


@bp.route("/stations/<int:station_id>/poster.svg")
@roles_required(*STAFF_ROLES)
def poster_svg(station_id):
    """The poster's QR code as an SVG file (sharp at any size, for print shops)."""
    station = _station_or_404(station_id)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + qrcodes.qr_svg(qrcodes.station_url(station))
    return _download(body, "image/svg+xml", _qr_file_name(station, "svg"))


@bp.route("/stations/<int:station_id>/rekey", methods=["POST"])
@roles_required(*STAFF_ROLES)
def rekey(station_id):
    """Give the station a new QR code once the box is ticked; every poster printed before is void."""
    station = _station_or_404(station_id)
    form = RekeyForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        flash(_l("二维码未重新生成：请先勾选“%(label)s”，再点“重新生成二维码”。", label=form.confirm.label.text),
              "warning")
        return redirect(url_for("stations.detail", station_id=station.id))
    commit(lambda: operations.rekey_station(station, by=current_user._get_current_object()))
    flash(_l("已为“%(name)s”重新生成二维码。此前打印的二维码已全部作废：请打印新海报张贴，"
             "正在显示的扫码屏请重新打开。", name=station.name), "success")
    return redirect(url_for("stations.detail", station_id=station.id))


# --- kiosk screen (扫码屏) ------------------------------------------------------------------

def _kiosk_station(code):
    """The active station a kiosk URL names, or the refusal page and its status (404 unknown, 410 void)."""
    try:
        station = station_for_code(code)
    except ScanRefused as refused:
        if refused.station is not None:
            ensure_township(refused.station.township_id)
        status = 404 if refused.reason is RejectReason.unknown_code else 410
        page = render_template("stations/kiosk_refused.html", refused=refused, station=refused.station)
        return None, (page, status)
    ensure_township(station.township_id)
    return station, None


#: The header in which the kiosk screen names the code it shows, and the answer names the new one.
SHOWN_CODE_HEADER = "X-Kiosk-Shown"
NEW_CODE_HEADER = "X-Kiosk-Code"


def _kiosk_svg(station):
    """A new kiosk QR code: ``(svg, nonce)``, the check-in URL with a freshly signed single-use token."""
    token, nonce = make_kiosk_code(station)
    return qrcodes.qr_svg(qrcodes.kiosk_url(station, token)), nonce


@bp.route("/s/<code>/kiosk")
@roles_required(*STAFF_ROLES)
def kiosk(code):
    """The full-screen kiosk page shown at the station: a QR that changes every few seconds.

    kiosk.js asks ``kiosk_qr`` every ``KIOSK_POLL_SECONDS`` whether the code shown has been used
    (then shows a new one at once) and fetches a new one every ``KIOSK_ROTATE_SECONDS``; without
    JavaScript a <noscript> meta refresh reloads the whole page instead.
    """
    station, refused = _kiosk_station(code)
    if refused is not None:
        return refused
    svg, nonce = _kiosk_svg(station)
    response = current_app.make_response(render_template(
        "stations/kiosk.html", station=station, display_token=make_display_token(station),
        qr_src="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(), qr_code=nonce,
        rotate_seconds=KIOSK_ROTATE_SECONDS, poll_seconds=KIOSK_POLL_SECONDS,
        lifetime_seconds=kiosk_token_lifetime(), now=utcnow(), time_zone=current_app.config["LIAISON_TIMEZONE"],
    ))
    # The page carries the display token: no copy of it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/s/<code>/kiosk/qr.svg")
def kiosk_qr(code):
    """The kiosk's next QR code as SVG, never cached (each one carries a new single-use token).

    The screen asks with the display token it got with the page, in the ``X-Kiosk-Display``
    header (never the URL, which reaches access logs), so it keeps working after the staff member
    who opened it signs out; without that token only staff in scope get a code. When the screen
    names the code it shows (``X-Kiosk-Shown``) and nobody has used it yet, the answer is 204:
    keep showing it. Otherwise a new code comes, its nonce in ``X-Kiosk-Code``.
    """
    try:
        station = station_for_code(code)
    except ScanRefused:
        station = None
    if station is None or not display_token_valid(request.headers.get(DISPLAY_TOKEN_HEADER), station):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*STAFF_ROLES):
            abort(403)
        station, refused = _kiosk_station(code)
        if refused is not None:
            return refused
    shown = (request.headers.get(SHOWN_CODE_HEADER) or "")[:16]
    if shown and kiosk_code_use(shown) is None:
        response = current_app.response_class(status=204)
    else:
        svg, nonce = _kiosk_svg(station)
        response = current_app.response_class(svg, mimetype="image/svg+xml")
        response.headers[NEW_CODE_HEADER] = nonce
    response.headers["Cache-Control"] = "no-store"
    return response
