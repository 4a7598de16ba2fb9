"""Month-end (月进站) and quarter-end (季回家) reminders, called as jobs under frozen time."""
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.deputies.models import EndReason, Suspension
from liaison.extensions import db
from liaison.jobs.models import JobRun, RunSource
from liaison.jobs.operations import run_job
from liaison.jobs.registry import get_job
from stations.jobs import month_end_station_reminder, quarter_end_home_reminder
from liaison.notifications.models import Message
from stations.checkin.models import Status
from tests.notifications.helpers import Network, local, make_checkin

MARCH = get_job("month_end_station_reminder").cadence.parse("2026-03")
Q1 = get_job("quarter_end_home_reminder").cadence.parse("2026-Q1")


def inbox_of(user):
    """Subjects of a user's messages."""
    return db.session.scalars(sa.select(Message.subject).where(Message.user_id == user.id)
                              .order_by(Message.id)).all()


def everything():
    return db.session.scalars(sa.select(Message).order_by(Message.id)).all()


def march_network():
    """安平镇 with deputies in every situation the month-end rule tells apart."""
    net = Network("安平镇")
    people = {name: net.deputy(name) for name in ("已进站", "未进站", "待核实", "上月进站", "只回家", "已确认", "月末夜")}
    make_checkin(people["已进站"], net.station, local(2026, 3, 10, 9, 0))
    make_checkin(people["待核实"], net.station, local(2026, 3, 11, 9, 0), status=Status.pending)
    make_checkin(people["上月进站"], net.station, local(2026, 2, 27, 9, 0))
    make_checkin(people["只回家"], net.home, local(2026, 3, 12, 9, 0))
    make_checkin(people["已确认"], net.station, local(2026, 3, 13, 9, 0), status=Status.confirmed)
    # 00:30 on 1 March in Shanghai is still February in UTC: it counts for March.
    make_checkin(people["月末夜"], net.station, local(2026, 3, 1, 0, 30))
    suspended = net.deputy("暂停职务")
    db.session.add(Suspension(mandate=suspended.mandates[0], start_date=date(2026, 3, 1), reason="测试"))
    ended = net.deputy("已辞职", end_date=date(2026, 3, 1), end_reason=EndReason.resigned)
    net.deputy("无账号", account=False)
    staff = net.staff("安平专干")
    other = Network("红星街道")
    make_checkin(other.deputy("他镇已进站"), other.station, local(2026, 3, 2, 9, 0))
    make_checkin(other.deputy("他镇未进站"), other.home, local(2026, 3, 2, 9, 0))
    other_staff = other.staff("红星专干")
    quiet = Network("清水镇")
    make_checkin(quiet.deputy("清水已进站"), quiet.station, local(2026, 3, 3, 9, 0))
    quiet_staff = quiet.staff("清水专干")
    db.session.flush()
    return net, people, {"suspended": suspended, "ended": ended, "staff": staff, "other_staff": other_staff,
                         "quiet_staff": quiet_staff, "other": other}


@freeze_time("2026-03-25 01:00:00")  # 09:00 in Shanghai
def test_month_end_reminder_reaches_each_absent_deputy_once(db):
    """Exactly one message to each deputy with no counted station check-in in March, none to others;
    one list to each township's staff; a second call sends nothing."""
    net, people, extra = march_network()
    detail = month_end_station_reminder(MARCH)
    db.session.commit()

    absent = ("未进站", "待核实", "上月进站", "只回家")
    for name in absent:
        assert inbox_of(people[name].account) == ["本月尚未进站"], name
    for name in ("已进站", "已确认", "月末夜"):
        assert inbox_of(people[name].account) == [], name
    assert inbox_of(extra["suspended"].account) == []
    assert inbox_of(extra["ended"].account) == []
    [listing] = db.session.scalars(sa.select(Message).where(Message.user_id == extra["staff"].id)).all()
    assert listing.subject == "2026年3月尚未进站的代表：安平镇（5 人）"
    assert "截至 2026-03-25" in listing.body
    for name in (*absent, "无账号"):
        assert name in listing.body
    assert "已进站" not in listing.body and "暂停职务" not in listing.body and "已辞职" not in listing.body
    other_list = inbox_of(extra["other_staff"])
    assert other_list == ["2026年3月尚未进站的代表：红星街道（1 人）"]
    assert inbox_of(extra["quiet_staff"]) == []
    assert "未签到代表 6 人" in detail and "提醒代表 5 人" in detail and "名单 2 份" in detail

    count = len(everything())
    assert count == 5 + 2  # five deputies with accounts (他镇未进站 included), two staff lists
    month_end_station_reminder(MARCH)
    db.session.commit()
    assert len(everything()) == count


@freeze_time("2026-03-25 01:00:00")
def test_the_job_runs_once_per_period(db):
    """Run through the job runner, a second run for March is refused before it starts."""
    march_network()
    job = get_job("month_end_station_reminder")
    first = run_job(job, MARCH, RunSource.manual)
    assert first.outcome.value == "success"
    sent = len(everything())
    assert sent > 0
    assert run_job(job, MARCH, RunSource.manual) is None
    assert len(everything()) == sent
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 1


@freeze_time("2026-04-02 02:00:00")
def test_a_late_run_names_the_month_instead_of_this_month(db):
    """Caught up on 2 April, the March reminder says 2026年3月未进站, not 本月."""
    net = Network()
    deputy = net.deputy("迟到提醒")
    month_end_station_reminder(MARCH)
    assert inbox_of(deputy.account) == ["2026年3月未进站"]
    [message] = everything()[:1]
    assert "补登" in message.body


@freeze_time("2026-03-25 01:00:00")
def test_quarter_end_reminder_counts_home_check_ins_in_the_quarter(db):
    """季回家: a home check-in any time in Q1 counts; a station check-in or one in Q4 does not."""
    net = Network("安平镇")
    came_home = net.deputy("一月回家")
    make_checkin(came_home, net.home, local(2026, 1, 15, 10, 0))
    station_only = net.deputy("只进站")
    make_checkin(station_only, net.station, local(2026, 3, 5, 10, 0))
    last_year = net.deputy("去年回家")
    make_checkin(last_year, net.home, local(2025, 12, 20, 10, 0))
    staff = net.staff()
    quarter_end_home_reminder(Q1)
    quarter_end_home_reminder(Q1)
    db.session.commit()
    assert inbox_of(came_home.account) == []
    assert inbox_of(station_only.account) == ["本季度尚未回家"]
    assert inbox_of(last_year.account) == ["本季度尚未回家"]
    [listing] = db.session.scalars(sa.select(Message).where(Message.user_id == staff.id)).all()
    assert listing.subject == "2026年第一季度尚未回家的代表：安平镇（2 人）"
    assert "只进站" in listing.body and "去年回家" in listing.body and "一月回家" not in listing.body
