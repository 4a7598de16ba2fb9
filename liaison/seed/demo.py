"""``liaison seed demo``: a fictional district with its homes, stations, terms, deputies and accounts.

Every name, address, number and coordinate here is made up; the random choices come from a fixed
seed, so two runs give the same district. The three demo accounts (see ``DEMO_ACCOUNTS`` in
``liaison.accounts.views``) sign in with ``DEMO_PASSWORD``.
"""
import logging
import random
from contextlib import contextmanager
from datetime import date, time
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from liaison.accounts import operations as accounts
from liaison.accounts.models import Role, User
from liaison.accounts.views import DEMO_PASSWORD
from liaison.clock import local_today
from liaison.dashboard.seed import seed_demo_reports
from liaison.deputies.models import Deputy, EndReason, Gender, Mandate, Suspension
from liaison.extensions import db
from liaison.network.models import OpeningHours, Station, StationKind
from liaison.seed.checkins import seed_checkin_history
from liaison.seed.opinions import seed_demo_opinions
from liaison.seed.rota import seed_demo_rota
from liaison.terms.models import Level, Term
from liaison.text import chinese_numeral
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind

#: Fixed, so the demo district is the same on every machine.
RANDOM_SEED = 2022

COMMITTEE_MOBILE, STAFF_MOBILE, DEPUTY_MOBILE = "13900000001", "13900000002", "13900000003"
COMMITTEE_NAME, STAFF_NAME, DEPUTY_NAME = "周文静", "陈立群", "林晓燕"

#: Centre of the fictional district (WGS-84 degrees).
CENTRE = (30.2, 120.1)

T, S = TownshipKind.township, TownshipKind.subdistrict
#: (name, kind, offset of its centre from CENTRE in degrees, road of its home, villages or communities);
#: one electoral district and one station per village or community, 40 in all.
TOWNSHIPS = (
    ("白鹭镇", T, (0.031, -0.042), "鹭江路 18 号", "东升 红旗 新塘 上溪 下湾"),
    ("翠屏镇", T, (0.044, 0.006), "屏山路 66 号", "金桥 银杏 柳岸 桃源"),
    ("丰乐镇", T, (0.018, 0.047), "丰收大道 120 号", "杏花 荷塘 青石 松林"),
    ("桂溪镇", T, (-0.024, 0.051), "桂香路 9 号", "竹园 南山 北岙 西塘"),
    ("鹤鸣乡", T, (-0.047, 0.012), "鹤鸣街 35 号", "长丰 永安 仁和"),
    ("梅岭镇", T, (-0.038, -0.036), "梅岭中路 201 号", "太平 双桥 三元 梅坞"),
    ("石桥镇", T, (-0.006, -0.058), "石桥老街 12 号", "五星 六合 七里 九龙"),
    ("望湖街道", S, (0.012, -0.008), "望湖路 300 号", "湖滨 春晖 朝阳 晨光"),
    ("文昌街道", S, (-0.004, 0.016), "文昌路 88 号", "锦绣 书院 学府 文苑"),
    ("新河街道", S, (-0.018, -0.012), "新河路 158 号", "河畔 新桥 滨江 翠苑"),
)

#: The year the dates below were written for; see ``_shifted``.
BASE_YEAR = 2026
DISTRICT_TERM = dict(level=Level.district, ordinal=8,
                     start_date=date(2022, 1, 10), end_date=date(2027, 1, 10))
MUNICIPAL_TERM = dict(level=Level.municipal, ordinal=15,
                      start_date=date(2022, 1, 18), end_date=date(2027, 1, 18))

DISTRICT_SEATS = 300
MUNICIPAL_SEATS = 60
#: Municipal deputies who also hold a district seat (the demo deputy among them).
BOTH_LEVELS = 20

#: Early ends of general-election seats; a by-election fills the seat when a date is given.
EARLY_ENDS = (
    (Level.district, date(2023, 5, 16), EndReason.moved_away, date(2023, 11, 20)),
    (Level.district, date(2024, 2, 27), EndReason.resigned, date(2024, 6, 25)),
    (Level.district, date(2024, 9, 8), EndReason.died, None),
    (Level.municipal, date(2023, 9, 12), EndReason.resigned, date(2024, 1, 15)),
)
SUSPENSION = (date(2025, 10, 15), "因刑事案件被羁押正在受侦查，依法暂停执行代表职务")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤")
MALE_CHARS = ("伟刚勇毅俊峰强军平东文辉力明永健志义兴良海山仁波宁福生龙元全国胜学祥才发武新利清飞彬富顺信杰涛"
              "昌成康光天达安岩中茂进林坚和博诚先振壮群豪邦承乐功松善庆磊民友裕河哲江超浩亮政谦宏鸣朋斌栋维启"
              "翔旭鹏泽晨辰建家树德行泰盛雄钧冠腾航")
FEMALE_CHARS = ("秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红玲芬芳燕彩春菊兰凤洁梅琳素云莲雪荣爱霞香月媛艳瑞佳嘉琼"
                "珍莉桂璐琦晶妍茜秋珊锦青倩婷婉娴瑾颖露瑶怡雁蓓仪荷丹蓉君琴蕊薇菁岚馨韵悦冰欣滢筠晓枫芸菲")
#: Most deputies are Han; the others are groups living in the region.
OTHER_ETHNIC_GROUPS = ("畲族", "回族", "满族", "土家族", "苗族", "壮族")
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "150", "151", "152", "153", "158", "159", "180", "181",
                   "182", "187", "188", "189")

log = logging.getLogger(__name__)


def has_data():
    """Tell whether the database holds anything the demo could clash with."""
    for model in (Township, Term, Deputy, Station, User):
        if db.session.scalar(sa.select(model.id).limit(1)) is not None:
            return True
    return False


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already holds data; for `make run`.")
@with_appcontext
def demo_command(if_empty):
    """Fill an EMPTY database with a fictional district (代表之家, 联络站, 区第八届 and 市第十五届 deputies).

    Demo accounts, all with the password liaison-demo: 13900000001 (district committee staff),
    13900000002 (staff of the first township), 13900000003 (a deputy of both terms). Refuses to
    touch a database that already holds data.
    """
    if has_data():
        if if_empty:
            click.echo("The database already holds data: demo district not seeded.")
            return
        raise click.ClickException(
            "The database already holds data; the demo district only goes into an empty database. "
            "Use --if-empty to skip quietly, or point LIAISON_DATABASE_URL at a new database.")
    summary = seed_demo_district()
    staff = db.session.scalar(sa.select(User).where(User.mobile == STAFF_MOBILE))
    summary["checkins"] = seed_checkin_history(random.Random(RANDOM_SEED + 1), staff.id)
    summary["reports"] = seed_demo_reports(random.Random(RANDOM_SEED + 2))
    summary["opinions"] = seed_demo_opinions(random.Random(RANDOM_SEED + 3), staff.id)
    db.session.commit()
    demo = "/".join((COMMITTEE_MOBILE, STAFF_MOBILE, DEPUTY_MOBILE))
    click.echo(
        "Demo district seeded: {townships} townships ({homes} homes, {stations} stations), "
        "{district_mandates} 区 and {municipal_mandates} 市 mandates held by {deputies} deputies "
        "({both} hold both), {accounts} accounts, {checkins} check-ins over the last year, {opinions} constituents' opinions. Sign in as {demo} with password {password}.".format(
            **summary, demo=demo, password=DEMO_PASSWORD))


@contextmanager
def _quiet(logger_name):
    """Hold back one logger's INFO lines: hundreds of "user created" lines would bury the summary."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _shifted(day, years):
    """Move a date written for a 2026 demo by whole years, so the demo stays current in later years."""
    return day.replace(year=day.year + years) if day else day


def seed_demo_district(rng=None):
    """Add the whole demo district to the session (flushed, not committed); return counts for the summary.

    The dates above were written for a demo made in 2026; they move with today's year so both terms
    are always running (the seeded terms are in their fifth year).
    """
    rng = rng or random.Random(RANDOM_SEED)
    people = _People(rng)
    years = local_today().year - BASE_YEAR

    townships, homes, stations_by_township, districts = _network(rng)
    district_term, municipal_term = (
        Term(name=Term.default_name(values["level"], values["ordinal"]), end_provisional=True,
             **dict(values, start_date=_shifted(values["start_date"], years),
                    end_date=_shifted(values["end_date"], years)))
        for values in (DISTRICT_TERM, MUNICIPAL_TERM))
    db.session.add_all([district_term, municipal_term])
    for district, _station in districts:
        district.term = district_term
    db.session.flush()

    first = min(townships, key=lambda t: t.name_sort_key)
    demo_deputy = Deputy(name=DEPUTY_NAME, gender=Gender.female, ethnicity="汉族", mobile=DEPUTY_MOBILE)

    # 区 seats: every electoral district gets 7 or 8; the demo deputy takes one in the first township.
    seats = [DISTRICT_SEATS // len(districts)] * len(districts)
    for index in rng.sample(range(len(districts)), DISTRICT_SEATS % len(districts)):
        seats[index] += 1
    demo_seat = (next(i for i, (district, _) in enumerate(districts) if district.township is first), 0)
    district_mandates = []
    for index, ((district, station), count) in enumerate(zip(districts, seats)):
        for seat in range(count):
            deputy = demo_deputy if (index, seat) == demo_seat else people.new()
            district_mandates.append(Mandate(
                deputy=deputy, term=district_term, township=district.township, electoral_district=district,
                station=station, home=homes[district.township.name], start_date=district_term.start_date))

    # 市 seats: 编入 a township, its home and one of its stations; some are also 区 deputies there.
    both = [m for m in district_mandates if m.deputy is demo_deputy]
    both += rng.sample([m for m in district_mandates if m.deputy is not demo_deputy], BOTH_LEVELS - 1)
    municipal_mandates = [
        Mandate(deputy=m.deputy, term=municipal_term, township=m.township, station=m.station, home=m.home,
                start_date=municipal_term.start_date)
        for m in both
    ]
    weights = [len(stations_by_township[t.name]) for t in townships]
    for _ in range(MUNICIPAL_SEATS - BOTH_LEVELS):
        township = rng.choices(townships, weights)[0]
        municipal_mandates.append(Mandate(
            deputy=people.new(), term=municipal_term, township=township, home=homes[township.name],
            station=rng.choice(stations_by_township[township.name]), start_date=municipal_term.start_date))

    # Early ends, by-elections and one ongoing suspension, on seats held by one person at one level only.
    holders_of_both = {id(m.deputy) for m in both}
    single = {
        Level.district: [m for m in district_mandates if id(m.deputy) not in holders_of_both],
        Level.municipal: [m for m in municipal_mandates if id(m.deputy) not in holders_of_both],
    }
    chosen = {level: rng.sample(pool, 5) for level, pool in single.items()}
    for level, end_date, reason, by_election in EARLY_ENDS:
        end_date, by_election = _shifted(end_date, years), _shifted(by_election, years)
        mandate = chosen[level].pop()
        mandate.end_date, mandate.end_reason = end_date, reason
        if by_election is not None:
            replacement = Mandate(
                deputy=people.new(), term=mandate.term, township=mandate.township,
                electoral_district=mandate.electoral_district, station=mandate.station, home=mandate.home,
                start_date=by_election, by_election=True)
            (district_mandates if level is Level.district else municipal_mandates).append(replacement)
    suspended = chosen[Level.district].pop()
    suspended.suspensions.append(Suspension(start_date=_shifted(SUSPENSION[0], years), reason=SUSPENSION[1]))

    deputies = [demo_deputy] + people.made
    db.session.add_all(deputies)
    db.session.add_all(district_mandates + municipal_mandates)
    db.session.flush()

    with _quiet(accounts.__name__):
        for deputy in deputies:
            accounts.account_for_deputy(deputy)
        accounts.set_password(demo_deputy.account, DEMO_PASSWORD)
        accounts.create_user(COMMITTEE_MOBILE, COMMITTEE_NAME, {Role.committee}, password=DEMO_PASSWORD)
        accounts.create_user(STAFF_MOBILE, STAFF_NAME, {Role.township_staff}, [first], password=DEMO_PASSWORD)
    seed_demo_rota(DEPUTY_MOBILE)
    log.info("demo district seeded: townships=%s deputies=%s", len(townships), len(deputies))
    return {
        "townships": len(townships), "homes": len(homes),
        "stations": sum(len(s) for s in stations_by_township.values()),
        "district_mandates": len(district_mandates), "municipal_mandates": len(municipal_mandates),
        "deputies": len(deputies), "both": len(both), "accounts": len(deputies) + 2,
    }


def _network(rng):
    """Townships, one home each, and one electoral district with one station per village or community.

    Returns the townships, homes by township name, stations by township name and (district,
    station) pairs, the districts still without their term; all are added to the session.
    """
    townships, homes, stations_by_township, districts = [], {}, {}, []
    for name, kind, (dlat, dlon), road, places in TOWNSHIPS:
        township = Township(name=name, kind=kind)
        lat, lon = CENTRE[0] + dlat, CENTRE[1] + dlon
        building = ("街道党群服务中心二楼" if kind is S else
                    ("乡" if name.endswith("乡") else "镇") + "人民政府综合楼一楼")
        home = Station(kind=StationKind.home, name=f"{name}代表之家", township=township,
                       address=f"{name}{road}{building}", latitude=_degrees(lat), longitude=_degrees(lon),
                       radius_m=200)
        # 代表之家 receive constituents on Wednesday and Friday mornings.
        home.opening_hours = [OpeningHours(weekday=day, opens=time(9), closes=time(11, 30)) for day in (2, 4)]
        townships.append(township)
        homes[name] = home
        stations_by_township[name] = []
        suffix = "社区" if kind is S else "村"
        for place in places.split():
            number = len(districts) + 1
            district = ElectoralDistrict(township=township, name=f"第{chinese_numeral(number)}选区")
            opens, closes = rng.choice(((time(9), time(11, 30)), (time(14, 30), time(17))))
            station = Station(
                kind=StationKind.station, name=f"{place}{suffix}代表联络站", township=township,
                electoral_district=district,
                address=f"{name}{place}{suffix}" + ("党群服务中心" if kind is S else "村民委员会一楼"),
                latitude=_degrees(lat + rng.uniform(-0.012, 0.012)),
                longitude=_degrees(lon + rng.uniform(-0.012, 0.012)), radius_m=200,
                opening_hours=[OpeningHours(weekday=rng.randrange(5), opens=opens, closes=closes)])
            districts.append((district, station))
            stations_by_township[name].append(station)
    db.session.add_all(townships + list(homes.values()) + [pair[0] for pair in districts]
                       + [s for group in stations_by_township.values() for s in group])
    return townships, homes, stations_by_township, districts


def _degrees(value):
    """A coordinate as the column stores it (six decimals, about 0.1 m)."""
    return Decimal(f"{value:.6f}")


class _People:
    """Makes fictional people: unique plausible names and unique mobile numbers from one random stream."""

    def __init__(self, rng):
        self.rng = rng
        self.made = []
        self.names = {COMMITTEE_NAME, STAFF_NAME, DEPUTY_NAME}
        self.mobiles = {COMMITTEE_MOBILE, STAFF_MOBILE, DEPUTY_MOBILE}

    def new(self):
        """A new deputy (not yet in the session)."""
        rng = self.rng
        gender = Gender.female if rng.random() < 0.38 else Gender.male
        chars = FEMALE_CHARS if gender is Gender.female else MALE_CHARS
        while True:
            # Common surnames come up more often, as in life.
            surname = SURNAMES[min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)]
            given = "".join(rng.sample(chars, 1 if rng.random() < 0.25 else 2))
            if surname + given not in self.names:
                break
        while True:
            mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
            if mobile not in self.mobiles:
                break
        ethnicity = rng.choice(OTHER_ETHNIC_GROUPS) if rng.random() < 0.05 else "汉族"
        self.names.add(surname + given)
        self.mobiles.add(mobile)
        deputy = Deputy(name=surname + given, gender=gender, ethnicity=ethnicity, mobile=mobile)
        self.made.append(deputy)
        return deputy
