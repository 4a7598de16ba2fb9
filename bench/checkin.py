"""Check-in benchmark: the full check-in POST against two yardsticks of the same app, with wrk.

    .venv/bin/python bench/checkin.py                    # SQLite, then PostgreSQL
    .venv/bin/python bench/checkin.py --db sqlite --profile

For each database the script builds a fresh one (migrations, then ``liaison seed synthetic`` with a
year of history), creates the bench-only table ``bench_inserts``, starts the app under gunicorn
with ``LIAISON_BENCH_ENDPOINTS=1``, signs in deputies through the real login form (their session
cookies and CSRF tokens are gathered here beforehand), then drives three endpoints with wrk on
loopback, one after the other, each for the same time and number of connections, in three rounds
(the verdicts take the median of the rounds: other processes' load on the machine drifts):

(a) ``POST /s/<code>``: a full kiosk check-in (session, CSRF, kiosk token, rules, insert, 303);
    every request is a signed-in deputy with a nonce never used before, so each is a new row;
    afterwards the rows carrying this run's nonces are counted against wrk's 303 answers;
(b) ``POST /bench/insert``: one bare INSERT and commit;
(c) ``GET /bench/ok``: nothing at all.

Targets (issue 7): (a)/(b) >= 0.6 of throughput, p99 of (a) <= 50 ms at 32 connections, no errors.
With 32 connections always waiting that p99 measures the queue, so two more runs follow (issue 16):

(d) an open loop: check-ins sent at a fixed rate well below capacity (``--rate``, 50/s, for
    ``--open-seconds``), each with a kiosk code of its own, then the confirmation page the phone
    is sent to; latency counts from the instant a request was due. Target: p99 of the POST
    <= 150 ms; a run with no answered check-in is an error, not a pass;
(e) the collective activity: every signed-in deputy taps 签到 at one 代表之家 at the same instant,
    against as many bare INSERT requests at the same instant, in alternation. Target: all answered
    within 2x the bare INSERT burst.

gunicorn runs with ``--max-requests 0``: no worker restarts inside a measuring window.

Gunicorn configuration, the same for all three: the deployment's own ``deploy/gunicorn.conf.py``
(sync workers, 2 x cores + 1 = 5 on this 2-core machine). Each request is CPU work plus waits on
the database (a commit's fsync, a lock); one worker per core would leave a core idle during each
wait, and a few more cover them. Sync workers suit a process that holds the GIL for most of a
request, and nginx in front buffers slow phones. ``--workers`` overrides the number.

SQLite durability: ``liaison/sqlite.py`` runs WAL with ``synchronous=NORMAL``, as production does.
In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits, which
FULL would keep at the cost of an fsync per commit. The bench measures what a deployment runs.

Bench accounts carry a cheap PBKDF2 password hash (1,000 rounds) so that signing in hundreds of
deputies takes seconds; the login form and its checks are the real ones, and nothing in the check-in
POST hashes a password.
"""
import argparse
import contextlib
import cProfile
import http.client
import io
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import statistics
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from common import print_table, verdict  # noqa: E402
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
LUA = os.path.join(ROOT, "bench", "checkin.lua")
GUNICORN_CONFIG = os.path.join(ROOT, "deploy", "gunicorn.conf.py")
PG_ADMIN_URL = os.environ.get("LIAISON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
USER_AGENT = "liaison-bench"  # the same in wrk (checkin.lua): Flask-Login ties a session to it
BENCH_PASSWORD = "bench-password-9"
#: Targets from issue 7.
MIN_INSERT_RATIO, MAX_P99_MS = 0.6, 50.0
#: Targets from issue 16: open-loop p99 at a fixed rate, and the burst at one home vs bare INSERTs.
MAX_OPEN_P99_MS, MAX_BURST_RATIO = 150.0, 2.0
#: Kiosk codes written for each signed-in deputy per wrk run (one per check-in it sends).
TOKENS_PER_SESSION = 60


def ensure_wrk():
    """wrk on PATH, installed with apt when missing."""
    if shutil.which("wrk"):
        return
    print("Installing wrk with apt ...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True)


# --- the database -------------------------------------------------------------------------------

@contextlib.contextmanager
def fresh_database(kind):
    """Yield the URL of a new empty database (an SQLite file, or a new PostgreSQL database)."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="liaison-bench-")
        try:
            yield "sqlite:///" + os.path.join(folder, "bench.db")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = "liaison_bench_" + secrets.token_hex(4)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def app_environment(url):
    """The environment of every process of one run: production mode plus the bench endpoints."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update({
        "LIAISON_ENV": "production", "LIAISON_SECRET_KEY": "bench-" + secrets.token_hex(16),
        "LIAISON_DATABASE_URL": url, "LIAISON_BENCH_ENDPOINTS": "1",
    })
    return env


def build_city(env, deputies, stations):
    """Migrate the empty database and seed a small synthetic city with a year of check-ins."""
    liaison = os.path.join(VENV_BIN, "liaison")
    subprocess.run([liaison, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([liaison, "seed", "synthetic", "--deputies", str(deputies), "--stations", str(stations),
                    "--years", "1"], env=env, check=True, stdout=subprocess.DEVNULL)


def in_process_app(env):
    """An app of the same configuration in this process, for setup, kiosk tokens and counting."""
    for key in ("LIAISON_ENV", "LIAISON_SECRET_KEY", "LIAISON_DATABASE_URL", "LIAISON_BENCH_ENDPOINTS"):
        os.environ[key] = env[key]
    from liaison import create_app

    return create_app()


def choose_deputies(app, count, station_count):
    """Give ``count`` serving deputies the bench password; return [(mobile, station code)].

    Deputies are spread over ``station_count`` active stations (not homes), one station each.
    """
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from liaison.accounts.models import User
    from liaison.benchpoints import create_table
    from liaison.clock import local_today
    from liaison.deputies.models import Deputy
    from liaison.extensions import db
    from stations.checkin.operations import serving_mandates
    from liaison.network.models import Station, StationKind

    with app.app_context():
        with db.engine.begin() as conn:
            create_table(conn)
        today = local_today()
        codes = db.session.scalars(
            sa.select(Station.code).where(Station.kind == StationKind.station, Station.active)
            .order_by(Station.id).limit(station_count)).all()
        users = db.session.scalars(sa.select(User).join(Deputy, User.deputy_id == Deputy.id)
                                   .order_by(User.id)).all()
        chosen = [u for u in users if serving_mandates(u.deputy, today)][:count]
        password_hash = generate_password_hash(BENCH_PASSWORD, method="pbkdf2:sha256:1000")
        db.session.execute(sa.update(User).where(User.id.in_([u.id for u in chosen]))
                           .values(password_hash=password_hash))
        db.session.commit()
        return [(u.mobile, codes[i % len(codes)]) for i, u in enumerate(chosen)]


def kiosk_tokens(app, codes, per_session=None):
    """A fresh kiosk token for each station code (valid for LIAISON_KIOSK_TOKEN_SECONDS); with
    ``per_session`` (a list of the sessions' codes), {code: [[tokens of one session], ...]}."""
    import sqlalchemy as sa

    from liaison.extensions import db
    from liaison.network.models import Station
    from stations.tokens import make_kiosk_token

    with app.app_context():
        stations = db.session.scalars(sa.select(Station).where(Station.code.in_(codes))).all()
        if per_session is None:
            return {s.code: make_kiosk_token(s) for s in stations}
        by_code = {s.code: s for s in stations}
        found = {code: [] for code in by_code}
        for code in per_session:
            found[code].append([make_kiosk_token(by_code[code]) for _ in range(TOKENS_PER_SESSION)])
        return found


def count_rows(app, sql, **params):
    import sqlalchemy as sa

    from liaison.extensions import db

    with app.app_context():
        row = db.session.execute(sa.text(sql), params).one()
        db.session.remove()
        return row


# --- the server and the clients -----------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workers, log_path):
    """Run the app under gunicorn with the deployment's configuration on a free loopback port."""
    port = free_port()
    # No worker restarts inside a measuring window (the deployment's max_requests would restart
    # each worker every ~5,000 requests, in the middle of a run).
    command = [os.path.join(VENV_BIN, "gunicorn"), "--config", GUNICORN_CONFIG, "--bind", f"127.0.0.1:{port}",
               "--max-requests", "0"]
    if workers:
        command += ["--workers", str(workers)]
    with open(log_path, "ab") as log:
        server = subprocess.Popen(command + ["wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/bench/ok", server)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_until_up(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_in(html):
    found = CSRF_FIELD.search(html)
    if not found:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1) or found.group(2)


def sign_in(base, mobile, code):
    """Sign one deputy in through the login form; return (session cookie, CSRF token of the scan page)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(base + "/login") as page:
        token = csrf_in(page.read().decode())
    form = urllib.parse.urlencode({"csrf_token": token, "mobile": mobile, "password": BENCH_PASSWORD,
                                   "remember": "y", "next": f"/s/{code}"}).encode()
    with opener.open(base + "/login", data=form) as page:  # follows the redirect to the scan page
        if urllib.parse.urlsplit(page.url).path != f"/s/{code}":
            raise RuntimeError(f"sign-in of {mobile} failed: ended at {page.url}")
        csrf = csrf_in(page.read().decode())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "session")
    return cookie, csrf


def sign_in_all(base, deputies):
    with ThreadPoolExecutor(8) as pool:
        signed = list(pool.map(lambda pair: sign_in(base, *pair), deputies))
    return [dict(code=code, cookie=cookie, csrf=csrf) for (_, code), (cookie, csrf) in zip(deputies, signed)]


def write_sessions(path, sessions, tokens):
    """The Lua table checkin.lua reads: one entry per signed-in deputy, with fresh kiosk tokens (a
    kiosk code makes one check-in: each request takes the next of its deputy's list)."""
    def lua(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    with open(path, "w") as f:
        f.write("return {\n")
        for s in sessions:
            f.write("{path=%s, cookie=%s, csrf=%s, used=0, tokens={%s}},\n" % (
                lua("/s/" + s["code"]), lua(s["cookie"]), lua(urllib.parse.quote(s["csrf"], safe="")),
                ", ".join(lua(urllib.parse.quote(token, safe="")) for token in tokens[s["code"]].pop())))
        f.write("}\n")


def run_wrk(base, seconds, connections, *args):
    """One wrk run; returns checkin.lua's summary (latencies in microseconds)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", LUA, base, "--",
               *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed:\n{done.stdout}{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line[len("BENCH_JSON "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result



# --- open loop and burst ---------------------------------------------------------------------------

def _post(base, path, body, cookie=None):
    """One POST on a new connection (a phone's); returns (status, location)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("POST", path, urllib.parse.urlencode(body), headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status, answer.getheader("Location") or ""
    finally:
        connection.close()


def _get(base, path, cookie):
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def open_loop(base, app, sessions, rate, seconds):
    """Check-ins sent at a fixed rate whatever the answers (open loop), each from a signed-in deputy
    with a kiosk code of its own, then the confirmation page the phone is sent to. Latency counts
    from the instant the request was due, so a request held back by slow earlier ones counts its
    wait (no coordinated omission). Returns {"post": [s], "page": [s], "errors": [...], "sent": n}."""
    count = int(rate * seconds)
    codes = sorted({s["code"] for s in sessions})
    with app.app_context():
        import sqlalchemy as sa
        from liaison.extensions import db
        from liaison.network.models import Station
        from stations.tokens import make_kiosk_token
        stations = {st.code: st for st in db.session.scalars(sa.select(Station).where(Station.code.in_(codes)))}
        tokens = [make_kiosk_token(stations[sessions[i % len(sessions)]["code"]]) for i in range(count)]
        db.session.remove()
    tag = "o" + secrets.token_hex(3)
    results = {"post": [], "page": [], "errors": [], "sent": count}
    start = time.perf_counter() + 0.5

    def one(i):
        session = sessions[i % len(sessions)]
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        try:
            status, location = _post(base, f"/s/{session['code']}",
                                     {"csrf_token": session["csrf"], "nonce": f"{tag}{i:010d}", "t": tokens[i]},
                                     session["cookie"])
            posted = time.perf_counter()
            if status != 303:
                results["errors"].append(f"POST {status}")
                return
            results["post"].append(posted - due)
            path = urllib.parse.urlsplit(location).path
            page_status = _get(base, path, session["cookie"])
            if page_status != 200:
                results["errors"].append(f"GET {path} {page_status}")
                return
            results["page"].append(time.perf_counter() - posted)
        except OSError as error:
            results["errors"].append(repr(error))

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(count)))
    return results


def burst(base, app, sessions, insert=False):
    """Every signed-in deputy taps 签到 at one 代表之家 at the same instant (a collective activity),
    each with a kiosk code of its own; or, with ``insert``, as many bare INSERT requests at once.
    Returns (seconds until all answered, [statuses])."""
    count = len(sessions)
    if not insert:
        with app.app_context():
            import sqlalchemy as sa
            from liaison.extensions import db
            from liaison.network.models import Station, StationKind
            from stations.tokens import make_kiosk_token
            home = db.session.scalars(sa.select(Station).where(Station.kind == StationKind.home, Station.active)
                                      .order_by(Station.id).limit(1)).one()
            code, tokens = home.code, [make_kiosk_token(home) for _ in range(count)]
            db.session.remove()
    barrier = threading.Barrier(count + 1)
    statuses = [None] * count
    tag = "c" + secrets.token_hex(3)

    def tap(i):
        barrier.wait()
        try:
            if insert:
                statuses[i] = _post(base, "/bench/insert", {"x": "1"})[0]
            else:
                session = sessions[i]
                statuses[i] = _post(base, f"/s/{code}", {"csrf_token": session["csrf"], "nonce": f"{tag}{i:010d}",
                                                          "t": tokens[i]}, session["cookie"])[0]
        except OSError as error:
            statuses[i] = repr(error)

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, statuses


# --- one database -------------------------------------------------------------------------------

def bench_database(kind, args, workdir):
    """Build, serve and measure one database; return the three results and the row check."""
    with fresh_database(kind) as url:
        env = app_environment(url)
        started = time.monotonic()
        build_city(env, args.city_deputies, args.stations * 4)
        app = in_process_app(env)
        deputies = choose_deputies(app, args.deputies, args.stations)
        print(f"[{kind}] city built and {len(deputies)} deputies chosen in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        log_path = os.path.join(workdir, f"gunicorn-{kind}.log")
        with gunicorn(env, args.workers, log_path) as base:
            started = time.monotonic()
            sessions = sign_in_all(base, deputies)
            print(f"[{kind}] {len(sessions)} deputies signed in in {time.monotonic() - started:.1f} s",
                  flush=True)
            codes = sorted({s["code"] for s in sessions})
            sessions_path = os.path.join(workdir, f"sessions-{kind}.lua")

            def checkin_run(seconds):
                tag = "b" + secrets.token_hex(3)
                write_sessions(sessions_path, sessions, kiosk_tokens(app, codes, [s["code"] for s in sessions]))
                result = run_wrk(base, seconds, args.connections, "checkin", sessions_path, tag)
                result["rows"], result["accepted"] = count_rows(
                    app, "SELECT count(*), sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END) FROM checkins "
                         "WHERE client_nonce LIKE :p", p=tag + "%")
                return result

            # Warm every worker's caches and connections first; these runs are not reported.
            checkin_run(2)
            run_wrk(base, 2, args.connections, "insert")
            run_wrk(base, 2, args.connections, "ok")
            # Rounds of (a), (b), (c) back to back: the load other processes put on the machine
            # drifts, and each round's ratios compare runs a few seconds apart.
            results = [{
                "checkin": checkin_run(args.duration),
                "insert": run_wrk(base, args.duration, args.connections, "insert"),
                "ok": run_wrk(base, args.duration, args.connections, "ok"),
            } for _ in range(args.rounds)]
            # Well below capacity, at a fixed rate: what one deputy waits for on an ordinary day.
            results[0]["open"] = open_loop(base, app, sessions, args.rate, args.open_seconds)
            # A collective activity: everyone at once, against as many bare INSERTs at once,
            # alternating, median of the rounds.
            results[0]["bursts"] = [(burst(base, app, sessions), burst(base, app, sessions, insert=True))
                                    for _ in range(args.rounds)]
        with open(log_path) as log:
            troubles = [line for line in log if re.search(r"Traceback|ERROR|CRITICAL|WORKER TIMEOUT|locked", line)]
        if troubles:
            print(f"[{kind}] {len(troubles)} worrying lines in the gunicorn log, the first:", *troubles[:5], sep="\n  ")
        if args.profile:
            profile_checkins(app, deputies, kind)
        return results


def profile_checkins(app, deputies, kind, count=300):
    """Run check-ins in this process under cProfile; print the SQL statements per check-in and the top."""
    import sqlalchemy as sa

    from liaison.extensions import db

    app.config["WTF_CSRF_ENABLED"] = False
    statements = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    clients = []
    for mobile, code in deputies[:20]:
        client = app.test_client()
        client.post("/login", data={"mobile": mobile, "password": BENCH_PASSWORD})
        clients.append((client, code))
    # A kiosk code makes one check-in, so each check-in gets a code of its own, made beforehand.
    codes = [code for _, code in clients]
    tokens = kiosk_tokens(app, set(codes), per_session=[codes[i % len(codes)] for i in range(count)])
    statements.clear()
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        client, code = clients[i % len(clients)]
        token = tokens[code].pop()[0]
        response = client.post(f"/s/{code}", data={"nonce": f"prof{i:012d}x", "t": token})
        assert response.status_code == 303, response.status_code
    profiler.disable()
    print(f"\n[{kind}] profile of {count} check-ins: {len(statements) / count:.1f} SQL statements each")
    for statement in statements[-len(statements) // count:]:
        print("   ", " ".join(statement.split())[:150])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    # The app's own functions, where a change would start.
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"/(liaison|stations)/", 40)
    print(out.getvalue())


# --- report -------------------------------------------------------------------------------------

def report(kind, rounds, args):
    connections = args.connections
    rows = []
    for number, run in enumerate(rounds, 1):
        for name, r in (("(a) check-in POST /s/<code>", run["checkin"]), ("(b) bare INSERT POST /bench/insert",
                        run["insert"]), ("(c) bare GET /bench/ok", run["ok"])):
            rows.append((number, name, f"{r['rps']:.0f}", f"{r['p50_us'] / 1000:.1f}", f"{r['p99_us'] / 1000:.1f}",
                         r["errors"]))
    print_table(f"check-in on {kind}: wrk on loopback, 2 threads, {connections} connections, "
                f"{args.duration} s each, {len(rounds)} rounds; gunicorn deploy/gunicorn.conf.py, "
                f"{args.workers or 'its default number of'} sync workers",
                ("round", "endpoint", "req/s", "p50 ms", "p99 ms", "errors"), rows)
    ratios_b = [run["checkin"]["rps"] / run["insert"]["rps"] for run in rounds]
    ratios_c = [run["checkin"]["rps"] / run["ok"]["rps"] for run in rounds]
    ratio_b, ratio_c = statistics.median(ratios_b), statistics.median(ratios_c)
    p99_ms = statistics.median(run["checkin"]["p99_us"] for run in rounds) / 1000
    rows_ok = True
    for run in rounds:
        checkin = run["checkin"]
        created = checkin["statuses"].get("303", 0)
        print(f"check-ins: {created} answered 303, {checkin['rows']} rows with the round's nonces "
              f"({checkin['accepted']} accepted at once); statuses {dict(checkin['statuses'])}")
        # wrk stops with up to one request per connection in flight: the server may still save those.
        rows_ok = (rows_ok and created <= checkin["rows"] <= created + connections
                   and set(checkin["statuses"]) <= {"303"})
    errors = sum(run[name]["errors"] for run in rounds for name in ("checkin", "insert", "ok"))
    print("(a)/(b) per round: " + ", ".join(f"{x:.2f}" for x in ratios_b)
          + "; (a)/(c) per round: " + ", ".join(f"{x:.2f}" for x in ratios_c))
    checks = [
        (f"(a)/(b) throughput, median of rounds {ratio_b:.2f} >= {MIN_INSERT_RATIO}", ratio_b >= MIN_INSERT_RATIO),
        (f"p99 of (a), median of rounds {p99_ms:.1f} ms <= {MAX_P99_MS:.0f} ms", p99_ms <= MAX_P99_MS),
        (f"errors {errors} == 0", errors == 0),
        ("every 303 is a new row (rows - 303s within the connections in flight at the stop)", rows_ok),
    ]
    opened = rounds[0]["open"]
    answered = len(opened["post"])
    post_p50, post_p99 = (percentile(opened["post"], share) * 1000 for share in (0.5, 0.99))
    page_p50, page_p99 = (percentile(opened["page"], share) * 1000 for share in (0.5, 0.99))
    print(f"open loop at {args.rate:g} check-ins/s for {args.open_seconds} s: {opened['sent']} sent, {answered} "
          f"answered 303; check-in POST p50 {post_p50:.0f} ms, p99 {post_p99:.0f} ms; confirmation page p50 "
          f"{page_p50:.0f} ms, p99 {page_p99:.0f} ms; errors {len(opened['errors'])} {opened['errors'][:3]}")
    bursts = rounds[0]["bursts"]
    for (checkin_s, checkin_statuses), (insert_s, insert_statuses) in bursts:
        print(f"burst of {len(checkin_statuses)} at one home: all answered in {checkin_s:.2f} s "
              f"(statuses {sorted(set(map(str, checkin_statuses)))}); bare INSERT burst {insert_s:.2f} s "
              f"(statuses {sorted(set(map(str, insert_statuses)))}); ratio {checkin_s / insert_s:.2f}")
    burst_ratio = statistics.median(c[0] / i[0] for c, i in bursts)
    burst_ok = all(set(c[1]) == {303} and set(i[1]) == {200} for c, i in bursts)
    checks += [
        (f"open loop: {answered} check-ins answered (a round with none is an error) and no errors",
         answered > 0 and not opened["errors"]),
        (f"open loop p99 of the check-in POST {post_p99:.0f} ms <= {MAX_OPEN_P99_MS:.0f} ms",
         answered > 0 and post_p99 <= MAX_OPEN_P99_MS),
        (f"burst at one home vs bare INSERT burst, median {burst_ratio:.2f} <= {MAX_BURST_RATIO:g}, all answered",
         burst_ok and burst_ratio <= MAX_BURST_RATIO),
    ]
    print(f"(a)/(c) throughput, median of rounds {ratio_c:.2f} (for reference)")
    for text, ok in checks:
        print(f"  {verdict(ok)}  {text}")
    return all(ok for _, ok in checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a), (b), (c), one after the other")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn sync workers (default: deploy/gunicorn.conf.py's, 2 x cores + 1)")
    parser.add_argument("--deputies", type=int, default=200, help="signed-in deputies wrk rotates over")
    parser.add_argument("--stations", type=int, default=4, help="stations they check in at")
    parser.add_argument("--city-deputies", type=int, default=1000, help="deputies in the seeded city")
    parser.add_argument("--profile", action="store_true", help="also profile check-ins in-process")
    parser.add_argument("--rate", type=float, default=50.0, help="check-ins per second of the open-loop run")
    parser.add_argument("--open-seconds", type=int, default=20, help="seconds of the open-loop run")
    args = parser.parse_args()
    ensure_wrk()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    passed = True
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as workdir:
        for kind in kinds:
            results = bench_database(kind, args, workdir)
            passed = report(kind, results, args) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
