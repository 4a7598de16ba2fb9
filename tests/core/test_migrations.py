"""The schema comes only from migrations: they run up and down on both databases and match the models."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

import liaison.models  # noqa: F401
from liaison.extensions import db
from tests.conftest import make_test_app


def _round_trip(url):
    app = make_test_app(url)
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        tables = set(inspector.get_table_names())
        assert {"townships", "terms", "electoral_districts", "stations", "deputies", "mandates",
                "suspensions", "users", "user_roles", "activation_tokens"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                    db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        left = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.session.remove()
        db.engine.dispose()


def test_sqlite_upgrade_matches_models_and_downgrades(tmp_path):
    """From empty to head, no pending autogenerate difference, and back to base, on SQLite."""
    _round_trip("sqlite:///" + str(tmp_path / "round-trip.db"))


@pytest.mark.postgres
def test_postgres_upgrade_matches_models_and_downgrades(postgres):
    """The same round trip on a fresh PostgreSQL database."""
    url = postgres.create()
    try:
        _round_trip(url)
    finally:
        postgres.drop(url)


def test_constraint_names_follow_the_convention(db):
    """Named constraints let later migrations drop or alter them the same way on both databases."""
    inspector = sa.inspect(db.engine)
    uniques = {u["name"] for u in inspector.get_unique_constraints("mandates")}
    assert "uq_mandates_deputy_id_term_id" in uniques
    fks = {f["name"] for f in inspector.get_foreign_keys("mandates")}
    assert "fk_mandates_term_id_terms" in fks
