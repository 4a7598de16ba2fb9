"""A collective activity (集中活动) at one 代表之家: 200 deputies scan the kiosk screen within a few
seconds, through gunicorn on a real port, each from a phone with its own signed-in session.

Every one gets its 303 to its own check-in, the home holds exactly 200 rows, and p50/p99 are
printed. The same scenario runs as a small bench, outside pytest:

    .venv/bin/python -m tests.scale.test_collective_checkin --db postgresql
"""
import argparse
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from liaison.accounts.models import Role
from liaison.extensions import db
from liaison.network.models import StationKind
from stations.checkin.models import Checkin, Method, Status
from stations.tokens import make_kiosk_token
from tests import factories
from tests.conftest import PG_URL, PostgresServer, make_test_app
from tests.servers import Browser, Processes

DEPUTIES = 200
#: gunicorn sync workers: what deploy/gunicorn.conf.py gives a 2-core machine (2 × cores + 1).
WORKERS = 5
#: Phones signing in beforehand, side by side (the burst itself is one thread per phone).
SIGN_IN_THREADS = 8


def seed_activity(deputies):
    """A township's 代表之家 with ``deputies`` deputies whose home it is; returns (home, mobiles)."""
    term = factories.make_term(name="区第八届", start_date=date(2020, 1, 1), end_date=date(2099, 12, 31))
    town = factories.make_township(name="青山镇")
    district = factories.make_district(term=term, township=town, name="青山第一选区")
    home = factories.make_station(township=town, kind=StationKind.home, name="青山镇代表之家",
                                  latitude=30.25, longitude=120.15, radius_m=150)
    # One cheap hash for every account: 200 sign-ins at the product's scrypt cost would take a
    # minute here, and this test is about the check-ins, not the hash.
    password_hash = factories.cheap_password_hash(factories.PASSWORD)
    mobiles = []
    for n in range(deputies):
        deputy = factories.make_deputy(name=f"代表{n:03d}")
        factories.make_mandate(deputy=deputy, term=term, township=town, electoral_district=district, home=home)
        user = factories.make_user(roles={Role.deputy}, deputy=deputy, password=None)
        user.password_hash = password_hash
        mobiles.append(user.mobile)
    db.session.commit()
    return home, mobiles


def signed_in_phone(base, mobile, code):
    """A phone signed in through the login form, with the scan page (its CSRF token) open."""
    phone = Browser(base, timeout=60)
    answer = phone.sign_in(mobile, factories.PASSWORD)
    assert answer.status == 302, (mobile, answer.status, answer.text[:300])
    page = phone.get(f"/s/{code}")
    assert page.status == 200, page.text[:300]
    return phone, page.hidden("csrf_token")


def burst(phones, code, tokens):
    """Every phone taps 签到 at the same instant, each with its kiosk token; returns [(status, location, seconds)]."""
    start = threading.Barrier(len(phones))
    results = [None] * len(phones)

    def tap(i):
        phone, csrf = phones[i]
        start.wait()
        began = time.perf_counter()
        try:
            answer = phone.post(f"/s/{code}", {"csrf_token": csrf, "nonce": secrets.token_urlsafe(16), "t": tokens[i]})
            results[i] = (answer.status, answer.location, time.perf_counter() - began)
        except OSError as error:  # a refused or reset connection is a failure like any other
            results[i] = (repr(error), "", time.perf_counter() - began)

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def collective_checkin(database_url, folder, deputies=DEPUTIES, workers=WORKERS):
    """Seed, serve with gunicorn, sign everyone in, fire the burst; return what the test checks."""
    secret = secrets.token_urlsafe(32)
    app = make_test_app(database_url, SECRET_KEY=secret)
    phases = {}
    with app.app_context():
        began = time.perf_counter()
        upgrade()
        home, mobiles = seed_activity(deputies)
        phases["seed"] = time.perf_counter() - began
        code, home_id = home.code, home.id
        # End the read (on SQLite every transaction holds the write lock) before the server starts.
        db.session.commit()
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")},
               "LIAISON_ENV": "production", "LIAISON_SECRET_KEY": secret, "LIAISON_DATABASE_URL": database_url}
        processes = Processes(env, folder)
        try:
            began = time.perf_counter()
            [(server, base)] = processes.gunicorn("web", workers=workers)
            phases["start"] = time.perf_counter() - began
            with ThreadPoolExecutor(SIGN_IN_THREADS) as pool:
                phones = list(pool.map(lambda mobile: signed_in_phone(base, mobile, code), mobiles))
            phases["sign-in"] = time.perf_counter() - began - phases["start"]
            # Each kiosk code makes one check-in (the screen shows the next one after each use):
            # every phone holds its own, so the burst measures the server, not the queue at the screen.
            tokens = [make_kiosk_token(home) for _ in phones]
            db.session.commit()
            began = time.perf_counter()
            results = burst(phones, code, tokens)
            wall = time.perf_counter() - began
            server.stop()
            log = server.stderr
        finally:
            processes.stop_all()
        rows = db.session.execute(sa.select(Checkin.id, Checkin.deputy_id, Checkin.status, Checkin.method)
                                  .where(Checkin.station_id == home_id)).all()
        db.session.remove()
        db.engine.dispose()
    seconds = [s for _, _, s in results]
    return {"results": results, "rows": rows, "wall": wall, "log": log, "phases": phases,
            "p50": percentile(seconds, 0.5),
            "p99": percentile(seconds, 0.99), "max": max(seconds)}


def report(kind, outcome):
    line = (f"collective check-in on {kind}: {len(outcome['results'])} deputies at once, all answered in "
            f"{outcome['wall']:.2f} s; p50 {outcome['p50'] * 1000:.0f} ms, p99 {outcome['p99'] * 1000:.0f} ms, "
            f"max {outcome['max'] * 1000:.0f} ms; {len(outcome['rows'])} rows (before: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in outcome["phases"].items()) + ")")
    print("\n" + line)
    return line


def check(outcome, deputies=DEPUTIES):
    results, rows = outcome["results"], outcome["rows"]
    failed = [r for r in results if r[0] != 303]
    assert failed == [], failed[:5]
    named = {int(re.search(r"/checkins/(\d+)$", location).group(1)) for _, location, _ in results}
    assert len(named) == deputies, "two deputies were told of the same check-in"
    assert len(rows) == deputies and {r.id for r in rows} == named
    assert len({r.deputy_id for r in rows}) == deputies
    # A kiosk scan at the deputies' own home counts at once: none waits for staff.
    assert {(r.status, r.method) for r in rows} == {(Status.accepted, Method.kiosk)}
    assert "Traceback" not in outcome["log"], outcome["log"][-3000:]


@pytest.mark.postgres
def test_two_hundred_deputies_check_in_at_one_home_at_once_on_postgresql(postgres, tmp_path):
    """200 phones post 签到 to gunicorn in the same instant on PostgreSQL: 200 rows, 200 answers, no error."""
    url = postgres.create()
    try:
        outcome = collective_checkin(url, str(tmp_path))
    finally:
        postgres.drop(url)
    report("PostgreSQL", outcome)
    check(outcome)


def main():
    parser = argparse.ArgumentParser(description="200 deputies check in at one home at once; prints p99.")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--deputies", type=int, default=DEPUTIES)
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="liaison-collective-") as folder:
            if kind == "sqlite":
                outcome = collective_checkin("sqlite:///" + os.path.join(folder, "collective.db"), folder,
                                             args.deputies, args.workers)
            else:
                server = PostgresServer(PG_URL or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
                url = server.create()
                try:
                    outcome = collective_checkin(url, folder, args.deputies, args.workers)
                finally:
                    server.drop(url)
            report(kind, outcome)
            check(outcome, args.deputies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
