"""The committee dashboard at 1,000 and 10,000 deputies against the best hand-written SQL for the same figures.

For each size: sign in as the committee through the login form and request ``/dashboard`` once while a
``before_cursor_execute`` listener counts its statements; check that every rates figure the page shows
(届内述职率 per term and township, 年述职, 月进站 and 季回家 per period and township, the district rows)
equals the figure computed by the hand-written statements of ``bench/hand_rates.py`` over the raw
check-ins, reports and mandates, and that every mandate's state in every month and quarter (the
workbook's per-mandate sheets, ``visits_by_mandate``) equals the hand-written per-mandate select; then
time, in alternation:

- the page through the Flask test client (everything the committee waits for: session, every
  statement, shaping, the template) against the hand statements alone (target: at most 1.5×);
- the rates' per-mandate rows of the year (``visits_by_mandate`` for months and quarters, every row
  fetched) against the hand per-mandate select (target: at most 1.5×).

Growth from 1,000 to 10,000 deputies must be no worse than linear (page 10k / page 1k ≤ 10), and the
number of statements per page the same at both sizes. A figure that differs stops the bench.

    .venv/bin/python bench/rates.py [--db postgresql] [--repeat 7] [--sizes 1000,10000]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hand_rates  # noqa: E402
from common import (add_database_options, database_line, make_app, print_table, signed_in_client,  # noqa: E402
                    synthetic_database, verdict)

SIZES = {1_000: 100, 10_000: 1_000}
YEARS = 5
TARGET_RATIO = 1.5
PAGE = "/dashboard"


def count_statements(app, client):
    """How many statements one request of the page runs."""
    import sqlalchemy as sa
    from liaison.extensions import db
    statements = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(PAGE)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise RuntimeError(f"{PAGE} answered {response.status_code}")
    return len(statements)


def page_inputs(app):
    """(target term ids, visit term id, year, as-of date) as the page takes them by default."""
    from liaison.clock import local_today
    from liaison.dashboard import queries
    from liaison.terms.models import Level
    with app.app_context():
        as_of = local_today()
        terms = queries.target_terms(as_of)
        district = [term for term in terms if term.level is Level.district]
        visit = (district or terms or [None])[0]
        return [term.id for term in terms], visit.id if visit else None, as_of.year, as_of


def measure(url, repeat):
    """Check the figures, then time page vs hand SQL and per-mandate rows vs hand per-mandate SQL."""
    from liaison.extensions import db
    app = make_app(url)
    client = signed_in_client(app)
    statements = count_statements(app, client)
    target_ids, visit_id, year, as_of = page_inputs(app)
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name

        def hand():
            with engine.connect() as connection:
                return hand_rates.dashboard(connection, dialect, target_ids, visit_id, year, as_of)

        def hand_states():
            with engine.connect() as connection:
                return hand_rates.visit_states(connection, dialect, hand_rates.terms_of(connection),
                                               hand_rates.terms_of(connection)[visit_id], year, as_of)

        def app_states():
            found = hand_rates.app_visit_states(visit_id, year, as_of)
            db.session.rollback()
            return found

        wrong = hand_rates.differences(hand(), hand_rates.app_dashboard(target_ids, visit_id, year, as_of))
        db.session.rollback()
        mine, theirs = hand_states(), app_states()
        wrong += [("per mandate", key, mine.get(key), theirs.get(key))
                  for key in sorted(set(mine) | set(theirs)) if mine.get(key) != theirs.get(key)][:10]
        if wrong:
            for item in wrong:
                print("DIFFERENT:", *item, file=sys.stderr)
            sys.exit("the app's figures differ from the hand-written SQL's")
        checked = sum(len(v) for v in hand().values()), len(mine)

        times = {"page": [], "hand": [], "rows": [], "hand rows": []}
        client.get(PAGE)
        for _ in range(repeat):
            for name, action in (("page", lambda: client.get(PAGE)), ("hand", hand), ("rows", app_states),
                                 ("hand rows", hand_states)):
                started = time.perf_counter()
                result = action()
                times[name].append(time.perf_counter() - started)
                if name == "page" and result.status_code != 200:
                    raise RuntimeError(f"{PAGE} answered {result.status_code}")
    line = database_line(app)
    engine.dispose()
    return statements, {name: statistics.median(values) for name, values in times.items()}, checked, line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per size (median)")
    parser.add_argument("--sizes", default="1000,10000", help="deputies, comma-separated (1000 and/or 10000)")
    args = parser.parse_args()

    rows, counts, pages, hands, line = [], [], {}, {}, ""
    for deputies in (int(size) for size in args.sizes.split(",")):
        url = synthetic_database(args.db, deputies, SIZES[deputies], YEARS, args.pg_url, args.fresh)
        statements, median, checked, line = measure(url, args.repeat)
        counts.append(statements)
        pages[deputies], hands[deputies] = median["page"], median["hand"]
        for what, mine, hand in (("dashboard page", "page", "hand"), ("per-mandate rows", "rows", "hand rows")):
            ratio = median[mine] / median[hand]
            rows.append((f"{deputies:,}", what, statements if mine == "page" else "",
                         f"{median[mine] * 1000:.0f}", f"{median[hand] * 1000:.0f}", f"{ratio:.2f}×",
                         f"≤ {TARGET_RATIO:g}×", verdict(ratio <= TARGET_RATIO)))
        print(f"[{deputies:,}] equal: {checked[0]:,} figures of the page, {checked[1]:,} mandate-period states",
              file=sys.stderr)
    print_table(f"rates: committee dashboard ({PAGE}) and per-mandate rows vs the best hand-written SQL over the "
                f"raw check-ins (bench/hand_rates.py), every figure checked equal, median of {args.repeat}",
                ("deputies", "measure", "statements", "app ms", "hand SQL ms", "ratio", "target", "result"), rows,
                line)
    if len(counts) > 1:
        same = len(set(counts)) == 1
        print(f"statements per page: {' vs '.join(str(c) for c in counts)} → {verdict(same)} (target: equal)")
    if 1_000 in pages and 10_000 in pages:
        growth = pages[10_000] / pages[1_000]
        print(f"page 10k / 1k: {growth:.2f} for 10× the deputies → {verdict(growth <= 10)} (target: ≤ 10, linear); "
              f"the hand SQL's own 10k / 1k: {hands[10_000] / hands[1_000]:.2f}")


if __name__ == "__main__":
    main()
