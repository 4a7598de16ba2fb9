"""The delivery list staff can see through (issue 17 §6): filters by state, channel, township and
date; the retry keeps the filters; a township's undelivered messages export to xlsx (masked numbers)."""
import io
import re
import subprocess
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from liaison.audit.models import AuditEvent
from liaison.notifications.models import Delivery, DeliveryStatus
from liaison.notifications.operations import send
from tests.notifications.helpers import Network


def _world(db):
    anping, qinghe = Network("安平镇"), Network("清河镇", term=None)
    wang = anping.deputy("王芳").account
    zhao = anping.deputy("赵敏").account
    li = qinghe.deputy("李强").account
    for user, subject in ((wang, "十二月排班已公示"), (zhao, "季回家提醒"), (li, "清河的消息")):
        send(user, subject, "请查看。", kind="notice")
    db.session.flush()
    rows = {d.message.user.name: d for d in db.session.scalars(sa.select(Delivery))}
    rows["赵敏"].status = DeliveryStatus.failed
    rows["赵敏"].last_error = "网关拒收：号码停机"
    rows["赵敏"].next_try_at = None
    rows["王芳"].created_at = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)
    db.session.commit()
    return anping, qinghe, rows


def _names(client, url):
    page = client.get(url).get_data(as_text=True)
    block = page[page.index('id="deliveries"'):]
    return sorted(set(re.findall(r'<td class="card-title[^"]*">([^<]+)</td>', block)))


def test_filters_by_state_channel_township_and_date(client, db, login_as):
    anping, qinghe, rows = _world(db)
    login_as("committee")
    assert _names(client, "/notifications/deliveries") == ["李强", "王芳", "赵敏"]
    assert _names(client, "/notifications/deliveries?status=failed") == ["赵敏"]
    assert _names(client, "/notifications/deliveries?status=undelivered") == ["李强", "王芳", "赵敏"]
    assert _names(client, "/notifications/deliveries?channel=email") == []
    assert _names(client, "/notifications/deliveries?channel=sms") == ["李强", "王芳", "赵敏"]
    assert _names(client, f"/notifications/deliveries?township={qinghe.township.id}") == ["李强"]
    assert _names(client, "/notifications/deliveries?since=2026-11-01&until=2026-11-30") == ["王芳"]
    assert _names(client, "/notifications/deliveries?until=2026-11-30") == ["王芳"]
    page = client.get("/notifications/deliveries?since=11/03").get_data(as_text=True)
    assert "日期应写成 2026-12-06 这样的格式" in page


def test_township_staff_cannot_filter_to_another_township(client, db, login_as):
    anping, qinghe, rows = _world(db)
    login_as("township_staff", townships=[anping.township])
    assert _names(client, "/notifications/deliveries") == ["王芳", "赵敏"]
    assert client.get(f"/notifications/deliveries?township={qinghe.township.id}").status_code == 404
    assert client.get(f"/notifications/deliveries/undelivered.xlsx?township={qinghe.township.id}").status_code == 404


def test_retry_keeps_the_filters(client, db, login_as):
    anping, qinghe, rows = _world(db)
    login_as("township_staff", townships=[anping.township])
    page = client.get("/notifications/deliveries?status=failed&channel=sms").get_data(as_text=True)
    assert "网关拒收：号码停机" in page and ">重发<" in page
    response = client.post(f"/notifications/deliveries/{rows['赵敏'].id}/retry",
                           data={"status": "failed", "channel": "sms", "page": 1})
    assert response.status_code == 302
    assert "status=failed" in response.headers["Location"] and "channel=sms" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Delivery, rows["赵敏"].id).status is DeliveryStatus.pending


def test_export_of_a_townships_undelivered_messages(client, db, login_as):
    """安平 staff export their township's undelivered messages: 王芳 (held in the outbox) and 赵敏
    (failed, with the reason), masked numbers, the SMS text as sent; 清河's is not in it; audited."""
    anping, qinghe, rows = _world(db)
    rows["王芳"].status = DeliveryStatus.sent
    db.session.commit()
    login_as("township_staff", townships=[anping.township])
    page = client.get("/notifications/deliveries").get_data(as_text=True)
    assert "undelivered.xlsx" in page
    response = client.get("/notifications/deliveries/undelivered.xlsx")
    assert response.status_code == 200 and "xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert [row[0] for row in values] == ["赵敏"]
    name, channel, address, subject, text, state, tries, error, written = values[0]
    assert channel == "短信" and re.fullmatch(r"\d{3}\*{4}\d{4}", address) and subject == "季回家提醒"
    assert text.startswith("【代表联络平台】季回家提醒") and state == "发送失败" and error == "网关拒收：号码停机"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.township_id == anping.township.id and "rows=1" in event.detail


@pytest.mark.libreoffice
def test_the_undelivered_list_prints_one_page_wide(client, db, login_as, tmp_path):
    """Rendered by LibreOffice as the receiving office would print it: A4 landscape, every column on
    the same page (the last column, 写入时间, beside the first, 收件人), numbered; a long message is
    printed whole, wrapped in its cell, not cut at the column's edge."""
    anping, _qinghe, rows = _world(db)
    ending = "如有疑问请致电镇人大办公室"
    rows["赵敏"].message.body = "本季度代表之家将于本月中旬集中开展接待选民活动，请各位代表提前安排时间，" \
                               "带好代表证，准时到达镇代表之家签到并参加活动。" + ending
    db.session.commit()
    login_as("township_staff", townships=[anping.township])
    path = tmp_path / "undelivered.xlsx"
    path.write_bytes(client.get("/notifications/deliveries/undelivered.xlsx").data)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=240)
    info = subprocess.run(["pdfinfo", str(tmp_path / "undelivered.pdf")], check=True, capture_output=True,
                          text=True).stdout
    assert "Pages:           1" in info and "841.89 x 595.28" in info.replace("595.304", "595.28"), info
    text = "".join(subprocess.run(["pdftotext", str(tmp_path / "undelivered.pdf"), "-"], check=True,
                                  capture_output=True, text=True).stdout.split())
    assert "收件人" in text and "写入时间" in text and "赵敏" in text and "第1页共1页" in text
    assert ending in text, text
