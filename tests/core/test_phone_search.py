"""Searching by phone finds only what staff already see (158****4917) or the whole number: no run of
searches rebuilds a masked number; the deputy edit form masks it too and reveals it only audited."""
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from liaison.accounts.models import User
from liaison.audit.models import AuditEvent
from liaison.deputies.models import Deputy
from liaison.extensions import db as _db
from liaison.notifications.operations import send
from tests import factories
from tests.conftest import sign_in_page

MOBILE, SHOWN, NAME = "15812344917", "158****4917", "郝秀梅"

#: What staff see of the number, typed as shown, and the whole number: each finds the person.
VISIBLE = ["158", "15", "4917", "917", "158****", "158****491", "****4917", "158****4917", "158 **** 4917",
           "158＊＊＊＊4917", MOBILE, "+86 158-1234-4917"]

#: Digits that include the hidden middle (1234): none finds the person, so none confirms a guess.
HIDDEN = ["1234", "5812", "8123", "1581", "15812", "12344", "2344917", "581234491", "1581234491", "158*2344917",
          "158*1234*4917"]

#: Every list that searches by phone number, as committee staff open it.
LISTS = {
    "deputies": "/deputies?q={q}",
    "report-picker": "/reports/new?q={q}",
    "exemption-picker": "/reports/exemptions/new?q={q}",
    "accounts": "/users?q={q}",
    "sms-outbox": "/notifications/outbox?q={q}",
}


@pytest.fixture()
def person(db, login_as):
    """郝秀梅 with a current mandate, her account, and one text in the SMS outbox; committee signed in."""
    deputy = factories.make_deputy(name=NAME, mobile=MOBILE)
    factories.make_mandate(deputy=deputy)
    account = factories.make_user(roles={"deputy"}, deputy=deputy)
    send(account, "本月尚未进站", "请签到。", kind="test")
    login_as("committee")
    return deputy


def _found(client, url, q):
    """Whether the list found 郝秀梅 for ``q`` (her name or her masked number on the page)."""
    page = client.get(url.format(q=quote(q))).get_data(as_text=True)
    if MOBILE not in re.sub(r"\D", "", q):  # the search box shows what was typed
        assert MOBILE not in page
    return NAME in page or SHOWN in page


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_phone_search_finds_what_is_shown_or_the_whole_number(client, person, url):
    """The first three digits, the last four, the masked form as shown and the whole number all find her."""
    missed = [q for q in VISIBLE if not _found(client, url, q)]
    assert not missed


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_phone_search_never_matches_hidden_digits(client, person, url):
    """Digits from the masked middle find nothing: about 25 searches used to rebuild the number with no
    reveal in the audit trail; now a guess at a hidden digit is never confirmed."""
    confirmed = [q for q in HIDDEN if _found(client, url, q)]
    assert not confirmed
    assert not _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mobile.revealed")).all()


# --- the committee's edit form -----------------------------------------------------------------

def _person_form(**kw):
    """The deputy form as a browser sends it, with the number field as shown unless overridden."""
    data = {"name": NAME, "gender": "female", "ethnicity": "汉族", "mobile": SHOWN}
    data.update(kw)
    return data


def test_edit_form_shows_the_number_masked_with_an_audited_reveal(client, person):
    """The edit form fills the number in masked; its reveal button posts to the audited reveal,
    which shows the full number once, records it, and leads back to the form."""
    page = client.get(f"/deputies/{person.id}/edit").get_data(as_text=True)
    assert f'value="{SHOWN}"' in page and MOBILE not in page
    reveal = re.search(r'<form method="post" action="([^"]+)" id="reveal-mobile">', page)
    assert reveal and 'form="reveal-mobile"' in page
    next_url = re.search(r'id="reveal-mobile">.*?name="next" value="([^"]+)"', page, re.S)[1]
    revealed = client.post(reveal[1], data={"next": next_url}).get_data(as_text=True)
    assert MOBILE in revealed and f'href="/deputies/{person.id}/edit"' in revealed
    events = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mobile.revealed")).all()
    assert len(events) == 1 and MOBILE not in events[0].detail and SHOWN in events[0].detail


def test_saving_the_edit_form_with_the_masked_number_keeps_the_number(client, person):
    """Correcting only the name sends the masked number back unchanged: the stored number and the
    account's sign-in number stay as they were."""
    response = client.post(f"/deputies/{person.id}/edit", data=_person_form(name="郝秀梅娟"))
    assert response.status_code == 302
    _db.session.expire_all()
    deputy = _db.session.get(Deputy, person.id)
    assert (deputy.name, deputy.mobile) == ("郝秀梅娟", MOBILE)
    assert _db.session.scalar(sa.select(User.mobile).where(User.deputy_id == person.id)) == MOBILE


def test_typing_a_new_full_number_in_the_edit_form_changes_it(client, person):
    """A whole new number replaces the old one, on the deputy and on the account."""
    response = client.post(f"/deputies/{person.id}/edit", data=_person_form(mobile="159 0000 1111"))
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Deputy, person.id).mobile == "15900001111"
    assert _db.session.scalar(sa.select(User.mobile).where(User.deputy_id == person.id)) == "15900001111"


def test_a_changed_masked_number_is_refused_not_guessed(client, person):
    """Editing the visible digits of the masked number is not a number: refused, nothing changes,
    and the page sends back what was typed, not the stored number."""
    response = client.post(f"/deputies/{person.id}/edit", data=_person_form(mobile="159****4917"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "159****4917" in page and MOBILE not in page
    _db.session.expire_all()
    assert _db.session.get(Deputy, person.id).mobile == MOBILE


def test_a_form_sent_back_with_an_error_keeps_the_number_masked(client, person):
    """A missing name sends the form back: the number field still shows only the masked number."""
    page = client.post(f"/deputies/{person.id}/edit", data=_person_form(name="")).get_data(as_text=True)
    assert "请填写代表姓名" in page and f'value="{SHOWN}"' in page and MOBILE not in page


@pytest.mark.browser
def test_edit_form_reveal_and_save_in_a_browser(db, live_server, page):
    """In Chromium: the reveal button inside the edit form shows the full number and leads back;
    saving the form as it came keeps the number."""
    deputy = factories.make_deputy(name=NAME, mobile=MOBILE)
    user = factories.make_user(roles={"committee"})
    deputy_id, mobile = deputy.id, user.mobile
    db.session.commit()

    sign_in_page(page, live_server, mobile)
    page.goto(f"{live_server}/deputies/{deputy_id}/edit")
    assert page.input_value("#mobile") == SHOWN
    page.get_by_role("button", name="查看完整号码").click()
    page.wait_for_url(f"{live_server}/deputies/{deputy_id}/mobile")
    assert MOBILE in page.inner_text("main")
    page.get_by_role("link", name="返回修改代表信息").click()
    page.wait_for_url(f"{live_server}/deputies/{deputy_id}/edit")
    page.fill("#name", "郝秀梅娟")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server}/deputies/{deputy_id}")
    db.session.expire_all()
    assert (db.session.get(Deputy, deputy_id).name, db.session.get(Deputy, deputy_id).mobile) == ("郝秀梅娟", MOBILE)
