"""Names of townships, districts, stations and terms are one line of visible text: line breaks, tabs and
invisible control characters are refused on every form, and what is stored is what the export shows."""
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from liaison.extensions import db
from liaison.terms.models import Term
from liaison.townships.models import ElectoralDistrict, Township
from liaison.network.models import Station
from tests import factories
from tests.townships.helpers import count, text

#: What pages hide and spreadsheets refuse or mangle: CR/LF, tab, vertical tab, escape, zero-width
#: space, a right-to-left override, the Unicode line separator.
BAD = ["安平\r\n镇", "安平\n镇", "安平\t镇", "安平\x0b镇", "安平\x1b镇", "安平\u200b镇", "安平\u202e镇", "安平\u2028镇"]
MESSAGE = "只能是一行文字，不能包含换行、制表符等控制字符或不可见字符。"


def _refused(response, model, before=0):
    assert response.status_code == 200
    assert MESSAGE in text(response)
    assert count(model) == before


@pytest.mark.parametrize("name", BAD, ids=repr)
def test_a_township_name_with_control_characters_is_refused(client, committee, name):
    """Adding or renaming a township with a line break (or another invisible character) is refused."""
    _refused(client.post("/townships/new", data={"name": name, "kind": "township"}), Township)
    township = factories.make_township(name="安平镇")
    _refused(client.post(f"/townships/{township.id}/edit", data={"name": name, "kind": "township"}), Township, 1)
    db.session.expire_all()
    assert township.name == "安平镇"


@pytest.mark.parametrize("name", BAD, ids=repr)
def test_district_station_and_term_names_with_control_characters_are_refused(client, committee, name):
    """The 选区, 家站 and 届次 forms refuse the same characters; nothing is saved."""
    township = factories.make_township(name="安平镇")
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2099, 12, 1))
    district = factories.make_district(term=term, township=township, name="第一选区")
    _refused(client.post(f"/townships/{township.id}/districts/new", data={"term_id": term.id, "name": name}),
             ElectoralDistrict, 1)
    station = {"kind": "station", "name": name, "township_id": str(township.id),
               "electoral_district_id": str(district.id), "address": "人民路 1 号", "radius_m": "200",
               "active": "y"}
    _refused(client.post("/stations/new", data=station), Station)
    term_form = {"level": "municipal", "ordinal": "15", "township_id": "0", "name": name,
                 "start_date": "2022-01-10", "end_date": "2027-01-15", "end_provisional": "y"}
    _refused(client.post("/terms/new", data=term_form), Term, 1)


def test_names_saved_through_the_forms_are_exported_as_stored(client, committee):
    """A township, district, station and term added through their forms appear in the roster export
    exactly as stored (spaces around them dropped, nothing else changed)."""
    assert client.post("/townships/new", data={"name": " 安平镇 ", "kind": "township"}).status_code == 302
    assert client.post("/terms/new", data={"level": "district", "ordinal": "8", "township_id": "0",
                                           "name": "区第八届（2021）", "start_date": "2021-12-01",
                                           "end_date": "2099-12-01", "end_provisional": "y"}).status_code == 302
    township = db.session.scalar(sa.select(Township))
    term = db.session.scalar(sa.select(Term))
    assert client.post(f"/townships/{township.id}/districts/new",
                       data={"term_id": term.id, "name": "第一选区"}).status_code == 302
    district = db.session.scalar(sa.select(ElectoralDistrict))
    assert client.post("/stations/new", data={
        "kind": "station", "name": "安平 第一联络站", "township_id": str(township.id),
        "electoral_district_id": str(district.id), "address": "人民路 1 号", "radius_m": "200",
        "active": "y"}).status_code == 302
    station = db.session.scalar(sa.select(Station))
    factories.make_mandate(deputy=factories.make_deputy(name="李明"), term=term, township=township,
                           electoral_district=district, station=station, start_date=date(2021, 12, 1))

    response = client.get("/deputies/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "李明")
    assert (row[5], row[6], row[7], row[8]) == (term.name, township.name, district.name, station.name)
    assert (township.name, term.name, station.name) == ("安平镇", "区第八届（2021）", "安平 第一联络站")
