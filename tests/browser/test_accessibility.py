"""Every page each demo role (and an anonymous visitor) can reach passes axe-core with no serious or
critical violation, at phone (390×844) and desktop (1366×768) size; the menu and the forms' buttons
are touch-sized on a phone; no short label breaks into one character per line (issue 17 §5).

axe-core is vendored under tests/browser/vendor (see its README) and injected by Playwright in a
context with ``bypass_csp=True``: the app's Content-Security-Policy is never loosened for it.
One app server, one seeded demo district and one browser serve the whole module."""
import os
import re
import time
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from liaison.extensions import db as _db
from liaison.network.models import Station

pytestmark = pytest.mark.browser

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")
DEMO_PASSWORD = "liaison-demo"
ROLES = {"committee": "13900000001", "township_staff": "13900000002", "deputy": "13900000003", "anonymous": None}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
#: Pages of one shape (/deputies/12, /deputies/13 …) are checked once; a walk stops here (the demo
#: committee reaches 64 shapes, township staff 35, a deputy 11).
MAX_PAGES = 80
#: Links that are files, not pages (exports, posters, photos, attachments, bulletins).
SKIPPED = re.compile(r"\.(xlsx|png|svg|pdf|docx|csv|zip)$|/photo$|/attachment$|/dashboard/bulletins/[^/]+$"
                     r"|/template\.xlsx$|/logout")
#: Screenshots of the menus, to look at.
SHOTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "test-results", "screenshots")
#: Reports that fail the test.
BLOCKING = {"serious", "critical"}

#: Each leaf element whose text (2–12 characters) is laid out one character per line.
ONE_CHAR_PER_LINE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    if (el.children.length || !el.offsetParent || el.closest('[aria-hidden="true"]')) continue;
    const text = (el.textContent || '').trim();
    if (text.length < 2 || text.length > 12) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size >= 2 && tops.size >= [...text.replace(/\\s/g, '')].length) bad.push(text);
  }
  return bad;
}"""

#: Visible menu entries, and buttons of forms in the page, smaller than 44 px.
SMALL_TARGETS = """(checkForms) => {
  const small = [];
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const check = (el, where) => {
    const r = el.getBoundingClientRect();
    if (visible(el) && (r.height < 43.5 || r.width < 43.5)) small.push(`${where}: ${el.textContent.trim().slice(0, 20) || el.outerHTML.slice(0, 60)} (${Math.round(r.width)}×${Math.round(r.height)})`);
  };
  document.querySelectorAll('.site-head a, .site-head summary, .site-head button').forEach(el => check(el, 'menu'));
  if (checkForms) document.querySelectorAll('main form button, main form input[type=submit], main form .btn').forEach(el => check(el, 'form'));
  return small;
}"""


@pytest.fixture(scope="module")
def demo(app, live_server):
    """The `liaison seed demo` district, once for the module; emptied afterwards like the db fixture."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
        code = _db.session.scalar(sa.select(Station.code).order_by(Station.id))
        _db.session.commit()
        _db.session.remove()
    yield {"station_code": code}
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


def _shape(path):
    """/deputies/12/edit → /deputies/N/edit: pages of one shape are checked once."""
    return re.sub(r"/\d+", "/N", re.sub(r"/s/[^/]+|/p/[^/]+|/o/[^/]+", lambda m: m.group(0)[:3] + "X", path))


def _walk(page, base, starts):
    """Breadth-first over the app's links from ``starts`` (GET only, one page per shape)."""
    queue, seen, visited = deque(starts), {_shape(s) for s in starts}, []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append((path, response.status))
        for href in page.eval_on_selector_all("a[href]:not([download])", "els => els.map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(base + path, href))
            if f"{url.scheme}://{url.netloc}" != base or SKIPPED.search(url.path):
                continue
            if url.path.startswith(("/static/", "/bootstrap/")):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if _shape(url.path) not in seen:
                seen.add(_shape(url.path))
                queue.append(target)
        yield path


def _check(page, path, size, problems):
    """axe, one character per line, touch targets: the page as it is laid out at ``size`` (axe is
    already in the page)."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            problems.append(f"{size} {path}: {violation['impact']} {violation['id']} — {violation['help']} {targets}")
    for text in page.evaluate(ONE_CHAR_PER_LINE):
        problems.append(f"{size} {path}: one character per line: {text!r}")
    for target in page.evaluate(SMALL_TARGETS, size == "phone"):
        problems.append(f"{size} {path}: touch target under 44 px: {target}")


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page_passes_axe(browser, live_server, demo, role):
    """Walk every page the role reaches from its start page; at phone and at desktop size none has a
    serious or critical axe violation or lays a short label out one character per line, and on a
    phone the menu and the forms' buttons are at least 44 px."""
    started = time.monotonic()
    # One context per role; each page is loaded once at phone size, checked, widened and checked again.
    context = browser.new_context(viewport=SIZES["phone"], locale="zh-CN", timezone_id="Asia/Shanghai",
                                  bypass_csp=True)
    page = context.new_page()
    problems, pages = [], 0
    try:
        if ROLES[role]:
            page.goto(f"{live_server}/login")
            page.fill("#mobile", ROLES[role])
            page.fill("#password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server}/")
            starts = ["/"]
        else:
            code = demo["station_code"]
            starts = ["/login", "/o", f"/p/{code}", f"/p/{code}/opinion", f"/s/{code}"]
        for path in _walk(page, live_server, starts):
            pages += 1
            # Once per page: resizing the window keeps the script (it is 650 kB to parse).
            page.add_script_tag(path=AXE)
            _check(page, path, "phone", problems)
            page.set_viewport_size(SIZES["desktop"])
            _check(page, path, "desktop", problems)
            page.set_viewport_size(SIZES["phone"])
    finally:
        context.close()
    print(f"{role}: {pages} pages at two sizes in {time.monotonic() - started:.1f} s")
    assert pages >= (3 if role == "anonymous" else 4)
    assert not problems, "\n".join(problems)


#: Visible menu entries laid out on more than one line (a label broken into pieces).
BROKEN_MENU_LABELS = """() => [...document.querySelectorAll('.site-head summary, .site-head a, .site-head button')]
  .filter(el => el.offsetParent && el.getBoundingClientRect().height > 48)
  .map(el => `${el.textContent.trim()} (${Math.round(el.getBoundingClientRect().height)} px)`)"""


@pytest.mark.parametrize("width", [390, 768, 1366])
@pytest.mark.parametrize("role", ["committee", "township_staff", "deputy"])
def test_the_menu_groups_fit_on_one_line_at_every_width(browser, live_server, demo, role, width):
    """The same menu groups at 390, 768 and 1366 px (behind one 菜单 button below 992 px); every group
    opens, no label takes more than one line; the name opens 我的履职 (deputies) / 修改密码 / 退出."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#mobile", ROLES[role])
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        button = page.locator(".menu-all > summary")
        assert button.is_visible() == (width < 992)
        if width < 992:
            button.click()
        groups = page.locator(".menu-bar .menu-drop > summary")
        labels = groups.all_inner_texts()
        expected = {"committee": ["网络", "代表", "排班", "述职与统计", "民意", "系统"],
                    "township_staff": ["网络", "代表", "排班", "述职与统计", "民意", "系统"],
                    "deputy": ["我的"]}[role]
        assert [label.strip() for label in labels] == expected
        for i in range(groups.count()):
            groups.nth(i).click()
            entries = page.locator(".menu-bar .menu-drop[open] .menu-list a")
            assert entries.count() >= 1 and entries.first.is_visible()
            assert page.evaluate(BROKEN_MENU_LABELS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator(".menu-user > summary").click()
        items = [t.strip() for t in page.locator(".menu-user .menu-list").inner_text().split("\n") if t.strip()]
        assert items == (["我的履职", "修改密码", "退出"] if role == "deputy" else ["修改密码", "退出"])
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"menu-{role}-{width}.png"))
    finally:
        context.close()


def test_the_menu_works_without_script(browser, live_server, demo):
    """With JavaScript off (or not yet loaded) the <details> menus still open at a desktop width."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#mobile", ROLES["township_staff"])
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        if page.locator(".menu-all > summary").is_visible():
            page.click(".menu-all > summary")
        page.click("text=排班")
        page.locator(".menu-drop[open] .menu-list a", has_text="请假与换班").click()
        page.wait_for_url(f"{live_server}/rota/requests")
    finally:
        context.close()
