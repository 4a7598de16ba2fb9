"""Public pages (no sign-in): a station's page, the one its QR poster opens for everyone who is not a
signed-in deputy (rule R28), and the accountability pages (履职公开, rule R31)."""
import sqlalchemy as sa
from flask import abort, render_template, request

from liaison.clock import Month, local_today
from liaison.extensions import db
from liaison.network.models import WEEKDAY_LABELS, Station
from liaison.opinions.queries import active_station_by_code
from liaison.public import bp, queries
from liaison.townships.models import Township


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


# --- accountability (履职公开, rule R31) --------------------------------------------------------------

def _year_arg(today):
    """The year asked for (this year by default; no year before 2000 or after this one)."""
    year = request.args.get("year", type=int) or today.year
    return year if 2000 <= year <= today.year else today.year


@bp.route("/account")
def district_account():
    """Each township's account of the year: opinions received and answered, days to answer,
    satisfaction, reopened, reception days held."""
    today = local_today()
    year = _year_arg(today)
    return render_template("public/account_district.html", year=year, today=today,
                           rows=queries.account(year, today, "township"), fewest=queries.FEWEST_SHOWN)


@bp.route("/account/township/<int:township_id>")
def township_account(township_id):
    """One township's account of the year, and each of its homes and stations."""
    township = db.get_or_404(Township, township_id)
    today = local_today()
    year = _year_arg(today)
    [row] = queries.account(year, today, "township", township_ids=[township.id])
    return render_template("public/account_township.html", township=township, year=year, today=today,
                           row=row,
                           stations=queries.account(year, today, "station", township_ids=[township.id]),
                           codes=dict(db.session.execute(sa.select(Station.id, Station.code)
                                                         .where(Station.township_id == township.id)).all()),
                           fewest=queries.FEWEST_SHOWN)


@bp.route("/p/<code>/account")
def station_account(code):
    """One station's account of the year, and its rota published from this month on."""
    station = active_station_by_code(code)
    today = local_today()
    year = _year_arg(today)
    row = next((r for r in queries.account(year, today, "station", township_ids=[station.township_id])
                if r.key == station.id), None)
    if row is None:
        abort(404)
    month = Month.of(today)
    return render_template("public/account_station.html", station=station, year=year, today=today, row=row,
                           days=queries.month_rota(station.id, month), month=month,
                           weekday_labels=WEEKDAY_LABELS, fewest=queries.FEWEST_SHOWN)
