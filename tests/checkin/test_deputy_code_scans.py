"""Scan mode (扫代表码), rules R36–R38, through the JSON route the station's device posts to: the
deputy's daily code makes one kiosk-class check-in witnessed by the scanning staff member; an
earlier day's code is refused; a second scan the same day answers 已签到 with no new row; a replay
makes no second row; a scan older than the limit or in the future waits for staff."""
import secrets
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role
from liaison.clock import local_today, to_local, utcnow
from stations.checkin.models import Checkin, FailedScan, Method, PendingReason, RejectReason, Status
from stations.tokens import check_deputy_code, make_deputy_code
from tests import factories
from tests.checkin.conftest import client_for, counts, new_deputy, only_checkin


@pytest.fixture()
def staff(db, place):
    """A township staff member of 城关镇, signed in on the station's device."""
    user = factories.make_user(roles={Role.township_staff}, townships=[place.town], name="周干事")
    db.session.commit()
    return user


def scan(client, station, code, nonce=None, at=None):
    """What the camera page sends for one decoded code."""
    at = at or utcnow()
    return client.post(f"/scan-mode/{station.id}/scans", json={
        "code": code, "nonce": nonce or secrets.token_urlsafe(16), "scanned_at": int(at.timestamp() * 1000)})


def test_todays_code_checks_the_deputy_in_witnessed_by_the_scanning_staff(app, db, place, staff):
    """Rule R36: recorded at once (kiosk-class), the deputy named, the staff member the witness."""
    device = client_for(app, staff)
    response = scan(device, place.station, make_deputy_code(place.deputy.id, local_today()))
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["result"] == "recorded" and reply["name"] == "林晓燕" and reply["message"].startswith("签到成功")
    checkin = only_checkin()
    assert checkin.method is Method.deputy_code and checkin.status is Status.accepted and checkin.counts
    assert checkin.deputy_id == place.deputy.id and checkin.witness_id == staff.id
    assert checkin.scanned_at is not None and checkin.created_at >= checkin.scanned_at - timedelta(seconds=1)
    assert checkin.occurred_at == checkin.scanned_at


def test_yesterdays_code_is_refused_and_kept_as_a_failed_scan(app, db, place, staff):
    """A screenshot kept from yesterday: 代表码已过期, no check-in, one failed scan."""
    device = client_for(app, staff)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, local_today() - timedelta(days=1))).get_json()
    assert reply == {"result": "refused", "message": "代表码已过期，请打开手机上的最新代表码",
                     "reason": "deputy_code_expired"}
    assert counts() == (0, 1)
    assert db.session.scalar(sa.select(FailedScan.reason)) is RejectReason.deputy_code_expired


@pytest.mark.parametrize("code", ["LDC1.1.20261206.forged", "http://liaison.test/s/abc", ""])
def test_an_altered_or_foreign_code_is_refused(app, db, place, staff, code):
    device = client_for(app, staff)
    reply = scan(device, place.station, code).get_json()
    assert reply["result"] == "refused" and reply["reason"] == "deputy_code_invalid"
    assert counts()[0] == 0


def test_another_deputys_id_in_a_signed_code_fails_its_signature(app, place):
    with app.app_context():
        day = local_today()
        code = make_deputy_code(place.deputy.id, day)
        forged = code.replace(f"LDC1.{place.deputy.id}.", f"LDC1.{place.deputy.id + 1}.", 1)
        assert check_deputy_code(code, day) == place.deputy.id
        with pytest.raises(Exception):
            check_deputy_code(forged, day)


def test_the_same_code_twice_the_same_day_shows_the_first_time_and_makes_one_row(app, db, place, staff):
    """Rule R38: 已签到 08:31 (the first scan's time), never a second row; a replayed nonce neither."""
    device = client_for(app, staff)
    code = make_deputy_code(place.deputy.id, local_today())
    first = scan(device, place.station, code, nonce="n" * 22).get_json()
    again = scan(device, place.station, code).get_json()
    replay = scan(device, place.station, code, nonce="n" * 22).get_json()
    checkin = only_checkin()
    hhmm = to_local(checkin.occurred_at).strftime("%H:%M")
    assert first["result"] == "recorded"
    assert again == {"result": "already", "message": f"已签到 {hhmm}", "name": "林晓燕", "time": hhmm}
    assert replay["result"] == "recorded" and replay["time"] == hhmm


def test_a_scan_older_than_the_limit_waits_for_staff_at_its_scan_time(app, db, place, staff):
    """Rule R37: 25 h after the scan (limit 24 h) it is pending (scan_too_old), dated by the scan, not back-dated silently."""
    device = client_for(app, staff)
    at = utcnow() - timedelta(hours=25)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, to_local(at).date()), at=at).get_json()
    assert reply["result"] == "pending" and "扫码后超过时限才上传" in reply["message"]
    checkin = only_checkin()
    assert checkin.status is Status.pending and checkin.pending_reason is PendingReason.scan_too_old
    assert abs((checkin.occurred_at - at).total_seconds()) < 1 and checkin.created_at - at > timedelta(hours=24)
    # It is in the staff's pending queue.
    queue = client_for(app, staff).get("/checkins/pending").get_data(as_text=True)
    assert "林晓燕" in queue and "扫码后超过时限才上传" in queue
    scanned, received = to_local(at).strftime("%m-%d %H:%M"), to_local(checkin.created_at).strftime("%m-%d %H:%M")
    assert f"扫码 {scanned}，上传 {received}，扫码人：周干事" in queue


def test_a_late_scan_that_also_raises_the_travel_doubt_keeps_both_reasons(app, db, place, staff):
    """Rule R32 in scan mode: uploaded 25 h late and 30 s after a check-in at the home 2 km away.
    The stored reason is the one about the scan (扫码后超过时限才上传); the travel doubt is kept
    beside it, and staff see both."""
    at = utcnow() - timedelta(hours=25)
    factories.make_checkin(place.deputy, place.home, at - timedelta(seconds=30))
    db.session.commit()
    device = client_for(app, staff)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, to_local(at).date()), at=at).get_json()
    assert reply["result"] == "pending" and "扫码后超过时限才上传" in reply["message"]
    checkin = db.session.scalar(sa.select(Checkin).where(Checkin.method == Method.deputy_code))
    assert checkin.pending_reason is PendingReason.scan_too_old and checkin.travel_doubt
    assert checkin.pending_reasons == [PendingReason.scan_too_old, PendingReason.implausible_travel]


def test_a_scan_within_the_limit_counts_at_its_scan_time(app, db, place, staff):
    """An offline spell of 3 hours: counts, dated when the device read the code."""
    device = client_for(app, staff)
    at = utcnow() - timedelta(hours=3)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, to_local(at).date()), at=at).get_json()
    checkin = only_checkin()
    if to_local(at).date() == local_today():
        assert reply["result"] == "recorded"
    assert checkin.status is Status.accepted and abs((checkin.occurred_at - at).total_seconds()) < 1
    assert checkin.local_date == to_local(at).date()


def test_a_scan_in_the_future_waits_for_staff_at_the_receive_time(app, db, place, staff):
    device = client_for(app, staff)
    at = utcnow() + timedelta(hours=2)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, to_local(at).date()), at=at).get_json()
    assert reply["result"] == "pending"
    checkin = only_checkin()
    assert checkin.pending_reason is PendingReason.scan_in_future
    assert checkin.occurred_at <= utcnow() and abs((checkin.scanned_at - at).total_seconds()) < 1


def test_the_code_must_be_valid_at_the_scan_time(app, db, place, staff):
    """Today's code sent with a scan time of two days ago cannot have been shown then: refused."""
    device = client_for(app, staff)
    at = utcnow() - timedelta(days=2)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, local_today()), at=at).get_json()
    assert reply["result"] == "refused" and reply["reason"] == "deputy_code_invalid"
    assert counts()[0] == 0


def test_staff_cannot_witness_their_own_code(app, db, place):
    deputy_staff = factories.make_user(roles={Role.township_staff, Role.deputy}, townships=[place.town],
                                       deputy=place.deputy, mobile="13711112222")
    db.session.commit()
    device = client_for(app, deputy_staff)
    reply = scan(device, place.station, make_deputy_code(place.deputy.id, local_today())).get_json()
    assert reply["result"] == "refused" and reply["reason"] == "own_code"
    assert counts()[0] == 0


def test_only_staff_of_the_township_may_scan(app, db, place):
    """A deputy's phone gets 403; staff of another township 404; signed out is sent to sign in."""
    other_town = factories.make_township(name="白鹭镇")
    outsider = factories.make_user(roles={Role.township_staff}, townships=[other_town])
    db.session.commit()
    code = make_deputy_code(place.deputy.id, local_today())
    assert scan(client_for(app, place.user), place.station, code).status_code == 403
    assert scan(client_for(app, outsider), place.station, code).status_code == 404
    assert client_for(app, outsider).get(f"/scan-mode/{place.station.id}").status_code == 404
    assert scan(app.test_client(), place.station, code).status_code == 302
    assert counts()[0] == 0


def test_the_kiosk_display_token_cannot_open_scan_mode(app, db, place, staff):
    """The unattended kiosk screen's token lets it fetch codes, nothing else: scan mode asks for sign-in."""
    from stations.tokens import make_display_token

    with app.test_request_context():
        token = make_display_token(place.station)
    anonymous = app.test_client()
    headers = {"X-Kiosk-Display": token}
    assert anonymous.get(f"/scan-mode/{place.station.id}", headers=headers).status_code == 302
    response = anonymous.post(f"/scan-mode/{place.station.id}/scans", headers=headers, json={
        "code": make_deputy_code(place.deputy.id, local_today()), "nonce": secrets.token_urlsafe(16),
        "scanned_at": int(utcnow().timestamp() * 1000)})
    assert response.status_code == 302 and counts()[0] == 0


def test_a_deputy_without_a_mandate_that_day_is_refused(app, db, place, staff):
    other, _ = new_deputy(place, "陈无职", start_date=local_today() + timedelta(days=30))
    db.session.commit()
    reply = scan(client_for(app, staff), place.station, make_deputy_code(other.id, local_today())).get_json()
    assert reply["result"] == "refused" and reply["reason"] == "no_mandate"


def test_malformed_scans_are_refused_with_a_message(app, db, place, staff):
    device = client_for(app, staff)
    url = f"/scan-mode/{place.station.id}/scans"
    code = make_deputy_code(place.deputy.id, local_today())
    for body in ({"code": code, "nonce": "short", "scanned_at": int(utcnow().timestamp() * 1000)},
                 {"code": code, "nonce": secrets.token_urlsafe(16), "scanned_at": "yesterday"},
                 {"code": code, "nonce": secrets.token_urlsafe(16), "scanned_at": 12}, ["not", "an", "object"]):
        response = device.post(url, json=body)
        assert response.status_code == 400 and response.get_json()["result"] == "invalid", body
    assert counts()[0] == 0


def test_my_duties_shows_todays_code(app, db, place):
    html = client_for(app, place.user).get("/me").get_data(as_text=True)
    assert 'id="deputy-code"' in html and "代表码" in html and local_today().isoformat() in html


def test_a_pending_poster_scan_does_not_stop_the_code_from_counting(app, db, place, staff):
    """Rule R38: a poster scan without location waits for staff; the code read by staff the same day
    makes its own row that counts; a second code scan then answers 已签到 with the code's time."""
    from tests.checkin.conftest import open_and_tap

    phone = client_for(app, place.user)
    open_and_tap(phone, place.station.code)  # no location shared: pending
    device = client_for(app, staff)
    code = make_deputy_code(place.deputy.id, local_today())
    assert scan(device, place.station, code).get_json()["result"] == "recorded"
    again = scan(device, place.station, code).get_json()
    db.session.commit()
    saved = db.session.scalars(sa.select(Checkin).order_by(Checkin.id)).all()
    assert [(c.method, c.status) for c in saved] == [(Method.poster, Status.pending),
                                                    (Method.deputy_code, Status.accepted)]
    assert again["result"] == "already" and again["time"] == to_local(saved[1].occurred_at).strftime("%H:%M")


def test_two_devices_reading_the_same_deputy_at_once_make_one_row(app, db, place, staff):
    """Rule R38 under a race: the deputy's row lock decides the scans one after the other."""
    from tests.checkin.conftest import at_once

    colleague = factories.make_user(roles={Role.township_staff}, townships=[place.town], name="吴干事")
    db.session.commit()
    devices = [client_for(app, staff), client_for(app, colleague)]
    code = make_deputy_code(place.deputy.id, local_today())
    station = SimpleNamespace(id=place.station.id)  # the threads have no app context to load it
    db.session.commit()
    replies = at_once(devices, lambda device: scan(device, station, code).get_json())
    assert sorted(r["result"] for r in replies) == ["already", "recorded"], replies
    assert counts()[0] == 1
