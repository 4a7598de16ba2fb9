"""The reason a deputy is told when a scan waits for staff is the one about that scan (rule R32)."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from freezegun import freeze_time

from stations.checkin.models import Checkin, PendingReason, Status
from stations.tokens import make_kiosk_token
from tests.checkin.conftest import AT_STATION, FAR_AWAY, checkin_id_from, open_and_tap
from tests.conftest import sign_in

NO_LOCATION = "未获取到位置，签到待工作人员核实"
OUTSIDE = "您所在的位置不在站点范围内，签到待工作人员核实"
TRAVEL = "与上一次签到的距离和时间不符，签到待工作人员核实"


def _done(client, response):
    return client.get(f"/checkins/{checkin_id_from(response)}").get_data(as_text=True)


def test_no_location_is_told_as_no_location(client, place):
    sign_in(client, place.user.mobile)
    page = _done(client, open_and_tap(client, place.station.code))
    assert NO_LOCATION in page and TRAVEL not in page and OUTSIDE not in page


def test_outside_the_fence_is_told_as_outside(client, place):
    sign_in(client, place.user.mobile)
    page = _done(client, open_and_tap(client, place.station.code, location=FAR_AWAY))
    assert OUTSIDE in page and NO_LOCATION not in page and TRAVEL not in page


def test_travel_doubt_alone_is_told_as_travel(db, client, place):
    """Station, then the home's kiosk 2 km away 30 s later: only the journey is in doubt."""
    with freeze_time(datetime(2026, 5, 6, 2, 0, tzinfo=timezone.utc)) as frozen:
        sign_in(client, place.user.mobile)
        open_and_tap(client, place.station.code, location=AT_STATION)
        frozen.tick(timedelta(seconds=30))
        page = _done(client, open_and_tap(client, place.home.code, token=make_kiosk_token(place.home)))
    assert TRAVEL in page and NO_LOCATION not in page


def test_a_deputy_who_shares_no_location_is_not_told_about_a_journey_first(db, client, place):
    """The issue's case: location denied right after a scan elsewhere. The deputy reads 未获取到位置 first;
    the travel doubt is kept beside it for staff (and shown after it), not instead of it."""
    with freeze_time(datetime(2026, 5, 6, 2, 0, tzinfo=timezone.utc)) as frozen:
        sign_in(client, place.user.mobile)
        open_and_tap(client, place.station.code, location=AT_STATION)
        frozen.tick(timedelta(seconds=30))
        page = _done(client, open_and_tap(client, place.home.code))
    assert NO_LOCATION in page and page.index(NO_LOCATION) < page.index(TRAVEL)
    db.session.commit()
    row = db.session.scalars(sa.select(Checkin).order_by(Checkin.id.desc())).first()
    assert (row.status, row.pending_reason, row.travel_doubt) == (Status.pending, PendingReason.no_location, True)
    assert [r.label for r in row.pending_reasons] == ["未获取到位置", "与上一次签到的距离和时间不符"]


def test_staff_see_both_reasons_in_the_pending_queue(app, db, client, place):
    from tests import factories
    from tests.checkin.conftest import client_for

    with freeze_time(datetime(2026, 5, 6, 2, 0, tzinfo=timezone.utc)) as frozen:
        sign_in(client, place.user.mobile)
        open_and_tap(client, place.station.code, location=AT_STATION)
        frozen.tick(timedelta(seconds=30))
        open_and_tap(client, place.home.code)
        staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
        queue = client_for(app, staff).get("/checkins/pending").get_data(as_text=True)
    assert "未获取到位置；与上一次签到的距离和时间不符" in queue
