"""Rejecting pending check-ins (rule R23): a reason is required (chosen from the short list or typed),
the deputy is told why in their inbox, and the queue still shows only the fence verdict and the accuracy."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from liaison.clock import utcnow
from liaison.notifications.models import Message
from stations.checkin.models import Checkin, Method, PendingReason, Status
from stations.checkin.queries import period_keys
from tests import factories
from tests.checkin.conftest import client_for, new_deputy


def pending(db, place, name, minutes=5, nonce=None):
    """A pending (outside the fence) check-in of a new deputy of 城关镇; returns (deputy, check-in id)."""
    deputy, _user = new_deputy(place, name, station=place.station)
    now = utcnow() - timedelta(minutes=minutes)
    day, month_key, quarter_key = period_keys(now)
    checkin = Checkin(deputy_id=deputy.id, station_id=place.station.id, station_kind=place.station.kind,
                      occurred_at=now, local_date=day, month_key=month_key, quarter_key=quarter_key,
                      method=Method.poster, status=Status.pending, pending_reason=PendingReason.outside_fence,
                      inside_fence=False, accuracy_m=35, client_nonce=nonce or f"nonce-{name}")
    db.session.add(checkin)
    db.session.flush()
    return deputy, checkin.id


def inbox(deputy):
    """The deputy's messages about rejected check-ins."""
    return factories.db.session.scalars(sa.select(Message).where(
        Message.user_id == deputy.account.id, Message.kind == "checkin_rejected")).all()


@pytest.fixture()
def queue(app, db, place):
    """Three pending check-ins and a township staff member's signed-in client."""
    rows = [pending(db, place, name) for name in ("王磊", "李娜", "张伟")]
    staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
    db.session.commit()
    return rows, client_for(app, staff)


def test_a_rejection_without_a_reason_is_refused(db, queue):
    """驳回 with no reason chosen and nothing typed changes nothing and says why; 其他 needs the words."""
    rows, client = queue
    ids = [checkin_id for _deputy, checkin_id in rows]
    page = client.post("/checkins/review", data={"ids": ids, "action": "reject", "reason": "", "note": " "},
                       follow_redirects=True).get_data(as_text=True)
    assert "驳回前请选择或填写驳回原因" in page
    page = client.post("/checkins/review", data={"ids": ids, "action": "reject", "reason": "other", "note": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "选择“其他”时，请在说明中写明驳回原因" in page
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Checkin.status))) == {Status.pending}
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == "checkin_rejected")) == 0


def test_a_batch_rejection_tells_each_deputy_why(db, queue):
    """Two ticked, rejected with a reason from the list and a note: both rejected with those words, each
    deputy gets one inbox message saying why; the third stays pending; confirming needs no reason."""
    rows, client = queue
    (first, first_id), (second, second_id), (third, third_id) = rows
    page = client.post("/checkins/review", follow_redirects=True, data={
        "ids": [first_id, second_id], "action": "reject", "reason": "no_record", "note": "已核对签到簿"}
    ).get_data(as_text=True)
    assert "已驳回 2 条签到，代表已收到驳回原因" in page
    db.session.expire_all()
    notes = {c.id: (c.status, c.review_note) for c in db.session.scalars(sa.select(Checkin))}
    assert notes[first_id] == (Status.rejected, "纸质签到簿或现场无此记录；已核对签到簿")
    assert notes[third_id][0] is Status.pending
    for deputy in (first, second):
        told = inbox(deputy)
        assert len(told) == 1 and told[0].subject == "签到未通过核实"
        assert "原因：纸质签到簿或现场无此记录；已核对签到簿" in told[0].body and "城关" in told[0].body
    page = client.post("/checkins/review", data={"ids": [third_id], "action": "confirm", "reason": "", "note": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "已确认 1 条签到" in page and inbox(third) == []


def test_the_queue_shows_the_verdict_and_accuracy_only(db, queue):
    """The queue has a select-all box, the reasons list, and each row's fence verdict with its accuracy —
    no distance and no coordinates."""
    _rows, client = queue
    page = client.get("/checkins/pending").get_data(as_text=True)
    assert 'id="select-all"' in page and 'name="reason"' in page and "纸质签到簿或现场无此记录" in page
    assert "不在范围内" in page and "精度 35 米" in page
    assert "距离" not in page and "纬度" not in page and "经度" not in page
    assert "review.js" in page


@pytest.mark.browser
def test_staff_reject_a_batch_with_a_reason_on_a_phone(db, place, live_server, page, screenshot):
    """At phone size: the check boxes are at least 44 px; 全选 ticks the page; 驳回 without a reason is
    stopped in the page (nothing sent); with a reason chosen both are rejected and each deputy told."""
    from tests.checkin.test_browser import fits, sign_in_on_page

    first, _ = pending(db, place, "王磊", nonce="phone-1")
    second, _ = pending(db, place, "李娜", minutes=7, nonce="phone-2")
    staff = factories.make_user(roles={"township_staff"}, townships=[place.town], name="陈立群")
    mobile = staff.mobile
    db.session.commit()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.set_viewport_size({"width": 390, "height": 664})
    page.goto(f"{live_server}/login?next=/checkins/pending")
    sign_in_on_page(page, mobile)
    page.wait_for_url(f"{live_server}/checkins/pending")
    for box in page.locator("input[type=checkbox]").all():
        size = box.bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44, size
    page.check("#select-all")
    assert page.locator("input[name=ids]:checked").count() == 2
    assert "已勾选 2 条" in page.inner_text("#ticked")
    screenshot("queue-ticked")
    page.click("button[value=reject]")
    assert "驳回前请选择或填写驳回原因" in page.inner_text("#ticked")
    assert page.url == f"{live_server}/checkins/pending"
    screenshot("reject-needs-reason")
    page.select_option("#reason", "not_on_site")
    page.click("button[value=reject]")
    page.wait_for_load_state()
    assert "已驳回 2 条签到，代表已收到驳回原因" in page.inner_text("main")
    assert fits(page)
    screenshot("rejected")
    assert errors == []
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Checkin.status))) == {Status.rejected}
    for deputy in (first, second):
        assert "不在站点现场" in inbox(deputy)[0].body
