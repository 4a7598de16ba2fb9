"""我的履职 (rule R34): this month and quarter (a pending scan is 待核实, never green), this year's 年述职
with its session date and the voters' verdict, the next rota slot with 请假/换班, the 季回家 invitations,
and the deputy's own 履职档案 — for themselves only."""
import re
from datetime import date, datetime, time, timedelta, timezone

from freezegun import freeze_time

from liaison.activities.models import Activity, ActivityInvitation, ActivityType
from liaison.reports.models import DutyReport, PlaceKind, ReportForm, ReportSession
from liaison.rota.models import AssignmentStatus, RotaMonth, RotaStatus, Slot, SlotAssignment
from tests import factories
from tests.checkin.conftest import checkin_id_from, client_for, new_deputy, open_and_tap
from tests.conftest import sign_in

#: Wednesday 10 June 2026, 10:00 in Shanghai.
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=timezone.utc)


def _block(page, state):
    """The text of the duty blocks in ``state`` (met, pending, running) on a page."""
    return " ".join(re.sub(r"<[^>]+>", " ", m) for m in re.findall(
        rf'<div class="rounded-3 p-3 h-100 duty-{state}[^"]*">(.*?)</div>\s*</div>', page, re.S))


def test_a_pending_scan_after_an_earlier_visit_shows_pending_not_green(db, client, place):
    """The issue's case: accepted on the 3rd, a scan without location today. The check-in page and
    我的履职 say 本月进站待核实, not a green 本月已进站 ✓; the earlier visit is mentioned."""
    factories.make_checkin(place.deputy, place.station, NOW - timedelta(days=7))
    db.session.commit()
    with freeze_time(NOW):
        sign_in(client, place.user.mobile)
        checkin_id = checkin_id_from(open_and_tap(client, place.station.code))
        done = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
        mine = client.get("/me").get_data(as_text=True)
    for page in (done, mine):
        assert "本月进站待核实" in _block(page, "pending") and "此前已有签到计入" in _block(page, "pending")
        assert "本月已进站" not in page
    assert 'period-pending">6月 待核实' in mine and "6月 ✓" not in mine


def test_a_confirmed_scan_shows_green_again(app, db, client, place):
    with freeze_time(NOW):
        sign_in(client, place.user.mobile)
        checkin_id = checkin_id_from(open_and_tap(client, place.station.code))
        staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
        client_for(app, staff).post("/checkins/review", data={"ids": [checkin_id], "action": "confirm"})
        mine = client.get("/me").get_data(as_text=True)
    assert "本月已进站" in _block(mine, "met") and _block(mine, "pending") == ""


def test_the_year_on_one_page(db, client, place):
    """The next slot with 请假或换班, this quarter's invitation, the 年述职 session planned."""
    month = RotaMonth(township_id=place.town.id, year=2026, month=6, status=RotaStatus.published)
    slot = Slot(rota_month=month, station_id=place.station.id, local_date=date(2026, 6, 18), starts=time(9),
                ends=time(11, 30))
    db.session.add_all([month, slot])
    db.session.flush()
    place_row = SlotAssignment(slot_id=slot.id, deputy_id=place.deputy.id, status=AssignmentStatus.assigned)
    activity = Activity(station_id=place.home.id, local_date=date(2026, 6, 20), starts=time(14), ends=time(16),
                        type=ActivityType.study, title="学习代表法")
    db.session.add_all([place_row, activity])
    db.session.flush()
    db.session.add(ActivityInvitation(activity_id=activity.id, deputy_id=place.deputy.id))
    session = ReportSession(township_id=place.town.id, session_date=date(2026, 9, 15), place_kind=PlaceKind.station,
                            station_id=place.station.id)
    session.mandates.append(place.mandate)
    db.session.add(session)
    db.session.commit()
    with freeze_time(NOW):
        sign_in(client, place.user.mobile)
        page = client.get("/me").get_data(as_text=True)
    assert "6月18日（周四） 09:00–11:30" in page and "城关第一联络站" in page
    assert f'/my/slots/{place_row.id}/leave' in page and "请假或换班" in page
    assert "学习代表法" in page and "待参加" in page
    assert "应述职，尚未述职" in page and "已安排述职活动：2026-09-15" in page


def test_a_done_report_shows_the_voters_verdict(db, client, place):
    db.session.add(DutyReport(mandate_id=place.mandate.id, report_date=date(2026, 5, 20), form=ReportForm.on_site,
                              voters_present=40, satisfied=31, basically_satisfied=8, dissatisfied=1))
    db.session.commit()
    with freeze_time(NOW):
        sign_in(client, place.user.mobile)
        page = client.get("/me").get_data(as_text=True)
    assert "已述职" in page and "选民测评：满意 31，基本满意 8，不满意 1（到场 40 人）" in page


def test_the_record_is_the_deputys_own_only(app, db, client, place):
    """林晓燕's 我的履职 and 我的履职档案 show her own visits, never 王磊's; there is no way to ask for
    another deputy's record, and the staff's record page stays closed to deputies."""
    other_station = factories.make_station(township=place.town, electoral_district=place.district,
                                           name="王家湾联络站")
    wang, wang_user = new_deputy(place, "王磊")
    factories.make_checkin(wang, other_station, NOW - timedelta(days=2))
    factories.make_checkin(place.deputy, place.station, NOW - timedelta(days=1))
    db.session.commit()
    with freeze_time(NOW):
        sign_in(client, place.user.mobile)
        mine = client.get("/me").get_data(as_text=True)
        record = client.get("/me/record").get_data(as_text=True)
        sneaky = client.get(f"/me/record?deputy_id={wang.id}").get_data(as_text=True)
        staff_page = client.get(f"/dashboard/deputies/{wang.id}")
    for page in (mine, record, sneaky):
        assert "城关第一联络站" in page and "王家湾联络站" not in page and "王磊" not in page
    assert "林晓燕的履职档案" in record and 'id="timeline"' in record
    assert staff_page.status_code == 403
    # The staff's view of the same deputy lists the same events (the same timeline).
    staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
    db.session.commit()
    with freeze_time(NOW):
        staff_view = client_for(app, staff).get(f"/dashboard/deputies/{place.deputy.id}").get_data(as_text=True)

    def rows(page):
        return re.findall(r'<tr>\s*<td class="text-nowrap">.*?</tr>', page.split('id="timeline"')[1].split("</table>")[0],
                          re.S)
    assert rows(record) and rows(record) == rows(staff_view)
