"""The committee dashboard at 1,000 and 10,000 deputies: the page's server time against its own SQL.

For each size: sign in as the committee through the login form, request ``/dashboard`` once while a
``before_cursor_execute`` listener records every statement with its parameters, then time, in
alternation, the page through the Flask test client and the replay of the recorded statements on a
raw DBAPI connection of the same engine (fetching every row). The ratio page / SQL is what the page
adds to its queries (ORM, shaping, templates); the target is at most 2×. The number of statements per
page must be the same at both sizes (no query per township or per deputy).

    .venv/bin/python bench/rates.py [--db postgresql] [--repeat 7] [--top 5]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (add_database_options, database_line, make_app, print_table, signed_in_client,  # noqa: E402
                    synthetic_database, verdict)

SIZES = ((1_000, 100), (10_000, 1_000))
YEARS = 5
TARGET_RATIO = 2.0
PAGE = "/dashboard"


def capture(app, client):
    """The statements (with parameters) that one request of the page runs."""
    import sqlalchemy as sa
    from liaison.extensions import db
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, executemany):
        statements.append((statement, parameters, executemany))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(PAGE)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise RuntimeError(f"{PAGE} answered {response.status_code}")
    return engine, statements


def replay(engine, statements, timings=None):
    """Run the recorded statements on one raw connection, fetching all rows, then roll back."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for index, (statement, parameters, executemany) in enumerate(statements):
            started = time.perf_counter()
            if executemany:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
            if timings is not None:
                timings[index].append(time.perf_counter() - started)
        cursor.close()
        connection.rollback()
    finally:
        connection.close()


def measure(url, repeat, top):
    """(queries, page median s, SQL median s, slowest statements) for one database."""
    app = make_app(url)
    client = signed_in_client(app)
    engine, statements = capture(app, client)
    page_times, sql_times = [], []
    timings = [[] for _ in statements]
    replay(engine, statements)  # warm both paths once
    client.get(PAGE)
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(PAGE)
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 200
        started = time.perf_counter()
        replay(engine, statements, timings)
        sql_times.append(time.perf_counter() - started)
    slowest = sorted(((statistics.median(t), s[0]) for t, s in zip(timings, statements)), reverse=True)[:top]
    line = database_line(app)
    engine.dispose()
    return len(statements), statistics.median(page_times), statistics.median(sql_times), slowest, line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per size (median)")
    parser.add_argument("--top", type=int, default=0, help="also print the N slowest statements per size")
    args = parser.parse_args()

    rows, counts, line = [], [], ""
    for deputies, stations in SIZES:
        url = synthetic_database(args.db, deputies, stations, YEARS, args.pg_url, args.fresh)
        queries, page, sql, slowest, line = measure(url, args.repeat, args.top)
        ratio = page / sql
        counts.append(queries)
        rows.append((f"{deputies:,}", queries, f"{page * 1000:.0f}", f"{sql * 1000:.0f}", f"{ratio:.2f}×",
                     f"≤ {TARGET_RATIO:g}×", verdict(ratio <= TARGET_RATIO)))
        for seconds, statement in slowest:
            print(f"[{deputies:,}] {seconds * 1000:8.1f} ms  {' '.join(statement.split())[:160]}", file=sys.stderr)
    print_table(f"rates: committee dashboard ({PAGE}) vs the same SQL alone, median of {args.repeat}",
                ("deputies", "queries", "page ms", "SQL ms", "ratio", "target", "result"), rows, line)
    same = len(set(counts)) == 1
    print(f"queries per page: {' vs '.join(str(c) for c in counts)} → {verdict(same)} (target: equal)")


if __name__ == "__main__":
    main()
