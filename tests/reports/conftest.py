"""Fixtures for the duty report pages: two townships, a person with a 区 and a 市 seat, attachments
kept in a temporary folder, and the report form as a browser posts it."""
import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from liaison.clock import local_today
from liaison.extensions import db as _db
from liaison.network.models import StationKind
from liaison.terms.models import Level
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


@pytest.fixture(autouse=True)
def attachments(app, tmp_path, monkeypatch):
    """Attachments go to a folder of this test, not the instance folder."""
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "LIAISON_ATTACHMENT_FOLDER", str(folder))
    return folder


def count(model):
    """How many rows a table holds now."""
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture()
def place(db):
    """东城镇 (A) and 西湖街道 (B); 区第八届 and 市第十五届 running until well after today.

    白二 holds a 区 seat and a 市 seat, both in A; 安一 a 区 seat in A; 陈三 a 区 seat in B;
    丁四 a 区 seat in A and a 市 seat in B.
    """
    end = local_today() + timedelta(days=3 * 365)
    a = factories.make_township(name="东城镇")
    b = factories.make_township(name="西湖街道")
    d = factories.make_term(level=Level.district, ordinal=8, name="区第八届", start_date=date(2021, 12, 1),
                            end_date=end)
    m = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届", start_date=date(2022, 1, 1),
                            end_date=end)
    home_a = factories.make_station(township=a, kind=StationKind.home)
    bai, an, chen, ding = (factories.make_deputy(name=n) for n in ("白二", "安一", "陈三", "丁四"))
    bai_d = factories.make_mandate(deputy=bai, term=d, township=a)
    bai_m = factories.make_mandate(deputy=bai, term=m, township=a)
    an_d = factories.make_mandate(deputy=an, term=d, township=a)
    chen_d = factories.make_mandate(deputy=chen, term=d, township=b)
    ding_d = factories.make_mandate(deputy=ding, term=d, township=a)
    ding_m = factories.make_mandate(deputy=ding, term=m, township=b)
    db.session.commit()
    return SimpleNamespace(a=a, b=b, a_id=a.id, b_id=b.id, d_id=d.id, m_id=m.id, home_a_id=home_a.id,
                           bai_d=bai_d.id, bai_m=bai_m.id, an_d=an_d.id, chen_d=chen_d.id, ding_d=ding_d.id,
                           ding_m=ding_m.id)


@pytest.fixture()
def staff_a(login_as, place):
    """Township staff of 东城镇."""
    return login_as("township_staff", townships=[place.a])


def report_data(**overrides):
    """The report form's fields as staff fill them in (a completed on-site report)."""
    data = {"report_date": "2024-06-18", "kind": "on_site", "voters_present": "40", "satisfied": "30",
            "basically_satisfied": "8", "dissatisfied": "2", "completed": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def with_file(data, content, name):
    """Add an uploaded file to form data."""
    return {**data, "attachment": (io.BytesIO(content), name)}
