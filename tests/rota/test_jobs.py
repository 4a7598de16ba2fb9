"""The rota's jobs called under frozen time: no-shows, the day-before reminder, the publish deadline."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.extensions import db as _db
from liaison.jobs.models import Outcome, RunSource
from liaison.jobs.operations import run_job
from liaison.jobs.registry import DAILY, get_job, load_jobs
from liaison.rota.jobs import day_before_reminder, publish_deadline_reminder, record_no_shows
from liaison.rota.models import AssignmentStatus, Slot, SlotAssignment
from liaison.rota.operations import propose_rota, publish_rota
from stations.checkin.models import Status
from tests.rota.conftest import MORNING, Town, local, make_checkin, messages


@pytest.fixture()
def published(db, october):
    """October proposed and published on 20 September, without messages."""
    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    publish_rota(rota_month, notify=False, today=date(2026, 9, 20))
    db.session.commit()
    return rota_month


def places_on(db, station, day):
    """The places at a station on a date."""
    return db.session.scalars(sa.select(SlotAssignment).join(Slot).where(
        Slot.station_id == station.id, Slot.local_date == day).order_by(SlotAssignment.id)).all()


def test_the_jobs_are_registered():
    """The three rota jobs are in the registry with stable ids, run daily."""
    jobs = load_jobs()
    for job_id in ("rota_no_shows", "rota_day_before_reminder", "publish_deadline_reminder"):
        assert jobs[job_id].cadence is DAILY


def test_no_shows_are_marked_once(db, october, published):
    """At 01:00 on 15 October the places of 14 October become attended (accepted or pending check-in at
    that station that day) or no-show (none, rejected, or only at another station); a second run of
    the job for that day changes nothing."""
    places = places_on(db, october.dongsheng, date(2026, 10, 14))
    assert len(places) == 3
    came, pending, absent = (p.deputy for p in places)
    make_checkin(came, october.dongsheng, local(2026, 10, 14, 9, 5))
    make_checkin(pending, october.dongsheng, local(2026, 10, 14, 9, 20), status=Status.pending)
    make_checkin(absent, october.dongsheng, local(2026, 10, 14, 9, 30), status=Status.rejected)
    make_checkin(absent, october.hongqi, local(2026, 10, 14, 15, 0))
    make_checkin(absent, october.dongsheng, local(2026, 10, 13, 9, 0))
    db.session.commit()
    period = DAILY.parse("2026-10-15")
    with freeze_time("2026-10-14 17:00:00"):  # 01:00 on the 15th in Shanghai
        run = run_job(get_job("rota_no_shows"), period, RunSource.scheduled)
    # The days before the 14th whose no-shows were never recorded are settled in the same run (rule R22).
    assert run.outcome is Outcome.success and "含此前漏登的日子" in run.detail
    _db.session.expire_all()
    statuses = {p.deputy_id: db.session.get(SlotAssignment, p.id).status for p in places}
    assert statuses == {came.id: AssignmentStatus.attended, pending.id: AssignmentStatus.attended,
                        absent.id: AssignmentStatus.no_show}
    stamps = {p.id: db.session.get(SlotAssignment, p.id).status_changed_at for p in places}
    with freeze_time("2026-10-15 03:00:00"):
        assert run_job(get_job("rota_no_shows"), period, RunSource.manual) is None
        record_no_shows(period)
    _db.session.expire_all()
    assert {p.id: db.session.get(SlotAssignment, p.id).status_changed_at for p in places} == stamps
    later = db.session.scalars(
        sa.select(SlotAssignment).join(Slot).where(Slot.local_date > date(2026, 10, 14)))
    assert {a.status for a in later} == {AssignmentStatus.assigned}
    earlier = db.session.scalars(
        sa.select(SlotAssignment).join(Slot).where(Slot.local_date < date(2026, 10, 14)))
    assert {a.status for a in earlier} == {AssignmentStatus.no_show}


def test_no_shows_show_on_the_month_page(client, db, login_as, october, published):
    """After the job, staff see the no-show count and the red 未到 mark on the month page."""
    with freeze_time("2026-10-14 17:00:00"):
        record_no_shows(DAILY.parse("2026-10-15"))
        db.session.commit()
        login_as("township_staff", townships=[october.township])
        page = client.get(f"/rota/{published.id}").get_data(as_text=True)
        missed = db.session.scalar(sa.select(sa.func.count(SlotAssignment.id)).where(
            SlotAssignment.status == AssignmentStatus.no_show))
        assert missed > 3  # the 14th's three, and the unsettled days before it (rule R22)
        assert f"本月已有 {missed} 人次排班未到" in page and page.count(">未到</span>") == missed
        assert "未到" in client.get("/rota").get_data(as_text=True)


def test_leave_and_drafts_are_not_no_shows(db, october, published):
    """A place on leave is left alone, and a draft month's slots are not judged."""
    place = places_on(db, october.dongsheng, date(2026, 10, 14))[0]
    place.status = AssignmentStatus.on_leave
    draft, _proposal = propose_rota(october.township, 2026, 11, today=date(2026, 10, 20))
    db.session.commit()
    record_no_shows(DAILY.parse("2026-10-15"))
    first = draft.slots[0]
    record_no_shows(DAILY.period_of(first.local_date + timedelta(days=1)))
    db.session.commit()
    _db.session.expire_all()
    assert db.session.get(SlotAssignment, place.id).status is AssignmentStatus.on_leave
    assert {a.status for a in db.session.get(Slot, first.id).assignments} == {AssignmentStatus.assigned}


def test_the_day_before_reminder_goes_once_per_place(db, october, published):
    """At 16:00 on 13 October each deputy with a place on the 14th gets one reminder; places on leave
    get none; running it again sends nothing more."""
    places = places_on(db, october.dongsheng, date(2026, 10, 14))
    places[0].status = AssignmentStatus.on_leave
    db.session.commit()
    period = DAILY.parse("2026-10-13")
    with freeze_time("2026-10-13 08:00:00"):
        run = run_job(get_job("rota_day_before_reminder"), period, RunSource.scheduled)
        assert run.outcome is Outcome.success
        day_before_reminder(period)
        db.session.commit()
    sent = messages("rota_day_before")
    slots_14 = db.session.scalars(sa.select(Slot).where(Slot.local_date == date(2026, 10, 14))).all()
    on_14 = {a.deputy.account.id for s in slots_14 for a in s.assignments
             if a.status is AssignmentStatus.assigned}
    assert sorted(m.user_id for m in sent) == sorted(on_14)
    assert places[0].deputy.account.id not in on_14
    assert all("明天" in m.subject and "10月14日（周三）" in m.body for m in sent)


def test_the_publish_deadline_reminds_staff_once(db, october):
    """From 7 days before November, staff of a township with no published November rota get one
    reminder; staff of a township that published, or that has no station, get none; a second day
    sends nothing new."""
    rota_month, _proposal = propose_rota(october.township, 2026, 11, today=date(2026, 10, 20))
    publish_rota(rota_month, notify=False, today=date(2026, 10, 20))
    lagging = Town("红星街道")
    lagging.station("红星站", (1, MORNING))
    lagging_staff = lagging.staff("红星专干")
    Town("清水镇").staff("清水专干")  # a home only: nothing to plan
    db.session.commit()
    assert "还早" in publish_deadline_reminder(DAILY.parse("2026-10-24"))
    detail = publish_deadline_reminder(DAILY.parse("2026-10-25"))
    publish_deadline_reminder(DAILY.parse("2026-10-26"))
    db.session.commit()
    sent = messages("rota_publish_deadline")
    assert [m.user_id for m in sent] == [lagging_staff.id]
    assert sent[0].subject == "红星街道 2026年11月排班尚未公示" and "还有 7 天" in sent[0].body
    assert "未公示的乡镇（街道）1 个" in detail


def test_no_shows_of_days_the_scheduler_missed_are_caught_up(db, october, published):
    """The scheduler was down from 10 to 25 October: its first run (for the 26th) settles every day from
    the first slot to the 25th, not only the 25th; a deputy who came on the 14th is attended; running
    the job again for a later day changes nothing already settled."""
    places = places_on(db, october.dongsheng, date(2026, 10, 14))
    came = places[0].deputy
    make_checkin(came, october.dongsheng, local(2026, 10, 14, 9, 5))
    db.session.commit()
    with freeze_time("2026-10-25 17:00:00"):  # 01:00 on the 26th in Shanghai
        run = run_job(get_job("rota_no_shows"), DAILY.parse("2026-10-26"), RunSource.catch_up)
    assert run.outcome is Outcome.success and "含此前漏登的日子" in run.detail
    _db.session.expire_all()
    past = db.session.scalars(sa.select(SlotAssignment).join(Slot).where(Slot.local_date <= date(2026, 10, 25))).all()
    assert past and all(p.status in (AssignmentStatus.attended, AssignmentStatus.no_show) for p in past)
    assert db.session.get(SlotAssignment, places[0].id).status is AssignmentStatus.attended
    future = db.session.scalars(sa.select(SlotAssignment).join(Slot).where(Slot.local_date > date(2026, 10, 25))).all()
    assert future and all(p.status is AssignmentStatus.assigned for p in future)
    stamps = {p.id: p.status_changed_at for p in past}
    with freeze_time("2026-10-26 17:00:00"):
        record_no_shows(DAILY.parse("2026-10-27"))
        db.session.commit()
    _db.session.expire_all()
    assert {p.id: db.session.get(SlotAssignment, p.id).status_changed_at for p in past} == stamps
