"""A file whose name the server cannot read (a broken filename parameter) is not dropped in silence:
the duty report and opinion forms say so at the file field and save nothing."""
import pytest

from liaison.opinions.models import Opinion
from liaison.reports.models import DutyReport
from tests import factories
from tests.reports.conftest import PDF, count, report_data

MESSAGE = "无法识别所选文件的文件名，文件没有上传。"
BOUNDARY = "liaison-test-boundary"

#: Content-Disposition endings a client may send for a file: werkzeug reads no usable name from them.
UNREADABLE = {
    "unclosed quote": 'filename="述职报告.pdf',
    "bare filename=": "filename=",
    "empty name": 'filename=""',
}


def multipart(fields, file_field, disposition_tail, content):
    """A multipart body written by hand, so the file part's header can be as broken as a client sends it."""
    chunks = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            chunks.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                          .encode())
    chunks.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; {disposition_tail}\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return {"data": b"".join(chunks), "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.mark.parametrize("tail", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_report_attachment_with_an_unreadable_name_is_reported(client, place, staff_a, tail):
    """The report form comes back with the message at the attachment; no report is saved without it."""
    response = client.post(f"/reports/new?mandate_id={place.an_d}",
                           **multipart(report_data(), "attachment", tail, PDF))
    assert response.status_code == 200
    assert MESSAGE in response.get_data(as_text=True)
    assert count(DutyReport) == 0


def test_no_file_chosen_is_still_no_attachment(client, place, staff_a):
    """A browser sends an empty, nameless part when no file is chosen: the report is saved without one."""
    response = client.post(f"/reports/new?mandate_id={place.an_d}",
                           **multipart(report_data(), "attachment", 'filename=""', b""))
    assert response.status_code == 302
    assert count(DutyReport) == 1


@pytest.mark.parametrize("tail", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_opinion_photo_with_an_unreadable_name_is_reported(client, db, tail):
    """The public opinion form says so at the photo; the opinion is not stored without it."""
    station = factories.make_station(name="东升联络站")
    db.session.commit()
    fields = {"category": "transport", "content": "东升路口红绿灯时间太短，老人过马路来不及。", "name": "", "phone": ""}
    response = client.post(f"/p/{station.code}/opinion", **multipart(fields, "photo", tail, b"photo bytes"))
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert count(Opinion) == 0
