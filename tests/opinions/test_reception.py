"""接待登记: the deputy on duty or staff record what a constituent raised during a reception."""
import re
from datetime import date

from liaison.accounts.models import Role
from liaison.clock import utcnow
from liaison.deputies.models import EndReason
from liaison.opinions.models import Channel, Handling, Status
from tests import factories
from tests.core.test_translations import compiled_catalog  # noqa: F401  (the fixture)
from tests.opinions.conftest import PHONE_DIGITS, PHONE_MASKED, opinions, sign_in_as


def _record(client, station, **fields):
    data = {"station_id": str(station.id), "category": "social_security",
            "content": "村里独居老人希望增加上门助餐服务。", "name": "王阿姨", "phone": PHONE_DIGITS,
            "phone_consent": "y"}
    data.update(fields)
    return client.post("/opinions/record", data=data)


def test_a_deputy_records_a_reception(client, db, net):
    """Recorded by the deputy: channel reception, received by them, waiting for staff to register;
    their own list shows it with the phone masked."""
    sign_in_as(client, net.deputy_user)
    form = client.get("/opinions/record").get_data(as_text=True)
    assert "东升联络站" in form and "河口联络站" not in form
    assert _record(client, net.station).status_code == 302
    [opinion] = opinions(db)
    assert opinion.channel is Channel.reception and opinion.status is Status.received
    assert (opinion.deputy_id, opinion.recorded_by_id) == (net.deputy.id, net.deputy_user.id)
    mine = client.get("/my/opinions").get_data(as_text=True)
    assert opinion.grouped_number in mine and PHONE_MASKED in mine and PHONE_DIGITS not in mine
    assert "已保存，待工作人员登记" in mine  # not "已登记": staff have yet to register it


def test_the_reception_form_speaks_of_the_constituent(client, db, net):
    """The hints address the deputy typing, and the browser is told not to fill in the typist's own
    name and number where the constituent's belong."""
    sign_in_as(client, net.deputy_user)
    form = client.get("/opinions/record").get_data(as_text=True)
    assert "请写清群众反映的事情、地点和诉求" in form and "您的诉求" not in form
    assert "留下号码便于工作人员联系您" not in form
    for field in ("name", "phone"):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', form).group(0)
        assert 'autocomplete="off"' in tag


def test_a_deputy_cannot_record_at_another_townships_station(client, db, net):
    """A station outside the townships of the deputy's mandates is refused."""
    sign_in_as(client, net.deputy_user)
    response = _record(client, net.other_station)
    assert response.status_code == 400 and "请从列表中选择接待的家站" in response.get_data(as_text=True)
    assert opinions(db) == []


def test_a_deputy_without_a_mandate_in_force_is_told_so(client, db, net):
    """A deputy whose mandate ended sees why they cannot record."""
    ended = factories.make_deputy(name="赵强")
    factories.make_mandate(deputy=ended, term=net.term, township=net.anping, start_date=date(2022, 1, 1),
                           end_date=date(2023, 1, 1), end_reason=EndReason.resigned)
    user = factories.make_user(roles={Role.deputy}, deputy=ended)
    db.session.commit()
    sign_in_as(client, user)
    assert "没有可以登记的家站" in client.get("/opinions/record").get_data(as_text=True)


def test_staff_record_with_an_answer_on_the_spot(client, db, net):
    """Recorded by staff naming the deputy who received it: registered at once, and closed by the
    answer given on the spot."""
    sign_in_as(client, net.staff)
    response = _record(client, net.home, deputy_id=str(net.deputy.id), on_spot_reply="已告知社区助餐点地址。")
    assert response.status_code == 302
    [opinion] = opinions(db)
    assert opinion.status is Status.replied and opinion.handling is Handling.on_spot
    assert opinion.deputy_id == net.deputy.id and opinion.registered_on is not None
    assert response.headers["Location"].endswith(f"/opinions/{opinion.id}")


def test_in_english_the_channel_reads_as_how_it_came_in(client, db, net, compiled_catalog):
    """The opinion's channel is "At a reception", not the page's verb "Record a reception"; the
    timeline keeps the Chinese it was written in."""
    sign_in_as(client, net.staff)
    _record(client, net.home)
    [opinion] = opinions(db)
    client.post("/lang/en", data={"next": "/opinions"})
    page = client.get(f"/opinions/{opinion.id}").get_data(as_text=True)
    header = re.search(r'<p class="small text-muted mb-2">(.*?)</p>', page, re.S).group(1)
    assert "At a reception" in header and "Record a reception" not in header
    assert "Received" in page and "接待登记" in page  # the stored timeline note


def test_staff_cannot_name_a_deputy_of_another_township(client, db, net):
    """The receiving deputy must serve in the station's township."""
    sign_in_as(client, net.staff)
    response = _record(client, net.station, deputy_id=str(net.other_deputy.id))
    assert response.status_code == 400 and "不在此家站所在乡镇" in response.get_data(as_text=True)
    assert opinions(db) == []


def test_staff_cannot_record_at_a_station_outside_their_townships(client, db, net):
    """Township staff only choose their own stations."""
    sign_in_as(client, net.staff)
    assert _record(client, net.other_station).status_code == 400
    assert opinions(db) == []


def test_the_deputys_station_comes_preselected(client, db, net):
    """A deputy opening the form finds their own station chosen; after checking in at the township's
    home today, the home is chosen instead (where they are receiving)."""
    sign_in_as(client, net.deputy_user)
    form = client.get("/opinions/record").get_data(as_text=True)
    assert re.search(rf'<option selected value="{net.station.id}">', form)
    factories.make_checkin(deputy=net.deputy, station=net.home, when=utcnow())
    db.session.commit()
    form = client.get("/opinions/record").get_data(as_text=True)
    assert re.search(rf'<option selected value="{net.home.id}">', form)
