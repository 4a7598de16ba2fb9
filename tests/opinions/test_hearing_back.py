"""The constituent hears back (rules R29–R30): texts at each step through the delivery job's outbox,
naming the lookup number and the step and never the content; the number kept only with consent and
removed a set time after the opinion closes; 不满意 reopens it to staff; closing without contact."""
from datetime import date, timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.audit.models import AuditEvent
from liaison.clock import local_today
from liaison.jobs.models import Outcome, RunSource
from liaison.jobs.operations import run_job
from liaison.jobs.registry import DAILY, get_job, load_jobs
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from liaison.opinions.jobs import remove_old_phones
from liaison.opinions.models import EventKind, Opinion, Status
from tests.opinions.conftest import PHONE, PHONE_DIGITS, leave, opinions, sign_in_as

CONTENT = "东升路口红绿灯时间太短，老人过马路来不及。"


def texts(db):
    """Texts to constituents (messages without an account) with their one SMS delivery, oldest first."""
    db.session.expire_all()
    rows = db.session.execute(sa.select(Message, Delivery).join(Delivery, Delivery.message_id == Message.id)
                              .where(Message.user_id.is_(None)).order_by(Message.id)).all()
    for message, delivery in rows:
        assert delivery.channel == "sms" and delivery.status is DeliveryStatus.held  # the outbox gateway
    return rows


def _act(client, opinion, step, **fields):
    data = {f"{step}-{k}": v for k, v in fields.items()}
    data[f"{step}-version"] = str(opinion.version)
    return client.post(f"/opinions/{opinion.id}/{step}", data=data)


def _reload(db, opinion):
    db.session.expire_all()
    return db.session.get(Opinion, opinion.id)


def test_no_consent_no_phone_stored_and_no_text(client, db, net):
    """A typed number with the box unticked is asked about (nothing stored); without a number the
    opinion is stored with none; the box is unticked on the blank form."""
    form = client.get(f"/p/{net.station.code}/opinion").get_data(as_text=True)
    before, after = form.split('id="phone_consent"')
    assert "checked" not in before.rsplit("<input", 1)[1] + after.split(">")[0]
    assert "用于短信告知办理进度" in form and "办结 180 天后删除" in form
    refused = leave(client, net.station, phone=PHONE, phone_consent=None)
    assert refused.status_code == 400 and "请勾选" in refused.get_data(as_text=True)
    assert opinions(db) == []
    assert leave(client, net.station, phone="").status_code == 302
    [opinion] = opinions(db)
    assert opinion.phone == "" and opinion.phone_consented_at is None
    assert texts(db) == []


def test_no_consent_in_the_operation_keeps_no_number(db, net):
    """Any path that creates an opinion (a reception record, a deputy's 签退 record) keeps a number only
    when consent is passed along."""
    from liaison.opinions.models import Category, Channel
    from liaison.opinions.operations import receive_opinion

    opinion = receive_opinion(net.station, Channel.reception, Category.other, CONTENT, phone=PHONE_DIGITS,
                              by=net.staff)
    db.session.commit()
    assert _reload(db, opinion).phone == "" and texts(db) == []


def test_each_step_texts_the_number_and_the_step_never_the_content(client, db, net):
    """Registered, referred, answered: one text each, in the outbox, naming the lookup number."""
    assert leave(client, net.station, phone=PHONE).status_code == 302
    [opinion] = opinions(db)
    assert opinion.phone == PHONE_DIGITS and opinion.phone_consented_at is not None
    sign_in_as(client, net.staff)
    _act(client, opinion, "refer", department="区交通运输局",
         due_on=(local_today() + timedelta(days=10)).isoformat())
    opinion = _reload(db, opinion)
    _act(client, opinion, "reply", reply="已延长绿灯时间至 40 秒。")
    rows = texts(db)
    assert [m.subject for m, _d in rows] == ["您的意见已登记", "您的意见已转交办理", "您的意见已答复"]
    for message, delivery in rows:
        assert delivery.address == PHONE_DIGITS and message.kind == "opinion_progress"
        assert opinion.grouped_number in message.body and f"/o/{opinion.number}" in message.body
        assert "红绿灯" not in message.body + message.subject and "40 秒" not in message.body
    # The committee's outbox lists them, the number masked.
    client.get("/logout")
    sign_in_as(client, net.committee)
    outbox = client.get("/notifications/outbox").get_data(as_text=True)
    assert "您的意见已答复" in outbox and "139****0001" in outbox and "群众" in outbox


def test_the_overdue_job_texts_once_per_due_date(client, db, net):
    """Past its promised date without a reply: one text from the daily job, not again the next day."""
    assert leave(client, net.station, phone=PHONE).status_code == 302
    [opinion] = opinions(db)
    sign_in_as(client, net.staff)
    due = local_today() + timedelta(days=3)
    _act(client, opinion, "refer", department="区交通运输局", due_on=due.isoformat())
    job = load_jobs()["opinion_overdue_text"]
    assert job.cadence is DAILY
    for day in (due + timedelta(days=1), due + timedelta(days=2)):
        with freeze_time(f"{day.isoformat()} 01:00:00"):
            run = run_job(get_job("opinion_overdue_text"), DAILY.parse(day.isoformat()), RunSource.scheduled)
        assert run.outcome is Outcome.success, run.detail
    overdue = [m for m, _d in texts(db) if m.subject == "您的意见已过答复期限"]
    assert len(overdue) == 1 and opinion.grouped_number in overdue[0].body


def test_unsatisfied_with_a_reason_reopens_to_the_queue(client, db, net, app):
    """不满意 with a reason: back in staff's queue as 重新办理 with the reason, counted, audited; the next
    reply is texted again and can be rated again."""
    assert leave(client, net.station, phone=PHONE).status_code == 302
    [opinion] = opinions(db)
    sign_in_as(client, net.staff)
    _act(client, opinion, "reply", reply="已通知交警部门。")
    visitor = app.test_client()
    response = visitor.post(f"/o/{opinion.number}/rate", data={"satisfaction": "unsatisfied",
                                                               "comment": "红绿灯还是 20 秒，没有改。"})
    assert response.status_code == 302
    opinion = _reload(db, opinion)
    assert opinion.status is Status.reopened and opinion.reopened_count == 1
    assert opinion.reopen_reason == "红绿灯还是 20 秒，没有改。" and opinion.concluded_on is None
    page = visitor.get(f"/o/{opinion.number}").get_data(as_text=True)
    assert "重新办理" in page and "没有改" not in page.split('id="timeline"')[1]
    queue = client.get("/opinions").get_data(as_text=True)
    assert opinion.grouped_number in queue and "重新办理" in queue
    assert opinion.grouped_number in client.get("/opinions?status=reopened").get_data(as_text=True)
    detail = client.get(f"/opinions/{opinion.id}").get_data(as_text=True)
    assert "群众对答复不满意" in detail and "红绿灯还是 20 秒，没有改。" in detail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "opinion.reopened")) == 1
    _act(client, opinion, "reply", reply="已将绿灯延长至 40 秒。")
    opinion = _reload(db, opinion)
    assert opinion.status is Status.replied and opinion.can_be_rated
    assert [m.subject for m, _d in texts(db)].count("您的意见已答复") == 2


def test_closed_without_contact_only_when_none_was_left(client, db, net):
    """No number left: staff close it with the result shown on the lookup page; with a number: refused."""
    assert leave(client, net.station).status_code == 302
    assert leave(client, net.station, phone=PHONE, content="另一件事：小区路灯坏了三盏。").status_code == 302
    without, with_phone = opinions(db)
    sign_in_as(client, net.staff)
    assert "办结（群众未留联系方式）" in client.get(f"/opinions/{without.id}").get_data(as_text=True)
    assert "办结（群众未留联系方式）" not in client.get(f"/opinions/{with_phone.id}").get_data(as_text=True)
    assert _act(client, without, "no_contact", reply="已延长绿灯时间。").status_code == 302
    without = _reload(db, without)
    assert without.status is Status.replied and without.concluded_on == local_today()
    assert any(e.kind is EventKind.closed_no_contact for e in without.events)
    assert "已延长绿灯时间" in client.get(f"/o/{without.number}").get_data(as_text=True)
    refused = _act(client, with_phone, "no_contact", reply="已处理。")
    assert refused.status_code in (302, 400) and _reload(db, with_phone).status is Status.received


def test_the_retention_job_removes_numbers_after_n_days_and_audits_the_count(client, db, net, setting):
    """Closed 30 days ago with the setting at 30: removed (from the texts too), counted in one audit
    event; closed 29 days ago: kept; running again removes nothing more."""
    setting("LIAISON_OPINION_PHONE_RETENTION_DAYS", 30)
    assert leave(client, net.station, phone=PHONE).status_code == 302
    assert leave(client, net.station, phone=PHONE, content="另一件事：小区路灯坏了三盏。").status_code == 302
    old, recent = opinions(db)
    today = local_today()
    old.status, old.concluded_on = Status.replied, today - timedelta(days=30)
    recent.status, recent.concluded_on = Status.replied, today - timedelta(days=29)
    db.session.commit()
    run = run_job(get_job("opinion_phone_retention"), DAILY.parse(today.isoformat()), RunSource.scheduled)
    assert run.outcome is Outcome.success and "1 个" in run.detail, run.detail
    assert remove_old_phones(today) == 0  # run again: nothing more
    db.session.commit()
    old, recent = _reload(db, old), _reload(db, recent)
    assert old.phone == "" and old.phone_removed_at is not None and recent.phone == PHONE_DIGITS
    addresses = {m.dedupe_key.split(":")[1]: d.address for m, d in texts(db)}
    assert addresses[str(old.id)] == "" and addresses[str(recent.id)] == PHONE_DIGITS
    events = db.session.scalars(sa.select(AuditEvent)
                                .where(AuditEvent.action == "opinion.phones_removed")).all()
    assert len(events) == 1 and events[0].detail.startswith("1 phone numbers removed")
    assert date.fromisoformat(events[0].detail.rsplit(" ", 1)[1]) == today - timedelta(days=30)


def test_the_retention_defaults_to_180_days(app):
    assert app.config["LIAISON_OPINION_PHONE_RETENTION_DAYS"] == 180
