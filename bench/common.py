"""Helpers shared by the benches: the machine, cached synthetic databases, an app on them, a signed-in
client, medians and the result table.

Synthetic databases are built once per set of parameters by the real commands (``liaison db upgrade``
then ``liaison seed synthetic``) in a child process, and reused while the seeder is unchanged (their
names carry a digest of it); a reused database is brought to the current migration head first.
"""
import hashlib
import logging
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Every synthetic account signs in with this password (``liaison seed synthetic --password``).
PASSWORD = "bench-password-1"
COMMITTEE_MOBILE = "13900000001"
CACHE = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "liaison-bench"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def machine():
    """One line: date (UTC), cores, CPU model, Python."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now} · {os.cpu_count()} cores · {model} · Python {platform.python_version()}"


def add_database_options(parser):
    """The options every bench takes: which database, and whether to rebuild the cached ones."""
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help="database engine (default sqlite)")
    parser.add_argument("--pg-url", default=PG_URL,
                        help="PostgreSQL server URL without a database name (default %(default)s)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the synthetic databases")


def _digest():
    """Changes when the seeder changes, so a database seeded differently is not reused."""
    return hashlib.sha1((ROOT / "liaison/seed/synthetic.py").read_bytes()).hexdigest()[:10]


def synthetic_database(engine, deputies, stations, years, pg_url=PG_URL, fresh=False, seed=1, townships=None):
    """The URL of a synthetic city with these parameters, built now unless a cached one exists.

    ``engine`` is "sqlite" (a file under the cache folder) or "postgresql" (a database on the server).
    The database is built under a temporary name and renamed when complete, so an interrupted build
    is never reused.
    """
    shape = f"_t{townships}" if townships else ""
    name = f"liaison_bench_d{deputies}_s{stations}{shape}_y{years}_r{seed}_{_digest()}"
    if engine == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"{name}.db"
        if fresh:
            for leftover in CACHE.glob(f"{name}.db*"):
                leftover.unlink()
        if not path.exists():
            building = CACHE / f"{name}.building.db"
            for leftover in CACHE.glob(f"{name}.building.db*"):
                leftover.unlink()
            _seed(f"sqlite:///{building}", deputies, stations, years, seed, townships)
            building.rename(path)
            for leftover in CACHE.glob(f"{name}.building.db*"):
                leftover.unlink()
        else:
            _upgrade(f"sqlite:///{path}")
        return f"sqlite:///{path}"

    import psycopg
    server = pg_url.rstrip("/")
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain + "/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_building" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}_building"')
            _seed(f"{server}/{name}_building", deputies, stations, years, seed, townships)
            connection.execute(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
            # Fresh statistics, as a database that has been running a while would have.
            with psycopg.connect(f"{plain}/{name}", autocommit=True) as built:
                built.execute("VACUUM ANALYZE")
        else:
            _upgrade(f"{server}/{name}")
    return f"{server}/{name}"


def child_env(url):
    """The environment of a ``liaison`` command on ``url``: this checkout's code first on the path (the
    venv may be shared with another checkout, whose editable install would otherwise be imported)."""
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    return dict(os.environ, LIAISON_DATABASE_URL=url, LIAISON_ENV="development", PYTHONPATH=path)


def _upgrade(url):
    """``liaison db upgrade`` on a database (a no-op when it is at the head already)."""
    env = child_env(url)
    upgrade = subprocess.run([str(ROOT / ".venv" / "bin" / "liaison"), "db", "upgrade"], env=env, cwd=ROOT,
                             capture_output=True, text=True)
    if upgrade.returncode:
        sys.exit(f"liaison db upgrade failed:\n{upgrade.stderr}")


def _seed(url, deputies, stations, years, seed, townships=None):
    """Run the migrations and the seeder as an operator would, in a child process."""
    env = child_env(url)
    liaison = str(ROOT / ".venv" / "bin" / "liaison")
    print(f"building synthetic database ({deputies} deputies, {stations} stations, {years} years)...",
          file=sys.stderr, flush=True)
    _upgrade(url)
    subprocess.run([liaison, "seed", "synthetic", "--deputies", str(deputies), "--stations", str(stations),
                    "--years", str(years), "--seed", str(seed), "--password", PASSWORD,
                    *(["--townships", str(townships)] if townships else [])],
                   env=env, check=True, cwd=ROOT)
    if url.startswith("sqlite"):
        # The statistics SQLite's planner would have after `PRAGMA optimize` in a running system.
        import sqlite3
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            connection.execute("ANALYZE")
            connection.commit()
            # Everything into the main file: the file is renamed next, its WAL would be left behind.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()


def make_app(url, **overrides):
    """A production-configured app on ``url`` (quiet logs)."""
    from liaison import create_app
    config = {"ENV": "production", "SECRET_KEY": "bench-" + os.urandom(16).hex(),
              "SQLALCHEMY_DATABASE_URI": url}
    config.update(overrides)
    app = create_app(config)
    logging.getLogger().setLevel(logging.WARNING)
    return app


def signed_in_client(app, mobile=COMMITTEE_MOBILE, password=PASSWORD):
    """A test client signed in through the login form (with its CSRF token when CSRF is on)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"mobile": mobile, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/login", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {mobile} failed ({response.status_code})")
    return client


def median_seconds(action, repeat):
    """The median wall time of ``repeat`` calls of ``action`` (after one warm-up call)."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def verdict(passed):
    return "PASS" if passed else "MISS"


def print_table(title, header, rows, engine_line=""):
    """A plain-text table under a title, the machine line and (optionally) the database line."""
    print()
    print(title)
    print(machine())
    if engine_line:
        print(engine_line)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for index, row in enumerate([header] + list(rows)):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def database_line(app):
    """The database engine and server version of an app, for the table."""
    from liaison.extensions import db
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            version = ".".join(str(part) for part in engine.dialect.server_version_info or ())
        return f"database: {engine.dialect.name} {version}"
