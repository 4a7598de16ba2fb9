"""The official workbook (述职率统计表) at 10,000 deputies against bare openpyxl writing the same cells.

Two variants, each in its own child process so that each one's peak memory is its own:

- ``app``: the whole export as the download runs it (``build_workbook``: the rates queries, the
  per-deputy rows, the official layout and styles), in an app context on the synthetic database;
- ``bare``: openpyxl in write-only mode appending exactly the cell values the app's workbook holds
  (read back from it beforehand, outside the timing) with no styles at all.

Each child runs its variant once to warm up (compiled statements, translations, imports: as a
worker that has served before) and times the second run. Time is the median of ``--repeat``
children per variant, run alternately; the CPU time of the child is shown beside the wall time (it
leaves out PostgreSQL's own work) and the verdict takes the worse of the two ratios, since on a
shared machine a starved child makes the wall ratio lie either way. Memory is the growth of the
child's peak resident set over both runs (``ru_maxrss`` after minus the resident set before; the
interpreter, Flask and SQLAlchemy already loaded are not the export's), with the child's whole peak
shown beside it. Targets: time ratio at most 1.5×, the export's peak at most 100 MB.

    .venv/bin/python bench/export.py [--db postgresql] [--repeat 3] [--deputies 10000]
"""
import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_database_options, make_app, print_table, synthetic_database, verdict  # noqa: E402

YEARS = 5
TARGET_RATIO, TARGET_MB = 1.5, 100


def _resident_kb():
    """The process's current resident set in kB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _report(seconds, cpu, before_kb, extra=None):
    """Print the child's figures as one JSON line (the parent reads the last line)."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu": cpu, "growth_mb": (peak_kb - before_kb) / 1024,
                      "peak_mb": peak_kb / 1024, **(extra or {})}))


def child_app(url, output):
    """Build the workbook as the download does; save it for the bare variant to copy."""
    from liaison.clock import local_today
    from liaison.dashboard.workbook import build_workbook
    app = make_app(url)
    with app.test_request_context("/dashboard/export.xlsx"):
        from liaison.extensions import db
        db.session.execute(db.select(1))  # connect before measuring
        before = _resident_kb()
        build_workbook(local_today(), "bench")  # warm: compiled statements, translations, as a worker has
        cpu, started = time.process_time(), time.perf_counter()
        data = build_workbook(local_today(), "bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    Path(output).write_bytes(data)
    _report(seconds, cpu, before, {"bytes": len(data)})


def child_bare(cells_path, output):
    """Write the given sheets' cell values with bare write-only openpyxl (no styles, no queries)."""
    from openpyxl import Workbook
    sheets = pickle.loads(Path(cells_path).read_bytes())
    def write():
        workbook = Workbook(write_only=True)
        for title, rows in sheets:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        workbook.save(output)

    before = _resident_kb()
    write()  # warm, as the app variant is
    cpu, started = time.process_time(), time.perf_counter()
    write()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    _report(seconds, cpu, before, {"bytes": Path(output).stat().st_size})


def read_cells(path):
    """[(sheet title, [row values])] of a workbook, as openpyxl reads them back."""
    from openpyxl import load_workbook
    workbook = load_workbook(path, read_only=True)
    sheets = [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in workbook]
    workbook.close()
    return sheets


def run_child(*args):
    """Run this script as a child variant; its figures."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"child {args[1]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--deputies", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant (median)")
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "SOURCE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        variant, source, output = args.child
        (child_app if variant == "app" else child_bare)(source, output)
        return

    url = synthetic_database(args.db, args.deputies, args.deputies // 10, YEARS, args.pg_url, args.fresh)
    with tempfile.TemporaryDirectory() as work:
        workbook, cells, copy = (os.path.join(work, name) for name in ("app.xlsx", "cells.pickle", "bare.xlsx"))
        app_runs, bare_runs = [], []
        for attempt in range(args.repeat):
            app_runs.append(run_child("--child", "app", url, workbook))
            if attempt == 0:
                sheets = read_cells(workbook)
                Path(cells).write_bytes(pickle.dumps(sheets))
            bare_runs.append(run_child("--child", "bare", cells, copy))
        if read_cells(copy) != sheets:
            sys.exit("the bare workbook's cells differ from the app's")
    count = sum(len(row) - row.count(None) for _title, rows in sheets for row in rows)
    app_s = statistics.median(run["seconds"] for run in app_runs)
    bare_s = statistics.median(run["seconds"] for run in bare_runs)
    app_mb = max(run["growth_mb"] for run in app_runs)
    bare_mb = max(run["growth_mb"] for run in bare_runs)
    app_cpu = statistics.median(run["cpu"] for run in app_runs)
    bare_cpu = statistics.median(run["cpu"] for run in bare_runs)
    wall_ratio, cpu_ratio = app_s / bare_s, app_cpu / bare_cpu
    # Judged on the worse of the two: on a shared machine either child may be starved of CPU
    # (wall time then lies), and on PostgreSQL the child's CPU time leaves out the server's work.
    ratio = max(wall_ratio, cpu_ratio)
    rows = [
        ("app (build_workbook)", f"{app_s:.2f}", f"{app_cpu:.2f}", f"{wall_ratio:.2f}×", f"{cpu_ratio:.2f}×",
         f"≤ {TARGET_RATIO:g}×", verdict(ratio <= TARGET_RATIO), f"{app_mb:.0f}",
         f"{max(r['peak_mb'] for r in app_runs):.0f}", f"≤ {TARGET_MB}", verdict(app_mb <= TARGET_MB)),
        ("bare openpyxl write-only", f"{bare_s:.2f}", f"{bare_cpu:.2f}", "1.00×", "1.00×", "", "", f"{bare_mb:.0f}",
         f"{max(r['peak_mb'] for r in bare_runs):.0f}", "", ""),
    ]
    print_table(f"export: official workbook at {args.deputies:,} deputies ({len(sheets)} sheets, {count:,} cells, "
                f"{app_runs[0]['bytes'] / 1e6:.1f} MB) vs bare openpyxl, median of {args.repeat}",
                ("variant", "wall s", "CPU s", "wall ratio", "CPU ratio", "target", "result (worse ratio)",
                 "export peak MB", "process peak MB", "target", "result"),
                rows, f"database: {args.db}")


if __name__ == "__main__":
    main()
