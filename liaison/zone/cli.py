"""``liaison zone``: the zone the stored local dates are in, and their recompute after a change (rule R2)."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask_babel import lazy_gettext as _l

from liaison.extensions import db
from liaison.zone.operations import recompute
from liaison.zone.queries import stored_zone, zoned_counts

#: What each count of a recompute is, for the operator.
CHANGED_LABELS = {
    "checkins": _l("签到记录（本地日期、月份、季度）"),
    "opinions.received": _l("民意接收日期和月份"),
    "opinions.replied": _l("民意答复日期"),
    "opinions.registered": _l("民意登记日期"),
    "opinions.referred": _l("民意转办日期"),
}


@click.group("zone")
def zone_cli():
    """The zone of the stored local dates (rule R2): show it, recompute them after a change."""


@zone_cli.command("show")
def show():
    """Show the recorded zone, the configured LIAISON_TIMEZONE and the rows carrying local dates."""
    record = stored_zone()
    configured = current_app.config["LIAISON_TIMEZONE"]
    if record is None:
        click.echo(_l("已存数据的时区：未记录"))
    else:
        recorded = record.recorded_at.strftime("%Y-%m-%d %H:%M")
        click.echo(_l("已存数据的时区：%(zone)s（记录于 %(at)s UTC）", zone=record.name, at=recorded))
    click.echo(_l("配置的时区（LIAISON_TIMEZONE）：%(zone)s", zone=configured))
    counts = zoned_counts()
    click.echo(_l("含本地日期的记录：签到 %(checkins)s 条，民意 %(opinions)s 条",
                  checkins=counts["checkins"], opinions=counts["opinions"]))
    if record is not None and record.name != configured:
        click.echo(_l("两者不同：请运行“liaison zone recompute”。"))


@zone_cli.command("recompute")
def recompute_command():
    """Rewrite every stored local date and period key in LIAISON_TIMEZONE, in one transaction."""
    configured = current_app.config["LIAISON_TIMEZONE"]
    try:
        ZoneInfo(configured)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.ClickException(str(_l("LIAISON_TIMEZONE 不是有效的时区名称：%(zone)s", zone=configured))) from None
    try:
        outcome = recompute(configured)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(_l("已按时区 %(zone)s 重算（原记录：%(previous)s）。", zone=outcome.zone,
                  previous=outcome.previous or _l("未记录")))
    for key, label in CHANGED_LABELS.items():
        if key in outcome.changed:
            click.echo(_l("%(what)s：改动 %(n)s 条", what=label, n=outcome.changed[key]))
    if not outcome.changed:
        click.echo(_l("没有含本地日期的记录，只记录了时区。"))
