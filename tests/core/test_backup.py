"""`liaison backup` and `liaison restore`: a round trip brings back exactly what was saved."""
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from liaison.extensions import db
from liaison.townships.models import Township, TownshipKind
from tests.conftest import make_test_app


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


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    _round_trip("sqlite:///" + str(tmp_path / "live.db"), tmp_path / "backups")


@pytest.mark.postgres
def test_postgres_backup_and_restore_round_trip(postgres, tmp_path):
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
