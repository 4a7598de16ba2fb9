"""``liaison audit``: maintenance of the audit trail."""
import click
from flask import current_app

from liaison.audit.operations import prune_events
from liaison.extensions import db


@click.group("audit")
def audit_cli():
    """Maintain the audit trail (操作日志)."""


@audit_cli.command("prune")
def prune():
    """Delete audit events older than LIAISON_AUDIT_RETENTION_DAYS (at least 180 days)."""
    count = prune_events(current_app.config["LIAISON_AUDIT_RETENTION_DAYS"])
    db.session.commit()
    click.echo(f"deleted {count} audit events")
