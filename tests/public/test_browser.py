"""On an iPhone 13 in Chinese (rules R28–R31): an anonymous visitor scans the poster's URL, leaves an
opinion with consent and a phone, gets the text (outbox), looks it up, rates the reply 不满意 with a
reason, and it is back in staff's queue as 重新办理; the public account pages on the same phone.

Screenshots of every new page go to test-results/screenshots/ and, when the folder exists, to
/work/notes/shots-public18/ for review."""
import os
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from liaison.clock import Month, local_today
from liaison.network.models import OpeningHours, StationKind
from liaison.notifications.models import Delivery, Message
from liaison.opinions import operations
from liaison.opinions.models import Opinion, Status
from liaison.rota.models import AssignmentStatus, RotaMonth, RotaStatus, Slot, SlotAssignment
from tests import factories
from tests.conftest import sign_in_page

PHONE, PHONE_DIGITS = "139 0000 0001", "13900000001"
SHOTS = "/work/notes/shots-public18"


@pytest.fixture()
def shot(page, screenshot):
    """``shot(name)``: the usual screenshot, and a full-page copy for review when the folder exists."""
    def take(name):
        screenshot(name)
        if os.path.isdir(SHOTS):
            page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    return take


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture()
def place(db):
    """城关镇 with 城关第一联络站 (two deputies, hours on Saturdays, this month's rota published)."""
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2099, 12, 31))
    town = factories.make_township(name="城关镇")
    district = factories.make_district(term=term, township=town, name="城关第一选区")
    station = factories.make_station(township=town, name="城关第一联络站", electoral_district=district,
                                     address="人民路 1 号")
    home = factories.make_station(township=town, kind=StationKind.home, name="城关镇代表之家")
    city = factories.make_term(name="市第十五届", level=factories.Level.municipal, ordinal=15,
                               start_date=date(2022, 1, 1), end_date=date(2099, 12, 31))
    li = factories.make_deputy(name="李明")
    factories.make_mandate(deputy=li, term=term, township=town, station=station, home=home)
    factories.make_mandate(deputy=li, term=city, township=town, station=station, home=home)
    zhou = factories.make_deputy(name="周红")
    factories.make_mandate(deputy=zhou, term=term, township=town, station=station, home=home)
    db.session.add(OpeningHours(station=station, weekday=5, opens=time(9, 0), closes=time(11, 30)))
    month = Month.of(local_today())
    rota = RotaMonth(township_id=town.id, year=month.first.year, month=month.first.month,
                     status=RotaStatus.published, published_at=datetime.now(timezone.utc))
    db.session.add(rota)
    day = month.first
    while day <= month.last:
        if day.weekday() == 5:
            slot = Slot(rota_month=rota, station=station, local_date=day, starts=time(9, 0),
                        ends=time(11, 30), theme="听取群众意见" if day.day <= 7 else "")
            db.session.add(slot)
            for deputy in (li, zhou):
                db.session.add(SlotAssignment(slot=slot, deputy=deputy, status=AssignmentStatus.assigned))
        day += timedelta(days=1)
    staff = factories.make_user(roles={factories.Role.township_staff}, townships=[town], name="城关专干")
    db.session.commit()
    station.rota_month_id = rota.id  # for the notice's screenshot
    return station, staff


def _texts_to(db, phone):
    """Texts to a constituent's number in the outbox; the read transaction ends at once (SQLite: the
    server thread must be able to write)."""
    db.session.expire_all()
    rows = db.session.execute(sa.select(Message.subject, Message.body).join(Delivery)
                              .where(Message.user_id.is_(None), Delivery.address == phone)
                              .order_by(Message.id)).all()
    db.session.commit()
    return rows


@pytest.mark.browser
def test_poster_to_opinion_to_text_to_lookup_to_reopened(db, place, live_server, page, shot):
    """The whole constituent's path on a phone, and staff find it reopened with the reason."""
    station, staff = place
    code, staff_mobile, station_id, rota_id = station.code, staff.mobile, station.id, station.rota_month_id
    db.session.commit()

    page.goto(f"{live_server}/s/{code}")  # the URL printed on the poster
    main = page.inner_text("main")
    assert "城关第一联络站" in main and "服务城关镇城关第一选区的选民" in main
    assert "李明" in main and "市人大代表、区人大代表" in main and "周红" in main
    assert "周六 09:00–11:30" in main.replace("-", "–") or "周六" in main
    assert page.is_visible("#leave-opinion") and page.is_visible("#lookup-opinion")
    assert page.inner_text("#deputy-door") == "我是代表，登录签到"
    assert "登录后签到" not in main and _fits(page)
    door = page.locator("#leave-opinion").bounding_box()
    assert door["height"] >= 48 and door["width"] >= 300  # a big door on a 390 px screen
    shot("01-station-public-page")

    page.click("#leave-opinion")
    page.select_option("#category", "transport")
    page.fill("#content", "人民路口红绿灯时间太短，\n老人过马路来不及。")
    page.fill("#phone", PHONE)
    assert not page.is_checked("#phone_consent")
    page.click("#opinion-form button[type=submit]")  # a number without the tick is asked about
    page.wait_for_load_state()
    assert "请勾选" in page.inner_text("#opinion-form")
    page.check("#phone_consent")
    assert _fits(page)
    shot("02-leave-form-consent")
    page.click("#opinion-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/o/[A-Z0-9]{8}/received$"))
    grouped = page.inner_text("#lookup-number").strip()
    number = grouped.replace("-", "")
    shot("03-received")

    [(subject, body)] = _texts_to(db, PHONE_DIGITS)
    assert subject == "您的意见已登记" and grouped in body and "红绿灯" not in body

    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.number == number))
    operations.record_reply(opinion, "已请交警部门把绿灯延长到 40 秒。", staff)
    db.session.commit()
    assert [s for s, _b in _texts_to(db, PHONE_DIGITS)] == ["您的意见已登记", "您的意见已答复"]

    page.goto(f"{live_server}/s/{code}")
    page.click("#lookup-opinion")
    page.fill("#number", grouped.lower())
    page.click("#lookup-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/o/{number}$"))
    assert "40 秒" in page.inner_text("#reply") and PHONE_DIGITS not in page.content()
    page.check("input[name=satisfaction][value=unsatisfied]")
    page.fill("#comment", "今天去看了，绿灯还是 20 秒。")
    shot("04-track-rate-unsatisfied")
    page.click("#rating-form button[type=submit]")
    page.wait_for_load_state()
    assert "重新办理" in page.inner_text("main")
    assert _fits(page)
    shot("05-track-reopened")

    db.session.expire_all()
    opinion = db.session.get(Opinion, opinion.id)
    assert opinion.status is Status.reopened and opinion.reopen_reason == "今天去看了，绿灯还是 20 秒。"
    db.session.commit()

    page.context.clear_cookies()
    sign_in_page(page, live_server, staff_mobile)
    page.goto(f"{live_server}/opinions")
    queue = page.inner_text("#queue")
    assert grouped in queue and "重新办理" in queue
    shot("06-staff-queue-reopened")
    page.click(f"text={grouped}")
    assert "绿灯还是 20 秒" in page.inner_text("#reopened")
    shot("07-staff-opinion-reopened")
    page.goto(f"{live_server}/stations/{station_id}/poster")
    shot("08-poster")
    page.goto(f"{live_server}/rota/{rota_id}/notice")
    assert "选民扫码留言 · 代表扫码签到" in page.inner_text("#notice-codes")
    shot("13-rota-notice")


@pytest.mark.browser
def test_the_deputy_door_and_the_public_account_pages_on_a_phone(db, place, live_server, page, shot):
    """The small 我是代表 link leads to sign in and check in; the accountability pages fit a phone."""
    from tests.opinions.sample import make_opinion
    from liaison.opinions.models import Satisfaction

    station, _staff = place
    today = local_today()
    for n in range(6):  # enough replies at this station for its figures to be shown as numbers
        received = max(today - timedelta(days=n + 3), date(today.year, 1, 1))  # this year, even on 2 January
        make_opinion(station, received, Status.replied, registered_on=received, reply="已处理。",
                     replied_on=max(received, today - timedelta(days=n % 3)),
                     satisfaction=Satisfaction.satisfied if n < 5 else Satisfaction.unsatisfied)
    code, township_id = station.code, station.township_id
    db.session.commit()
    page.goto(f"{live_server}/s/{code}")
    page.click("#deputy-door")
    assert "登录后签到" in page.inner_text("main")
    shot("09-deputy-door")
    page.click("#public-door")  # a constituent who tapped it by mistake finds the way back
    assert page.is_visible("#leave-opinion")
    page.goto(f"{live_server}/s/{code}")
    page.click("#account-link")
    page.wait_for_url(re.compile(rf".*/p/{code}/account$"))
    figures = page.inner_text("#station-figures")
    assert "6件" in figures and "少于5件" not in figures.split("不满意退回重办")[0] and _fits(page)
    shot("10-account-station")
    page.goto(f"{live_server}/account/township/{township_id}")
    assert _fits(page)
    shot("11-account-township")
    page.goto(f"{live_server}/account")
    assert "城关镇" in page.inner_text("main") and _fits(page)
    shot("12-account-district")
