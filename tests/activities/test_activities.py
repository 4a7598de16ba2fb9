"""Collective activities at homes (季回家): creating one with its invitations, and the attendance list
taken from check-ins at the home during the activity."""
from datetime import date, time

import sqlalchemy as sa

from liaison.activities.models import Activity, ActivityType
from liaison.activities.operations import create_activity
from stations.checkin.models import Status
from tests.rota.conftest import Town, local, make_checkin, messages


def test_staff_create_an_activity_and_the_invited_are_told(client, db, login_as, october):
    """The form offers the township's deputies (all ticked); saving invites the chosen ones and tells them."""
    login_as("township_staff", townships=[october.township])
    home = october.town.home
    page = client.get("/rota/activities/new").get_data(as_text=True)
    assert "东升1" in page and "checked" in page, "one home: the form opens directly"
    invited = [october.people["东升1"], october.people["红旗1"]]
    response = client.post(f"/rota/activities/new?station_id={home.id}", data={
        "title": "学习代表法", "type": "study", "local_date": "2026-10-15", "starts": "14:30", "ends": "16:30",
        "invited": [d.id for d in invited]})
    activity = db.session.scalar(sa.select(Activity))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/rota/activities/{activity.id}")
    assert (activity.type, activity.title, activity.station_id) == (ActivityType.study, "学习代表法", home.id)
    assert sorted(i.deputy_id for i in activity.invitations) == sorted(d.id for d in invited)
    sent = messages("activity_invited")
    assert sorted(m.user_id for m in sent) == sorted(d.account.id for d in invited)
    assert "学习代表法" in client.get("/rota/activities").get_data(as_text=True)


def test_bad_activity_input_is_refused(client, db, login_as, october):
    """Missing title, end before start, or a suspended deputy invited: Chinese messages, nothing saved."""
    login_as("township_staff", townships=[october.township])
    url = f"/rota/activities/new?station_id={october.town.home.id}"
    base = {"title": "座谈", "type": "discussion", "local_date": "2026-10-20", "starts": "14:30",
            "ends": "16:30"}
    page = client.post(url, data=dict(base, title="")).get_data(as_text=True)
    assert "请填写活动名称" in page
    page = client.post(url, data=dict(base, ends="14:00")).get_data(as_text=True)
    assert "结束时间应晚于开始时间" in page
    page = client.post(url, data=dict(base, invited=[october.suspended.id])).get_data(as_text=True)
    assert "暂停职务 在 10月20日（周二） 不是安平镇的在任代表" in page
    assert db.session.scalar(sa.select(sa.func.count(Activity.id))) == 0


def test_attendance_comes_from_check_ins_at_the_home(client, db, login_as, october):
    """Invited deputies who checked in at the home from 30 minutes before the start to the end attended;
    too early, at another place, pending or rejected do not count; uninvited arrivals are listed too."""
    people = october.people
    invited = [people[f"东升{i}"] for i in range(1, 7)]
    activity = create_activity(october.town.home, date(2026, 10, 15), time(14, 30), time(16, 30),
                               ActivityType.inspection, "视察农田水利", invited)
    home = october.town.home
    make_checkin(invited[0], home, local(2026, 10, 15, 14, 0))   # 30 minutes early: counts
    make_checkin(invited[1], home, local(2026, 10, 15, 16, 30))  # at the end: counts
    make_checkin(invited[2], home, local(2026, 10, 15, 13, 59))  # too early
    make_checkin(invited[3], october.dongsheng, local(2026, 10, 15, 15, 0))  # at a station
    make_checkin(invited[4], home, local(2026, 10, 15, 15, 0), status=Status.pending)
    make_checkin(invited[5], home, local(2026, 10, 15, 15, 0), status=Status.rejected)
    make_checkin(people["红旗1"], home, local(2026, 10, 15, 15, 10))  # not invited
    make_checkin(people["红旗2"], home, local(2026, 10, 16, 15, 10))  # the next day
    db.session.commit()
    login_as("township_staff", townships=[october.township])
    page = client.get(f"/rota/activities/{activity.id}").get_data(as_text=True)
    start = page.index('id="attendance"')
    table = page[start:page.index("</table>", start)]  # the paper-sheet boxes below list everyone
    rows = {name: table[table.index(name):table.index("</tr>", table.index(name))] for name in
            ["东升1", "东升2", "东升3", "东升4", "东升5", "东升6", "红旗1"]}
    assert "✓" in rows["东升1"] and "14:00" in rows["东升1"]
    assert "✓" in rows["东升2"] and "16:30" in rows["东升2"]
    for name in ("东升3", "东升4", "东升5", "东升6"):
        assert "未签到" in rows[name], name
    assert "未受邀" in rows["红旗1"] and "✓" in rows["红旗1"]
    assert "红旗2" not in table
    assert 'id="came-count">2<' in page


def test_other_townships_staff_get_404_on_an_activity(client, db, login_as, october):
    """Another township's staff cannot open the activity, nor create one at this home."""
    activity = create_activity(october.town.home, date(2026, 10, 15), time(14, 30), time(16, 30),
                               ActivityType.other, "其他活动", [])
    other = Town("红星街道")
    db.session.commit()
    login_as("township_staff", townships=[other.township])
    assert client.get(f"/rota/activities/{activity.id}").status_code == 404
    assert client.get(f"/rota/activities/new?station_id={october.town.home.id}").status_code == 404
    assert "其他活动" not in client.get("/rota/activities").get_data(as_text=True)
