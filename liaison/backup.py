"""``liaison backup`` and ``liaison restore``: online copies of the database and their return.

SQLite is copied with its online backup API, consistent while the app keeps writing; PostgreSQL
with ``pg_dump`` in its custom format, restored by ``pg_restore``.
"""
import os
import shutil
import sqlite3
import subprocess

import click
import sqlalchemy as sa
from flask import current_app

from liaison.clock import utcnow
from liaison.extensions import db


def _url():
    return sa.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq_url(url):
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup_database(folder):
    """Write a backup into ``folder`` and return its path."""
    os.makedirs(folder, exist_ok=True)
    url = _url()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        path = os.path.join(folder, f"liaison-{stamp}.sqlite3")
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return path
    if url.get_backend_name() == "postgresql":
        path = os.path.join(folder, f"liaison-{stamp}.pgdump")
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq_url(url)])
        return path
    raise click.ClickException(f"backups of {url.get_backend_name()} are not supported")


def restore_database(path):
    """Replace the database's content with the backup at ``path``."""
    url = _url()
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                raise click.ClickException(f"{path} is not a backup of this product (no alembic_version)")
            target = sqlite3.connect(url.database)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"{path} is not an SQLite backup: {error}") from None
        finally:
            source.close()
        return
    if url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(url)}", path])
        return
    raise click.ClickException(f"restores of {url.get_backend_name()} are not supported")


def _run(args):
    if shutil.which(args[0]) is None:
        raise click.ClickException(f"{args[0]} is not installed (apt-get install postgresql-client)")
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # Show stderr only: the command line holds the database URL with its password.
        raise click.ClickException(f"{args[0]} failed: {result.stderr.strip()[:500]}")


@click.command("backup")
@click.option("--out", "folder", type=click.Path(file_okay=False),
              help="Folder for the backup file (default: instance/backups).")
def backup_command(folder):
    """Copy the database to a backup file while the app keeps running."""
    folder = folder or os.path.join(current_app.instance_path, "backups")
    path = backup_database(folder)
    click.echo(path)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the database's content with the backup file PATH (stop the app first)."""
    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    restore_database(path)
    click.echo(f"restored {path}")
