"""Public pages (no sign-in): a station's page, the one its QR poster opens for everyone who is not a
signed-in deputy (rule R28), and the accountability pages (履职公开, rule R31)."""
from flask import render_template, request

from liaison.clock import Month, local_today
from liaison.network.models import WEEKDAY_LABELS
from liaison.opinions.queries import active_station_by_code
from liaison.public import bp, queries


def _token_arg():
    """The kiosk token a scanned URL carries, passed on untouched to the deputy's door."""
    return (request.args.get("t") or "")[:512] or None


@bp.route("/p/<code>")
def station(code):
    """The station's public page: who it serves, its deputies, reception hours, this month's rota,
    我要留言 and 查询办理进度; a small link for deputies to sign in and check in.

    Also what ``/s/<code>`` (the poster's URL) shows to a visitor who is not a signed-in deputy: it
    reads nothing but the station and writes nothing, so a constituent's visit leaves no trace of
    a scan (no signed-out kiosk note) until they tap "我是代表".
    """
    station = active_station_by_code(code)
    today = local_today()
    month = Month.of(today)
    return render_template(
        "public/station.html", station=station, today=today, month=month,
        deputies=queries.station_deputies(station.id, today), days=queries.month_rota(station.id, month),
        weekday_labels=WEEKDAY_LABELS, token=_token_arg())
