"""The monthly bulletin (月度通报): on the 1st, the previous month's 通报 and workbook go into the archive."""
import logging

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from liaison.clock import Month, local_today
from liaison.dashboard import bulletins
from liaison.dashboard.bulletin_document import month_files
from liaison.jobs.operations import period_end_instant
from liaison.jobs.registry import MONTHLY, Cadence, job

log = logging.getLogger(__name__)


def _previous_month_key(day):
    """The month before the one containing ``day``: the month a bulletin made that day reports on."""
    return MONTHLY.key_of(Month.of(day).previous().first)


#: Runs are keyed by the month reported on (2026-03 for the bulletin made on 1 April), so a new
#: installation started on 2 April does not count March as "in progress", and
#: `liaison jobs run monthly_rates_bulletin --period 2026-03` reads as "March's bulletin".
REPORTED_MONTH = Cadence("month", MONTHLY.span, _previous_month_key, MONTHLY.parse)


def _first_of_month(config):
    """Early on the 1st, local time, when last month's check-ins are in."""
    return {"day": 1, "hour": 6}


# Reports on a month as a whole: refused for a month not yet ended (rule R22), so a run by hand for the
# current month can never take the place of the real one.
@job("monthly_rates_bulletin", title=_l("月度述职率通报"), cadence=REPORTED_MONTH, cron=_first_of_month,
     catch_up=2, ended_periods_only=True)
def monthly_rates_bulletin(period):
    """Write the 通报 and workbook of the month ``period`` (as of its last day) to the archive, once."""
    return write_bulletin(period.last_day)


def write_bulletin(last_day):
    """Archive the bulletin of the month ending on ``last_day``: the files it lacks are written, those
    it has are kept as they are (so a second run, or a retry after a failure, writes nothing twice)."""
    month = Month.of(last_day)
    if month.last >= local_today():
        raise ValueError(f"bulletin-{month.year:04d}-{month.month:02d}: the month has not ended (rule R22)")
    missing = bulletins.missing_files(month, written_after=period_end_instant(month.last))
    if not missing:
        return f"bulletin-{month.year:04d}-{month.month:02d} exists"
    files = month_files(month, missing, gettext("系统（月度通报）"))
    bulletins.put_in_place(bulletins.stage(files))
    for name, data in files.items():
        log.info("bulletin written: %s (%s bytes)", name, len(data))
    if not files:
        return "no target terms: nothing written"
    return ", ".join(files) + " written" + ("" if len(files) == len(missing) else " (no target terms: no 通报)")
