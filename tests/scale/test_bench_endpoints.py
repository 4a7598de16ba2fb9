"""The yardstick endpoints of bench/checkin.py exist only when LIAISON_BENCH_ENDPOINTS=1 is set."""
import sqlalchemy as sa

from liaison.benchpoints import TABLE, create_table
from liaison.extensions import db as _db
from tests.conftest import make_test_app


def test_bench_endpoints_are_absent_by_default(client):
    """A deployment without the flag answers 404 to both, and has no bench table."""
    assert client.get("/bench/ok").status_code == 404
    assert client.post("/bench/insert").status_code == 404
    assert TABLE not in sa.inspect(_db.engine).get_table_names()


def test_bench_endpoints_answer_when_the_flag_is_set(database_url, monkeypatch):
    """With the flag (read from the environment as a deployment would), ok answers and insert writes one row."""
    monkeypatch.setenv("LIAISON_BENCH_ENDPOINTS", "1")
    app = make_test_app(database_url)
    with app.app_context():
        with _db.engine.begin() as connection:
            create_table(connection)
        try:
            client = app.test_client()
            assert client.get("/bench/ok").get_data(as_text=True) == "ok"
            assert client.post("/bench/insert").status_code == 200
            assert _db.session.scalar(sa.text(f"SELECT count(*) FROM {TABLE}")) == 1
        finally:
            _db.session.remove()
            with _db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP TABLE {TABLE}")
            _db.engine.dispose()
