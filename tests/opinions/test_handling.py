"""Township staff and the committee handle opinions: 登记, 转办, 答复, 当场答复, 转为建议, 转信访, 不予受理;
every step in the timeline and the audit log; only in their own townships; the phone in full only to them."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from liaison.audit.models import AuditEvent
from liaison.clock import local_today
from liaison.opinions.models import EventKind, Handling, Opinion, Satisfaction, Status
from tests import factories
from tests.opinions.conftest import PHONE, PHONE_DIGITS, PHONE_MASKED, leave, opinions, sign_in_as


@pytest.fixture()
def opinion(client, db, net):
    """One opinion left on 东升联络站's page with a name and phone."""
    assert leave(client, net.station, name="张大爷", phone=PHONE).status_code == 302
    return opinions(db)[0]


def _reload(db, opinion):
    db.session.expire_all()
    return db.session.get(Opinion, opinion.id)


def _act(client, opinion, step, version=None, **fields):
    data = {f"{step}-{k}": v for k, v in fields.items()}
    data[f"{step}-version"] = str(version if version is not None else opinion.version)
    return client.post(f"/opinions/{opinion.id}/{step}", data=data)


def _actions(db, opinion):
    return db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_type == "opinions",
                                                                 AuditEvent.target_id == str(opinion.id))
                              .order_by(AuditEvent.id)).all()


def test_register_refer_reply_and_rate(client, db, net, opinion):
    """The whole 接、登、转、复 loop: each step moves the status, dates it, and shows in both timelines."""
    sign_in_as(client, net.staff)
    assert client.post(f"/opinions/{opinion.id}/register", data={"register-version": "1"}).status_code == 302
    opinion = _reload(db, opinion)
    assert opinion.status is Status.registered and opinion.registered_on == local_today()
    due = local_today() + timedelta(days=15)
    response = _act(client, opinion, "refer", department="区交通运输局", due_on=due.isoformat(),
                    note="请核实路口信号配时")
    assert response.status_code == 302
    opinion = _reload(db, opinion)
    assert (opinion.status, opinion.handling) == (Status.referred, Handling.referral)
    assert (opinion.department, opinion.due_on, opinion.referred_on) == ("区交通运输局", due, local_today())
    assert _act(client, opinion, "reply", reply="信号灯绿灯时间已由 25 秒延长到 40 秒。").status_code == 302
    opinion = _reload(db, opinion)
    assert opinion.status is Status.replied and opinion.replied_on == local_today()
    assert opinion.handling is Handling.referral  # how it was handled stays known after the reply
    assert [e.kind for e in opinion.events] == [EventKind.received, EventKind.registered, EventKind.referred,
                                                EventKind.note, EventKind.replied]
    assert _actions(db, opinion) == ["opinion.received", "opinion.registered", "opinion.referred",
                                     "opinion.replied"]

    client.post("/logout")
    track = client.get(f"/o/{opinion.number}").get_data(as_text=True)
    assert "信号灯绿灯时间已由 25 秒延长到 40 秒" in track and "区交通运输局" in track
    assert "请核实路口信号配时" not in track  # staff's note stays with staff
    assert client.post(f"/o/{opinion.number}/rate", data={"satisfaction": "basically",
                                                          "comment": "希望再长一点"}).status_code == 302
    opinion = _reload(db, opinion)
    assert opinion.satisfaction is Satisfaction.basically and opinion.satisfaction_comment == "希望再长一点"
    again = client.post(f"/o/{opinion.number}/rate", data={"satisfaction": "unsatisfied"})
    assert again.status_code == 400 and "您已经评价过了" in again.get_data(as_text=True)
    assert _reload(db, opinion).satisfaction is Satisfaction.basically
    page = client.get(f"/o/{opinion.number}").get_data(as_text=True)
    assert "您的评价：" in page and 'id="rating-form"' not in page


def test_rating_waits_for_a_reply(client, db, net, opinion):
    """Before a reply there is no rating form, and a posted rating is refused."""
    page = client.get(f"/o/{opinion.number}").get_data(as_text=True)
    assert 'id="rating-form"' not in page and "正在办理中" in page
    response = client.post(f"/o/{opinion.number}/rate", data={"satisfaction": "satisfied"})
    assert response.status_code == 400 and "收到答复后才能评价" in response.get_data(as_text=True)
    assert _reload(db, opinion).satisfaction is None


def test_a_due_date_in_the_past_is_refused(client, db, net, opinion):
    """转办 with a due date before today is refused in Chinese and changes nothing."""
    sign_in_as(client, net.staff)
    yesterday = local_today() - timedelta(days=1)
    response = _act(client, opinion, "refer", department="区交通运输局", due_on=yesterday.isoformat())
    assert response.status_code == 400
    assert "办理期限不能早于今天" in response.get_data(as_text=True)
    opinion = _reload(db, opinion)
    assert opinion.status is Status.received and opinion.department == "" and opinion.due_on is None


def test_answer_on_the_spot_registers_and_closes(client, db, net, opinion):
    """当场答复 from a received opinion: registered and replied at once, handling on the spot."""
    sign_in_as(client, net.staff)
    assert _act(client, opinion, "answer", reply="已联系社区，本周内修复。").status_code == 302
    opinion = _reload(db, opinion)
    assert (opinion.status, opinion.handling) == (Status.replied, Handling.on_spot)
    assert opinion.registered_on == local_today() and opinion.reply == "已联系社区，本周内修复。"
    assert client.get(f"/o/{opinion.number}").get_data(as_text=True).count('id="rating-form"') == 1


def test_turn_into_a_deputys_suggestion(client, db, net, opinion):
    """转为建议 names a deputy of the township; one from another township is refused."""
    sign_in_as(client, net.staff)
    refused = _act(client, opinion, "suggest", deputy_id=str(net.other_deputy.id), text="建议优化路口信号")
    assert refused.status_code == 400 and "不在此家站所在乡镇" in refused.get_data(as_text=True)
    assert _reload(db, opinion).status is Status.received
    assert _act(client, opinion, "suggest", deputy_id=str(net.deputy.id), text="建议优化路口信号").status_code == 302
    opinion = _reload(db, opinion)
    assert (opinion.status, opinion.suggestion_deputy_id) == (Status.suggestion, net.deputy.id)
    assert "由 李明 代表提出建议" in client.get(f"/o/{opinion.number}").get_data(as_text=True)


def test_a_petition_is_handed_over_and_leaves_the_queue(client, db, net, opinion):
    """转信访: marked and handed over with a note for staff; it leaves the default queue; the
    constituent reads that it went to the petitions office, not staff's note."""
    sign_in_as(client, net.staff)
    assert _act(client, opinion, "hand_over", note="涉及征地补偿信访事项，已移交区信访局").status_code == 302
    opinion = _reload(db, opinion)
    assert opinion.status is Status.handed_over and "征地补偿" in opinion.closing_note
    assert opinion.number not in client.get("/opinions").get_data(as_text=True).replace("-", "")
    assert opinion.grouped_number in client.get("/opinions?status=handed_over").get_data(as_text=True)
    # Nothing more can be done with it as a station opinion.
    assert _act(client, opinion, "reply", reply="答复").status_code == 302
    assert _reload(db, opinion).status is Status.handed_over
    client.post("/logout")
    track = client.get(f"/o/{opinion.number}").get_data(as_text=True)
    assert "已转交信访部门" in track and "征地补偿" not in track
    assert "opinion.handed_over" in _actions(db, opinion)


def test_reject_needs_a_reason(client, db, net, opinion):
    """不予受理 without a reason is refused; with one it closes the opinion."""
    sign_in_as(client, net.staff)
    assert _act(client, opinion, "reject", note="").status_code == 400
    assert _act(client, opinion, "reject", note="广告信息").status_code == 302
    assert _reload(db, opinion).status is Status.rejected


def test_a_stale_page_cannot_act(client, db, net, opinion):
    """A step posted from a page showing an older version is refused; the newer state stands."""
    sign_in_as(client, net.staff)
    assert client.post(f"/opinions/{opinion.id}/register", data={"register-version": "1"}).status_code == 302
    stale = _act(client, opinion, "answer", version=1, reply="旧页面上的答复")
    assert stale.status_code == 400 and "刚被他人处理过" in stale.get_data(as_text=True)
    opinion = _reload(db, opinion)
    assert opinion.status is Status.registered and opinion.reply == ""


def test_staff_of_another_township_get_404(app, client, db, net, opinion):
    """清河镇's staff neither see 安平镇's opinion in their queue nor reach it or act on it."""
    sign_in_as(client, net.other_staff)
    assert opinion.grouped_number not in client.get("/opinions").get_data(as_text=True)
    assert client.get(f"/opinions/{opinion.id}").status_code == 404
    assert _act(client, opinion, "answer", reply="越权答复").status_code == 404
    assert client.post(f"/opinions/{opinion.id}/register", data={"register-version": "1"}).status_code == 404
    assert _reload(db, opinion).status is Status.received
    denied = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert denied and all(e.township_id == net.anping.id for e in denied)


def _reveal(client, opinion):
    """Ask for the full number, giving the password again when asked."""
    url = f"/opinions/{opinion.id}/phone"
    response = client.post(url)
    if response.status_code == 302 and "/account/confirm" in response.headers["Location"]:
        client.post("/account/confirm", data={"password": factories.PASSWORD, "next": url})
        response = client.post(url)
    return response


def test_the_phone_is_in_full_for_staff_in_scope_and_masked_elsewhere(app, client, db, net, opinion):
    """Staff of the township and the committee read the number after giving their password again,
    and each reveal is audited; the queue and public pages never show it, the detail page masks it."""
    sign_in_as(client, net.staff)
    detail = client.get(f"/opinions/{opinion.id}").get_data(as_text=True)
    assert PHONE_MASKED in detail and PHONE_DIGITS not in detail and "张大爷" in detail
    queue = client.get("/opinions").get_data(as_text=True)
    assert PHONE_DIGITS not in queue and PHONE_MASKED not in queue and opinion.grouped_number in queue
    revealed = _reveal(client, opinion)
    assert revealed.status_code == 200 and PHONE_DIGITS in revealed.get_data(as_text=True)
    committee = app.test_client()
    sign_in_as(committee, net.committee)
    assert PHONE_DIGITS in _reveal(committee, opinion).get_data(as_text=True)
    reveals = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mobile.revealed")).all()
    assert [e.actor_id for e in reveals] == [net.staff.id, net.committee.id]
    assert all(PHONE_DIGITS not in e.detail and PHONE_MASKED in e.detail for e in reveals)
    outsider = app.test_client()
    sign_in_as(outsider, net.other_staff)
    assert _reveal(outsider, opinion).status_code == 404
    anonymous = app.test_client()
    for url in (f"/o/{opinion.number}", f"/o/{opinion.number}/received"):
        page = anonymous.get(url).get_data(as_text=True)
        assert PHONE_DIGITS not in page and PHONE_MASKED not in page and "张大爷" not in page


def test_queue_filters(client, db, net, opinion):
    """Status, station and overdue filters narrow the queue."""
    leave(client, net.home, content="代表之家门口路灯不亮，晚上很黑。")
    late = opinions(db)[1]
    late.status, late.due_on = Status.referred, local_today() - timedelta(days=2)
    db.session.commit()
    sign_in_as(client, net.staff)
    everything = client.get("/opinions").get_data(as_text=True)
    assert opinion.grouped_number in everything and late.grouped_number in everything
    by_station = client.get(f"/opinions?station_id={net.station.id}").get_data(as_text=True)
    assert opinion.grouped_number in by_station and late.grouped_number not in by_station
    overdue = client.get("/opinions?overdue=1").get_data(as_text=True)
    assert late.grouped_number in overdue and opinion.grouped_number not in overdue and "逾期" in overdue
    received = client.get("/opinions?status=received").get_data(as_text=True)
    assert opinion.grouped_number in received and late.grouped_number not in received


def test_the_timeline_is_kept_in_chinese_when_staff_read_english(client, db, net, opinion):
    """A step taken from the English interface is stored in the product's language; the page then
    shows it to each reader as stored."""
    sign_in_as(client, net.staff)
    client.post("/lang/en", data={"next": "/opinions"})
    due = local_today() + timedelta(days=5)
    assert _act(client, opinion, "refer", department="区水务局", due_on=due.isoformat()).status_code == 302
    note = _reload(db, opinion).events[-1].note
    assert note == f"承办部门：区水务局；办理期限：{due.isoformat()}"
    assert "Referred" in client.get(f"/opinions/{opinion.id}").get_data(as_text=True)
