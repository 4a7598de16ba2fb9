"""Issue 17's "done when": a township staff member's month, walked at phone size (iPhone 13, zh-CN).

The committee imports a small roster made with the app's own roster workbook; the township's staff
print the activation slips (one slip's QR decoded, and that deputy activates on their own phone),
propose next month's rota and publish it; the committee records a placed deputy's early end (迁出):
the deputy leaves the published month with the reason shown, staff and the deputy are told (rule
R20); staff open this month's 进行中 list and remind one deputy (已提醒 1 次, rule R24), take an
activity's attendance from its paper sheet (tick many, save once, rule R26), and reject the pending
check-ins in one batch with a reason, which the deputy reads in their inbox (rule R23).

Each step's taps (clicks, fills, ticks, choices) are counted and printed; the screenshots go to
``$LIAISON_SCREENSHOTS`` (default ``test-results/screenshots/staff-month``).
"""
import io
import os
import re
from collections import OrderedDict
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from liaison.accounts.models import Role
from liaison.activities.models import ActivityType
from liaison.activities.operations import create_activity
from liaison.clock import local_today, to_local, utcnow
from liaison.deputies.models import Deputy, Mandate
from liaison.deputies.roster_book import network_names, write_roster_book
from liaison.network.models import OpeningHours, Station, StationKind
from liaison.notifications.models import Message
from stations.checkin.models import Checkin, Method, PendingReason, Status
from tests import factories
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser

#: The roster's six deputies of 城关镇 and their mobile numbers.
PEOPLE = OrderedDict((("李娜", "13912340001"), ("王磊", "13912340002"), ("张伟", "13912340003"),
                      ("刘洋", "13912340004"), ("陈静", "13912340005"), ("杨帆", "13912340006")))
#: The deputy who activates from a slip, and later reads why a check-in was rejected.
ACTIVATED = "李娜"
PASSWORD = "lantern-orchard-42"


class Walk:
    """Counts the taps of each step and takes its screenshots."""

    def __init__(self, folder):
        self.folder = folder
        self.taps = OrderedDict()
        self.step = None
        os.makedirs(folder, exist_ok=True)

    def begin(self, step):
        self.step = step
        self.taps.setdefault(step, 0)

    def tap(self, locator, action="click", *args):
        """A finger on the screen: click, fill, check, select_option or set_input_files."""
        self.taps[self.step] += 1
        return getattr(locator, action)(*args)

    def shot(self, page, name):
        page.screenshot(path=os.path.join(self.folder, f"{len(os.listdir(self.folder)):02d}-{name}.png"),
                        full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], (
            f"{name}: the page is wider than the phone")

    def report(self):
        lines = [f"{step}: {n} taps" for step, n in self.taps.items()]
        with open(os.path.join(self.folder, "taps.txt"), "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        print("\n" + "\n".join(lines))


def _hours(*weekdays, opens=time(9), closes=time(11, 30)):
    return [OpeningHours(weekday=day, opens=opens, closes=closes) for day in weekdays]


def _build(db):
    """城关镇 with a 联络站 open on weekday mornings and a home; 区第八届 (end provisional); the
    committee and the township's staff. The deputies come from the roster, in the test."""
    term = factories.make_term(name="区第八届", start_date=date(2024, 1, 1), end_date=date(2028, 12, 31),
                               end_provisional=True)
    town = factories.make_township(name="城关镇")
    district = factories.make_district(term=term, township=town, name="第一选区")
    station = factories.make_station(town, name="城关第一联络站", electoral_district=district,
                                     opening_hours=_hours(0, 1, 2, 3, 4))
    home = factories.make_station(town, kind=StationKind.home, name="城关镇代表之家",
                                  opening_hours=_hours(1, 3))
    committee = factories.make_user(roles=(Role.committee,), name="区人大代表工委")
    staff = factories.make_user(roles=(Role.township_staff,), townships=[town], name="城关镇专干")
    db.session.flush()
    return SimpleNamespace(station_id=station.id, home_id=home.id, committee=committee.mobile,
                           staff=staff.mobile)


def _roster():
    """The roster workbook (the app's own layout, drop-downs and all) with the six deputies."""
    rows = [[name, "女" if n % 2 == 0 else "男", "汉族", mobile, "区", "第八届", "城关镇", "第一选区",
             "城关第一联络站", "城关镇代表之家", date(2024, 1, 1), None, ""]
            for n, (name, mobile) in enumerate(PEOPLE.items())]
    return write_roster_book(rows, "城关镇区人大代表名单", network_names())


def _after_import(db, world):
    """What happened off the screen since the import: an activity earlier today at the home, and three
    deputies' poster scans from home (outside the fence), pending. Returns the activity's id."""
    deputies = {d.name: d for d in db.session.scalars(sa.select(Deputy))}
    home, station = db.session.get(Station, world.home_id), db.session.get(Station, world.station_id)
    now = to_local(utcnow())
    start = now - timedelta(hours=1)
    if start.date() != now.date():
        start = datetime.combine(now.date(), time(0, 0), now.tzinfo)
    ends = min(start + timedelta(hours=2), datetime.combine(start.date(), time(23, 59), now.tzinfo))
    activity = create_activity(home, start.date(), start.time().replace(second=0, microsecond=0),
                               ends.time().replace(second=0, microsecond=0), ActivityType.study,
                               "学习代表法", [deputies[n] for n in ("李娜", "王磊", "张伟")], notify=False)
    for n, name in enumerate((ACTIVATED, "王磊", "张伟")):
        factories.make_checkin(deputies[name], station, utcnow() - timedelta(minutes=10 + n),
                               status=Status.pending, method=Method.poster,
                               pending_reason=PendingReason.outside_fence, inside_fence=False, accuracy_m=40)
    db.session.commit()
    activity_id = activity.id
    db.session.close()
    return activity_id


def test_a_township_staff_members_month_on_a_phone(live_server, db, app, page, browser, browser_context_args,
                                                    tmp_path, request, monkeypatch):
    folder = os.environ.get("LIAISON_SCREENSHOTS") or os.path.join(
        str(request.config.rootpath), "test-results", "screenshots", "staff-month")
    monkeypatch.setitem(app.config, "LIAISON_IMPORT_FOLDER", str(tmp_path / "imports"))
    walk = Walk(folder)
    world = _build(db)
    roster = tmp_path / "城关镇代表名单.xlsx"
    roster.write_bytes(_roster())
    db.session.commit()
    db.session.close()
    today = local_today()

    # --- 1. The roster import (the committee's page; township staff send them the file) -----------
    walk.begin("1 导入名单")
    committee = browser.new_context(**browser_context_args)
    office = committee.new_page()
    sign_in_page(office, live_server, world.committee)
    office.goto(f"{live_server}/imports/roster")
    walk.tap(office.locator("#file"), "set_input_files", str(roster))
    walk.tap(office.locator("form.busy-form button[type=submit]"))
    office.wait_for_selector("text=检查通过")
    assert "新增 6 人" in office.inner_text("main")
    walk.shot(office, "import-check")
    walk.tap(office.locator("text=确认导入"))
    office.wait_for_selector("text=名单已导入")
    assert "本次导入新增 6 人" in office.inner_text("main")
    walk.shot(office, "import-done")

    activity_id = _after_import(db, world)

    # --- 2. Bulk activation: one sheet of slips; a deputy activates from theirs ---------------------
    walk.begin("2 批量激活")
    sign_in_page(page, live_server, world.staff)
    page.goto(f"{live_server}/deputies")
    walk.tap(page.locator("#bulk-activation"))
    page.wait_for_url("**/users/activation")
    assert page.locator("#awaiting input[name=ids]").count() == 6
    walk.shot(page, "activation-list")
    walk.tap(page.locator("#select-all"), "check")
    walk.tap(page.locator("#print-slips"))
    page.wait_for_selector(".slip")
    assert page.locator(".slip").count() == 6
    walk.shot(page, "activation-sheet")
    slip = page.locator(".slip", has_text=ACTIVATED)
    assert "139****0001" in slip.inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 前有效", slip.inner_text()), "when it stops"
    link = zxingcpp.read_barcodes(Image.open(io.BytesIO(slip.locator(".qr").screenshot())))[0].text
    assert link.startswith("http://liaison.test/activate/")
    own_phone = browser.new_context(**browser_context_args)
    deputy = own_phone.new_page()
    deputy.goto(link.replace("http://liaison.test", live_server))
    deputy.fill("#mobile", PEOPLE[ACTIVATED])
    deputy.fill("#password", PASSWORD)
    deputy.fill("#confirm", PASSWORD)
    deputy.click("button[type=submit]")
    deputy.wait_for_url(f"{live_server}/")
    assert ACTIVATED in deputy.inner_text("main")

    # --- 3. Propose next month ---------------------------------------------------------------------
    walk.begin("3 生成下月排班")
    page.goto(f"{live_server}/rota")
    walk.tap(page.locator("#propose button[type=submit]"))
    page.wait_for_url(re.compile(r".*/rota/\d+$"))
    main = page.inner_text("main")
    assert "已生成排班建议" in main, main[:600]
    walk.shot(page, "rota-proposed")
    month_url = page.url

    # --- 4. Publish --------------------------------------------------------------------------------
    walk.begin("4 公示")
    walk.tap(page.locator("form", has=page.locator("button", has_text="公示并通知代表")).locator("button"))
    page.wait_for_load_state()
    assert "已公示" in page.inner_text("main")
    walk.shot(page, "rota-published")
    placed = [name.strip() for name in page.locator(".assignment > span:first-child").all_inner_texts()]
    leaving = next(name for name in PEOPLE if name in placed and name != ACTIVATED)

    # --- 5. The committee records the early end of a placed deputy's mandate ------------------------
    walk.begin("5 代表资格终止（常委会）")
    mandate_id = db.session.scalar(sa.select(Mandate.id).join(Deputy).where(Deputy.name == leaving))
    deputy_id = db.session.scalar(sa.select(Deputy.id).where(Deputy.name == leaving))
    db.session.close()
    office.goto(f"{live_server}/deputies/{deputy_id}")
    walk.tap(office.locator(f"a[href='/mandates/{mandate_id}/end']"))
    walk.tap(office.locator("#end_date"), "fill", today.isoformat())
    walk.tap(office.locator("#end_reason"), "select_option", "moved_away")
    walk.shot(office, "mandate-end-form")
    walk.tap(office.locator("button[type=submit]", has_text="保存"))
    office.wait_for_selector("text=代表资格终止情况已保存")
    committee.close()

    # --- 6. Staff see who left the published month, and why; they and the deputy were told ----------
    walk.begin("6 排班移出（查看）")
    page.goto(month_url)
    removed = page.locator("#removed").inner_text()
    assert leaving in removed and "迁出或调离本行政区域" in removed and "接待时段移出" in removed
    slot = page.locator(".slot", has=page.locator(".assignment", has_text=leaving))
    assert "已移出" in slot.inner_text() and "0 / 3 人" in slot.inner_text()
    walk.shot(page, "rota-removed")
    page.goto(f"{live_server}/inbox")
    assert f"{leaving} 已从排班中移出" in page.inner_text("main")
    walk.shot(page, "staff-inbox-removed")
    told = db.session.scalars(sa.select(Message).where(Message.kind == "rota_changed")).all()
    assert [m.user.deputy.name for m in told] == [leaving]
    assert "迁出或调离本行政区域" in told[0].body
    code = db.session.scalar(sa.select(Station.code).where(Station.id == world.station_id))
    db.session.close()
    # The public page of the station (anyone, no sign-in) no longer announces them.
    visitor = browser.new_context(**browser_context_args)
    public = visitor.new_page()
    public.goto(f"{live_server}/p/{code}")
    listed = {n for names in public.locator(".public-names").all_inner_texts() for n in names.split("、")}
    assert listed and leaving not in listed, listed
    walk.shot(public, "public-page")
    visitor.close()

    # --- 7. Who has not come this month ------------------------------------------------------------
    walk.begin("7 本月谁还没进站")
    page.goto(f"{live_server}/")
    walk.tap(page.locator("#missing-links").get_by_role("link", name="本月谁还没进站"))
    page.wait_for_url("**/dashboard/people?**")
    names = {t.strip() for t in page.locator("#missing .missing-person .fw-bold").all_inner_texts()}
    assert set(PEOPLE) - {leaving} <= names, names
    walk.shot(page, "missing-list")

    # --- 8. Remind the one selected ----------------------------------------------------------------
    walk.begin("8 提醒所选代表")
    person = page.locator("#missing .missing-person", has_text=ACTIVATED)
    walk.tap(person.locator("input[name=ids]"), "check")
    walk.tap(page.locator("#remind-button"))
    page.wait_for_selector(".alert-success")
    assert page.locator("#missing .missing-person", has_text=ACTIVATED).locator(".reminded").inner_text() \
        == "已提醒 1 次"
    assert page.locator("#missing .reminded").count() == 1
    walk.shot(page, "reminded")

    # --- 9. The activity's paper sign-in sheet: tick many, save once -------------------------------
    walk.begin("9 活动纸质签到表")
    page.goto(f"{live_server}/rota/activities/{activity_id}")
    offered = {t.strip() for t in page.locator("#sheet li").all_inner_texts()}
    assert not any(leaving in t for t in offered), "the deputy who left is not on today's sheet"
    # The select-all row sits above the list, which keeps the page's full width (it used to wrap
    # beside the floated 44 px box, indented by its width).
    select_all, sheet = page.locator("#select-all").bounding_box(), page.locator("#sheet").bounding_box()
    assert sheet["y"] >= select_all["y"] + select_all["height"] and sheet["x"] <= select_all["x"] + 1
    came = [name for name in PEOPLE if name != leaving][:4]
    for name in came:
        walk.tap(page.locator("#sheet li", has_text=name).locator("input[name=deputy_ids]"), "check")
    walk.shot(page, "sheet-ticked")
    walk.tap(page.locator("#save-attendance"))
    page.wait_for_selector(".alert-success")
    assert f"已登记 {len(came)} 位代表出席" in page.inner_text("main")
    walk.shot(page, "sheet-saved")

    # --- 10. The pending queue: select all, reject with a reason ------------------------------------
    walk.begin("10 待核实：全选驳回")
    page.goto(f"{live_server}/checkins/pending")
    assert page.locator("input[name=ids]").count() == 3
    walk.tap(page.locator("#select-all"), "check")
    walk.tap(page.locator("#reason"), "select_option", "no_record")
    walk.shot(page, "pending-ticked")
    walk.tap(page.locator("button[name=action][value=reject]"))
    page.wait_for_selector(".alert-success")
    assert "已驳回 3 条签到，代表已收到驳回原因" in page.inner_text("main")
    walk.shot(page, "pending-rejected")
    rejected = sa.select(sa.func.count(Checkin.id)).where(Checkin.status == Status.rejected)
    assert db.session.scalar(rejected) == 3
    db.session.close()

    # --- 11. The deputy reads why, in their inbox --------------------------------------------------
    walk.begin("11 代表收件箱（代表）")
    deputy.goto(f"{live_server}/inbox")
    inbox = deputy.inner_text("main")
    assert "签到未通过核实" in inbox and "纸质签到簿或现场无此记录" in inbox
    walk.shot(deputy, "deputy-inbox")
    own_phone.close()
    walk.report()
