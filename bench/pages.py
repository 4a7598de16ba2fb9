"""Pages whose content does not grow with the district: the same township at 1,000 and 10,000 deputies.

A township's staff see their own township (about 80 deputies in the synthetic city at both sizes),
so their pages should cost the same whatever the district's size; the committee's pending queue
lists a few hundred rows at any size. For each page, signed in through the login form, the median
of ``--repeat`` requests is taken at 1,000 and at 10,000 deputies in alternation (the two apps side
by side in one process), and the ratio 10k / 1k is printed with PASS when it is at most 1.3
(issue 16: "flat"). The staff member's township size is printed beside, to show the comparison is
fair. A page that does not answer 200 is an error, never a pass.

    .venv/bin/python bench/pages.py [--db postgresql] [--repeat 7]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (COMMITTEE_MOBILE, add_database_options, database_line, make_app, print_table,  # noqa: E402
                    signed_in_client, synthetic_database, verdict)

SIZES = ((1_000, 100), (10_000, 1_000))
YEARS = 5
STAFF_MOBILE = "13900000002"
TARGET = 1.3
#: (who, path): the township staff's daily pages, and the committee's pending queue.
PAGES = (
    ("staff", "/dashboard"),
    ("staff", "/dashboard/missing?term_id=2"),
    ("staff", "/checkins/pending"),
    ("staff", "/checkins/today"),
    ("staff", "/rota"),
    ("committee", "/checkins/pending"),
)


def township_size(app):
    """Deputies holding a mandate in the staff member's township."""
    import sqlalchemy as sa
    from liaison.extensions import db
    with app.app_context():
        return db.session.execute(sa.text(
            "SELECT count(DISTINCT m.deputy_id) FROM mandates m JOIN user_townships ut "
            "ON ut.township_id = m.township_id JOIN users u ON u.id = ut.user_id WHERE u.mobile = :mobile"),
            {"mobile": STAFF_MOBILE}).scalar()


def timed_get(client, path):
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}: the round served nothing")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    apps, clients = [], []
    for deputies, stations in SIZES:
        app = make_app(synthetic_database(args.db, deputies, stations, YEARS, args.pg_url, args.fresh))
        apps.append(app)
        clients.append({"staff": signed_in_client(app, STAFF_MOBILE),
                        "committee": signed_in_client(app, COMMITTEE_MOBILE)})
    sizes = [township_size(app) for app in apps]
    rows = []
    for who, path in PAGES:
        times = ([], [])
        for index, by_role in enumerate(clients):
            timed_get(by_role[who], path)  # warm-up
        for _ in range(args.repeat):
            for index, by_role in enumerate(clients):
                times[index].append(timed_get(by_role[who], path))
        small, large = (statistics.median(t) for t in times)
        ratio = large / small
        rows.append((who, path, f"{small * 1000:.0f} ms", f"{large * 1000:.0f} ms", f"{ratio:.2f}",
                     verdict(ratio <= TARGET)))
    print_table(f"Pages of one township at 1k and 10k deputies (staff's township: {sizes[0]} and {sizes[1]} "
                f"deputies); median of {args.repeat}; target 10k/1k ≤ {TARGET}",
                ("who", "page", "1k", "10k", "10k/1k", "verdict"), rows, database_line(apps[0]))


if __name__ == "__main__":
    main()
