"""`liaison backup` and `liaison restore`: a round trip brings back exactly what was saved; a backup
is private to its owner and the database password never appears on a command line."""
import json
import os
import stat
import sys

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from liaison.extensions import db
from liaison.townships.models import Township, TownshipKind
from tests.conftest import make_test_app


@pytest.fixture()
def common_umask():
    """The usual umask 022, under which a file made without care is readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _round_trip(url, tmp_path):
    app = make_test_app(url)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        db.session.add(Township(name="安平镇", kind=TownshipKind.township))
        db.session.commit()
        result = runner.invoke(args=["backup", "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
        backup_file = result.output.strip().splitlines()[-1]
        # It holds every name and phone number: the owner alone may read it.
        assert _mode(backup_file) == 0o600
        # After the backup: a change that the restore must undo.
        db.session.add(Township(name="后来镇", kind=TownshipKind.township))
        db.session.execute(sa.update(Township).where(Township.name == "安平镇").values(name="改名镇"))
        db.session.commit()
        db.session.remove()
        result = runner.invoke(args=["restore", "--yes", backup_file])
        assert result.exit_code == 0, result.output
        names = set(db.session.scalars(sa.select(Township.name)))
        assert names == {"安平镇"}
        db.session.remove()
        db.engine.dispose()


def test_sqlite_backup_and_restore_round_trip(tmp_path, common_umask):
    _round_trip("sqlite:///" + str(tmp_path / "live.db"), tmp_path / "backups")


@pytest.mark.postgres
def test_postgres_backup_and_restore_round_trip(postgres, tmp_path, common_umask):
    url = postgres.create()
    try:
        _round_trip(url, tmp_path / "backups")
    finally:
        postgres.drop(url)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    app = make_test_app("sqlite:///" + str(tmp_path / "live.db"))
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_text("not a database")
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["restore", "--yes", str(bogus)])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "not" in result.output


#: Stands in for pg_dump: records what another user of the machine could see (argv and the
#: environment) and what libpq would read from the passfile, then writes a dump file.
FAKE_PG_DUMP = """#!{python}
import json, os, sys
passfile = os.environ.get("PGPASSFILE")
seen = {{"argv": sys.argv, "pgpassword": os.environ.get("PGPASSWORD"), "passfile_path": passfile,
        "passfile": open(passfile).read() if passfile else None,
        "passfile_mode": oct(os.stat(passfile).st_mode & 0o777) if passfile else None}}
with open({record!r}, "w") as handle:
    json.dump(seen, handle)
out = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--file=")][0]
with open(out, "ab") as handle:
    handle.write(b"PGDMP")
"""


def test_backup_keeps_the_database_password_off_the_command_line(tmp_path, monkeypatch, common_umask):
    """`ps` on the database machine shows pg_dump's arguments to every user: the password is not
    among them (nor in PGPASSWORD) but in a private passfile that is gone afterwards; the dump is 0600."""
    password = "s3cret:with\\colon"
    bin_dir, record = tmp_path / "bin", tmp_path / "seen.json"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text(FAKE_PG_DUMP.format(python=sys.executable, record=str(record)))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PGPASSWORD", "stale-from-the-shell")
    url = sa.URL.create("postgresql+psycopg", username="liaison", password=password, host="db.internal",
                        port=5432, database="liaison")
    app = make_test_app(url.render_as_string(hide_password=False))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "backups")])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    seen = json.loads(record.read_text())
    assert not any(password in arg or "s3cret" in arg for arg in seen["argv"])
    assert "postgresql://liaison@db.internal:5432/liaison" in seen["argv"]
    assert seen["pgpassword"] is None
    assert seen["passfile"] == "*:*:*:*:s3cret\\:with\\\\colon\n"
    assert seen["passfile_mode"] == "0o600"
    assert not os.path.exists(seen["passfile_path"])
    dump = result.output.strip().splitlines()[-1]
    assert _mode(dump) == 0o600 and _mode(tmp_path / "backups") == 0o700
