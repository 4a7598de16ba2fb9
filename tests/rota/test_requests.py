"""Deputies' own pages: upcoming slots, leave and swap requests and their decision, unavailable dates."""
from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.extensions import db as _db
from liaison.rota.models import (AssignmentStatus, LeaveRequest, RequestStatus, Slot, SlotAssignment,
                                 Unavailability)
from liaison.rota.operations import propose_rota, publish_rota
from tests import factories
from tests.conftest import sign_in
from tests.rota.conftest import messages

SEPT_20 = "2026-09-20 02:00:00"


@pytest.fixture()
def published(db, october):
    """October proposed and published on 20 September (without messages, to keep inboxes clean)."""
    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    publish_rota(rota_month, notify=False, today=date(2026, 9, 20))
    db.session.commit()
    return rota_month


def place_of(db, deputy):
    """The deputy's (first) place."""
    return db.session.scalar(sa.select(SlotAssignment).join(Slot).where(SlotAssignment.deputy_id == deputy.id)
                             .order_by(Slot.local_date))


def as_deputy(app, deputy):
    """A phone signed in as the deputy."""
    deputy.account.set_password(factories.PASSWORD)
    _db.session.commit()
    client = app.test_client()
    assert sign_in(client, deputy.mobile).status_code == 302
    return client


def as_staff(app, october):
    """A browser signed in as 安平镇's staff member."""
    october.staff.set_password(factories.PASSWORD)
    _db.session.commit()
    client = app.test_client()
    assert sign_in(client, october.staff.mobile).status_code == 302
    return client


@freeze_time(SEPT_20)
def test_a_deputy_sees_their_upcoming_slots(app, db, october, published):
    """My slots lists the deputy's place with station and address, and nobody else's."""
    deputy = october.people["红旗1"]
    place = place_of(db, deputy)
    page = as_deputy(app, deputy).get("/my/slots").get_data(as_text=True)
    assert place.slot.station.name in page and place.slot.station.address in page
    assert f'id="place-{place.id}"' in page and page.count('id="place-') == 1
    assert "请假或换班" in page


@freeze_time(SEPT_20)
def test_leave_is_requested_approved_and_frees_the_place(app, db, october, published):
    """A deputy asks for leave with a reason; staff are told; approval marks the place on leave,
    frees it, and tells the deputy; a second request for it is refused."""
    deputy = october.people["红旗2"]
    place = place_of(db, deputy)
    phone = as_deputy(app, deputy)
    response = phone.post(f"/my/slots/{place.id}/leave", data={"kind": "leave", "reason": ""})
    assert "请填写原因" in response.get_data(as_text=True)
    response = phone.post(f"/my/slots/{place.id}/leave", data={"kind": "leave", "reason": "住院治疗"})
    assert response.status_code == 302
    request = db.session.scalar(sa.select(LeaveRequest))
    assert (request.status, request.reason) == (RequestStatus.pending, "住院治疗")
    assert [m.user_id for m in messages("rota_request")] == [october.staff.id]
    response = phone.post(f"/my/slots/{place.id}/leave", data={"kind": "leave", "reason": "再次"})
    assert "已有一个待审批的申请" in response.get_data(as_text=True)

    staff = as_staff(app, october)
    assert "住院治疗" in staff.get("/rota/requests").get_data(as_text=True)
    staff.post(f"/rota/requests/{request.id}", data={"decision": "approve", "note": "早日康复"})
    _db.session.expire_all()
    place = db.session.get(SlotAssignment, place.id)
    assert place.status is AssignmentStatus.on_leave and not place.status.holds_place
    assert db.session.get(LeaveRequest, request.id).status is RequestStatus.approved
    decided = messages("rota_request_decided")
    assert [m.user_id for m in decided] == [deputy.account.id] and "早日康复" in decided[0].body
    response = staff.post(f"/rota/requests/{request.id}", data={"decision": "refuse"}, follow_redirects=True)
    assert "这个申请已经处理过了" in response.get_data(as_text=True)


@freeze_time(SEPT_20)
def test_a_refused_request_keeps_the_place(app, db, october, published):
    """Refusal leaves the place assigned and tells the deputy."""
    deputy = october.people["新塘1"]
    place = place_of(db, deputy)
    as_deputy(app, deputy).post(f"/my/slots/{place.id}/leave", data={"kind": "leave", "reason": "开会"})
    request = db.session.scalar(sa.select(LeaveRequest))
    as_staff(app, october).post(f"/rota/requests/{request.id}", data={"decision": "refuse"})
    _db.session.expire_all()
    assert db.session.get(SlotAssignment, place.id).status is AssignmentStatus.assigned
    assert "未批准" in messages("rota_request_decided")[0].subject


@freeze_time(SEPT_20)
def test_a_swap_with_a_colleague_who_has_a_place_exchanges_them(app, db, october, published):
    """红旗1 swaps with a colleague placed on another day: approval exchanges their places and tells both."""
    one = october.people["红旗1"]
    place_one = place_of(db, one)
    colleagues = [(p, place_of(db, p)) for p in (october.people[f"红旗{i}"] for i in range(2, 10))]
    two, place_two = next((p, place) for p, place in colleagues
                          if place.slot.local_date != place_one.slot.local_date)
    slot_one, slot_two = place_one.slot_id, place_two.slot_id
    response = as_deputy(app, one).post(f"/my/slots/{place_one.id}/leave",
                                        data={"kind": "swap", "reason": "出差", "swap_with_deputy_id": two.id})
    assert response.status_code == 302
    request = db.session.scalar(sa.select(LeaveRequest))
    assert request.swap_with_deputy_id == two.id
    as_staff(app, october).post(f"/rota/requests/{request.id}", data={"decision": "approve"})
    _db.session.expire_all()
    holding = {(a.slot_id, a.deputy_id) for a in db.session.scalars(sa.select(SlotAssignment))
               if a.status.holds_place}
    assert (slot_one, two.id) in holding and (slot_two, one.id) in holding
    assert (slot_one, one.id) not in holding and (slot_two, two.id) not in holding
    assert db.session.get(SlotAssignment, place_one.id).status is AssignmentStatus.swapped_out
    assert [m.user_id for m in messages("rota_changed")] == [two.account.id]
    assert "对调" in messages("rota_request_decided")[0].body


@freeze_time(SEPT_20)
def test_a_swap_with_a_colleague_without_a_place_hands_it_over(app, db, october, published):
    """A colleague with no place this month (补选, in office from 12 October) takes the place over."""
    one, place = next((october.people[f"新塘{i}"], place_of(db, october.people[f"新塘{i}"])) for i in range(1, 9)
                      if place_of(db, october.people[f"新塘{i}"]).slot.local_date >= date(2026, 10, 12))
    colleague = october.late
    as_deputy(app, one).post(f"/my/slots/{place.id}/leave",
                             data={"kind": "swap", "reason": "培训", "swap_with_deputy_id": colleague.id})
    request = db.session.scalar(sa.select(LeaveRequest))
    as_staff(app, october).post(f"/rota/requests/{request.id}", data={"decision": "approve"})
    _db.session.expire_all()
    mine = {a.deputy_id: a.status for a in db.session.get(Slot, place.slot_id).assignments}
    assert mine[one.id] is AssignmentStatus.swapped_out and mine[colleague.id] is AssignmentStatus.assigned
    assert "代您" in messages("rota_request_decided")[0].body
    assert [m.user_id for m in messages("rota_changed")] == [colleague.account.id]


@freeze_time(SEPT_20)
def test_a_swap_needs_a_colleague_of_the_township(app, db, october, published):
    """A swap without a colleague, or with oneself, is refused in Chinese and nothing is saved."""
    deputy = october.people["东升1"]
    place = place_of(db, deputy)
    phone = as_deputy(app, deputy)
    url = f"/my/slots/{place.id}/leave"
    page = phone.post(url, data={"kind": "swap", "reason": "出差"}).get_data(as_text=True)
    assert "换班请选择一位同事" in page
    page = phone.post(url, data={"kind": "swap", "reason": "出差",
                                 "swap_with_deputy_id": deputy.id}).get_data(as_text=True)
    assert "换班请选择另一位代表" in page
    assert db.session.scalar(sa.select(sa.func.count(LeaveRequest.id))) == 0


@freeze_time(SEPT_20)
def test_a_deputy_cannot_touch_anothers_place(app, db, october, published):
    """Another deputy's place answers 404 on the leave page."""
    place = place_of(db, october.people["东升2"])
    phone = as_deputy(app, october.people["东升3"])
    assert phone.get(f"/my/slots/{place.id}/leave").status_code == 404


@freeze_time(SEPT_20)
def test_unavailable_dates_by_the_deputy_and_by_staff(app, db, october):
    """A deputy records their own dates (bad ranges refused); staff record one for a deputy of their
    township; staff of another township cannot see or delete them."""
    deputy = october.people["东升4"]
    phone = as_deputy(app, deputy)
    page = phone.post("/my/unavailable", data={"first_day": "2026-10-20", "last_day": "2026-10-10",
                                               "reason": "出差"}).get_data(as_text=True)
    assert "结束日期不能早于开始日期" in page
    assert phone.post("/my/unavailable", data={"first_day": "2026-10-10", "last_day": "2026-10-20",
                                               "reason": "出差"}).status_code == 302
    staff = as_staff(app, october)
    other = october.people["东升5"]
    assert staff.post("/rota/unavailability", data={"deputy_id": other.id, "first_day": "2026-10-14",
                                                    "reason": "住院"}).status_code == 302
    rows = db.session.scalars(sa.select(Unavailability).order_by(Unavailability.id)).all()
    assert [(r.deputy_id, r.first_day, r.last_day) for r in rows[-2:]] == [
        (deputy.id, date(2026, 10, 10), date(2026, 10, 20)),
        (other.id, date(2026, 10, 14), date(2026, 10, 14))]
    page = staff.get("/rota/unavailability").get_data(as_text=True)
    assert "东升4" in page and "东升5" in page
    plan_days = {d for d in propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))[1].placed}
    assert deputy.id in plan_days

    from tests.rota.conftest import Town

    outsider = Town("红星街道").staff("红星专干")
    outsider.set_password(factories.PASSWORD)
    _db.session.commit()
    client = app.test_client()
    sign_in(client, outsider.mobile)
    assert "东升4" not in client.get("/rota/unavailability").get_data(as_text=True)
    assert client.post(f"/rota/unavailability/{rows[-1].id}/delete").status_code == 404
    assert client.post("/rota/unavailability", data={"deputy_id": other.id, "first_day": "2026-10-14",
                                                     "reason": "x"}).status_code == 404
