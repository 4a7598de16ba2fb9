"""Bulk activation (rule R25): one sheet of slips or the links by SMS for a township's deputies
without a password; activating asks for the full number, counted like wrong passwords."""
import re
from pathlib import Path

import sqlalchemy as sa

from liaison.accounts.models import ActivationToken, LoginThrottle
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from tests.accounts import activation_world
from tests.conftest import sign_in

LINK = re.compile(r"http://liaison\.test/activate/([\w-]+)")


def _staff(client, db):
    world = activation_world.build()
    db.session.commit()
    assert sign_in(client, world.staff.mobile).status_code == 302
    return world


def _issue(client, world, action, names):
    ids = [getattr(world, name).id for name in names]
    return client.post("/users/activation", data={"township": world.east.id, "ids": ids, "action": action})


def test_the_page_lists_the_townships_accounts_without_a_password(client, db):
    """王一, 李二, 张三 await activation in 东镇; 赵四 has a password and 钱五 is in 西镇."""
    world = _staff(client, db)
    page = client.get("/users/activation").get_data(as_text=True)
    for name in ("王一", "李二", "张三"):
        assert name in page
    assert "赵四" not in page and "钱五" not in page
    assert "158****4917" in page and "15800004917" not in page
    assert client.get(f"/users/activation?township={world.west.id}").status_code in (403, 404)


def test_one_sheet_prints_a_slip_per_deputy_with_masked_number_qr_and_absolute_expiry(client, db, app):
    """Three ticked → one page of three slips: name, 158****4917, an SVG QR code, the date it stops
    working; each account gets a new link and its older one is void."""
    world = _staff(client, db)
    assert _issue(client, world, "print", ["王一"]).status_code == 200
    response = _issue(client, world, "print", ["王一", "李二", "张三"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="slip"') == 3 and page.count("<svg") == 3
    assert "158****4917" in page and "15800004917" not in page
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 前有效", page)
    assert "@media print" not in page  # the print rules are a served stylesheet (the CSP allows no inline style)
    tokens = db.session.scalars(sa.select(ActivationToken).where(ActivationToken.user_id == world.王一.id)
                                .order_by(ActivationToken.id)).all()
    assert len(tokens) == 2 and tokens[0].used_at is not None and tokens[1].used_at is None
    css = (Path(app.static_folder) / "activation_sheet.css").read_text(encoding="utf-8")
    assert "@media print" in css and "size: A4" in css


def test_links_go_by_sms_in_one_go(client, db, app):
    """短信发送: each ticked deputy gets an inbox message and an SMS row whose text holds a working link."""
    world = _staff(client, db)
    page = _issue(client, world, "sms", ["王一", "李二"])
    assert page.status_code == 302
    assert "已为 2 位代表发出激活短信" in client.get(page.headers["Location"]).get_data(as_text=True)
    messages = db.session.scalars(sa.select(Message).where(Message.kind == "activation_link")
                                  .order_by(Message.id)).all()
    assert [m.user.name for m in messages] == ["王一", "李二"]
    sms = db.session.scalar(sa.select(Delivery).where(Delivery.message_id == messages[0].id))
    assert sms.channel == "sms" and sms.status is DeliveryStatus.held and sms.address == "15800004917"
    token = LINK.search(messages[0].body).group(1)
    assert "前有效" in messages[0].body
    fresh = app.test_client()
    assert "尾号为 4917" in fresh.get(f"/activate/{token}").get_data(as_text=True)


def test_a_deputy_with_a_password_or_of_another_township_is_never_issued(client, db):
    """Ticking 赵四 (active) and 钱五 (西镇) issues nothing for them."""
    world = _staff(client, db)
    ids = [world.赵四.id, world.钱五.id, world.张三.id]
    page = client.post("/users/activation", data={"township": world.east.id, "ids": ids, "action": "print"})
    assert page.get_data(as_text=True).count('class="slip"') == 1
    issued = set(db.session.scalars(sa.select(ActivationToken.user_id)))
    assert issued == {world.张三.id}


def _token_for(db, user):
    from liaison.accounts import operations

    token = operations.issue_activation(user)
    db.session.commit()
    return token


def test_activation_shows_only_the_last_four_digits_and_needs_the_full_number(app, db):
    """The page shows 尾号 4917, never the number; a wrong number is refused in Chinese with the tries
    left; the right one (typed with spaces) sets the password and signs in."""
    world = activation_world.build()
    token = _token_for(db, world.王一)
    browser = app.test_client()
    page = browser.get(f"/activate/{token}").get_data(as_text=True)
    assert "4917" in page and "158****" not in page and "15800004917" not in page
    form = {"mobile": "15800000022", "password": "lantern-orchard-42", "confirm": "lantern-orchard-42"}
    page = browser.post(f"/activate/{token}", data=form).get_data(as_text=True)
    assert "与此激活码登记的号码（尾号 4917）不一致" in page and "还可以再试 4 次" in page
    db.session.expire_all()
    assert db.session.get(type(world.王一), world.王一.id).password_hash is None
    response = browser.post(f"/activate/{token}", data=dict(form, mobile="158 0000 4917"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(world.王一), world.王一.id).password_hash
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)
                             .where(LoginThrottle.key.like("activation:%"))) == 0


def test_wrong_numbers_lock_the_link_like_sign_in(app, db):
    """Five wrong numbers and the link waits 15 minutes: even the right number is refused meanwhile."""
    world = activation_world.build()
    token = _token_for(db, world.李二)
    browser = app.test_client()
    form = {"password": "lantern-orchard-42", "confirm": "lantern-orchard-42"}
    for n in range(5):
        page = browser.post(f"/activate/{token}", data=dict(form, mobile=f"1580000{n:04d}")).get_data(as_text=True)
    assert "输入错误次数过多" in page and "15 分钟后再试" in page
    page = browser.post(f"/activate/{token}", data=dict(form, mobile="15800000022")).get_data(as_text=True)
    assert "输入错误次数过多" in page
    db.session.expire_all()
    assert db.session.get(type(world.李二), world.李二.id).password_hash is None
