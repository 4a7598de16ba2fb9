"""A deputy id from another township, typed into a rota form, is refused without the deputy's name and
audited as access denied: assigning a place, asking a swap, inviting to an activity."""
from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent, Outcome
from liaison.extensions import db as _db
from liaison.activities.models import Activity
from liaison.rota.models import LeaveRequest, SlotAssignment
from liaison.rota.operations import propose_rota, publish_rota
from tests.rota.conftest import MORNING, Town
from tests.rota.test_pages import slot_on
from tests.rota.test_requests import SEPT_20, as_deputy, place_of

REFUSAL = "所选代表不在本乡镇在任代表中"
STRANGER = "柳溪秘密代表"


@pytest.fixture()
def stranger(db, october):
    """A deputy of another township (柳溪乡), whose name 安平镇's staff must not learn."""
    other = Town("柳溪乡")
    deputy = other.deputy(STRANGER, other.station("柳溪站", (2, MORNING)))
    _db.session.commit()
    return deputy


def _denials():
    return _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.denied")).all()


def _refused_without_the_name(page, stranger, october):
    assert REFUSAL in page
    assert STRANGER not in page
    [event] = _denials()
    assert event.outcome is Outcome.denied
    assert (event.target_type, event.target_id, event.township_id) == ("deputies", str(stranger.id),
                                                                       october.township.id)


@freeze_time(SEPT_20)
def test_staff_assigning_another_townships_deputy(client, db, login_as, october, stranger):
    """The slot form with a stranger's id: refused, no place given, the attempt audited."""
    login_as("township_staff", townships=[october.township])
    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    db.session.commit()
    slot = slot_on(db, october.dongsheng, date(2026, 10, 14))
    places = db.session.scalar(sa.select(sa.func.count(SlotAssignment.id)))
    response = client.post(f"/rota/slots/{slot.id}/deputies", data={"deputy_id": stranger.id},
                           follow_redirects=True)
    _refused_without_the_name(response.get_data(as_text=True), stranger, october)
    assert db.session.scalar(sa.select(sa.func.count(SlotAssignment.id))) == places


@freeze_time(SEPT_20)
def test_a_deputy_asking_a_swap_with_another_townships_deputy(app, db, october, stranger):
    """The leave form with a stranger as the colleague: refused, no request saved, audited."""
    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    publish_rota(rota_month, notify=False, today=date(2026, 9, 20))
    db.session.commit()
    deputy = october.people["东升1"]
    place = place_of(db, deputy)
    phone = as_deputy(app, deputy)
    page = phone.post(f"/my/slots/{place.id}/leave", data={
        "kind": "swap", "reason": "出差", "swap_with_deputy_id": stranger.id}).get_data(as_text=True)
    _refused_without_the_name(page, stranger, october)
    assert db.session.scalar(sa.select(sa.func.count(LeaveRequest.id))) == 0


@freeze_time(SEPT_20)
def test_staff_inviting_another_townships_deputy(client, db, login_as, october, stranger):
    """The activity form with a stranger among the invited: refused, no activity, audited."""
    login_as("township_staff", townships=[october.township])
    page = client.post(f"/rota/activities/new?station_id={october.town.home.id}", data={
        "title": "座谈", "type": "discussion", "local_date": "2026-10-20", "starts": "14:30", "ends": "16:30",
        "invited": [october.people["东升1"].id, stranger.id]}).get_data(as_text=True)
    _refused_without_the_name(page, stranger, october)
    assert db.session.scalar(sa.select(sa.func.count(Activity.id))) == 0
