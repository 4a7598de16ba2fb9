"""Attendance from the paper sign-in sheet (rule R26): tick many deputies, save once; each becomes a
补登 check-in at the home at the activity's start, all or nothing."""
from datetime import date, time

import sqlalchemy as sa

from liaison.activities.models import ActivityType
from liaison.activities.operations import create_activity
from stations.checkin.models import Checkin, Method
from tests.rota.conftest import local, make_checkin


def _activity(october, day=date(2026, 10, 15)):
    people = october.people
    invited = [people[f"东升{i}"] for i in range(1, 5)]
    return create_activity(october.town.home, day, time(14, 30), time(16, 30), ActivityType.inspection,
                           "视察农田水利", invited, notify=False)


def test_tick_many_save_once_and_they_attended(client, db, login_as, october):
    """东升1 scanned; 东升2, 东升3 and the uninvited 红旗1 are ticked from the sheet: one save, three
    补登 check-ins at 14:30 with the sheet as the reason; the page then counts them as present."""
    people = october.people
    activity = _activity(october)
    make_checkin(people["东升1"], october.town.home, local(2026, 10, 15, 14, 20))
    staff = login_as("township_staff", townships=[october.township])
    page = client.get(f"/rota/activities/{activity.id}").get_data(as_text=True)
    sheet = page[page.index('id="sheet"'):]
    assert sheet.index("东升2") < sheet.index("红旗1"), "the invited come first"
    assert 'value="%s"' % people["东升1"].id not in sheet, "already checked in: nothing to tick"
    ticked = [people["东升2"].id, people["东升3"].id, people["红旗1"].id]
    response = client.post(f"/rota/activities/{activity.id}/attendance", data={"deputy_ids": ticked})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已登记 3 位代表出席" in page and 'id="came-count">3<' in page
    rows = db.session.scalars(sa.select(Checkin).where(Checkin.method == Method.back_entry)).all()
    assert sorted(c.deputy_id for c in rows) == sorted(ticked)
    assert {(c.back_entry_reason, c.entered_by_id, c.local_date) for c in rows} == {
        ("活动纸质签到表：视察农田水利", staff.id, date(2026, 10, 15))}


def test_one_who_cannot_be_entered_stops_the_whole_sheet_and_is_named(client, db, login_as, october):
    """东升3 scanned at the home before the activity's window: ticking them with 东升2 saves nothing and
    says why for 东升3."""
    people = october.people
    activity = _activity(october)
    make_checkin(people["东升3"], october.town.home, local(2026, 10, 15, 9, 0))
    login_as("township_staff", townships=[october.township])
    page = client.post(f"/rota/activities/{activity.id}/attendance",
                       data={"deputy_ids": [people["东升2"].id, people["东升3"].id]}).get_data(as_text=True)
    assert "全部未保存" in page and "东升3 在 2026-10-15 已有在" in page
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id)).where(Checkin.method == Method.back_entry)) == 0


def test_nothing_ticked_or_a_future_activity_is_refused(client, db, login_as, october):
    activity = _activity(october)
    later = _activity(october, day=date(2099, 1, 5))
    login_as("township_staff", townships=[october.township])
    page = client.post(f"/rota/activities/{activity.id}/attendance", data={}).get_data(as_text=True)
    assert "请勾选要补登的代表" in page
    page = client.post(f"/rota/activities/{later.id}/attendance",
                       data={"deputy_ids": [october.people["东升2"].id]}).get_data(as_text=True)
    assert "活动还没有开始，不能登记出席" in page
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0


def test_another_townships_staff_cannot_record_attendance(client, db, login_as, october):
    activity = _activity(october)
    login_as("township_staff")
    response = client.post(f"/rota/activities/{activity.id}/attendance",
                           data={"deputy_ids": [october.people["东升2"].id]})
    assert response.status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id))) == 0


def test_the_page_shows_the_sheet_once_and_its_title_is_the_activitys(client, db, login_as, october):
    """The sheet is one form with one box per deputy (it was rendered four times: inside the page's
    <title>, its <head>, its scripts and its content), and the tab's title is the activity's."""
    activity = _activity(october)
    login_as("township_staff", townships=[october.township])
    page = client.get(f"/rota/activities/{activity.id}").get_data(as_text=True)
    assert page.count('id="attendance-sheet"') == 1 and page.count('id="select-all"') == 1
    assert page.count(f'value="{october.people["东升2"].id}" id="s-') == 1
    title = page[page.index("<title>"):page.index("</title>")]
    assert "视察农田水利" in title and "<form" not in title and "<div" not in title
    head = page[:page.index("</head>")]
    assert "bulk.css" in head and "attendance-sheet" not in head
    assert "bulk.js" in page[page.index("</main>"):]
