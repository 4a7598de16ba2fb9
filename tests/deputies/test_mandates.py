"""Mandates: every rule refuses bad input with its Chinese message and writes nothing."""
from datetime import date

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role, User
from liaison.deputies.models import Mandate
from liaison.network.models import StationKind
from liaison.terms.models import Level
from tests import factories
from tests.deputies.conftest import count, mandate_data, page_text


@pytest.fixture()
def setting(db):
    """A township with a 区 term, its district, an active home and station, and a deputy."""
    town = factories.make_township(name="东湖镇")
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2026, 12, 31))
    district = factories.make_district(term=term, township=town, name="第一选区")
    home = factories.make_station(township=town, kind=StationKind.home, name="东湖镇代表之家")
    station = factories.make_station(township=town, electoral_district=district, name="东湖一站")
    deputy = factories.make_deputy(name="韩梅")
    return dict(town=town, term=term, district=district, home=home, station=station, deputy=deputy)


def _post(client, s, **kw):
    """Post the new-mandate form with the setting's values, overridden by ``kw``."""
    values = dict(term=s["term"], township=s["town"], district=s["district"], home=s["home"],
                  station=s["station"])
    values.update(kw)
    return client.post(f"/deputies/{s['deputy'].id}/mandates/new", data=mandate_data(**values))


def _refused(response, message):
    """The form came back with the message, and no mandate or account was written."""
    assert response.status_code == 200
    assert message in page_text(response)
    assert count(Mandate) == 0
    assert count(User) == 1  # only the signed-in committee member: no account made either


def test_valid_mandate_is_saved_with_an_account_awaiting_activation(client, db, committee, setting):
    """A valid mandate is saved, and the deputy gets a deputy account without a password."""
    response = _post(client, setting, start=date(2023, 3, 1), by_election=True)
    assert response.status_code == 302
    mandate = db.session.scalar(sa.select(Mandate))
    assert (mandate.township_id, mandate.electoral_district_id, mandate.home_id, mandate.station_id) == (
        setting["town"].id, setting["district"].id, setting["home"].id, setting["station"].id)
    assert mandate.start_date == date(2023, 3, 1) and mandate.by_election
    account = db.session.scalar(sa.select(User).where(User.deputy_id == setting["deputy"].id))
    assert account.password_hash is None and account.enabled
    assert account.roles == {Role.deputy}
    assert account.mobile == setting["deputy"].mobile
    page = page_text(client.get(f"/deputies/{setting['deputy'].id}"))
    assert "未激活" in page and "补选" in page and "第一选区" in page


def test_staff_member_who_becomes_deputy_keeps_one_account(client, db, committee, setting):
    """Township staff with the deputy's number get the deputy role on their existing account."""
    staff = factories.make_user(roles={"township_staff"}, townships=[setting["town"]],
                                mobile=setting["deputy"].mobile)
    staff_id = staff.id
    assert _post(client, setting).status_code == 302
    db.session.expire_all()
    account = db.session.get(User, staff_id)
    assert account.deputy_id == setting["deputy"].id
    assert account.roles == {Role.deputy, Role.township_staff}


def test_one_mandate_per_person_per_term(client, db, committee, setting):
    """A second mandate in the same term is refused, naming the term."""
    factories.make_mandate(deputy=setting["deputy"], term=setting["term"], township=setting["town"],
                           electoral_district=setting["district"])
    response = _post(client, setting)
    assert "该代表在 区第八届 已有代表资格" in page_text(response)
    assert count(Mandate) == 1


@pytest.mark.parametrize("start", [date(2021, 11, 30), date(2027, 1, 1)])
def test_start_must_lie_within_the_term(client, db, committee, setting, start):
    """A start before the term began or after it ends is refused with the term's dates."""
    _refused(_post(client, setting, start=start), "任职开始日期应在 区第八届 的任期内（2021-12-01 至 2026-12-31）")


def test_district_required_for_directly_elected_levels(client, db, committee, setting):
    """A 区 deputy without an electoral district is refused."""
    _refused(_post(client, setting, district=None), "区级人大代表由选区直接选举产生，请选择选区")


def test_no_district_for_municipal_deputies(client, db, committee, setting):
    """A 市 deputy with an electoral district is refused: they are assigned to a township only."""
    city = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届",
                               start_date=date(2022, 1, 1), end_date=date(2027, 1, 31))
    _refused(_post(client, setting, term=city), "市人大代表由人民代表大会选举产生，没有选区")


def test_municipal_mandate_without_district_is_saved(client, db, committee, setting):
    """A 市 deputy assigned to a township and its home, with no district, is saved."""
    city = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届",
                               start_date=date(2022, 1, 1), end_date=date(2027, 1, 31))
    assert _post(client, setting, term=city, district=None, station=None).status_code == 302
    assert db.session.scalar(sa.select(Mandate)).electoral_district_id is None


def test_district_of_another_term_is_refused(client, db, committee, setting):
    """A district drawn for another term is refused."""
    old = factories.make_term(name="区第七届", ordinal=7, start_date=date(2016, 12, 1),
                              end_date=date(2021, 11, 30))
    stale = factories.make_district(term=old, township=setting["town"], name="旧第一选区")
    _refused(_post(client, setting, district=stale), "旧第一选区 是 区第七届 划分的选区，请选择 区第八届 的选区")


def test_district_of_another_township_is_refused(client, db, committee, setting):
    """A district in another township is refused."""
    other_town = factories.make_township(name="西山镇")
    elsewhere = factories.make_district(term=setting["term"], township=other_town, name="西山第二选区")
    _refused(_post(client, setting, district=elsewhere), "西山第二选区 在 西山镇，请选择 东湖镇 的选区")


def test_township_congress_mandate_belongs_to_its_township(client, db, committee, setting):
    """A 乡镇 term's mandate must be in that township."""
    other_town = factories.make_township(name="西山镇")
    town_term = factories.make_term(level=Level.township, ordinal=18, name="西山镇第十八届",
                                    township=other_town, start_date=date(2021, 12, 1))
    district = factories.make_district(term=town_term, township=setting["town"])
    _refused(_post(client, setting, term=town_term, district=district),
             "西山镇第十八届 是 西山镇 的乡镇人大，代表资格只能属于 西山镇")


def test_home_must_be_a_home(client, db, committee, setting):
    """A station chosen as the home is refused."""
    _refused(_post(client, setting, home=setting["station"]), "请选择一个代表之家")


def test_station_must_be_a_station(client, db, committee, setting):
    """A home chosen as the station is refused."""
    _refused(_post(client, setting, station=setting["home"]), "请选择一个代表联络站")


def test_home_in_another_township_is_refused(client, db, committee, setting):
    """A home of another township is refused, naming both townships."""
    other = factories.make_station(township=factories.make_township(name="西山镇"), kind=StationKind.home,
                                   name="西山镇代表之家")
    _refused(_post(client, setting, home=other), "西山镇代表之家 不在 东湖镇，请选择 东湖镇 的代表之家")


def test_station_in_another_township_is_refused(client, db, committee, setting):
    """A station of another township is refused."""
    other = factories.make_station(township=factories.make_township(name="西山镇"), name="西山一站",
                                   electoral_district=None)
    _refused(_post(client, setting, station=other), "西山一站 不在 东湖镇，请选择 东湖镇 的代表联络站")


def test_inactive_home_is_refused(client, db, committee, setting):
    """A home that is no longer in use is refused."""
    closed = factories.make_station(township=setting["town"], kind=StationKind.home, name="旧代表之家",
                                    active=False)
    _refused(_post(client, setting, home=closed), "旧代表之家 已停用，请选择在用的代表之家")


def test_inactive_station_is_refused(client, db, committee, setting):
    """A station that is no longer in use is refused."""
    closed = factories.make_station(township=setting["town"], name="旧联络站", active=False,
                                    electoral_district=setting["district"])
    _refused(_post(client, setting, station=closed), "旧联络站 已停用，请选择在用的代表联络站")


def test_mandate_form_offers_grouped_options(client, db, committee, setting):
    """The form lists terms, townships, and districts, homes and stations grouped by township."""
    page = page_text(client.get(f"/deputies/{setting['deputy'].id}/mandates/new"))
    assert "区第八届" in page and '<optgroup label="东湖镇">' in page
    assert "东湖镇代表之家" in page and "东湖一站" in page and "区第八届 · 第一选区" in page


def test_edit_mandate_saves_and_keeps_rules(client, db, committee, setting):
    """Editing moves the start date; moving it outside the term is refused and nothing changes."""
    mandate = factories.make_mandate(deputy=setting["deputy"], term=setting["term"], township=setting["town"],
                                     electoral_district=setting["district"])
    mandate_id = mandate.id
    form = mandate_data(setting["term"], setting["town"], district=setting["district"],
                        start=date(2022, 5, 1))
    assert client.post(f"/mandates/{mandate_id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Mandate, mandate_id).start_date == date(2022, 5, 1)
    form["start_date"] = "2030-01-01"
    response = client.post(f"/mandates/{mandate_id}/edit", data=form)
    assert "任职开始日期应在 区第八届 的任期内" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Mandate, mandate_id).start_date == date(2022, 5, 1)


def test_edit_keeps_an_inactive_home_already_chosen(client, db, committee, setting):
    """A mandate whose home was closed since can still be edited without choosing a new home."""
    closed = factories.make_station(township=setting["town"], kind=StationKind.home, name="旧代表之家",
                                    active=False)
    mandate = factories.make_mandate(deputy=setting["deputy"], term=setting["term"], township=setting["town"],
                                     electoral_district=setting["district"], home=closed)
    page = page_text(client.get(f"/mandates/{mandate.id}/edit"))
    assert "旧代表之家（已停用）" in page
    form = mandate_data(setting["term"], setting["town"], district=setting["district"], home=closed,
                        by_election=True)
    assert client.post(f"/mandates/{mandate.id}/edit", data=form).status_code == 302


def test_person_with_municipal_and_district_mandates_shows_both(client, db, committee, setting):
    """A deputy sitting in both the 市 and the 区 congress shows both mandates on the page and in the list."""
    city = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届",
                               start_date=date(2022, 1, 1), end_date=date(2099, 1, 31))
    current_district = factories.make_term(name="区第九届", ordinal=9, start_date=date(2021, 12, 1),
                                           end_date=date(2099, 12, 31))
    district = factories.make_district(term=current_district, township=setting["town"], name="第五选区")
    factories.make_mandate(deputy=setting["deputy"], term=city, township=setting["town"])
    factories.make_mandate(deputy=setting["deputy"], term=current_district, township=setting["town"],
                           electoral_district=district)
    page = page_text(client.get(f"/deputies/{setting['deputy'].id}"))
    assert "市第十五届" in page and "市人大代表" in page
    assert "区第九届" in page and "区人大代表" in page and "第五选区" in page
    listing = page_text(client.get("/deputies"))
    row = listing[listing.index("韩梅"):listing.index("</tr>", listing.index("韩梅"))]
    assert "市第十五届" in row and "区第九届" in row
