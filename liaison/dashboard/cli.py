"""`liaison export rates`: the official workbook from the command line."""
import click
from flask.cli import with_appcontext

from liaison.dashboard.workbook import build_workbook
from liaison.extensions import db


@click.group("export")
def export_cli():
    """Export the official tables."""


@export_cli.command("rates")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The date the figures are as of (YYYY-MM-DD, local).")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The .xlsx file to write.")
@with_appcontext
def export_rates(as_of, out):
    """Write the 述职率统计表 workbook (the two 100% targets, townships, deputies, visits) for the district."""
    from liaison.dashboard.operations import record_export

    data = build_workbook(as_of.date(), "liaison export rates")
    with open(out, "wb") as target:
        target.write(data)
    record_export("workbook", f"rates as of {as_of.date().isoformat()} (CLI)")
    db.session.commit()
    click.echo(f"Wrote {out} ({len(data)} bytes).")
