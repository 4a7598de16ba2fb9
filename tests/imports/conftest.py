"""Helpers for the import tests: a small district network, roster workbooks built in the test, row counts."""
import io
from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from liaison.accounts.models import User
from liaison.audit.models import AuditEvent
from liaison.deputies.models import Deputy, Mandate
from liaison.extensions import db
from liaison.imports.roster import HEADERS
from liaison.network.models import StationKind
from liaison.terms.models import Level
from liaison.townships.models import TownshipKind
from tests import factories


@dataclass
class Network:
    """The records a roster row names: two townships, three terms, their districts, homes and stations."""

    chengguan: object
    anping: object
    district_term: object
    city_term: object
    township_term: object
    first: object
    second: object
    anping_first: object
    station: object
    home: object
    anping_home: object


@pytest.fixture()
def network(db):
    """城关镇 and 安平街道; 区第八届, 市第十五届 and 城关镇第十八届; districts, one station and two homes."""
    chengguan = factories.make_township(name="城关镇")
    anping = factories.make_township(name="安平街道", kind=TownshipKind.subdistrict)
    district_term = factories.make_term(level=Level.district, ordinal=8, name="区第八届",
                                        start_date=date(2021, 12, 1), end_date=date(2026, 12, 31))
    city_term = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届",
                                    start_date=date(2022, 1, 10), end_date=date(2027, 1, 15))
    township_term = factories.make_term(level=Level.township, ordinal=18, name="城关镇第十八届",
                                        township=chengguan, start_date=date(2021, 11, 20),
                                        end_date=date(2026, 11, 30))
    first = factories.make_district(term=district_term, township=chengguan, name="第一选区")
    second = factories.make_district(term=district_term, township=chengguan, name="第二选区")
    anping_first = factories.make_district(term=district_term, township=anping, name="第一选区")
    factories.make_district(term=township_term, township=chengguan, name="镇第一选区")
    station = factories.make_station(township=chengguan, electoral_district=first, name="城关第一联络站")
    home = factories.make_station(township=chengguan, kind=StationKind.home, name="城关镇代表之家")
    anping_home = factories.make_station(township=anping, kind=StationKind.home, name="安平街道代表之家")
    db.session.commit()
    return Network(chengguan, anping, district_term, city_term, township_term, first, second, anping_first,
                   station, home, anping_home)


def roster_row(n=1, **overrides):
    """A valid 区第八届 row for person ``n`` in 城关镇 第一选区, as a dict by header."""
    row = {
        "姓名": f"代表{n}", "性别": "女" if n % 2 else "男", "民族": "汉族", "手机号码": f"139{n:08d}",
        "层级": "区", "届次": "第八届", "乡镇（街道）": "城关镇", "选区": "第一选区",
        "联络站": "城关第一联络站", "代表之家": "城关镇代表之家", "任职开始": "2021-12-01",
        "任职结束": None, "终止原因": None,
    }
    row.update(overrides)
    return row


def workbook_bytes(rows, headers=HEADERS, title=None):
    """An .xlsx with an optional title row, a header row and ``rows`` (dicts by header).

    Text goes in as text cells, so a name such as ``=HYPERLINK(...)`` is a string in the file,
    as Excel stores it when typed with a leading apostrophe or into a text-formatted cell.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "代表名单"
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([None] * len(headers))
        for column, header in enumerate(headers, start=1):
            value = row.get(header)
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # after the value: openpyxl would otherwise read "=..." as a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts():
    """Rows in the tables an import writes to."""
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Deputy, Mandate, User, AuditEvent)}


def import_events():
    """The audit events of imports."""
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import")).all()


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    """Uploaded files wait in the test's own folder."""
    folder = tmp_path / "imports"
    folder.mkdir()
    monkeypatch.setitem(app.config, "LIAISON_IMPORT_FOLDER", str(folder))
    return folder


def run_cli(app, *args):
    """Run `liaison import ...` in the test app; ``result.output`` holds stdout and stderr as printed."""
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["import", *args])
    db.session.expire_all()
    return result
