"""Staff pages: today's check-ins, the pending queue with batch review, and 补登 — each scoped to townships."""
import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent
from liaison.extensions import db as _db
from stations.checkin.models import Checkin, Method, Status
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import (AT_STATION, FAR_AWAY, checkin_id_from, client_for, counts, new_deputy,
                                    open_and_tap)

NOON = datetime(2026, 5, 6, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai


@pytest.fixture()
def town_b(db, place):
    """柳溪乡 with its own station, a deputy there, and its own staff member."""
    town = factories.make_township(name="柳溪乡")
    district = factories.make_district(term=place.term, township=town, name="柳溪第一选区")
    station = factories.make_station(township=town, electoral_district=district, name="柳溪联络站")
    deputy, user = new_deputy(place, "赵敏", township=town, station=station)
    staff = factories.make_user(roles={"township_staff"}, townships=[town])
    db.session.commit()
    return town, station, deputy, user, staff


def staff_of(place):
    """A township staff member of 城关镇."""
    return factories.make_user(roles={"township_staff"}, townships=[place.town])


def pending_checkins(app, place, n):
    """``n`` deputies of 城关镇 scan the poster from far away: ``n`` pending check-ins; returns their ids."""
    ids = []
    for i in range(n):
        _, user = new_deputy(place, f"代表{i}号", station=place.station)
        response = open_and_tap(client_for(app, user), place.station.code, location=FAR_AWAY)
        ids.append(checkin_id_from(response))
    return ids


def events(action):
    """Audit events of one action, oldest first."""
    return _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id)).all()


def test_today_page_lists_todays_checkins_with_counts_and_refreshes(app, place, town_b):
    """Staff of A see A's check-ins of today with counts; B's staff see none; the page reloads each
    minute unless the person unticks the box (a script, not a <meta refresh> nobody can stop)."""
    open_and_tap(client_for(app, place.user), place.station.code, token=make_kiosk_token(place.station))
    pending_checkins(app, place, 1)
    _, b_station, _, b_user, b_staff = town_b
    open_and_tap(client_for(app, b_user), b_station.code, token=make_kiosk_token(b_station))
    page = client_for(app, staff_of(place)).get("/checkins/today")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="auto-refresh" data-seconds="60" checked' in html and "auto-refresh.js" in html
    assert 'http-equiv="refresh"' not in html
    assert "林晓燕" in html and "代表0号" in html and "赵敏" not in html
    counts_block = html.split('id="today-counts"')[1].split("</div>\n</div>")[0]
    assert [int(n) for n in re.findall(r'class="stat[^"]*">(\d+)<', counts_block)] == [2, 1, 1]
    b_html = client_for(app, b_staff).get("/checkins/today").get_data(as_text=True)
    assert "赵敏" in b_html and "林晓燕" not in b_html
    committee = factories.make_user(roles={"committee"})
    c_html = client_for(app, committee).get("/checkins/today").get_data(as_text=True)
    assert "赵敏" in c_html and "林晓燕" in c_html


def test_batch_confirm_and_reject(app, db, place):
    """Tick two and confirm: both count, reviewer kept, one audit event each; reject the third with a note."""
    first, second, third = pending_checkins(app, place, 3)
    staff = staff_of(place)
    staff_client = client_for(app, staff)
    queue = staff_client.get("/checkins/pending").get_data(as_text=True)
    assert all(f'value="{i}"' in queue for i in (first, second, third))
    assert "位置不在站点范围内" in queue and "不在范围内" in queue
    response = staff_client.post("/checkins/review", data={"ids": [first, second], "action": "confirm",
                                                          "note": "已核对纸质签到簿"}, follow_redirects=True)
    assert "已确认 2 条签到" in response.get_data(as_text=True)
    response = staff_client.post("/checkins/review", follow_redirects=True,
                                 data={"ids": [third], "action": "reject", "note": "签到簿无记录"})
    assert "已驳回 1 条签到" in response.get_data(as_text=True)
    counts()
    rows = {c.id: c for c in db.session.scalars(sa.select(Checkin))}
    assert [rows[i].status for i in (first, second, third)] == [
        Status.confirmed, Status.confirmed, Status.rejected]
    assert {rows[i].reviewed_by_id for i in (first, second, third)} == {staff.id}
    assert all(rows[i].reviewed_at is not None for i in (first, second, third))
    assert rows[third].review_note == "签到簿无记录"
    confirmed = events("checkin.confirmed")
    assert sorted(int(e.target_id) for e in confirmed) == [first, second]
    assert {(e.actor_id, e.target_type, e.township_id) for e in confirmed} == {
        (staff.id, "checkins", place.town.id)}
    assert [int(e.target_id) for e in events("checkin.rejected")] == [third]
    assert "没有待核实的签到" in staff_client.get("/checkins/pending").get_data(as_text=True)


def test_only_pending_rows_change(app, db, place):
    """Confirming a row a colleague already rejected leaves it rejected and says so."""
    (checkin_id,) = pending_checkins(app, place, 1)
    staff_client = client_for(app, staff_of(place))
    # A rejection needs its reason (rule R23).
    staff_client.post("/checkins/review", data={"ids": [checkin_id], "action": "reject", "reason": "no_record"})
    response = staff_client.post("/checkins/review", data={"ids": [checkin_id], "action": "confirm"},
                                 follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已确认 0 条签到" in html and "1 条已由他人处理过" in html
    counts()
    assert db.session.get(Checkin, checkin_id).status is Status.rejected
    assert len(events("checkin.confirmed")) == 0 and len(events("checkin.rejected")) == 1


def test_review_without_a_tick_or_action_changes_nothing(app, place):
    """No box ticked, or no button: a message, nothing changes."""
    (checkin_id,) = pending_checkins(app, place, 1)
    staff_client = client_for(app, staff_of(place))
    html = staff_client.post("/checkins/review", data={"action": "confirm"}, follow_redirects=True).get_data(
        as_text=True)
    assert "请先勾选要核实的签到" in html
    html = staff_client.post("/checkins/review", data={"ids": [checkin_id]}, follow_redirects=True).get_data(
        as_text=True)
    assert "请点“确认有效”或“驳回”" in html
    assert len(events("checkin.confirmed")) == 0


def test_staff_of_b_get_404_for_a_checkins(app, db, place, town_b):
    """B's staff: A's pending check-ins are not in their queue; reviewing them by id: 404, nothing changes."""
    (checkin_id,) = pending_checkins(app, place, 1)
    b_client = client_for(app, town_b[4])
    assert f'value="{checkin_id}"' not in b_client.get("/checkins/pending").get_data(as_text=True)
    for ids, action in (([checkin_id], "confirm"), ([checkin_id], "reject"), ([999999], "confirm")):
        assert b_client.post("/checkins/review", data={"ids": ids, "action": action}).status_code == 404
    counts()
    assert db.session.get(Checkin, checkin_id).status is Status.pending
    assert events("checkin.confirmed") == [] and len(events("access.denied")) >= 2
    # A deputy's own confirmation page is for deputies only.
    assert b_client.get(f"/checkins/{checkin_id}").status_code == 403


def test_back_entry_is_marked_and_auditable(app, db, place):
    """补登 at 09:30 today: counts, shows 补登 and who entered it; an audit event names the check-in."""
    staff = staff_of(place)
    with freeze_time(NOON):
        staff_client = client_for(app, staff)
        form = staff_client.get(f"/checkins/back-entry?q=林&station_id={place.station.id}").get_data(
            as_text=True)
        assert "林晓燕" in form and "城关第一联络站（站）" in form
        response = staff_client.post("/checkins/back-entry", data={
            "station_id": place.station.id, "deputy_id": place.deputy.id, "day": "2026-05-06",
            "time": "09:30",
            "reason": "手机没电，已在纸质签到簿签名"}, follow_redirects=True)
        assert "已为 林晓燕 补登 2026-05-06 在城关第一联络站的签到" in response.get_data(as_text=True)
        deputy_client = client_for(app, place.user)
        mine = deputy_client.get("/me").get_data(as_text=True)
        today = staff_client.get("/checkins/today").get_data(as_text=True)
    checkin = db.session.scalar(sa.select(Checkin))
    assert (checkin.method, checkin.status, checkin.entered_by_id) == (
        Method.back_entry, Status.accepted, staff.id)
    assert checkin.back_entry_reason == "手机没电，已在纸质签到簿签名"
    assert checkin.occurred_at == datetime(2026, 5, 6, 1, 30, tzinfo=timezone.utc)
    assert (checkin.local_date.isoformat(), checkin.month_key, checkin.quarter_key) == (
        "2026-05-06", 202605, 20262)
    assert "本月已进站" in mine and "补登" in mine
    assert "补登" in today and f"{staff.name} 补登：手机没电" in today
    (event,) = events("checkin.back_entry")
    assert (event.actor_id, event.target_type, event.target_id, event.township_id) == (
        staff.id, "checkins", str(checkin.id), place.town.id)


@pytest.mark.parametrize("change, message", [
    ({"time": "13:00"}, "补登的时间不能晚于现在"),
    ({"day": "2026-05-07"}, "补登的时间不能晚于现在"),
    ({"reason": "无"}, "请填写补登原因（至少 2 个字）"),
    ({"reason": ""}, "请填写补登原因"),
    ({"day": "2019-12-31"}, "没有在任的代表职务"),
    ({"deputy_id": ""}, "请选择代表"),
    ({"station_id": ""}, "请选择家站"),
])
def test_back_entry_rules(app, place, change, message):
    """Future time, short or no reason, a date outside the mandate, nothing chosen: the message, no row."""
    staff = staff_of(place)
    with freeze_time(NOON):
        staff_client = client_for(app, staff)
        data = {"station_id": place.station.id, "deputy_id": place.deputy.id, "day": "2026-05-06",
                "time": "09:30", "reason": "见纸质签到簿"}
        data.update(change)
        response = staff_client.post("/checkins/back-entry", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0)
    assert events("checkin.back_entry") == []


def test_back_entry_refuses_a_second_checkin_the_same_day(app, place):
    """A deputy already checked in at that station that day needs no 补登."""
    with freeze_time(NOON):
        open_and_tap(client_for(app, place.user), place.station.code, location=AT_STATION)
        response = client_for(app, staff_of(place)).post("/checkins/back-entry", data={
            "station_id": place.station.id, "deputy_id": place.deputy.id, "day": "2026-05-06",
            "time": "09:30",
            "reason": "见纸质签到簿"})
    assert "已有在城关第一联络站的签到，无需补登" in response.get_data(as_text=True)
    assert counts() == (1, 0)


def test_staff_of_b_cannot_back_enter_at_a_or_for_a_deputies(app, place, town_b):
    """B's staff: A's station is not offered and is 404; A's deputies are not found; nothing is written."""
    b_client = client_for(app, town_b[4])
    form = b_client.get("/checkins/back-entry?q=林").get_data(as_text=True)
    assert "城关第一联络站" not in form and "林晓燕" not in form
    with freeze_time(NOON):
        b_client = client_for(app, town_b[4])
        at_a = b_client.post("/checkins/back-entry", data={
            "station_id": place.station.id, "deputy_id": town_b[2].id, "day": "2026-05-06", "time": "09:30",
            "reason": "见纸质签到簿"})
        for_a_deputy = b_client.post("/checkins/back-entry", data={
            "station_id": town_b[1].id, "deputy_id": place.deputy.id, "day": "2026-05-06", "time": "09:30",
            "reason": "见纸质签到簿"})
    assert (at_a.status_code, for_a_deputy.status_code) == (404, 404)
    assert counts() == (0, 0)


def test_home_back_entry_meets_the_quarter(app, place):
    """A back-entered visit to the 代表之家 meets 季回家 like a scan would."""
    with freeze_time(NOON):
        client_for(app, staff_of(place)).post("/checkins/back-entry", data={
            "station_id": place.home.id, "deputy_id": place.deputy.id, "day": "2026-04-02", "time": "15:00",
            "reason": "集中学习活动签到表"})
        mine = client_for(app, place.user).get("/me").get_data(as_text=True)
    assert "本季度已回家" in mine and "本月未进站" in mine
