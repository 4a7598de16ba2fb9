"""The rota stays true (rule R20): an early end, a suspension or recorded dates away take the deputy
off the slots from then on, in draft and published months, with notices; the public page and the
day-before reminder follow."""
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.deputies.models import EndReason, Suspension
from liaison.jobs.registry import DAILY
from liaison.rota.jobs import day_before_reminder
from liaison.rota.models import AssignmentStatus, LeaveRequest, RequestKind, RequestStatus, Slot, SlotAssignment
from liaison.rota.operations import propose_rota, publish_rota, request_leave
from tests.rota.conftest import messages

#: 10:00 on 20 September 2026 in Shanghai.
SEPT_20 = "2026-09-20 02:00:00"
#: 10:00 on 12 October 2026 in Shanghai.
OCT_12 = "2026-10-12 02:00:00"


def make_october(db, october, publish=True):
    """October proposed (and published) on 20 September, without messages."""
    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    if publish:
        publish_rota(rota_month, notify=False, today=date(2026, 9, 20))
    db.session.commit()
    return rota_month


def places_of(db, deputy):
    """The deputy's places, by date."""
    return db.session.scalars(sa.select(SlotAssignment).join(Slot).where(SlotAssignment.deputy_id == deputy.id)
                              .order_by(Slot.local_date)).all()


def text(response):
    return response.get_data(as_text=True)


def a_deputy_placed_after(db, october, day, station):
    """A deputy of ``station`` whose only place is after ``day``."""
    for deputy in october.people.values():
        places = places_of(db, deputy)
        if (len(places) == 1 and places[0].slot.local_date > day and places[0].slot.station_id == station.id):
            return deputy, places[0]
    raise AssertionError("no such deputy")


def test_an_early_end_takes_the_deputy_off_a_published_month(app, client, db, login_as, october):
    """The committee records 迁出 on 12 October for a deputy placed on the 17th: the place is removed
    with the reason, the deputy and the township staff are told, the public page no longer shows the
    name, the month page says who was removed and why, and the freed place can be filled."""
    with freeze_time(SEPT_20):
        rota_month = make_october(db, october)
    deputy, place = a_deputy_placed_after(db, october, date(2026, 10, 13), october.hongqi)
    code = october.hongqi.code
    with freeze_time(OCT_12):
        assert deputy.name in text(app.test_client().get(f"/p/{code}"))
        login_as("committee")
        response = client.post(f"/mandates/{deputy.mandates[0].id}/end",
                               data={"end_date": "2026-10-12", "end_reason": EndReason.moved_away.value})
        assert response.status_code == 302
        db.session.expire_all()
        place = db.session.get(SlotAssignment, place.id)
        assert place.status is AssignmentStatus.removed
        assert place.status_note == f"{deputy.name} 已于10月12日终止代表资格（迁出或调离本行政区域）"
        assert deputy.name not in text(app.test_client().get(f"/p/{code}"))
        told = messages("rota_changed", user=deputy.account)
        assert len(told) == 1 and "接待安排取消" in told[0].subject and "迁出" in told[0].body
        staff_notes = messages("rota_removed", user=october.staff)
        assert len(staff_notes) == 1 and deputy.name in staff_notes[0].subject
        assert "10月1" in staff_notes[0].body and "红旗站" in staff_notes[0].body
        login_as("township_staff", townships=[october.township])
        page = text(client.get(f"/rota/{rota_month.id}"))
        assert "已从排班中移出的代表（1）" in page
        assert f"{deputy.name} 已于10月12日终止代表资格（迁出或调离本行政区域），已从10月" in page
        assert "已移出" in page


def test_a_suspension_takes_the_deputy_off_and_the_reminder_is_not_sent(app, client, db, login_as, october):
    """A suspension from 12 October removes the deputy's later places (not earlier ones); the day-before
    reminder for that day reminds the others only."""
    with freeze_time(SEPT_20):
        make_october(db, october)
    deputy, place = a_deputy_placed_after(db, october, date(2026, 10, 13), october.hongqi)
    day = place.slot.local_date
    with freeze_time(OCT_12):
        login_as("committee")
        response = client.post(f"/mandates/{deputy.mandates[0].id}/suspensions/new",
                               data={"start_date": "2026-10-12", "end_date": "", "reason": "接受调查"})
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SlotAssignment, place.id).status is AssignmentStatus.removed
    assert "自10月12日起暂停执行代表职务（接受调查）" in db.session.get(SlotAssignment, place.id).status_note
    with freeze_time(f"{day.replace(day=day.day - 1).isoformat()} 08:00:00"):
        detail = day_before_reminder(DAILY.parse(day.replace(day=day.day - 1).isoformat()))
        db.session.commit()
    reminded = messages("rota_day_before")
    assert reminded and all(m.user_id != deputy.account.id for m in reminded)
    assert "提醒" in detail


def test_the_reminder_reads_the_mandate_at_send_time(db, october):
    """A suspension written straight into the table (not through the operation, so the place stayed)
    still keeps the reminder from going out: the job checks the mandate when it sends."""
    with freeze_time(SEPT_20):
        make_october(db, october)
    deputy, place = a_deputy_placed_after(db, october, date(2026, 10, 13), october.hongqi)
    day = place.slot.local_date
    db.session.add(Suspension(mandate=deputy.mandates[0], start_date=date(2026, 10, 12), reason="直接写入"))
    db.session.commit()
    eve = day.replace(day=day.day - 1)
    with freeze_time(f"{eve.isoformat()} 08:00:00"):
        detail = day_before_reminder(DAILY.parse(eve.isoformat()))
        db.session.commit()
    assert all(m.user_id != deputy.account.id for m in messages("rota_day_before"))
    assert "未提醒" in detail
    with freeze_time(OCT_12):
        from flask import current_app
        page = current_app.test_client().get(f"/p/{october.hongqi.code}").get_data(as_text=True)
    assert deputy.name not in page


def test_an_end_clears_a_draft_too_and_keeps_earlier_places(client, db, login_as, october):
    """In a draft, an end on 20 October removes only places from the 20th on; the deputy is not
    messaged about a draft they never saw, the staff are (marked 草稿)."""
    with freeze_time(SEPT_20):
        make_october(db, october, publish=False)
        later, later_place = a_deputy_placed_after(db, october, date(2026, 10, 20), october.hongqi)
        login_as("committee")
        client.post(f"/mandates/{later.mandates[0].id}/end",
                    data={"end_date": "2026-10-20", "end_reason": EndReason.resigned.value})
    db.session.expire_all()
    assert db.session.get(SlotAssignment, later_place.id).status is AssignmentStatus.removed
    assert messages("rota_changed", user=later.account) == []
    assert "（草稿）" in messages("rota_removed", user=october.staff)[0].body
    early = [p for d in october.people.values() for p in places_of(db, d) if p.slot.local_date < date(2026, 10, 20)]
    assert early and all(p.status is AssignmentStatus.assigned for p in early)


def test_a_person_with_another_mandate_in_force_keeps_the_place(db, october):
    """Ending one of two mandates in the township leaves the place of a person still in force there."""
    from liaison.deputies.operations import end_mandate
    from liaison.terms.models import Level
    from tests import factories

    with freeze_time(SEPT_20):
        make_october(db, october)
    deputy, place = a_deputy_placed_after(db, october, date(2026, 10, 13), october.hongqi)
    term = factories.make_term(level=Level.municipal, ordinal=16, name="市第十六届测试",
                               start_date=date(2020, 1, 1), end_date=date(2099, 12, 31))
    factories.make_mandate(deputy=deputy, term=term, township=october.township, station=october.hongqi)
    db.session.commit()
    with freeze_time(OCT_12):
        end_mandate(deputy.mandates[0], date(2026, 10, 12), EndReason.resigned)
        db.session.commit()
    assert db.session.get(SlotAssignment, place.id).status is AssignmentStatus.assigned


def test_recorded_dates_away_take_the_deputy_off_those_days(client, db, login_as, october):
    """Staff record 住院 from 12 to 31 October for a placed deputy (请假): the place is removed and the
    deputy told; recording dates that touch no place removes nothing."""
    with freeze_time(SEPT_20):
        make_october(db, october)
    deputy, place = a_deputy_placed_after(db, october, date(2026, 10, 13), october.hongqi)
    with freeze_time(OCT_12):
        login_as("township_staff", townships=[october.township])
        response = client.post("/rota/unavailability", data={
            "deputy_id": deputy.id, "first_day": "2026-10-12", "last_day": "2026-10-31", "reason": "住院"})
        assert response.status_code == 302
    db.session.expire_all()
    removed = db.session.get(SlotAssignment, place.id)
    assert removed.status is AssignmentStatus.removed
    assert removed.status_note == f"{deputy.name} 登记了10月12日至10月31日不能接待（住院）"
    assert len(messages("rota_changed", user=deputy.account)) == 1
    assert len(messages("rota_removed")) >= 1


def test_a_pending_leave_request_on_a_removed_place_is_closed(app, client, db, login_as, october):
    """A deputy asked for leave from the 17th, then their mandate ends on the 12th: the request is not
    left waiting for staff (whose approval would be refused); it is closed with the reason and the
    staff's requests page no longer lists it as waiting."""
    with freeze_time(SEPT_20):
        make_october(db, october)
    deputy, place = a_deputy_placed_after(db, october, date(2026, 10, 13), october.hongqi)
    with freeze_time(OCT_12):
        request = request_leave(place, RequestKind.leave, "外出开会", today=date(2026, 10, 12))
        db.session.commit()
        request_id = request.id
        login_as("committee")
        response = client.post(f"/mandates/{deputy.mandates[0].id}/end",
                               data={"end_date": "2026-10-12", "end_reason": EndReason.moved_away.value})
        assert response.status_code == 302
        db.session.expire_all()
        request = db.session.get(LeaveRequest, request_id)
        assert request.status is RequestStatus.closed and "迁出" in request.decision_note
        login_as("township_staff", townships=[october.township])
        response = client.get("/rota/requests")
        assert response.status_code == 200
        page = text(response)
        waiting, decided = page[page.index('id="pending"'):page.index('id="decided"')], page[page.index('id="decided"'):]
        assert "外出开会" not in waiting and deputy.name not in waiting
        assert deputy.name in decided and "接待已取消，无需审批" in decided
        assert db.session.scalar(sa.select(sa.func.count(LeaveRequest.id))
                                 .where(LeaveRequest.status == RequestStatus.pending)) == 0
