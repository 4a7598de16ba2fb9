"""Report attachments: PDF, Word or an image, told by content, at most 10 MB, downloaded safely."""
import io
import os
import re
from datetime import date
from urllib.parse import unquote

import pytest
from werkzeug.datastructures import FileStorage

from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.reports import operations
from liaison.reports.models import DutyReport, ReportForm
from tests.reports.conftest import EXE, PDF, PNG, count, report_data, text, with_file


def _files(folder):
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_pdf_is_stored_under_a_random_name_and_downloaded(client, db, place, staff_a, attachments):
    """The PDF is kept under a random name; the download carries its Chinese name and PDF type."""
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=with_file(report_data(), PDF, "述职报告.pdf"))
    assert response.status_code == 302
    report = db.session.scalars(db.select(DutyReport)).one()
    assert re.fullmatch(r"[0-9a-f]{32}", report.attachment_name)
    assert _files(attachments) == [report.attachment_name]
    assert (report.attachment_original, report.attachment_type, report.attachment_size) == (
        "述职报告.pdf", "application/pdf", len(PDF))
    assert "述职报告.pdf" in text(client.get(f"/reports/{report.id}/edit"))
    download = client.get(f"/reports/{report.id}/attachment")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and unquote(disposition.split("''")[1]) == "述职报告.pdf"


def test_a_png_named_pdf_is_kept_as_a_png(client, db, place, staff_a):
    """The type comes from the bytes: a PNG named .pdf is accepted as an image and offered as .png."""
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=with_file(report_data(), PNG, "照片.pdf"))
    assert response.status_code == 302
    report = db.session.scalars(db.select(DutyReport)).one()
    assert (report.attachment_type, report.attachment_original) == ("image/png", "照片.png")
    assert client.get(f"/reports/{report.id}/attachment").mimetype == "image/png"


@pytest.mark.parametrize("content,name", [(EXE, "述职报告.pdf"), (EXE, "setup.exe"), (b"just text", "a.docx"),
                                          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "表格.xls")])
def test_other_files_are_refused(client, db, place, staff_a, attachments, content, name):
    """A program renamed .pdf, text named .docx or an old Excel file is refused; nothing is saved."""
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=with_file(report_data(), content, name))
    assert "附件只能是 PDF、Word（.docx 或 .doc）或图片（JPG、PNG）文件" in text(response)
    assert count(DutyReport) == 0
    assert _files(attachments) == []


def test_an_old_word_document_is_accepted(client, db, place, staff_a):
    """An old .doc (an OLE container named .doc) is taken as Word."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=with_file(report_data(), ole, "报告.doc"))
    assert response.status_code == 302
    assert db.session.scalars(db.select(DutyReport)).one().attachment_type == "application/msword"


def test_more_than_ten_megabytes_is_refused(db, place):
    """A file above 10 MB is refused with the size in the message."""
    big = FileStorage(io.BytesIO(PDF + b"0" * (10 * 1024 * 1024)), filename="大.pdf")
    with pytest.raises(InvalidInput, match="不能超过 10 MB"):
        operations.create_duty_report(db.session.get(Mandate, place.bai_d), attachment=big,
                                      report_date=date(2024, 6, 18), form=ReportForm.on_site, completed=True)


def test_an_oversized_request_is_refused_before_the_view(app, client, db, place, staff_a, monkeypatch):
    """The whole request is limited too (MAX_CONTENT_LENGTH, 10 MB; lowered here so the test body
    stays in memory): an upload above it gets the friendly 413 page."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.post(f"/reports/new?mandate_id={place.bai_d}",
                           data=with_file(report_data(), PDF + b"0" * 8192, "大.pdf"))
    assert response.status_code == 413 and "文件太大" in text(response)
    assert count(DutyReport) == 0


def test_replacing_and_removing_an_attachment_removes_the_old_file(client, db, place, staff_a, attachments):
    """A new upload replaces the old file on disk; ticking "删除现有附件" removes it."""
    client.post(f"/reports/new?mandate_id={place.bai_d}", data=with_file(report_data(), PDF, "一.pdf"))
    report = db.session.scalars(db.select(DutyReport)).one()
    first = report.attachment_name
    assert client.post(f"/reports/{report.id}/edit",
                       data=with_file(report_data(version="1"), PNG, "二.png")).status_code == 302
    db.session.expire_all()
    report = db.session.get(DutyReport, report.id)
    assert report.attachment_name != first and _files(attachments) == [report.attachment_name]
    assert client.post(f"/reports/{report.id}/edit",
                       data=report_data(version="2", remove_attachment="y")).status_code == 302
    db.session.expire_all()
    report = db.session.get(DutyReport, report.id)
    assert report.attachment_name is None and _files(attachments) == []
    assert client.get(f"/reports/{report.id}/attachment").status_code == 404


def test_a_refused_edit_keeps_the_old_file_and_drops_the_new_one(client, db, place, staff_a, attachments):
    """When the rest of the form is wrong, the new upload is not kept and the old one stays."""
    client.post(f"/reports/new?mandate_id={place.bai_d}", data=with_file(report_data(), PDF, "一.pdf"))
    report = db.session.scalars(db.select(DutyReport)).one()
    first = report.attachment_name
    response = client.post(f"/reports/{report.id}/edit",
                           data=with_file(report_data(version="1", satisfied="99"), PNG, "二.png"))
    assert "不能超过到场选民人数" in text(response)
    assert _files(attachments) == [first]
