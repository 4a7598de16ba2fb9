"""签退: the deputy leaves with an explicit tap, recording the time spent and the reception record."""
from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from stations.tokens import make_kiosk_token
from tests.checkin.conftest import checkin_id_from, counts, only_checkin, open_and_tap
from tests.conftest import sign_in

START = datetime(2026, 5, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


def check_in(client, place):
    """Sign in and check in at the station's screen; returns the check-in's id."""
    sign_in(client, place.user.mobile)
    return checkin_id_from(open_and_tap(client, place.station.code, token=make_kiosk_token(place.station)))


def test_check_out_records_duration_and_reception(client, place):
    """95 minutes later: 签退 with 12 constituents and their matters; the page shows all of it."""
    with freeze_time(START) as frozen:
        checkin_id = check_in(client, place)
        assert "签退" in client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
        frozen.tick(timedelta(minutes=95))
        form = client.get(f"/checkins/{checkin_id}/checkout").get_data(as_text=True)
        assert "接待群众人数" in form and "群众反映的问题" in form
        response = client.post(f"/checkins/{checkin_id}/checkout", data={
            "constituents_received": "12", "matters-0-category": "construction",
            "matters-0-content": "村道路灯损坏\n晚上看不清路"})
        assert response.status_code == 302
        page = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
    assert "已签退，在站 95 分钟" in page and "12 人" in page and "村道路灯损坏" in page
    assert 'id="checkout-button"' not in page
    checkin = only_checkin()
    assert checkin.duration_minutes == 95 and checkin.constituents_received == 12
    assert checkin.checked_out_at == START + timedelta(minutes=95)


def test_check_out_only_once(client, place):
    """A second 签退 changes nothing and says it was already done."""
    with freeze_time(START) as frozen:
        checkin_id = check_in(client, place)
        frozen.tick(timedelta(minutes=30))
        client.post(f"/checkins/{checkin_id}/checkout", data={"constituents_received": "3"})
        frozen.tick(timedelta(minutes=30))
        again = client.post(f"/checkins/{checkin_id}/checkout", data={"constituents_received": "9"},
                            follow_redirects=True)
    assert "已签退，或已不能签退" in again.get_data(as_text=True)
    checkin = only_checkin()
    assert (checkin.duration_minutes, checkin.constituents_received) == (30, 3)


def test_check_out_the_next_day_is_refused(client, place):
    """The next local day the 签退 button is gone and the page cannot be used."""
    with freeze_time(START) as frozen:
        checkin_id = check_in(client, place)
        frozen.tick(timedelta(days=1))
        page = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
        response = client.post(f"/checkins/{checkin_id}/checkout", data={"constituents_received": "1"})
    assert 'id="checkout-button"' not in page
    assert response.status_code == 302
    assert only_checkin().checked_out_at is None


@pytest.mark.parametrize("count, matters, message", [
    ("-1", "", "接待群众人数应为 0 到 500 之间的整数"),
    ("501", "", "接待群众人数应为 0 到 500 之间的整数"),
    ("三", "", "接待群众人数应为整数"),
    ("", "", "请填写接待群众人数"),
    ("2", "问" * 2001, "不能超过 2000 个字"),
])
def test_bad_reception_record_shows_the_message_and_saves_nothing(client, place, count, matters, message):
    """A negative, too large or non-numeric count, or too long a text: the message, and no 签退 recorded."""
    checkin_id = check_in(client, place)
    response = client.post(f"/checkins/{checkin_id}/checkout",
                           data={"constituents_received": count, "matters-0-category": "other" if matters else "",
                                 "matters-0-content": matters})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert only_checkin().checked_out_at is None
    assert counts() == (1, 0)
