"""签退 at a 联络站: each matter a constituent raised is its own line and becomes an opinion with its
lookup number for the deputy to hand over (rule R33); a 代表之家's 签退 asks for no reception record."""
import re
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.opinions.models import Channel, Opinion, Status
from stations.tokens import make_kiosk_token
from tests.checkin.conftest import checkin_id_from, counts, only_checkin, open_and_tap
from tests.conftest import sign_in

START = datetime(2026, 5, 6, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


def check_in(client, place, station=None):
    station = station or place.station
    sign_in(client, place.user.mobile)
    return checkin_id_from(open_and_tap(client, station.code, token=make_kiosk_token(station)))


def three_matters():
    return {
        "constituents_received": "3",
        "matters-0-category": "construction", "matters-0-content": "村口路灯不亮\n晚上看不清路",
        "matters-1-category": "environment", "matters-1-content": "河边垃圾没人清运",
        "matters-1-name": "张大爷",
        "matters-2-category": "transport", "matters-2-content": "公交车站没有遮雨棚",
        "matters-2-phone": "13812345678", "matters-2-phone_consent": "y",
    }


def opinions():
    counts()
    return _db_opinions()


def _db_opinions():
    from liaison.extensions import db
    return db.session.scalars(sa.select(Opinion).order_by(Opinion.id)).all()


def test_three_matters_make_three_opinions_with_lookup_numbers(client, place):
    with freeze_time(START) as frozen:
        checkin_id = check_in(client, place)
        frozen.tick(timedelta(minutes=40))
        response = client.post(f"/checkins/{checkin_id}/checkout", data=three_matters())
        assert response.status_code == 302
        page = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
    rows = opinions()
    assert len(rows) == 3 and len({o.number for o in rows}) == 3
    for opinion in rows:
        assert opinion.grouped_number in page
        assert (opinion.channel, opinion.status, opinion.deputy_id, opinion.checkin_id, opinion.station_id) == (
            Channel.reception, Status.received, place.deputy.id, checkin_id, place.station.id)
    assert rows[0].content == "村口路灯不亮\n晚上看不清路"
    assert rows[1].constituent_name == "张大爷" and rows[2].phone == "13812345678"
    assert "请把查询号交给群众" in page and "已登记 3 条群众意见" in page
    # The text keeps its line breaks on the page (a class with white-space: pre-line).
    assert re.search(r'class="[^"]*text-lines[^"]*">村口路灯不亮\n晚上看不清路<', page)
    assert only_checkin().constituents_received == 3


def test_blank_lines_are_skipped(client, place):
    checkin_id = check_in(client, place)
    response = client.post(f"/checkins/{checkin_id}/checkout", data={
        "constituents_received": "1", "matters-0-category": "", "matters-0-content": "",
        "matters-1-category": "other", "matters-1-content": "希望多开几场接待"})
    assert response.status_code == 302
    assert [o.content for o in opinions()] == ["希望多开几场接待"]


def test_a_phone_without_the_constituents_consent_is_refused_and_nothing_is_saved(client, place):
    """The consent box is unticked by default; a number typed without it is refused, not dropped quietly."""
    checkin_id = check_in(client, place)
    form = client.get(f"/checkins/{checkin_id}/checkout").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="matters-0-phone_consent"[^>]*>', form).group(0)
    assert "checked" not in box
    data = three_matters()
    del data["matters-2-phone_consent"]
    response = client.post(f"/checkins/{checkin_id}/checkout", data=data)
    assert response.status_code == 400
    assert "第 3 条：留号码须经群众同意" in response.get_data(as_text=True)
    assert opinions() == [] and only_checkin().checked_out_at is None


def test_a_line_without_a_category_is_refused_by_its_number(client, place):
    checkin_id = check_in(client, place)
    response = client.post(f"/checkins/{checkin_id}/checkout", data={
        "constituents_received": "2", "matters-0-category": "other", "matters-0-content": "第一件事情说清楚",
        "matters-1-content": "第二件没有选类别"})
    assert response.status_code == 400
    assert "第 2 条：请选择类别" in response.get_data(as_text=True)
    assert opinions() == [] and only_checkin().checked_out_at is None


def test_matters_with_no_constituent_received_is_refused(client, place):
    checkin_id = check_in(client, place)
    response = client.post(f"/checkins/{checkin_id}/checkout", data={
        "constituents_received": "0", "matters-0-category": "other", "matters-0-content": "路灯坏了很久了"})
    assert response.status_code == 400
    assert "接待群众人数不能为 0" in response.get_data(as_text=True)
    assert opinions() == []


def test_add_a_line_keeps_what_was_typed_and_saves_nothing(client, place):
    checkin_id = check_in(client, place)
    response = client.post(f"/checkins/{checkin_id}/checkout", data={
        "constituents_received": "2", "matters-0-category": "other", "matters-0-content": "第一件事",
        "add_matter": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="matters-1-content"' in page and "第一件事" in page
    assert opinions() == [] and only_checkin().checked_out_at is None


def test_a_home_checkout_asks_for_no_reception_record(client, place):
    """季回家 at the 代表之家: the 签退 page has no count and no matters, and 签退 stores none."""
    checkin_id = check_in(client, place, station=place.home)
    page = client.get(f"/checkins/{checkin_id}/checkout").get_data(as_text=True)
    assert "接待群众人数" not in page and "群众反映的问题" not in page and "不需要填写接待记录" in page
    done = client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
    assert "并填写接待记录" not in done
    response = client.post(f"/checkins/{checkin_id}/checkout", data={"submit": "1"})
    assert response.status_code == 302
    checkin = only_checkin()
    assert checkin.checked_out_at is not None and checkin.constituents_received is None
    assert "接待群众" not in client.get(f"/checkins/{checkin_id}").get_data(as_text=True)
