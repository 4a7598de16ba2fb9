"""What counts at once and what waits for staff (待核实), per method, fence and station policy; local periods."""
import logging
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.network.models import CheckinPolicy, StationKind
from stations.checkin import queries
from stations.checkin.models import Checkin, Method, PendingReason, Status
from stations.checkin.operations import Location, distance_m, judge_location
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import (AT_STATION, FAR_AWAY, checkin_id_from, client_for, counts, only_checkin,
                                    open_and_tap, scan_url)
from tests.conftest import sign_in


def my_page(client):
    """The deputy's 我的履职 page as text."""
    response = client.get("/me")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_poster_without_location_is_pending_and_counts_only_once_staff_confirm(app, db, client, place):
    """No location shared: 待核实 (未获取到位置), 本月进站待核实 (rule R34); after staff confirm it, 本月已进站."""
    sign_in(client, place.user.mobile)
    checkin_id = checkin_id_from(open_and_tap(client, place.station.code))
    done = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
    assert "已签到，待核实" in done and "未获取到位置" in done and "本月进站待核实" in done
    assert "1 次签到待核实" in done
    assert "本月进站待核实" in my_page(client)
    checkin = only_checkin()
    assert (checkin.status, checkin.pending_reason, checkin.inside_fence, checkin.accuracy_m) == (
        Status.pending, PendingReason.no_location, None, None)

    staff = factories.make_user(roles={"township_staff"}, townships=[place.town])
    response = client_for(app, staff).post("/checkins/review",
                                           data={"ids": [checkin_id], "action": "confirm"})
    assert response.status_code == 302
    assert only_checkin().status is Status.confirmed
    page = my_page(client)
    assert "本月已进站" in page and "已核实" in page


def test_poster_inside_the_fence_counts_at_once(client, place):
    """Location shared 60 m from the entrance with a 25 m fix: 已生效, 本月已进站."""
    sign_in(client, place.user.mobile)
    checkin_id = checkin_id_from(open_and_tap(client, place.station.code, location=AT_STATION))
    checkin = only_checkin()
    assert (checkin.status, checkin.method, checkin.inside_fence, checkin.accuracy_m) == (
        Status.accepted, Method.poster, True, 25)
    assert checkin.away_from_own is False and checkin.station_kind is StationKind.station
    done = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
    assert "签到成功，已生效" in done and "本月已进站" in done
    assert "本月已进站" in my_page(client)


def test_poster_from_far_away_waits_for_staff(client, place):
    """A photo of the poster scanned 1 km away: pending, outside the fence; it does not count."""
    sign_in(client, place.user.mobile)
    open_and_tap(client, place.station.code, location=FAR_AWAY)
    checkin = only_checkin()
    assert (checkin.status, checkin.pending_reason, checkin.inside_fence) == (
        Status.pending, PendingReason.outside_fence, False)
    page = my_page(client)
    assert "本月进站待核实" in page and "本月已进站" not in page


def test_poster_with_a_coarse_fix_waits_for_staff(client, place):
    """A 500 m cell-tower fix cannot tell inside from outside: pending, low accuracy."""
    sign_in(client, place.user.mobile)
    open_and_tap(client, place.station.code, location={**AT_STATION, "accuracy": "500"})
    checkin = only_checkin()
    assert (checkin.status, checkin.pending_reason, checkin.accuracy_m) == (
        Status.pending, PendingReason.low_accuracy, 500)


def test_station_without_coordinates_does_not_ask_and_waits(client, place):
    """No surveyed point: the page does not ask for the location; the scan is pending (no fence)."""
    place.station.latitude = place.station.longitude = None
    sign_in(client, place.user.mobile)
    assert 'data-locate="0"' in client.get(scan_url(place.station.code)).get_data(as_text=True)
    open_and_tap(client, place.station.code)
    checkin = only_checkin()
    assert (checkin.status, checkin.pending_reason) == (Status.pending, PendingReason.no_fence)


def test_kiosk_scan_counts_at_once(client, place):
    """Scanning the screen counts at once, without location, and shows 本月已进站."""
    sign_in(client, place.user.mobile)
    token = make_kiosk_token(place.station)
    checkin_id = checkin_id_from(open_and_tap(client, place.station.code, token=token))
    checkin = only_checkin()
    assert (checkin.status, checkin.method, checkin.inside_fence, checkin.accuracy_m) == (
        Status.accepted, Method.kiosk, None, None)
    assert "本月已进站" in client.get(f"/checkins/{checkin_id}").get_data(as_text=True)


def test_kiosk_scan_at_a_staff_confirms_station_waits(client, place):
    """Policy 所有签到均需工作人员核实: even a kiosk scan is pending (station policy)."""
    place.station.checkin_policy = CheckinPolicy.staff_confirms
    sign_in(client, place.user.mobile)
    open_and_tap(client, place.station.code, token=make_kiosk_token(place.station))
    checkin = only_checkin()
    assert (checkin.status, checkin.pending_reason) == (Status.pending, PendingReason.station_policy)


def test_poster_scan_at_a_kiosk_only_station_waits_and_is_not_located(client, place):
    """Policy 仅扫码屏即时有效: the page does not ask for the location; a poster scan is pending, even if sent one."""
    place.station.checkin_policy = CheckinPolicy.kiosk_only
    sign_in(client, place.user.mobile)
    html = client.get(scan_url(place.station.code)).get_data(as_text=True)
    assert 'data-locate="0"' in html and "本站点扫海报签到需工作人员核实" in html
    open_and_tap(client, place.station.code, location=AT_STATION)
    checkin = only_checkin()
    assert (checkin.status, checkin.pending_reason, checkin.inside_fence, checkin.accuracy_m) == (
        Status.pending, PendingReason.station_policy, None, None)


def test_two_places_too_far_apart_for_the_time_between_is_a_doubt(db, client, place):
    """Station, then the home 2 km away 30 s later (240 km/h): pending even by kiosk; 10 min later: counts."""
    start = datetime(2026, 5, 6, 2, 0, tzinfo=timezone.utc)
    with freeze_time(start) as frozen:
        sign_in(client, place.user.mobile)
        open_and_tap(client, place.station.code, location=AT_STATION)
        frozen.tick(timedelta(seconds=30))
        checkin_id_from(open_and_tap(client, place.home.code, token=make_kiosk_token(place.home)))
        frozen.tick(timedelta(minutes=10))
        open_and_tap(client, place.home.code, token=make_kiosk_token(place.home))
    counts()
    rows = db.session.scalars(sa.select(Checkin).order_by(Checkin.id)).all()
    assert [(r.status, r.pending_reason) for r in rows] == [
        (Status.accepted, None), (Status.pending, PendingReason.implausible_travel), (Status.accepted, None)]


def test_a_home_meets_the_quarter_not_the_month(client, place):
    """A counted check-in at the 代表之家: 本季度已回家, but 本月未进站."""
    sign_in(client, place.user.mobile)
    open_and_tap(client, place.home.code, token=make_kiosk_token(place.home))
    page = my_page(client)
    assert "本季度已回家" in page and "本月未进站" in page


def test_checkin_away_from_own_station_counts_and_is_marked(db, client, place):
    """A check-in at another township's station counts for 月进站 and shows 非本站."""
    other_town = factories.make_township(name="柳溪乡")
    district = factories.make_district(term=place.term, township=other_town)
    other = factories.make_station(township=other_town, name="柳溪联络站", electoral_district=district)
    sign_in(client, place.user.mobile)
    open_and_tap(client, other.code, token=make_kiosk_token(other))
    checkin = only_checkin()
    assert checkin.away_from_own is True and checkin.status is Status.accepted
    page = my_page(client)
    assert "本月已进站" in page and "非本站" in page


@pytest.mark.parametrize("instant, local_day, month_key, quarter_key", [
    (datetime(2026, 3, 31, 15, 30, tzinfo=timezone.utc), date(2026, 3, 31), 202603, 20261),
    (datetime(2026, 3, 31, 16, 10, tzinfo=timezone.utc), date(2026, 4, 1), 202604, 20262),
])
def test_periods_are_counted_in_local_time(db, client, place, instant, local_day, month_key, quarter_key):
    """23:30 local on 31 March counts in March and Q1; 00:10 local on 1 April in April and Q2 (UTC stored)."""
    with freeze_time(instant):
        sign_in(client, place.user.mobile)
        open_and_tap(client, place.station.code, token=make_kiosk_token(place.station))
        page = my_page(client)
    checkin = only_checkin()
    assert checkin.occurred_at == instant
    assert (checkin.local_date, checkin.month_key, checkin.quarter_key) == (local_day, month_key, quarter_key)
    assert "本月已进站" in page and f"{local_day.month}月 · 月进站" in page
    march = queries.deputy_status(place.deputy.id, date(2026, 3, 31))
    april = queries.deputy_status(place.deputy.id, date(2026, 4, 1))
    assert march.month_met is (month_key == 202603)
    assert april.month_met is (month_key == 202604)


def test_deputy_status_sums_the_year(db, place):
    """The year's totals: months and quarters met, days at stations and homes, pending ones apart."""
    def add(day, kind, status):
        station = place.station if kind is StationKind.station else place.home
        db.session.add(Checkin(
            deputy_id=place.deputy.id, station_id=station.id, station_kind=kind,
            occurred_at=datetime(day.year, day.month, day.day, 2, tzinfo=timezone.utc), local_date=day,
            month_key=queries.month_key_of(day), quarter_key=queries.quarter_key_of(day), method=Method.kiosk,
            status=status, client_nonce=f"n{day.isoformat()}{kind.value}{status.value}".ljust(16, "x")))

    add(date(2026, 1, 5), StationKind.station, Status.accepted)
    add(date(2026, 1, 5), StationKind.station, Status.confirmed)   # same day: one day
    add(date(2026, 2, 9), StationKind.station, Status.rejected)    # does not count
    add(date(2026, 3, 2), StationKind.home, Status.confirmed)
    add(date(2026, 4, 7), StationKind.station, Status.pending)
    add(date(2026, 4, 8), StationKind.home, Status.pending)
    add(date(2025, 4, 8), StationKind.station, Status.accepted)    # last year
    db.session.flush()
    status = queries.deputy_status(place.deputy.id, date(2026, 4, 20))
    assert status.months_met == {1} and status.quarters_met == {1}
    assert (status.month_met, status.quarter_met) == (False, False)
    assert (status.month_pending, status.quarter_pending, status.year_pending) == (1, 1, 2)
    assert (status.station_days, status.home_days) == (1, 1)
    assert status.months == [(1, True), (2, False), (3, False), (4, False)]
    assert status.quarters == [(1, True), (2, False)]


def test_coordinates_are_never_stored_or_logged(db, client, place, caplog):
    """Only inside_fence and the accuracy are kept: no column and no log line holds the phone's position."""
    caplog.set_level(logging.DEBUG)
    sign_in(client, place.user.mobile)
    secret = {"latitude": "30.250512", "longitude": "120.150231", "accuracy": "17.5"}
    open_and_tap(client, place.station.code, location=secret)
    checkin = only_checkin()
    assert checkin.inside_fence is True and checkin.accuracy_m == 18
    stored = " ".join(str(getattr(checkin, c.key)) for c in Checkin.__table__.columns)
    for value in ("30.2505", "120.1502", "17.5"):
        assert value not in stored
        assert value not in caplog.text
    assert "checkin recorded" in caplog.text
    assert "30.25" not in repr(Location.parse(secret["latitude"], secret["longitude"], secret["accuracy"]))


# --- the fence rule itself ------------------------------------------------------------------

def _north_of(station, metres):
    """A point ``metres`` due north of the station's entrance."""
    per_degree = distance_m(0, 0, 1, 0)
    return float(station.latitude) + metres / per_degree, float(station.longitude)


@pytest.mark.parametrize("radius, accuracy, metres, expected", [
    (200, 30, 229, (True, None)),                       # within radius + accuracy
    (200, 30, 231, (False, PendingReason.outside_fence)),
    (200, 80, 249, (True, None)),                       # the margin is capped at 50 m
    (200, 80, 251, (False, PendingReason.outside_fence)),
    (200, 200, 10, (True, None)),                       # accuracy up to the radius is enough
    (200, 201, 10, (True, PendingReason.low_accuracy)),
    (50, 100, 10, (True, None)),                        # small fences accept fixes up to 100 m
    (50, 101, 10, (True, PendingReason.low_accuracy)),
])
def test_fence_rule(radius, accuracy, metres, expected):
    """Inside within radius + min(accuracy, 50 m); a fix looser than max(radius, 100 m) decides nothing."""
    station = SimpleNamespace(latitude=Decimal("30.25"), longitude=Decimal("120.15"), radius_m=radius)
    lat, lon = _north_of(station, metres)
    inside, accuracy_m, reason = judge_location(station, Location(lat, lon, accuracy))
    assert (inside, reason) == expected and accuracy_m == accuracy


@pytest.mark.parametrize("values", [
    ("", "", ""), ("30.2", "120.1", ""), ("abc", "120", "10"), ("91", "120", "10"), ("30", "181", "10"),
    ("30", "120", "0"), ("30", "120", "-5"), ("nan", "120", "10"), ("30", "inf", "10"),
])
def test_unbelievable_locations_count_as_none(values):
    """Blank, partial, out-of-range or non-finite values are treated as no location shared."""
    assert Location.parse(*values) is None
