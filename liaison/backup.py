"""``liaison backup`` and ``liaison restore``: online copies of the database and their return.

SQLite is copied with its online backup API, consistent while the app keeps writing; PostgreSQL
with ``pg_dump`` in its custom format, restored by ``pg_restore``. A backup holds every name and
phone number: it is readable by its owner only, and the database password never appears on a
command line (where ``ps`` shows it to every user of the machine).
"""
import os
import shutil
import sqlite3
import subprocess
import tempfile

import click
import sqlalchemy as sa
from flask import current_app

from liaison.clock import utcnow
from liaison.extensions import db


def _url():
    return sa.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq_url(url):
    """The URL for the PostgreSQL tools, without the password (that goes through a passfile)."""
    # URL.set(password=None) keeps the password (None means "unchanged"); the tuple's _replace drops it.
    return url._replace(password=None).set(drivername="postgresql").render_as_string(hide_password=False)


def _private_file(path):
    """Create (or empty) ``path`` readable and writable by its owner only; the tools write into it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        # An existing file keeps its mode through O_CREAT: set it explicitly.
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


def backup_database(folder):
    """Write a backup into ``folder`` and return its path."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    url = _url()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        path = os.path.join(folder, f"liaison-{stamp}.sqlite3")
        _private_file(path)
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
        _private_file(path)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq_url(url)], url.password)
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
              f"--dbname={_libpq_url(url)}", path], url.password)
        return
    raise click.ClickException(f"restores of {url.get_backend_name()} are not supported")


def _passfile_line(password):
    """A libpq password file entry for any server, with ``\\`` and ``:`` escaped as libpq reads them."""
    return "*:*:*:*:" + password.replace("\\", "\\\\").replace(":", "\\:") + "\n"


def _run(args, password=None):
    """Run a PostgreSQL tool; ``password`` reaches it through a private passfile, never through argv.

    The passfile beats PGPASSWORD too: the environment of a process can be read in more places
    (core dumps, /proc on some systems) than a file of mode 0600 that is removed at once.
    """
    if shutil.which(args[0]) is None:
        raise click.ClickException(f"{args[0]} is not installed (apt-get install postgresql-client)")
    env = dict(os.environ)
    with tempfile.NamedTemporaryFile("w", prefix="liaison-pgpass-", encoding="utf-8") as passfile:
        # NamedTemporaryFile is created with mode 0600, which libpq requires of a passfile.
        if password:
            passfile.write(_passfile_line(password))
            passfile.flush()
            env["PGPASSFILE"] = passfile.name
            # libpq prefers PGPASSWORD to the passfile: the URL's password must win.
            env.pop("PGPASSWORD", None)
        # umask: whatever the tool creates besides the file made above stays private too.
        result = subprocess.run(args, capture_output=True, text=True, check=False, env=env, umask=0o077)
    if result.returncode != 0:
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
