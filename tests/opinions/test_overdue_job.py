"""The overdue reminder job under frozen time: once per opinion, to the township's staff, never for
opinions answered in time; registered with the scheduler."""
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.extensions import db as _db
from liaison.jobs.models import Outcome, RunSource
from liaison.jobs.operations import run_job
from liaison.jobs.registry import DAILY, get_job, load_jobs
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from liaison.opinions import operations
from liaison.opinions.jobs import opinion_overdue_reminder
from liaison.opinions.models import EventKind, Opinion, OpinionEvent
from tests import factories
from tests.opinions.conftest import sign_in_as
from tests.opinions.sample import hand_computed_district, make_opinion

#: 08:00 in Shanghai on 26 November 2026, when the scheduler runs the job.
MORNING_26 = "2026-11-26 00:00:00"


def reminders(user=None):
    """Overdue reminder messages, optionally to one user, in order."""
    query = sa.select(Message).where(Message.kind == "opinion_overdue").order_by(Message.id)
    if user is not None:
        query = query.where(Message.user_id == user.id)
    return _db.session.scalars(query).all()


def reminded_events(opinion):
    return _db.session.scalars(sa.select(OpinionEvent).where(
        OpinionEvent.opinion_id == opinion.id, OpinionEvent.kind == EventKind.reminded)).all()


def test_the_job_is_registered_daily(app, db):
    """The scheduler and `liaison jobs list` know the job by its stable id."""
    job = load_jobs()["opinion_overdue_reminder"]
    assert job.cadence is DAILY and job.cron_fields(app.config)["hour"] == 8
    listing = app.test_cli_runner().invoke(args=["jobs", "list"])
    assert listing.exit_code == 0 and "opinion_overdue_reminder" in listing.output


def test_each_overdue_opinion_is_reminded_once(db):
    """On 26 November #3 (安平, due 20 November) and #10 (清河, due 10 November) are overdue: each
    township's staff get one message about their own; a second run that day, a run by hand and the
    next day's run send nothing more. Answered or not yet due opinions are never reminded."""
    district = hand_computed_district(db)
    overdue_anping, overdue_qinghe = district.opinions[2], district.opinions[9]
    with freeze_time(MORNING_26):
        run = run_job(get_job("opinion_overdue_reminder"), DAILY.parse("2026-11-26"), RunSource.scheduled)
    assert run.outcome is Outcome.success, run.detail
    assert "2 件已提醒" in run.detail and "2 条" in run.detail
    _db.session.expire_all()
    [to_anping] = reminders(district.anping_staff)
    [to_qinghe] = reminders(district.qinghe_staff)
    assert overdue_anping.grouped_number in to_anping.subject
    assert "东升联络站" in to_anping.body and "已逾期 6 天" in to_anping.body and "区交通运输局" in to_anping.body
    assert f"/opinions/{overdue_anping.id}" in to_anping.body
    assert overdue_qinghe.grouped_number in to_qinghe.subject and "已逾期 16 天" in to_qinghe.body
    # The SMS outbox (the default gateway) holds the same reminder for each staff member's phone.
    texts = _db.session.scalars(
        sa.select(Message.subject).join(Delivery, Delivery.message_id == Message.id)
        .where(Delivery.channel == "sms", Delivery.status == DeliveryStatus.held,
               Message.user_id.in_([district.anping_staff.id, district.qinghe_staff.id]))).all()
    assert len(texts) == 2 and any(overdue_anping.grouped_number in text for text in texts)
    marked = {o.id: o.overdue_reminded_on for o in _db.session.scalars(sa.select(Opinion))}
    assert {i for i, day in marked.items() if day} == {overdue_anping.id, overdue_qinghe.id}
    assert marked[overdue_anping.id] == date(2026, 11, 26)
    [event] = reminded_events(overdue_anping)
    assert event.public is False and event.by_id is None

    with freeze_time("2026-11-26 03:00:00"):
        again = run_job(get_job("opinion_overdue_reminder"), DAILY.parse("2026-11-26"), RunSource.manual)
        assert again is None
        opinion_overdue_reminder(DAILY.parse("2026-11-26"))
        _db.session.commit()
    with freeze_time("2026-11-27 00:00:00"):
        run = run_job(get_job("opinion_overdue_reminder"), DAILY.parse("2026-11-27"), RunSource.scheduled)
    assert "0 件已提醒" in run.detail
    _db.session.expire_all()
    assert len(reminders()) == 2 and len(reminded_events(overdue_anping)) == 1


def test_answered_in_time_is_never_reminded_and_a_new_due_date_is(db):
    """Staff refer two opinions on 1 November, due 10 November; one is answered on 8 November and is
    never reminded, the other is reminded on the 11th; given a new due date it is reminded again
    once that one passes, and not after its reply."""
    district = hand_computed_district(db)
    staff = _db.session.get(type(district.anping_staff), district.anping_staff.id)
    with freeze_time("2026-11-01 02:00:00"):
        answered = make_opinion(district.dongsheng, date(2026, 11, 1))
        late = make_opinion(district.dongsheng, date(2026, 11, 1))
        for opinion in (answered, late):
            operations.refer_opinion(opinion, "区水务局", date(2026, 11, 10), staff)
        _db.session.commit()
    with freeze_time("2026-11-08 02:00:00"):
        operations.record_reply(answered, "已修复水管。", staff)
        _db.session.commit()
    for day in ("2026-11-11", "2026-11-12"):
        with freeze_time(f"{day} 00:00:00"):
            opinion_overdue_reminder(DAILY.parse(day))
            _db.session.commit()
    about = [m for m in reminders(staff) if "区水务局" in m.body]
    assert [late.grouped_number in m.subject for m in about] == [True]
    assert not any(answered.grouped_number in m.subject for m in reminders())

    with freeze_time("2026-11-12 02:00:00"):
        operations.refer_opinion(_db.session.get(Opinion, late.id), "区水务局", date(2026, 11, 15), staff)
        _db.session.commit()
    with freeze_time("2026-11-16 00:00:00"):
        opinion_overdue_reminder(DAILY.parse("2026-11-16"))
        _db.session.commit()
    with freeze_time("2026-11-16 02:00:00"):
        operations.record_reply(_db.session.get(Opinion, late.id), "已答复。", staff)
        _db.session.commit()
    with freeze_time("2026-11-17 00:00:00"):
        opinion_overdue_reminder(DAILY.parse("2026-11-17"))
        _db.session.commit()
    about = [m for m in reminders(staff) if late.grouped_number in m.subject]
    assert len(about) == 2 and "2026-11-15" in about[1].body
    assert len(reminded_events(late)) == 2 and not reminded_events(answered)


def test_without_staff_the_opinion_waits_for_someone_to_remind(db):
    """A township without enabled staff: nothing is sent and the opinion stays unmarked, so the staff
    member appointed later hears of it."""
    district = hand_computed_district(db)
    for user in (district.anping_staff, district.qinghe_staff):
        _db.session.get(type(user), user.id).enabled = False
    _db.session.commit()
    with freeze_time(MORNING_26):
        opinion_overdue_reminder(DAILY.parse("2026-11-26"))
        _db.session.commit()
    assert reminders() == []
    assert _db.session.get(Opinion, district.opinions[2].id).overdue_reminded_on is None
    newcomer = factories.make_user(roles={"township_staff"}, townships=[district.anping])
    _db.session.commit()
    with freeze_time("2026-11-27 00:00:00"):
        opinion_overdue_reminder(DAILY.parse("2026-11-27"))
        _db.session.commit()
    assert [m.subject for m in reminders(newcomer)] == [f"民意逾期未答复：{district.opinions[2].grouped_number}"]


def test_staff_see_the_reminder_in_the_timeline_and_the_inbox_but_the_constituent_does_not(client, db):
    """The reminder is a staff-only step: on the opinion's page and in the inbox, not on the lookup page."""
    district = hand_computed_district(db)
    overdue = district.opinions[2]
    with freeze_time(MORNING_26):
        opinion_overdue_reminder(DAILY.parse("2026-11-26"))
        _db.session.commit()
    public = client.get(f"/o/{overdue.number}").get_data(as_text=True)
    assert "逾期提醒" not in public and "乡镇工作人员" not in public
    sign_in_as(client, district.anping_staff)
    page = client.get(f"/opinions/{overdue.id}").get_data(as_text=True)
    assert "逾期提醒" in page and "已提醒乡镇工作人员 1 人" in page
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f"民意逾期未答复：{overdue.grouped_number}" in inbox
