"""Proposing a month's rota for 1,000 deputies across 100 stations (one large township), against
loading the same rows.

The synthetic database has one township with its home, 100 stations and about 1,000 deputies
(``liaison seed synthetic --townships 1``). Next month is proposed as staff do it
(``rota.operations.propose_rota``: load who is due, their stations, dates and the calendar, run the
planner, write the draft slots and places), in a transaction rolled back each time. Beside it, in
alternation: replaying the SELECT statements that the proposal ran (recorded once with a
``before_cursor_execute`` listener) on a raw connection, i.e. just loading the same rows, and the
planner alone on the loaded input. Target: the whole proposal in at most 1 s.

    .venv/bin/python bench/rota.py [--db postgresql] [--repeat 7]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_database_options, database_line, make_app, print_table, synthetic_database, verdict  # noqa: E402
from rates import replay  # noqa: E402

DEPUTIES, STATIONS, YEARS = 1_000, 100, 1
TARGET_SECONDS = 1.0


def next_month(today):
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (median)")
    args = parser.parse_args()

    # 101 homes and stations in one township: its home and 100 stations.
    url = synthetic_database(args.db, DEPUTIES, STATIONS + 1, YEARS, args.pg_url, args.fresh, townships=1)
    app = make_app(url)
    import sqlalchemy as sa
    from liaison.clock import local_today
    from liaison.extensions import db
    from liaison.rota import operations, planning, queries
    from liaison.townships.models import Township

    with app.test_request_context("/"):
        township = db.session.scalar(sa.select(Township))
        year, month = next_month(local_today())
        engine = db.engine
        recorded = []

        def propose():
            """The whole proposal, undone afterwards."""
            try:
                return operations.propose_rota(township, year, month)
            finally:
                db.session.rollback()

        def record(_conn, _cursor, statement, parameters, _context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                recorded.append((statement, parameters, executemany))

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            _month, proposal = propose()
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        township = db.session.scalar(sa.select(Township))
        plan = queries.plan_input(township.id, year, month, first_day=None)
        db.session.rollback()
        township = db.session.scalar(sa.select(Township))

        propose_times, propose_cpu, load_times, planner_times = [], [], [], []
        for _ in range(args.repeat):
            cpu, started = time.process_time(), time.perf_counter()
            propose()
            propose_times.append(time.perf_counter() - started)
            propose_cpu.append(time.process_time() - cpu)
            township = db.session.scalar(sa.select(Township))
            started = time.perf_counter()
            replay(engine, recorded)
            load_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            planning.propose(plan)
            planner_times.append(time.perf_counter() - started)
        line = database_line(app)

    whole, cpu, load, planner = (statistics.median(t) for t in (propose_times, propose_cpu, load_times,
                                                                planner_times))
    rows = [
        ("propose_rota (load, plan, write draft)", f"{whole * 1000:.0f}", f"{cpu * 1000:.0f}",
         f"{whole / load:.1f}×", f"≤ {TARGET_SECONDS * 1000:.0f} ms", verdict(whole <= TARGET_SECONDS)),
        ("  the planner alone (planning.propose)", f"{planner * 1000:.0f}", "", f"{planner / load:.1f}×", "", ""),
        (f"  loading the same rows ({len(recorded)} SELECTs replayed)", f"{load * 1000:.0f}", "", "1.0×", "", ""),
    ]
    print_table(f"rota: proposing {year}-{month:02d} for {len(plan.deputies):,} due deputies across "
                f"{len(plan.stations)} stations ({len(proposal.filled_windows)} slots, {len(proposal.placed)} placed), "
                f"median of {args.repeat}", ("step", "wall ms", "CPU ms", "vs loading", "target", "result (wall)"), rows, line)


if __name__ == "__main__":
    main()
