"""`liaison seed synthetic` against a raw executemany of the same rows (SQLite).

(a) The seeder as an operator runs it (`liaison db upgrade`, then `liaison seed synthetic`) into a
fresh file, timed around the seed command alone (its own "seeded in N s" line). (b) Every row it
wrote, read back table by table, inserted into another fresh file at the same migration head with
the bare `sqlite3` module: one `executemany` per table and one commit, the best a hand-written
loader can do for the same rows. Both files must then hold the same number of rows in every table.
The ratio (a)/(b) is printed with PASS at most 1.5 (issue 16 §7). The random generation of the city
is part of (a) and not of (b): the seeder has to make the rows up, a loader only writes them.

    .venv/bin/python bench/seed.py [--deputies 10000] [--stations 1000] [--years 5]
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, child_env, print_table, verdict  # noqa: E402

TARGET = 1.5


def liaison(url, *args):
    env = child_env(url)
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "liaison"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"liaison {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def tables(connection):
    return [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' ORDER BY name")]


def raw_load(source, target):
    """Insert every row of ``source`` into the empty schema ``target``; seconds spent writing."""
    src = sqlite3.connect(source)
    rows_of = {name: src.execute(f'SELECT * FROM "{name}"').fetchall() for name in tables(src)}
    src.close()
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA foreign_keys = OFF")
    for name in rows_of:  # rows the migrations wrote (the stored zone) come again from the seeded file
        dst.execute(f'DELETE FROM "{name}"')
    dst.commit()
    started = time.perf_counter()
    for name, rows in rows_of.items():
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            dst.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
    dst.commit()
    seconds = time.perf_counter() - started
    dst.close()
    return seconds, {name: len(rows) for name, rows in rows_of.items()}


def counts(path):
    connection = sqlite3.connect(path)
    try:
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in tables(connection)}
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deputies", type=int, default=10_000)
    parser.add_argument("--stations", type=int, default=1_000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        seeded, loaded = Path(folder) / "seeded.db", Path(folder) / "loaded.db"
        for path in (seeded, loaded):
            liaison(f"sqlite:///{path}", "db", "upgrade")
        out = liaison(f"sqlite:///{seeded}", "seed", "synthetic", "--deputies", str(args.deputies),
                      "--stations", str(args.stations), "--years", str(args.years))
        seed_seconds = float(re.search(r"seeded in ([\d.]+) s", out).group(1))
        load_seconds, written = raw_load(seeded, loaded)
        if counts(loaded) != counts(seeded) or not written.get("checkins"):
            sys.exit("the raw load does not hold the seeder's rows: no comparison")
        total = sum(written.values())
        ratio = seed_seconds / load_seconds
        print_table(f"Seeding {args.deputies} deputies, {args.stations} stations, {args.years} years "
                    f"({total:,} rows) vs a raw executemany of the same rows; target ≤ {TARGET}",
                    ("database", "(a) seed", "(b) raw executemany", "(a)/(b)", "verdict"),
                    [("sqlite", f"{seed_seconds:.1f} s", f"{load_seconds:.1f} s", f"{ratio:.2f}",
                      verdict(ratio <= TARGET))])


if __name__ == "__main__":
    main()
