"""Test data builders: each makes one valid record, with keyword overrides for what a test cares about."""
import functools
import itertools
from datetime import date

from werkzeug.security import generate_password_hash

from liaison.accounts.models import Role, User
from liaison.clock import utcnow
from liaison.deputies.models import Deputy, Gender, Mandate
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.terms.models import Level, Term
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


def _n():
    return next(_counter)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_township(**kw):
    kw.setdefault("name", f"测试镇{_n()}")
    kw.setdefault("kind", TownshipKind.township)
    return _save(Township(**kw))


def make_term(**kw):
    kw.setdefault("level", Level.district)
    kw.setdefault("ordinal", 8)
    kw.setdefault("start_date", date(2021, 12, 1))
    kw.setdefault("end_date", date(2026, 12, 31))
    # A confirmed end by default: the term's mandates end on its end date. An open term (end still
    # provisional) holds its mandates past it until it is closed (rule R5); tests of that say so.
    kw.setdefault("end_provisional", False)
    kw.setdefault("name", f"{kw['level'].label}第{kw['ordinal']}届-{_n()}")
    return _save(Term(**kw))


def make_district(term=None, township=None, **kw):
    term = term or make_term()
    township = township or make_township()
    kw.setdefault("name", f"第{_n()}选区")
    return _save(ElectoralDistrict(term=term, township=township, **kw))


def make_station(township=None, kind=StationKind.station, **kw):
    township = township or make_township()
    if kind is StationKind.station and "electoral_district" not in kw:
        kw["electoral_district"] = make_district(township=township)
    kw.setdefault("name", f"{township.name}{kind.label}{_n()}")
    kw.setdefault("address", "人民路 1 号")
    return _save(Station(kind=kind, township=township, **kw))


def make_deputy(**kw):
    n = _n()
    kw.setdefault("name", f"代表{n}")
    kw.setdefault("gender", Gender.female if n % 2 else Gender.male)
    kw.setdefault("ethnicity", "汉族")
    kw.setdefault("mobile", f"137{n:08d}")
    return _save(Deputy(**kw))


def make_mandate(deputy=None, term=None, township=None, **kw):
    deputy = deputy or make_deputy()
    term = term or make_term()
    township = township or make_township()
    if term.level.directly_elected and "electoral_district" not in kw:
        kw["electoral_district"] = make_district(term=term, township=township)
    kw.setdefault("start_date", term.start_date)
    return _save(Mandate(deputy=deputy, term=term, township=township, **kw))


def make_user(roles=(Role.committee,), townships=(), password=PASSWORD, deputy=None, **kw):
    n = _n()
    kw.setdefault("mobile", deputy.mobile if deputy else f"136{n:08d}")
    kw.setdefault("name", deputy.name if deputy else f"用户{n}")
    user = User(deputy=deputy, townships=list(townships), **kw)
    user.set_roles({Role(r) for r in roles})
    if password:
        user.password_hash = cheap_password_hash(password)
        user.password_changed_at = utcnow()
    return _save(user)


@functools.cache
def cheap_password_hash(password):
    """A test account's password hash: PBKDF2 with 1,000 rounds, made once per password.

    The product hashes with scrypt, slow on purpose (about 0.18 s to make a hash and as long to
    check one here); a test that signs someone in paid it twice, a third of a second, and the suite
    does that hundreds of times. What a sign-in checks is the same: the hash names its own method.
    Tests of setting a password go through the product's own ``set_password``.
    """
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


def local(*args):
    """An aware instant from local (Asia/Shanghai) wall-clock fields: local(2026, 3, 31, 23, 30)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


def make_checkin(deputy, station, when, status=None, method=None, **kw):
    """A check-in at ``when`` (an aware instant) with the period keys the product writes."""
    from stations.checkin.models import Checkin, Method, Status
    from stations.checkin.queries import period_keys

    day, month_key, quarter_key = period_keys(when)
    kw.setdefault("client_nonce", f"test-nonce-{_n():08d}")
    return _save(Checkin(deputy=deputy, station=station, station_kind=station.kind, occurred_at=when,
                         local_date=day, month_key=month_key, quarter_key=quarter_key,
                         method=method or Method.poster, status=status or Status.accepted, **kw))
