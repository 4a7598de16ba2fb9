"""A small district of opinions whose counters were worked out by hand (tests of counters, dashboard,
record and duty-report pages share it), and a builder of opinions with explicit step dates."""
from datetime import date, datetime, time, timezone
from types import SimpleNamespace

from liaison.accounts.models import Role
from liaison.network.models import StationKind
from liaison.opinions.models import Category, Channel, Handling, Opinion, Satisfaction, Status, month_key
from tests import factories

#: The day the hand computation was made for ("today").
TODAY = date(2026, 11, 26)


def make_opinion(station, received_on, status=Status.received, **kw):
    """An opinion at a station received on a local date, with whatever later step dates are given."""
    kw.setdefault("channel", Channel.public_page)
    kw.setdefault("category", Category.transport)
    kw.setdefault("content", "路口红绿灯时间太短，老人过马路来不及。")
    opinion = Opinion(station=station, township_id=station.township_id, status=status,
                      received_on=received_on, received_month=month_key(received_on),
                      received_at=datetime.combine(received_on, time(2, 0), tzinfo=timezone.utc), **kw)
    factories.db.session.add(opinion)
    factories.db.session.flush()
    return opinion


def make_station(term, township, name=None):
    """A station of an electoral district of ``term`` (so no other term comes into being)."""
    district = factories.make_district(term=term, township=township)
    return factories.make_station(township=township, electoral_district=district,
                                  name=name or f"{district.name}站")


def _referral(referred_on, due_on, **kw):
    return dict(handling=Handling.referral, department="区交通运输局", referred_on=referred_on, due_on=due_on, **kw)


def hand_computed_district(db):
    """Two townships (安平镇: 东升站 and 红旗站; 清河镇: 河口站), opinions from September to November 2026.

    | #  | station | received | then                                                   | now         |
    |----|---------|----------|--------------------------------------------------------|-------------|
    | 1  | 东升    | 10-05    | 登 10-06, 转办 10-08 due 10-30, 复 11-03, 满意          | replied     |
    | 2  | 东升    | 10-20    | 当场答复 10-20, 基本满意 (received by 李明)              | replied     |
    | 3  | 东升    | 11-02    | 登 11-03, 转办 11-04 due 11-20                          | overdue     |
    | 4  | 东升    | 11-10    | nothing yet (received by 李明)                          | received    |
    | 5  | 东升    | 10-15    | 登 10-16, handed over to 信访 (received by 李明)         | handed_over |
    | 6  | 红旗    | 11-05    | 登 11-05, 李明's suggestion 11-06 due 11-30 (and his)   | suggestion  |
    | 7  | 红旗    | 11-12    | rejected                                               | rejected    |
    | 8  | 红旗    | 09-28    | 登 10-01, 转办 10-02 due 10-25, 复 11-20, 不满意 (李明) | replied     |
    | 9  | 河口    | 11-01    | 登 11-01, 复 11-02 directly, not rated                 | replied     |
    | 10 | 河口    | 10-10    | 登 10-11, 转办 10-12 due 11-10 (received by 王芳)        | overdue     |
    | 11 | 河口    | 11-25    | handed over to 信访                                    | handed_over |
    """
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2099, 12, 31))
    anping = factories.make_township(name="安平镇")
    qinghe = factories.make_township(name="清河镇")
    dongsheng = make_station(term, anping, "东升联络站")
    hongqi = make_station(term, anping, "红旗联络站")
    home = factories.make_station(township=anping, kind=StationKind.home, name="安平镇代表之家")
    hekou = make_station(term, qinghe, "河口联络站")
    li = factories.make_deputy(name="李明")
    factories.make_mandate(deputy=li, term=term, township=anping, station=dongsheng, home=home)
    wang = factories.make_deputy(name="王芳")
    factories.make_mandate(deputy=wang, term=term, township=qinghe, station=hekou)
    d = date
    numbered = [
        make_opinion(dongsheng, d(2026, 10, 5), Status.replied, registered_on=d(2026, 10, 6),
                     **_referral(d(2026, 10, 8), d(2026, 10, 30)), reply="已调整信号灯。",
                     replied_on=d(2026, 11, 3), satisfaction=Satisfaction.satisfied),
        make_opinion(dongsheng, d(2026, 10, 20), Status.replied, channel=Channel.reception, deputy=li,
                     registered_on=d(2026, 10, 20), handling=Handling.on_spot, reply="当场说明。",
                     replied_on=d(2026, 10, 20), satisfaction=Satisfaction.basically),
        make_opinion(dongsheng, d(2026, 11, 2), Status.referred, registered_on=d(2026, 11, 3),
                     **_referral(d(2026, 11, 4), d(2026, 11, 20))),
        make_opinion(dongsheng, d(2026, 11, 10), Status.received, channel=Channel.reception, deputy=li),
        make_opinion(dongsheng, d(2026, 10, 15), Status.handed_over, deputy=li,
                     registered_on=d(2026, 10, 16)),
        make_opinion(hongqi, d(2026, 11, 5), Status.suggestion, deputy=li, registered_on=d(2026, 11, 5),
                     handling=Handling.suggestion, suggestion_deputy=li, suggestion_text="建议增设公交站。",
                     referred_on=d(2026, 11, 6), due_on=d(2026, 11, 30)),
        make_opinion(hongqi, d(2026, 11, 12), Status.rejected),
        make_opinion(hongqi, d(2026, 9, 28), Status.replied, deputy=li, registered_on=d(2026, 10, 1),
                     **_referral(d(2026, 10, 2), d(2026, 10, 25)), reply="已维修。",
                     replied_on=d(2026, 11, 20), satisfaction=Satisfaction.unsatisfied),
        make_opinion(hekou, d(2026, 11, 1), Status.replied, registered_on=d(2026, 11, 1),
                     handling=Handling.direct, reply="已答复。", replied_on=d(2026, 11, 2)),
        make_opinion(hekou, d(2026, 10, 10), Status.referred, deputy=wang, registered_on=d(2026, 10, 11),
                     **_referral(d(2026, 10, 12), d(2026, 11, 10))),
        make_opinion(hekou, d(2026, 11, 25), Status.handed_over),
    ]
    anping_staff = factories.make_user(roles={Role.township_staff}, townships=[anping], name="安平专干")
    qinghe_staff = factories.make_user(roles={Role.township_staff}, townships=[qinghe], name="清河专干")
    committee = factories.make_user(roles={Role.committee}, name="代表工委")
    li_user = factories.make_user(roles={Role.deputy}, deputy=li)
    db.session.commit()
    return SimpleNamespace(term=term, anping=anping, qinghe=qinghe, dongsheng=dongsheng, hongqi=hongqi,
                           home=home, hekou=hekou, li=li, wang=wang, opinions=numbered,
                           anping_staff=anping_staff, qinghe_staff=qinghe_staff, committee=committee,
                           li_user=li_user)
