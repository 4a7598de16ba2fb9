"""``liaison seed synthetic``: a large fictional city, written with bulk inserts, for load and speed trials.

Everything is made up and comes from one seeded random stream. Rows are written with
``Model.__table__.insert()`` and lists of dicts in batches (never one ORM object per row; COPY on
PostgreSQL), so 10,000
deputies, 1,000 stations and five years of check-ins take minutes, not hours. Accounts are made
without passwords (awaiting activation) unless ``--password`` is given: then the password is hashed
once and that one hash goes on every account (hashing 10,000 passwords alone would take minutes), and
a committee and a township staff account are added, so benchmarks and load tests can sign anyone in.
"""
import logging
import operator
import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from liaison.accounts import operations as accounts
from liaison.accounts.models import Role, User, UserRole
from liaison.activities.models import Activity, ActivityInvitation
from liaison.clock import Month, Quarter, local_today, local_zone
from liaison.deputies.models import Deputy, EndReason, Gender, Mandate, first_day_not_held, last_day_held_in
from liaison.extensions import db
from liaison.reports.models import DutyReport, ReportForm
from liaison.errors import InvalidInput
from liaison.network.models import OpeningHours, Station, StationKind
from liaison.seed.demo import (COMMITTEE_MOBILE, COMMITTEE_NAME, FEMALE_CHARS, MALE_CHARS, OTHER_ETHNIC_GROUPS,
                               STAFF_MOBILE, STAFF_NAME, SURNAMES, has_data)
from liaison.seed.rota import ACTIVITIES
from liaison.terms.models import Level, Term
from liaison.text import chinese_numeral, sort_key
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind
from stations.checkin.models import Checkin, Method, PendingReason, Status
from stations.checkin.queries import month_key_of, quarter_key_of

log = logging.getLogger(__name__)

#: Rows per INSERT statement batch.
BATCH = 5000
#: Terms are five years long.
TERM_YEARS = 5
#: Ordinals of the current terms (the previous ones are one less).
DISTRICT_ORDINAL, MUNICIPAL_ORDINAL = 9, 16
#: Shares of people: 区 deputies; of the 市 seats, the share held by 区 deputies too.
DISTRICT_SHARE, BOTH_SHARE = 0.85, 0.2
#: Chance a deputy visits a station in a month, and the home in a quarter.
MONTHLY_VISIT, QUARTERLY_VISIT = 0.9, 0.85
#: Share of seats that end early, and of those the share filled by a by-election.
EARLY_END_SHARE, BY_ELECTION_SHARE = 0.01, 0.7
#: Share of a previous term's seats whose holder was re-elected (same person record).
RE_ELECTED_SHARE = 0.55
#: Chance a mandate has a duty report (年述职) in a given year.
YEARLY_REPORT = 0.6
CENTRE = (30.2, 120.1)
PLACE_CHARS = ("东南西北金银玉石青白红丰乐安宁永和平长兴福寿康泰新华光明清溪河湖山岭峰桥塘湾港岙田林竹松柏梅兰"
               "桂荷杏桃柳杨鹤凤龙云霞春秋晨阳星月")
EARLY_REASONS = (EndReason.moved_away, EndReason.resigned, EndReason.died)
REPORT_FORMS = (ReportForm.on_site,) * 8 + (ReportForm.visits, ReportForm.written)
#: Collective activities at a home (季回家) run from 14:30 to 16:30; the share of home check-ins made at one.
ACTIVITY_STARTS, ACTIVITY_ENDS, AT_ACTIVITY = time(14, 30), time(16, 30), 0.7


@click.command("synthetic")
@click.option("--deputies", type=click.IntRange(20, 100_000), default=10_000, show_default=True,
              help="About how many people hold seats in the current terms.")
@click.option("--stations", type=click.IntRange(4, 10_000), default=1_000, show_default=True,
              help="Homes and stations in all (one home per township, about one township per 8).")
@click.option("--years", type=click.IntRange(1, 2 * TERM_YEARS), default=5, show_default=True,
              help="Years of history up to today; over 5 adds the previous 区 and 市 terms.")
@click.option("--townships", type=click.IntRange(1, 5_000), default=None,
              help="Townships (乡镇 and 街道) in all; default about one per 8 homes and stations.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the random stream.")
@click.option("--password", default=None,
              help="Give every account this password and add committee and township staff accounts "
                   "(default: accounts await activation and there are no staff accounts).")
@with_appcontext
def synthetic_command(deputies, stations, years, townships, seed, password):
    """Fill an EMPTY database with a large fictional city for load and speed trials.

    Accounts have no password (awaiting activation) unless --password is given. Refuses to touch a
    database that holds data.
    """
    if townships is not None and townships > stations // 2:
        raise click.BadParameter("each township needs its home and at least one station: at most "
                                 f"{stations // 2} townships for {stations} homes and stations",
                                 param_hint="--townships")
    if has_data():
        raise click.ClickException(
            "The database already holds data; the synthetic city only goes into an empty database. "
            "Point LIAISON_DATABASE_URL at a new database.")
    if password is not None:
        try:
            accounts.check_password_rules(password)
        except InvalidInput as error:
            raise click.BadParameter(str(error.message), param_hint="--password") from None
    started = datetime.now()
    city = _City(random.Random(seed), deputies, stations, years, password, townships)
    phases = [("network", city.network), ("terms", city.terms), ("deputies", city.people_and_mandates),
              ("accounts", city.accounts), ("activities", city.activities), ("check-ins", city.checkins),
              ("reports", city.reports)]
    with click.progressbar(phases, label="Seeding", item_show_func=lambda p: p[0] if p else "") as bar:
        for _name, phase in bar:
            phase()
    db.session.commit()
    seconds = (datetime.now() - started).total_seconds()
    log.info("synthetic city seeded: seed=%s seconds=%.1f", seed, seconds)
    click.echo("Synthetic city seeded in {:.1f} s: ".format(seconds) + ", ".join(
        f"{count} {name}" for name, count in city.counts.items()))
    if password is not None:
        click.echo(f"Committee account: {COMMITTEE_MOBILE}; township staff: {STAFF_MOBILE}; "
                   f"deputies: their mobile (first {city.people[0]['mobile']}); all with the given password.")


def _insert(model, rows):
    """Insert dict rows: COPY on PostgreSQL, one driver-level executemany per batch elsewhere.

    Through the table, not the ORM: the ORM's bulk insert leaves out the None values of each row
    and groups rows by the keys left, so rows with an optional value unset (most check-ins) went
    one INSERT each — 109,000 statements for a 2,000-deputy city. And below SQLAlchemy's
    executemany: it builds a parameter dict per row and processes each value through its own
    layers, which cost more than SQLite's executemany of the same rows; the values here go
    through the same bind processing once, as tuples.
    """
    if not rows:
        return
    table = model.__table__
    connection = db.session.connection()
    prepared = _prepared_rows(connection.dialect, table, rows)
    if prepared is None:
        # A default needs the statement it runs in (a township's next position): SQLAlchemy's way.
        for start in range(0, len(rows), BATCH):
            db.session.execute(table.insert(), rows[start:start + BATCH])
        return
    columns, values = prepared
    dialect = connection.dialect
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        # COPY sends the rows as one stream: a 10,000-deputy city's 720,000 check-ins took most of
        # its seeding time as INSERT batches.
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})", list(values))


def _prepared_rows(dialect, table, rows):
    """(columns, an iterator of value tuples) for dict ``rows``, as an INSERT would send them.

    Each value goes through its column's bind processing (enums by name, instants in UTC), and a
    column a row leaves out takes the column's Python default, as the INSERT does; columns no row
    gives and without a Python default keep the database's (the ids). None when a default needs
    the statement it runs in.
    """
    given = set().union(*(row.keys() for row in rows))
    columns = [column for column in table.columns
               if column.name in given or (column.default is not None and not column.default.is_sequence)]
    defaults = {}
    for column in columns:
        default = column.default
        if default is not None and default.is_scalar:
            defaults[column.name] = lambda default=default: default.arg
        elif default is not None and default.is_callable:
            try:
                default.arg(None)
            except (AttributeError, TypeError):
                return None
            defaults[column.name] = lambda default=default: default.arg(None)
    plan = [(column.name, column.type._cached_bind_processor(dialect), defaults.get(column.name))
            for column in columns]
    # Columns of one kind of type (its class and arguments) process a value the same way.
    kinds = [(type(column.type), repr(column.type)) for column in columns]

    def values():
        if given and all(len(row) == len(given) for row in rows):
            # Every row gives the same columns (the usual case): one C-level call reads a row's values.
            names = sorted(given)
            read = operator.itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
            by_name = dict(zip(names, zip(*map(read, rows))))
            read_columns = [by_name[name] if name in by_name else [default() if default else None for _row in rows]
                            for name, _process, default in plan]
        else:
            read_columns = [[row[name] if name in row else (default() if default else None) for row in rows]
                            for name, _process, default in plan]
        # Column by column, one comprehension each: about twice as fast as a Python loop over every
        # value of every row. Bind processing depends on the value and the column's type alone, so
        # each distinct value of a type is processed once: most columns hold a few values (states,
        # kinds, days), and a check-in's created_at is its occurred_at.
        processed, stored = {}, []
        for (_name, process, _default), column, kind in zip(plan, read_columns, kinds):
            if process is not None:
                done = processed.setdefault(kind, {None: None})
                try:
                    column = [done[value] if value in done else done.setdefault(value, process(value))
                              for value in column]
                except TypeError:  # a value that cannot be a key (a JSON list or dict): one by one
                    column = [None if value is None else process(value) for value in column]
            stored.append(column)
        return zip(*stored)

    return columns, values()


def _shift_years(day, years):
    """The same calendar day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _degrees(value):
    """A coordinate as the column stores it (six decimals)."""
    return Decimal(f"{value:.6f}")


class _City:
    """Builds the city phase by phase; keeps only plain ids and dates in memory."""

    def __init__(self, rng, deputies, stations, years, password=None, townships=None):
        self.rng, self.want_people, self.want_stations, self.years = rng, deputies, stations, years
        self.password, self.want_townships = password, townships
        self.today = local_today()
        self.counts = {}
        self.names, self.mobile_counter = set(), 0
        self.sort_keys = {}
        self.period_keys_of = {}  # local date -> (month key, quarter key)

    # -- network ---------------------------------------------------------------------------------
    def network(self):
        """Townships (乡镇 and 街道), one home each, the other stations spread over them."""
        rng = self.rng
        count = self.want_townships or min(max(1, round(self.want_stations / 8)), self.want_stations // 2)
        names, rows = set(), []
        for index in range(count):
            # Roughly 60% 乡镇, 40% 街道; the first two are one of each so both kinds always exist.
            subdistrict = index == 1 or (index > 1 and rng.random() < 0.4)
            while True:
                stem = "".join(rng.sample(PLACE_CHARS, 2))
                name = stem + ("街道" if subdistrict else ("乡" if rng.random() < 0.15 else "镇"))
                if name not in names:
                    break
            names.add(name)
            rows.append({"name": name, "name_sort_key": sort_key(name),
                         "kind": TownshipKind.subdistrict if subdistrict else TownshipKind.township})
        _insert(Township, rows)
        self.townships = [(tid, name, kind) for tid, name, kind in db.session.execute(
            sa.select(Township.id, Township.name, Township.kind).order_by(Township.id))]
        side = max(1, int(len(self.townships) ** 0.5))
        self.centres = {tid: (CENTRE[0] + 0.03 * (i // side), CENTRE[1] + 0.03 * (i % side))
                        for i, (tid, _n, _k) in enumerate(self.townships)}

        homes = []
        for tid, name, kind in self.townships:
            lat, lon = self.centres[tid]
            homes.append(self._station_row(StationKind.home, f"{name}代表之家", tid, None,
                                           f"{name}人民路 1 号", lat, lon))
        _insert(Station, homes)
        self.home_of = dict(db.session.execute(
            sa.select(Station.township_id, Station.id).where(Station.kind == StationKind.home)).all())

        # Stations per township: as even as possible, the remainder to random townships.
        rest = self.want_stations - len(self.townships)
        per = [rest // len(self.townships)] * len(self.townships)
        for index in rng.sample(range(len(per)), rest % len(per)):
            per[index] += 1
        self.plan = []  # (township_id, number in township, place name)
        for (tid, _name, kind), n in zip(self.townships, per):
            used = set()
            for number in range(1, n + 1):
                while True:
                    place = "".join(rng.sample(PLACE_CHARS, 2))
                    if place not in used:
                        break
                used.add(place)
                self.plan.append((tid, number, place + ("社区" if kind is TownshipKind.subdistrict else "村")))
        self.counts["townships"] = len(self.townships)
        self.counts["homes"] = len(homes)

    def _station_row(self, kind, name, township_id, district_id, address, lat, lon):
        """One station row (the code and key come from the model's defaults)."""
        return {"kind": kind, "name": name, "name_sort_key": sort_key(name), "township_id": township_id,
                "electoral_district_id": district_id, "address": address, "latitude": _degrees(lat),
                "longitude": _degrees(lon), "radius_m": 200}

    # -- terms and districts ---------------------------------------------------------------------
    def terms(self):
        """The current 区 and 市 terms (and the previous ones when the history is longer than a term).

        The current terms began ``min(years, 5)`` years ago plus a few days, so they are in force
        today; the districts of each 区 term get one station each (the current term's).
        """
        rng = self.rng
        back = min(self.years, TERM_YEARS)
        specs = []
        for level, ordinal, days in ((Level.district, DISTRICT_ORDINAL, 10), (Level.municipal, MUNICIPAL_ORDINAL, 18)):
            start = _shift_years(self.today, -back) + timedelta(days=days)
            specs.append((level, ordinal, start, _shift_years(start, TERM_YEARS), True))
            if self.years > TERM_YEARS:
                specs.append((level, ordinal - 1, _shift_years(start, -TERM_YEARS), start, False))
        _insert(Term, [{"level": level, "ordinal": ordinal, "name": Term.default_name(level, ordinal),
                        "start_date": start, "end_date": end, "end_provisional": provisional}
                       for level, ordinal, start, end, provisional in specs])
        self.term = {}  # (level, current?) -> (id, start, end)
        for tid, level, ordinal, start, end in db.session.execute(
                sa.select(Term.id, Term.level, Term.ordinal, Term.start_date, Term.end_date)):
            current = ordinal in (DISTRICT_ORDINAL, MUNICIPAL_ORDINAL)
            self.term[(level, current)] = (tid, start, end)
        self.history_start = max(_shift_years(self.today, -self.years),
                                 min(start for _id, start, _end in self.term.values()))

        district_terms = [self.term[(Level.district, True)][0]]
        if (Level.district, False) in self.term:
            district_terms.append(self.term[(Level.district, False)][0])
        rows = []
        for term_id in district_terms:
            for tid, number, _place in self.plan:
                name = f"第{chinese_numeral(number)}选区"
                rows.append({"term_id": term_id, "township_id": tid, "name": name,
                             "name_sort_key": self._key(name)})
        _insert(ElectoralDistrict, rows)
        district_ids = {(term_id, tid, name): did for did, term_id, tid, name in db.session.execute(
            sa.select(ElectoralDistrict.id, ElectoralDistrict.term_id, ElectoralDistrict.township_id,
                      ElectoralDistrict.name))}
        current = district_terms[0]
        stations, self.districts = [], []
        for tid, number, place in self.plan:
            township = next(name for t, name, _k in self.townships if t == tid)
            lat, lon = self.centres[tid]
            did = district_ids[(current, tid, f"第{chinese_numeral(number)}选区")]
            stations.append(self._station_row(
                StationKind.station, f"{place}代表联络站", tid, did, f"{township}{place}党群服务中心",
                lat + rng.uniform(-0.012, 0.012), lon + rng.uniform(-0.012, 0.012)))
        _insert(Station, stations)
        station_of = dict(db.session.execute(
            sa.select(Station.electoral_district_id, Station.id).where(Station.kind == StationKind.station)).all())
        # (township, current district, previous district or None, station)
        for tid, number, _place in self.plan:
            name = f"第{chinese_numeral(number)}选区"
            did = district_ids[(current, tid, name)]
            previous = district_ids.get((district_terms[-1], tid, name)) if len(district_terms) > 1 else None
            self.districts.append((tid, did, previous, station_of[did]))
        self.stations_by_township = {}
        for tid, _did, _prev, sid in self.districts:
            self.stations_by_township.setdefault(tid, []).append(sid)
        hours = []
        for sid in list(self.home_of.values()) + [d[3] for d in self.districts]:
            opens, closes = rng.choice(((time(9), time(11, 30)), (time(14, 30), time(17))))
            hours.append({"station_id": sid, "weekday": rng.randrange(5), "opens": opens, "closes": closes})
        _insert(OpeningHours, hours)
        self.counts["stations"] = len(stations)
        self.counts["electoral districts"] = len(rows)
        self.counts["terms"] = len(specs)

    def _key(self, name):
        """``sort_key`` with a cache: district names and given names repeat a lot."""
        key = self.sort_keys.get(name)
        if key is None:
            key = self.sort_keys[name] = sort_key(name)
        return key

    # -- people and mandates ---------------------------------------------------------------------
    def _person(self):
        """A new person's row: a unique plausible name and a unique mobile number."""
        rng = self.rng
        gender = Gender.female if rng.random() < 0.38 else Gender.male
        chars = FEMALE_CHARS if gender is Gender.female else MALE_CHARS
        while True:
            surname = SURNAMES[min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)]
            name = surname + "".join(rng.sample(chars, 1 if rng.random() < 0.25 else 2))
            if name not in self.names:
                break
        self.names.add(name)
        self.mobile_counter += 1
        return {"name": name, **Deputy.name_keys(name), "gender": gender,
                "ethnicity": rng.choice(OTHER_ETHNIC_GROUPS) if rng.random() < 0.05 else "汉族",
                "mobile": f"150{self.mobile_counter:08d}"}

    def people_and_mandates(self):
        """Deputies and their seats: 区 seats by district, 市 seats by township, early ends, by-elections.

        People are numbered in memory first (index into ``people``) and get their ids after insert.
        """
        rng = self.rng
        people, seats = [], []  # seats: dicts with "person" (index) in place of deputy_id
        d_term, d_start, _ = self.term[(Level.district, True)]
        m_term, m_start, _ = self.term[(Level.municipal, True)]
        n_district = round(self.want_people * DISTRICT_SHARE)
        municipal_only = self.want_people - n_district
        both = round(municipal_only * BOTH_SHARE / (1 - BOTH_SHARE))

        def new_person():
            people.append(self._person())
            return len(people) - 1

        district_seats = []
        for index in range(n_district):
            tid, did, prev, sid = self.districts[index % len(self.districts)]
            district_seats.append({"person": new_person(), "term_id": d_term, "township_id": tid,
                                   "electoral_district_id": did, "station_id": sid,
                                   "home_id": self.home_of[tid], "start_date": d_start, "_prev": prev})
        municipal_seats = []
        for seat in rng.sample(district_seats, min(both, len(district_seats))):
            municipal_seats.append(dict(seat, term_id=m_term, electoral_district_id=None, start_date=m_start,
                                        _both=True))
        township_ids = [t for t, _n, _k in self.townships]
        for _ in range(municipal_only):
            tid = rng.choice(township_ids)
            municipal_seats.append({"person": new_person(), "term_id": m_term, "township_id": tid,
                                    "electoral_district_id": None,
                                    "station_id": rng.choice(self.stations_by_township[tid]),
                                    "home_id": self.home_of[tid], "start_date": m_start})
        holders_of_both = {s["person"] for s in municipal_seats if s.get("_both")}

        # Early ends on seats of people holding one level only; most are filled by a by-election.
        by_elections = []
        for group, start in ((district_seats, d_start), (municipal_seats, m_start)):
            span = (self.today - start).days
            if span < 120:
                continue
            single = [s for s in group if s["person"] not in holders_of_both]
            for seat in rng.sample(single, max(1, round(len(group) * EARLY_END_SHARE))):
                end = start + timedelta(days=rng.randrange(60, span - 30))
                seat["end_date"], seat["end_reason"] = end, rng.choice(EARLY_REASONS)
                filled = end + timedelta(days=rng.randrange(60, 150))
                if rng.random() < BY_ELECTION_SHARE and filled < self.today:
                    by_elections.append(dict(seat, person=new_person(), start_date=filled, end_date=None,
                                             end_reason=None, by_election=True, _prev=None))
        seats = district_seats + municipal_seats + by_elections

        # The previous terms: general-election seats, the holder re-elected or someone new.
        if (Level.district, False) in self.term:
            for level, group in ((Level.district, district_seats), (Level.municipal, municipal_seats)):
                p_term, p_start, _ = self.term[(level, False)]
                for seat in group:
                    if seat.get("_both"):
                        continue  # the 区 seat's holder decides below; keep both-level people simple
                    person = seat["person"] if rng.random() < RE_ELECTED_SHARE else new_person()
                    seats.append(dict(seat, person=person, term_id=p_term, start_date=p_start,
                                      electoral_district_id=seat["_prev"] if level is Level.district else None,
                                      end_date=None, end_reason=None, by_election=False))

        _insert(Deputy, people)
        id_of = dict(db.session.execute(sa.select(Deputy.mobile, Deputy.id)).all())
        self.deputy_ids = [id_of[p["mobile"]] for p in people]
        self.people = people
        rows = []
        for seat in seats:
            row = {k: v for k, v in seat.items() if not k.startswith("_") and k != "person"}
            row.setdefault("end_date", None)
            row.setdefault("end_reason", None)
            row.setdefault("by_election", False)
            row["deputy_id"] = self.deputy_ids[seat["person"]]
            rows.append(row)
        _insert(Mandate, rows)

        term_end = {tid: end for tid, _start, end in self.term.values()}
        self.spans = {}  # deputy id -> [(first day, day after last, station, home, township)]
        for row in rows:
            last = row["end_date"] or term_end[row["term_id"]]
            self.spans.setdefault(row["deputy_id"], []).append(
                (row["start_date"], last, row["station_id"], row["home_id"], row["township_id"]))
        self.counts["deputies"] = len(people)
        self.counts["mandates"] = len(rows)
        self.counts["holders of both levels"] = len(holders_of_both)

    # -- accounts --------------------------------------------------------------------------------
    def accounts(self):
        """One deputy account per person, role deputy; with a password, committee and staff accounts too.

        The password is hashed once (for the committee account) and its hash copied to every account.
        """
        password_hash, changed_at, self.committee_id = None, None, None
        if self.password is not None:
            committee = accounts.create_user(COMMITTEE_MOBILE, COMMITTEE_NAME, {Role.committee},
                                             password=self.password)
            first = db.session.get(Township, self.townships[0][0])
            staff = accounts.create_user(STAFF_MOBILE, STAFF_NAME, {Role.township_staff}, [first])
            staff.password_hash = password_hash = committee.password_hash
            staff.password_changed_at = changed_at = committee.password_changed_at
            db.session.flush()
            self.committee_id = committee.id
        _insert(User, [{"mobile": p["mobile"], "name": p["name"], "deputy_id": did, "password_hash": password_hash,
                        "password_changed_at": changed_at}
                       for p, did in zip(self.people, self.deputy_ids)])
        user_ids = db.session.scalars(sa.select(User.id).where(User.deputy_id.is_not(None))).all()
        _insert(UserRole, [{"user_id": uid, "role": Role.deputy} for uid in user_ids])
        self.counts["accounts"] = len(user_ids) + (2 if self.password is not None else 0)

    # -- collective activities -------------------------------------------------------------------
    def activities(self):
        """Two collective activities (季回家) at every home each quarter of the history, on working
        days, each inviting the deputies whose seat in that township is in force on the day."""
        rng, today = self.rng, self.today
        quarter = Quarter.of(self.history_start)
        planned = []  # (home id, township id, day, type, title)
        while quarter.first <= today:
            for tid, home_id in self.home_of.items():
                for month_offset, _start_day, kind, title in ACTIVITIES:
                    month_first = quarter.months[month_offset].first
                    day = month_first + timedelta(days=rng.randrange(3, 25))
                    while day.weekday() >= 5:
                        day += timedelta(days=1)
                    if self.history_start <= day:
                        planned.append((home_id, tid, day, kind, title))
            quarter = quarter.next()
        _insert(Activity, [{"station_id": home_id, "local_date": day, "starts": ACTIVITY_STARTS,
                            "ends": ACTIVITY_ENDS, "type": kind, "title": title, "created_by_id": self.committee_id}
                           for home_id, _tid, day, kind, title in planned])
        ids = db.session.scalars(sa.select(Activity.id).order_by(Activity.id)).all()
        # Seats by township, to find who is invited: [(deputy, first day, day after last)].
        seats = {}
        for deputy_id, spans in self.spans.items():
            for first, last, _station, _home, township_id in spans:
                seats.setdefault(township_id, []).append((deputy_id, first, last))
        self.activity_days = {}  # (home id, Quarter) -> [days held up to today]
        invitations = 0
        rows = []
        for activity_id, (home_id, tid, day, _kind, _title) in zip(ids, planned):
            invited = {d for d, first, last in seats.get(tid, ()) if first <= day < last}
            rows.extend({"activity_id": activity_id, "deputy_id": d} for d in sorted(invited))
            if day <= today:
                self.activity_days.setdefault((home_id, Quarter.of(day)), []).append(day)
            if len(rows) >= BATCH:
                _insert(ActivityInvitation, rows)
                invitations, rows = invitations + len(rows), []
        _insert(ActivityInvitation, rows)
        self.counts["activities"] = len(planned)
        self.counts["invitations"] = invitations + len(rows)

    # -- check-ins -------------------------------------------------------------------------------
    def checkins(self):
        """Station visits (月进站) most months and home visits (季回家) most quarters, per person."""
        rng, today = self.rng, self.today
        months = []
        month, this_month = Month.of(self.history_start), Month.of(today)
        while month <= this_month:
            first, last = month.first, month.last
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
            days = [d for d in days if self.history_start <= d <= today]
            workdays = [d for d in days if d.weekday() < 5] or days
            months.append((first, workdays))
            month = month.next()
        zone = local_zone()
        count, counters, rows = 0, {}, []
        # Quarter by quarter (a home visit may move to an activity in another month of its quarter),
        # each quarter's rows in time order, as production writes them: the table's physical order
        # then follows time, and so do the planner's statistics on it.
        with click.progressbar(months, label="Check-ins") as bar:
            for index, (first, workdays) in enumerate(bar):
                if rows and Quarter.of(first) != Quarter.of(months[index - 1][0]):
                    count += self._insert_in_time_order(rows)
                    rows = []
                if not workdays:
                    continue
                for deputy_id, spans in self.spans.items():
                    visits = []
                    if rng.random() < MONTHLY_VISIT:
                        visits.append(StationKind.station)
                    # One home visit per quarter, in a random month of it.
                    if first.month % 3 == rng.randrange(3) and rng.random() < QUARTERLY_VISIT:
                        visits.append(StationKind.home)
                    for kind in visits:
                        day = rng.choice(workdays)
                        span = next((s for s in spans if s[0] <= day < s[1]), None)
                        if span is None or (span[2] if kind is StationKind.station else span[3]) is None:
                            continue
                        at_activity = False
                        if kind is StationKind.home and rng.random() < AT_ACTIVITY:
                            # Most home visits are made at one of the quarter's collective activities.
                            held = [d for d in self.activity_days.get(
                                (span[3], Quarter.of(first)), ()) if span[0] <= d < span[1]]
                            if held:
                                day, at_activity = rng.choice(held), True
                        counters[deputy_id] = counters.get(deputy_id, 0) + 1
                        rows.append(self._checkin(deputy_id, counters[deputy_id], kind, day, span, zone,
                                                  at_activity))
        self.counts["check-ins"] = count + self._insert_in_time_order(rows)

    @staticmethod
    def _insert_in_time_order(rows):
        """Insert check-in rows oldest first; how many."""
        rows.sort(key=lambda row: (row["occurred_at"], row["deputy_id"]))
        _insert(Checkin, rows)
        return len(rows)

    def _checkin(self, deputy_id, counter, kind, day, span, zone, at_activity=False):
        """One check-in row: mostly counted kiosk or poster scans, a few recent ones pending."""
        rng = self.rng
        _start, _end, station_id, home_id, township_id = span
        away = kind is StationKind.station and rng.random() < 0.06
        if kind is StationKind.home:
            where = home_id
        else:
            where = rng.choice(self.stations_by_township[township_id]) if away else station_id
        if at_activity:
            local = datetime.combine(day, ACTIVITY_STARTS, tzinfo=zone) - timedelta(minutes=rng.randrange(1, 20))
        else:
            local = datetime.combine(day, time(9 + rng.randrange(3), rng.randrange(60)), tzinfo=zone)
        occurred = local.astimezone(timezone.utc)
        # ``local`` is the instant in the local zone, so its date is the one ``period_keys`` would
        # find; the keys of a day are worked out once (a city has a few thousand days, and a million
        # check-ins).
        local_date = local.date()
        keys = self.period_keys_of.get(local_date)
        if keys is None:
            keys = self.period_keys_of[local_date] = (month_key_of(local_date), quarter_key_of(local_date))
        month_key, quarter_key = keys
        roll = rng.random()
        if (self.today - local_date).days < 10 and roll < 0.15:
            method, status, pending = Method.poster, Status.pending, PendingReason.no_location
        elif roll < 0.5:
            method, status, pending = Method.kiosk, Status.accepted, None
        else:
            method, status, pending = Method.poster, Status.accepted, None
        stayed = roll > 0.3
        return {
            "deputy_id": deputy_id, "station_id": where, "station_kind": kind, "occurred_at": occurred,
            "local_date": local_date, "month_key": month_key, "quarter_key": quarter_key, "method": method,
            "status": status, "pending_reason": pending,
            "inside_fence": True if method is Method.poster and status is Status.accepted else None,
            "accuracy_m": 20 if method is Method.poster else None,
            # Unique per deputy and cheap: secrets.token_urlsafe is slow at this volume.
            "client_nonce": f"s{deputy_id}-{counter}", "away_from_own": where != (
                home_id if kind is StationKind.home else station_id),
            "back_entry_reason": "", "entered_by_id": None, "review_note": "",
            "checked_out_at": occurred + timedelta(minutes=90) if stayed else None,
            "duration_minutes": 90 if stayed else None,
            "constituents_received": rng.randrange(9) if kind is StationKind.station and stayed else None,
            "matters_raised": "", "created_at": occurred,
        }

    # -- duty reports ----------------------------------------------------------------------------
    def reports(self):
        """Completed duty reports (年述职) for most mandates in most years they were held."""
        rng, today = self.rng, self.today
        rows = []
        for mid, start, end, term_last in db.session.execute(
                sa.select(Mandate.id, Mandate.start_date, Mandate.end_date, last_day_held_in(Term))
                .join(Term, Term.id == Mandate.term_id).order_by(Mandate.id)):
            last = min(today, first_day_not_held(end, term_last) - timedelta(days=1))
            for year in range(start.year, last.year + 1):
                low, high = max(start, date(year, 1, 1)), min(last, date(year, 12, 31))
                if high < low or rng.random() >= YEARLY_REPORT:
                    continue
                voters = rng.randrange(20, 90)
                satisfied = rng.randrange(voters // 2, voters + 1)
                basic = rng.randrange(0, voters - satisfied + 1)
                rows.append({
                    "mandate_id": mid, "report_date": low + timedelta(days=rng.randrange((high - low).days + 1)),
                    "form": rng.choice(REPORT_FORMS), "voters_present": voters, "satisfied": satisfied,
                    "basically_satisfied": basic,
                    "dissatisfied": rng.randrange(0, voters - satisfied - basic + 1), "completed": True,
                    "version": 1, "attachment_original": "", "attachment_type": ""})
        _insert(DutyReport, rows)
        self.counts["duty reports"] = len(rows)
