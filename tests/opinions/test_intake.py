"""Leaving an opinion on a station's public page: what is stored, what the constituent sees, and
what is refused (honeypot, too many from one address, oversized text or photo, bad phone, CSRF)."""
import io
import re

import pytest

from liaison.opinions.models import NUMBER_ALPHABET, Category, Channel, Status
from liaison.opinions.operations import CONTENT_MAX, PHOTO_MAX_BYTES
from tests.opinions.conftest import PHONE, PHONE_DIGITS, PHONE_MASKED, leave, opinions, sign_in_as

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def _no_contact(html):
    """Neither the name nor the phone, whole or masked, appears."""
    assert "张大爷" not in html
    assert PHONE_DIGITS not in html and PHONE_MASKED not in html
    assert not re.search(r"1[3-9]\d{9}", html)


def test_an_opinion_left_on_the_public_page_gets_a_lookup_number(client, db, net):
    """The constituent gets an 8-character number on a page of its own; the opinion is stored at the
    station, under its township and month, with the phone normalised; name and phone are never shown."""
    response = leave(client, net.station, name="张大爷", phone=PHONE, category="transport")
    assert response.status_code == 302
    [opinion] = opinions(db)
    assert len(opinion.number) == 8 and set(opinion.number) <= set(NUMBER_ALPHABET)
    assert response.headers["Location"].endswith(f"/o/{opinion.number}/received")
    assert (opinion.station_id, opinion.township_id) == (net.station.id, net.anping.id)
    assert opinion.channel is Channel.public_page and opinion.category is Category.transport
    assert opinion.status is Status.received and opinion.phone == PHONE_DIGITS
    assert opinion.constituent_name == "张大爷"
    assert opinion.received_month == opinion.received_on.strftime("%Y-%m")
    assert opinion.recorded_by_id is None and opinion.deputy_id is None

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert opinion.grouped_number in page and f"http://liaison.test/o/{opinion.number}" in page
    _no_contact(page)
    track = client.get(f"/o/{opinion.number}").get_data(as_text=True)
    assert "东升路口红绿灯" in track and "已接收" in track
    _no_contact(track)


def test_the_station_page_links_to_the_form(client, db, net):
    """我要留言 is on the public station page, and the form names the station."""
    page = client.get(f"/p/{net.station.code}").get_data(as_text=True)
    assert f"/p/{net.station.code}/opinion" in page and "我要留言" in page
    form = client.get(f"/p/{net.station.code}/opinion").get_data(as_text=True)
    assert "东升联络站" in form and 'name="website"' in form


def test_numbers_differ_and_are_not_sequential(client, db, net):
    """Two opinions in a row get unrelated numbers."""
    leave(client, net.station, content="第一条：路口红绿灯时间太短。")
    leave(client, net.station, content="第二条：公交站没有遮雨棚。")
    first, second = (o.number for o in opinions(db))
    assert first != second
    assert sum(a == b for a, b in zip(first, second)) < 6


def test_the_honeypot_refuses_and_stores_nothing(client, db, net):
    """A filled hidden field (a bot) is refused; nothing is stored."""
    response = leave(client, net.station, website="http://spam.example")
    assert response.status_code == 400
    assert "提交未成功" in response.get_data(as_text=True)
    assert opinions(db) == []


def test_too_many_from_one_address_are_refused(client, db, net, setting):
    """After the limit, the same address is refused (429) with a Chinese message; another address is not."""
    setting("LIAISON_OPINION_MAX_PER_ADDRESS", 2)
    assert leave(client, net.station, content="第一条：路口红绿灯时间太短。").status_code == 302
    assert leave(client, net.station, content="第二条：公交站没有遮雨棚。").status_code == 302
    refused = leave(client, net.station, content="第三条：河道边有建筑垃圾。")
    assert refused.status_code == 429
    assert "提交的留言过多" in refused.get_data(as_text=True)
    assert len(opinions(db)) == 2
    other = leave(client, net.station, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 302
    assert len(opinions(db)) == 3


@pytest.mark.parametrize("fields, message", [
    ({"content": "长" * (CONTENT_MAX + 1)}, "意见内容不能超过 2000 个字"),
    ({"content": ""}, "请填写意见内容"),
    ({"content": "太短"}, "意见内容至少 5 个字"),
    ({"phone": "12345"}, "手机号码应为 11 位数字"),
    ({"category": "nonsense"}, ""),
    ({"name": "名" * 51}, "姓名不能超过 50 个字"),
])
def test_invalid_input_is_refused_in_chinese_and_nothing_stored(client, db, net, fields, message):
    """Each refusal names the problem in Chinese; nothing is stored."""
    response = leave(client, net.station, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert opinions(db) == []


def test_an_oversized_photo_is_refused_and_nothing_stored(client, db, net):
    """A photo over 5 MB is refused with a Chinese message; no opinion and no file are left."""
    big = JPEG + b"\x00" * PHOTO_MAX_BYTES
    response = leave(client, net.station, photo=(io.BytesIO(big), "big.jpg"))
    assert response.status_code == 400
    assert "照片太大：不能超过 5 MB" in response.get_data(as_text=True)
    assert opinions(db) == []
    assert not net.photo_folder.exists() or list(net.photo_folder.iterdir()) == []


def test_a_request_over_the_upload_limit_is_refused(client, db, net):
    """A body over the server's limit (10 MB) gets the Chinese 413 page; nothing is stored."""
    huge = JPEG + b"\x00" * (11 * 1024 * 1024)
    response = leave(client, net.station, photo=(io.BytesIO(huge), "huge.jpg"))
    assert response.status_code == 413
    assert "文件太大" in response.get_data(as_text=True)
    assert opinions(db) == []


def test_a_photo_that_is_not_a_picture_is_refused(client, db, net):
    """A PDF named .jpg is told by its bytes and refused."""
    response = leave(client, net.station, photo=(io.BytesIO(b"%PDF-1.4 fake"), "photo.jpg"))
    assert response.status_code == 400
    assert "照片只能是 JPG 或 PNG 图片" in response.get_data(as_text=True)
    assert opinions(db) == []


def test_a_photo_is_kept_and_shown_to_staff_in_scope_only(app, client, db, net):
    """A PNG is stored under a random name; staff of the township see it, other staff get 404."""
    assert leave(client, net.station, photo=(io.BytesIO(PNG), "路口.png")).status_code == 302
    [opinion] = opinions(db)
    assert opinion.photo_type == "image/png" and opinion.photo_size == len(PNG)
    assert (net.photo_folder / opinion.photo_name).read_bytes() == PNG
    assert client.get(f"/opinions/{opinion.id}/photo").status_code == 302  # sign in first
    sign_in_as(client, net.staff)
    photo = client.get(f"/opinions/{opinion.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG
    other = app.test_client()
    sign_in_as(other, net.other_staff)
    assert other.get(f"/opinions/{opinion.id}/photo").status_code == 404


def test_without_a_csrf_token_nothing_is_stored(client, db, net, csrf_enabled):
    """The public form is CSRF-protected like every other form."""
    response = leave(client, net.station)
    assert response.status_code == 400
    assert opinions(db) == []


def test_an_inactive_station_takes_no_opinions(client, db, net):
    """A station switched off answers 404 to its form."""
    net.station.active = False
    db.session.commit()
    assert client.get(f"/p/{net.station.code}/opinion").status_code == 404
    assert leave(client, net.station).status_code == 404
    assert opinions(db) == []


def test_the_same_form_sent_twice_makes_one_opinion(client, db, net):
    """A double tap gives the same lookup number; a different text is a new opinion."""
    first = leave(client, net.station, phone=PHONE)
    again = leave(client, net.station, phone=PHONE)
    assert first.headers["Location"] == again.headers["Location"]
    assert len(opinions(db)) == 1
    leave(client, net.station, phone=PHONE, content="另外一件事：小区路灯坏了三盏。")
    assert len(opinions(db)) == 2


def test_the_category_must_be_chosen(client, db, net):
    """No category comes preselected: a form sent without one is refused with a Chinese message."""
    form = client.get(f"/p/{net.station.code}/opinion").get_data(as_text=True)
    assert 'selected value="">请选择类别</option>' in form
    response = leave(client, net.station, category="")
    assert response.status_code == 400
    assert "请选择意见的类别。" in response.get_data(as_text=True)
    assert opinions(db) == []


def test_a_photo_sent_with_a_mistake_is_asked_for_again(client, db, net):
    """The browser drops the chosen file when the page comes back with errors: the photo field says it
    was not kept, so the constituent chooses it again; nothing is stored."""
    response = leave(client, net.station, phone="12345", photo=(io.BytesIO(PNG), "路口.png"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "手机号码应为 11 位数字" in page and "照片尚未保存：改正上面的问题后，请重新选择照片。" in page
    assert opinions(db) == []
    assert not net.photo_folder.exists() or list(net.photo_folder.iterdir()) == []
    without_photo = leave(client, net.station, phone="12345").get_data(as_text=True)
    assert "重新选择照片" not in without_photo
