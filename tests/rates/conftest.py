"""The hand-built fixture whose rates are worked out by hand in tests/rates/test_rates.py.

Year 2024, zone Asia/Shanghai. Two townships: 东城镇 (A) and 西湖街道 (B), each with a 联络站 and
a 代表之家. Terms: 区第八届 D (2021-12-01 – 2026-11-30) and 市第十五届 M (2022-01-01 – 2026-12-31).
Names sort by pinyin in the order P1 … P7; in 姓氏笔画 order (rule R16) 邓 (4 strokes), 白 and 冯 (5:
丿 before 丶), 安 (6), 陈 (7), 高 (10), 韩 (12).

=====  =========  ============  ===============================================================
who    mandate    township      what matters
=====  =========  ============  ===============================================================
P1 安一  D          A             station 1-15; station rejected 2-20; home 3-31 23:30;
                                station 12-31 23:30; report 4-10 (completed)
P2 白二  D + M      A (D), B (M)  station at B 1-10 (away from own for D); home at B 5-5;
                                one report 6-18 recorded for D, also covering M
P3 陈三  D          B             early end 2024-05-20 (moved away); station pending 2-10;
                                back-entered station check-in 3-31 23:30; report 3-01
P4 邓四  D          B             by-election from 2024-03-15; station 3-20, station 4-02
                                (confirmed); home 12-31 23:30; planned report 11-20 (not completed)
P5 冯五  D          A             suspended 7-10 – 8-05; station 7-20; home 4-01 00:30 (= 3-31
                                16:30 UTC, so Q2); year-2024 report exemption approved 9-01
P6 高六  M          A             term-report exemption approved 6-01; February exemption
                                approved 3-01; station 2-14; report 2023-09-01
P7 韩七  D          A             by-election from 2024-09-01 (after 30 June); station 9-03
=====  =========  ============  ===============================================================
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from liaison.deputies.models import EndReason, Suspension
from liaison.extensions import db as _db
from liaison.network.models import StationKind
from liaison.deputies.models import Exemption, ExemptionScope
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportForm
from liaison.terms.models import Level
from stations.checkin.models import Checkin, Method, Status
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
_nonce = iter(range(10**6))


def add_checkin(deputy, station, local, status=Status.accepted, method=Method.kiosk, away=False):
    """A check-in at a local wall-clock time, stored as the check-in code stores it (UTC instant,
    local date and period keys)."""
    instant = local.replace(tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))
    day = instant.astimezone(SHANGHAI).date()
    row = Checkin(deputy=deputy, station=station, station_kind=station.kind, occurred_at=instant,
                  local_date=day, month_key=day.year * 100 + day.month,
                  quarter_key=day.year * 10 + (day.month - 1) // 3 + 1, method=method, status=status,
                  client_nonce=f"nonce-{next(_nonce):08d}-test", away_from_own=away)
    _db.session.add(row)
    _db.session.flush()
    return row


def add_report(mandate, day, completed=True, also=(), **kw):
    """A duty report recorded for a mandate (and possibly covering others), written directly."""
    kw.setdefault("form", ReportForm.on_site)
    kw.setdefault("voters_present", 30)
    report = DutyReport(mandate=mandate, report_date=day, completed=completed, **kw)
    for other in also:
        report.coverages.append(DutyReportCoverage(mandate=other))
    _db.session.add(report)
    _db.session.flush()
    return report


def add_exemption(mandate, scope, period_key, approved_on):
    row = Exemption(mandate=mandate, scope=scope, period_key=period_key, reason="因病住院", approver="主任会议",
                    approved_on=approved_on)
    _db.session.add(row)
    _db.session.flush()
    return row


@pytest.fixture()
def world(db):
    """Build the table above; return the ids the tests need."""
    a = factories.make_township(name="东城镇")
    b = factories.make_township(name="西湖街道")
    d = factories.make_term(level=Level.district, ordinal=8, name="区第八届", start_date=date(2021, 12, 1),
                            end_date=date(2026, 11, 30))
    m = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届", start_date=date(2022, 1, 1),
                            end_date=date(2026, 12, 31))
    station_a = factories.make_station(township=a)
    station_b = factories.make_station(township=b)
    home_a = factories.make_station(township=a, kind=StationKind.home)
    home_b = factories.make_station(township=b, kind=StationKind.home)

    people = {key: factories.make_deputy(name=name) for key, name in
              [("P1", "安一"), ("P2", "白二"), ("P3", "陈三"), ("P4", "邓四"), ("P5", "冯五"), ("P6", "高六"),
               ("P7", "韩七")]}
    p = people
    mandates = {
        "P1": factories.make_mandate(deputy=p["P1"], term=d, township=a, station=station_a, home=home_a),
        "P2D": factories.make_mandate(deputy=p["P2"], term=d, township=a, station=station_a, home=home_a),
        "P2M": factories.make_mandate(deputy=p["P2"], term=m, township=b, station=station_b, home=home_b),
        "P3": factories.make_mandate(deputy=p["P3"], term=d, township=b, end_date=date(2024, 5, 20),
                                     end_reason=EndReason.moved_away),
        "P4": factories.make_mandate(deputy=p["P4"], term=d, township=b, start_date=date(2024, 3, 15),
                                     by_election=True),
        "P5": factories.make_mandate(deputy=p["P5"], term=d, township=a),
        "P6": factories.make_mandate(deputy=p["P6"], term=m, township=a),
        "P7": factories.make_mandate(deputy=p["P7"], term=d, township=a, start_date=date(2024, 9, 1),
                                     by_election=True),
    }
    mm = mandates
    _db.session.add(Suspension(mandate=mm["P5"], start_date=date(2024, 7, 10), end_date=date(2024, 8, 5),
                               reason="接受调查"))

    add_checkin(p["P1"], station_a, datetime(2024, 1, 15, 10, 0))
    add_checkin(p["P1"], station_a, datetime(2024, 2, 20, 10, 0), status=Status.rejected)
    add_checkin(p["P1"], home_a, datetime(2024, 3, 31, 23, 30))
    add_checkin(p["P1"], station_a, datetime(2024, 12, 31, 23, 30))
    add_checkin(p["P2"], station_b, datetime(2024, 1, 10, 9, 0), away=True)
    add_checkin(p["P2"], home_b, datetime(2024, 5, 5, 9, 0))
    add_checkin(p["P3"], station_a, datetime(2024, 2, 10, 9, 0), status=Status.pending)
    add_checkin(p["P3"], station_b, datetime(2024, 3, 31, 23, 30), method=Method.back_entry)
    add_checkin(p["P4"], station_b, datetime(2024, 3, 20, 9, 0))
    add_checkin(p["P4"], station_b, datetime(2024, 4, 2, 9, 0), status=Status.confirmed)
    add_checkin(p["P4"], home_b, datetime(2024, 12, 31, 23, 30))
    add_checkin(p["P5"], station_a, datetime(2024, 7, 20, 9, 0))
    add_checkin(p["P5"], home_a, datetime(2024, 4, 1, 0, 30))
    add_checkin(p["P6"], station_a, datetime(2024, 2, 14, 9, 0))
    add_checkin(p["P7"], station_a, datetime(2024, 9, 3, 9, 0))

    add_report(mm["P1"], date(2024, 4, 10))
    add_report(mm["P2D"], date(2024, 6, 18), also=[mm["P2M"]])
    add_report(mm["P3"], date(2024, 3, 1))
    add_report(mm["P4"], date(2024, 11, 20), completed=False)
    add_report(mm["P6"], date(2023, 9, 1))

    add_exemption(mm["P6"], ExemptionScope.term_report, 0, date(2024, 6, 1))
    add_exemption(mm["P6"], ExemptionScope.month, 202402, date(2024, 3, 1))
    add_exemption(mm["P5"], ExemptionScope.year_report, 2024, date(2024, 9, 1))
    _db.session.commit()
    return {"A": a.id, "B": b.id, "D": d.id, "M": m.id,
            **{key: value.id for key, value in mandates.items()}}
