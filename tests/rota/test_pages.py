"""The staff pages: propose a month, see who is left and why, adjust it, publish it (with its messages
and the late-notice warning), print the notice; the public station page; township scoping."""
import re
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.extensions import db as _db
from liaison.rota.models import AssignmentStatus, RotaMonth, RotaStatus, Slot, SlotAssignment
from tests.rota.conftest import Town, messages

#: 10:00 on 20 September 2026 in Shanghai: October is 11 days away.
SEPT_20 = "2026-09-20 02:00:00"


def propose(client, october, **fields):
    """Post the propose form for 安平镇, October 2026 unless told otherwise."""
    data = {"township_id": october.township.id, "year": 2026, "month": 10, "capacity": 3, "theme": ""}
    data.update(fields)
    return client.post("/rota/propose", data=data)


def the_month(db):
    """The (only) rota month."""
    return db.session.scalar(sa.select(RotaMonth))


def slot_on(db, station, day):
    """The station's slot on a date."""
    return db.session.scalar(sa.select(Slot).where(Slot.station_id == station.id, Slot.local_date == day))


def text(response):
    """A response's body as text."""
    return response.get_data(as_text=True)


@freeze_time(SEPT_20)
def test_staff_propose_a_month_and_see_who_is_left(client, db, login_as, october):
    """Proposing October makes a draft and the month page lists 全月出差 under 未能安排 with the reason,
    and the deputy placed away from a full own station under 未安排在本人联络站."""
    login_as("township_staff", townships=[october.township])
    response = propose(client, october, theme="听取民意")
    rota_month = the_month(db)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rota/{rota_month.id}")
    assert rota_month.status is RotaStatus.draft
    page = text(client.get(f"/rota/{rota_month.id}"))
    assert "已生成排班建议" in page and "草稿" in page
    unplaced = page[page.index('id="unplaced"'):page.index('id="away"')]
    assert "全月出差" in unplaced and "全月不可用" in unplaced
    assert "本站名额已满" in page[page.index('id="away"'):]
    assert "10月10日（周六）" in page and "听取民意" in page
    assert "10月1日" not in page


@freeze_time(SEPT_20)
def test_bad_propose_input_shows_the_message_and_writes_nothing(client, db, login_as, october):
    """A capacity of 0, or a month that has passed, is refused in Chinese with nothing saved."""
    login_as("township_staff", townships=[october.township])
    response = propose(client, october, capacity=0)
    assert response.status_code == 400 and "每个时段的名额应在 1 到 20 人之间" in text(response)
    response = propose(client, october, month=8)
    assert response.status_code == 400 and "2026年8月 已经过去" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(RotaMonth.id))) == 0


@freeze_time(SEPT_20)
def test_adjusting_a_slot_checks_capacity_dates_and_scope(client, db, login_as, october):
    """Removing a deputy frees a place; adding checks capacity, unavailable dates and suspension."""
    login_as("township_staff", townships=[october.township])
    propose(client, october)
    rota_month = the_month(db)
    slot = slot_on(db, october.dongsheng, date(2026, 10, 14))
    assert len(slot.holding) == 3
    first = slot.holding[0]
    removed_name = first.deputy.name
    response = client.post(f"/rota/assignments/{first.id}/delete")
    assert response.status_code == 302
    _db.session.expire_all()
    slot = db.session.get(Slot, slot.id)
    assert len(slot.holding) == 2 and removed_name not in [a.deputy.name for a in slot.assignments]

    away = october.people["半月出差"]
    response = client.post(f"/rota/slots/{slot.id}/deputies", data={"deputy_id": away.id},
                           follow_redirects=True)
    assert "半月出差 已登记 10月14日（周三） 不能接待（出差）" in text(response)
    later = slot_on(db, october.dongsheng, date(2026, 10, 21))  # the suspension began on the 15th
    response = client.post(f"/rota/slots/{later.id}/deputies", data={"deputy_id": october.suspended.id},
                           follow_redirects=True)
    assert "暂停职务 在 10月21日（周三） 不是安平镇的在任代表（或已暂停执行代表职务）" in text(response)
    free = october.people["全月出差"]
    other = next(a.deputy for a in slot_on(db, october.dongsheng, date(2026, 10, 28)).holding
                 if a.deputy_id != away.id)
    response = client.post(f"/rota/slots/{slot.id}/deputies", data={"deputy_id": other.id},
                           follow_redirects=True)
    assert f"已安排 {other.name}" in text(response)
    response = client.post(f"/rota/slots/{slot.id}/deputies", data={"deputy_id": october.people["东升1"].id},
                           follow_redirects=True)
    assert "名额已满（3 人）" in text(response) or "已在这个时段" in text(response)
    assert free.id not in [a.deputy_id for a in db.session.get(Slot, slot.id).assignments]
    assert rota_month.status is RotaStatus.draft


@freeze_time(SEPT_20)
def test_adding_a_slot_follows_hours_and_holidays(client, db, login_as, october):
    """A slot on 国庆, outside the station's hours, or on a weekday it does not receive is refused with
    the reason; one within its hours on the swapped Saturday is added."""
    login_as("township_staff", townships=[october.township])
    propose(client, october)
    rota_month = the_month(db)
    url = f"/rota/{rota_month.id}/slots"
    base = {"station_id": october.dongsheng.id, "starts": "09:00", "ends": "11:00", "capacity": 3}
    response = client.post(url, data=dict(base, local_date="2026-10-07"), follow_redirects=True)
    assert "是法定节假日（国庆节），东升站 节假日不接待" in text(response)
    response = client.post(url, data=dict(base, local_date="2026-10-15"), follow_redirects=True)
    assert "东升站 在 10月15日（周四） 不接待。它的接待时间是：周三09:00–11:30" in text(response)
    response = client.post(url, data=dict(base, local_date="2026-10-14", ends="12:00"), follow_redirects=True)
    assert "时段超出了 东升站 当天的接待时间（09:00–11:30）" in text(response)
    response = client.post(url, data=dict(base, station_id=october.hongqi.id, local_date="2026-10-17",
                                          starts="09:00", ends="10:00"), follow_redirects=True)
    assert "当天已有 09:00–11:30 的时段" in text(response)
    count = db.session.scalar(sa.select(sa.func.count(Slot.id)))
    response = client.post(url, data=dict(base, station_id=october.town.home.id, local_date="2026-10-16",
                                          starts="09:30", ends="11:00", theme="家站联动"), follow_redirects=True)
    assert "已添加时段：10月16日（周五）" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Slot.id))) == count + 1


@freeze_time("2026-10-12 02:00:00")
def test_publish_tells_each_deputy_once_and_warns_when_late(client, db, login_as, october):
    """Publishing on 12 October, two days before the first slot, warns (not refuses); each deputy with a
    place gets one message listing it; publishing again is refused and sends nothing."""
    login_as("township_staff", townships=[october.township])
    propose(client, october)
    rota_month = the_month(db)
    holders = {a.deputy_id for s in rota_month.slots for a in s.holding}
    response = client.post(f"/rota/{rota_month.id}/publish", follow_redirects=True)
    page = text(response)
    assert "已公示" in page and "离第一个接待时段只有 1 天，少于应提前公示的 3 天" in page
    sent = messages("rota_published")
    assert sorted(m.user.deputy_id for m in sent) == sorted(holders)
    assert all("2026年10月" in m.subject for m in sent)
    client.post(f"/rota/{rota_month.id}/publish")
    assert len(messages("rota_published")) == len(sent)
    _db.session.expire_all()
    assert db.session.get(RotaMonth, rota_month.id).status is RotaStatus.published


@freeze_time(SEPT_20)
def test_changes_after_publishing_tell_the_deputies_affected(client, db, login_as, october):
    """After publishing, removing a deputy and adding another each message that deputy only."""
    login_as("township_staff", townships=[october.township])
    propose(client, october)
    rota_month = the_month(db)
    client.post(f"/rota/{rota_month.id}/publish")
    slot = slot_on(db, october.hongqi, date(2026, 10, 17))
    leaving = slot.holding[0]
    leaving_user = leaving.deputy.account
    client.post(f"/rota/assignments/{leaving.id}/delete")
    changed = messages("rota_changed")
    assert [m.user_id for m in changed] == [leaving_user.id] and "取消" in changed[0].subject
    newcomer = slot_on(db, october.hongqi, date(2026, 10, 24)).holding[0].deputy
    slot = slot_on(db, october.hongqi, date(2026, 10, 17))
    client.post(f"/rota/slots/{slot.id}/deputies", data={"deputy_id": newcomer.id})
    changed = messages("rota_changed")
    assert [m.user_id for m in changed] == [leaving_user.id, newcomer.account.id]
    assert "新增" in changed[1].subject and "10月17日" in changed[1].body


@freeze_time(SEPT_20)
def test_the_notice_and_the_public_station_page(app, client, db, login_as, october):
    """The printable notice lists the slots with names; the public page of a station needs no sign-in,
    shows its published slots with names and never a phone number; a draft is not public."""
    login_as("township_staff", townships=[october.township])
    propose(client, october)
    rota_month = the_month(db)
    slot = slot_on(db, october.hongqi, date(2026, 10, 17))
    names = [a.deputy.name for a in slot.holding]
    mobiles = [a.deputy.mobile for s in rota_month.slots for a in s.assignments]
    code = october.hongqi.code
    notice = text(client.get(f"/rota/{rota_month.id}/notice"))
    assert "安平镇人大代表进站接待选民安排" in notice and "草稿 · 尚未公示" in notice
    assert "、".join(names) in notice and 'rota.css' in notice

    anonymous = app.test_client()
    assert "近期暂无已公示的代表接待安排" in text(anonymous.get(f"/p/{code}"))
    client.post(f"/rota/{rota_month.id}/publish")
    response = anonymous.get(f"/p/{code}")
    page = text(response)
    assert response.status_code == 200 and "红旗站" in page
    assert "10月17日（周六）" in page and "、".join(names) in page
    digits = re.sub(r"\D", "", page)
    assert not any(m in digits for m in mobiles)
    assert not re.search(r"1\d{2}\*{4}\d{4}", page), "not even masked numbers"
    assert anonymous.get("/p/nosuchcode").status_code == 404
    assert "公示日期" not in text(client.get(f"/rota/{rota_month.id}/notice"))


@freeze_time("2026-10-20 02:00:00")
def test_the_public_page_shows_the_whole_month(app, client, db, login_as, october):
    """The public page shows this month's published rota (rule R28): days before today too, muted."""
    from liaison.rota.operations import propose_rota, publish_rota

    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    publish_rota(rota_month, notify=False, today=date(2026, 9, 20))
    db.session.commit()
    page = text(app.test_client().get(f"/p/{october.hongqi.code}"))
    assert "10月17日" in page and "10月20日（周二）" in page and "今天" in page
    assert page.index("10月17日") < page.index("10月20日")


@freeze_time(SEPT_20)
def test_township_b_staff_get_404_on_township_a(client, db, login_as, october):
    """Staff of another township get 404 on A's month, notice, slots and places; committee staff see it."""
    from liaison.rota.operations import propose_rota

    rota_month, _proposal = propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
    db.session.commit()
    slot = rota_month.slots[0]
    assignment = slot.holding[0]
    other = Town("红星街道")
    login_as("township_staff", townships=[other.township])
    for url in (f"/rota/{rota_month.id}", f"/rota/{rota_month.id}/notice"):
        assert client.get(url).status_code == 404, url
    for url in (f"/rota/{rota_month.id}/publish", f"/rota/slots/{slot.id}/delete",
                f"/rota/slots/{slot.id}/deputies", f"/rota/assignments/{assignment.id}/delete"):
        assert client.post(url, data={"deputy_id": assignment.deputy_id}).status_code == 404, url
    response = client.post("/rota/propose", data={"township_id": october.township.id, "year": 2026,
                                                  "month": 11, "capacity": 3})
    assert response.status_code == 404
    assert "安平镇" not in text(client.get("/rota"))
    assert db.session.scalar(sa.select(sa.func.count(RotaMonth.id))) == 1
    assert db.session.get(SlotAssignment, assignment.id).status is AssignmentStatus.assigned


def test_deputies_are_refused_staff_pages(client, db, login_as, october):
    """A deputy gets 403 on the staff pages of the rota."""
    login_as("deputy")
    for url in ("/rota", "/rota/1", "/rota/requests", "/rota/activities", "/rota/unavailability"):
        assert client.get(url).status_code == 403, url
    assert client.post("/rota/propose", data={}).status_code == 403


@freeze_time(SEPT_20)
def test_an_inactive_station_has_no_public_page(app, db, october):
    """A deactivated station's code answers 404 on the public page."""
    october.xintang.active = False
    db.session.commit()
    assert app.test_client().get(f"/p/{october.xintang.code}").status_code == 404


def test_slot_times_render_on_the_index(client, db, login_as, october):
    """The index lists the township's months with counts."""
    from liaison.rota.operations import propose_rota

    with freeze_time(SEPT_20):
        propose_rota(october.township, 2026, 10, today=date(2026, 9, 20))
        db.session.commit()
        login_as("township_staff", townships=[october.township])
        page = text(client.get("/rota"))
    assert "2026年10月" in page and "草稿" in page
