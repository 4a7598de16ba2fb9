"""Who is missing, and one tap to remind them (rule R24): the 进行中 list of a month with next rota
place, last visit and a masked number, filtered by station; reminders by inbox and SMS, counted."""
import sqlalchemy as sa
from freezegun import freeze_time

from liaison.dashboard.models import VisitReminder
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from tests.conftest import sign_in
from tests.dashboard import missing_world

NOW = "2026-12-10 02:00:00"  # 10:00 in Shanghai


def _sign_in_staff(client, world, db):
    db.session.commit()
    assert sign_in(client, world.staff.mobile).status_code == 302


@freeze_time(NOW)
def test_the_list_shows_who_has_not_come_with_slot_last_visit_and_masked_number(client, db):
    """乙 and 丙 of 东镇 have not come in December (进行中); 甲 came and 丁 is another township's."""
    world = missing_world.build(db)
    _sign_in_staff(client, world, db)
    page = client.get(missing_world.list_url(world)).get_data(as_text=True)
    assert "乙" in page and "丙" in page
    assert ">甲<" not in page and ">丁<" not in page
    assert "138****4917" in page and "13800004917" not in page
    assert "12月18日" in page or "2026-12-18" in page  # 乙's next rota place
    assert "2026-11-20" in page  # 乙's last visit
    assert "暂无安排" in page and "无记录" in page  # 丙: no slot, never came
    only_two = client.get(missing_world.list_url(world, station=world.two.id)).get_data(as_text=True)
    assert "丙" in only_two and "138****4917" not in only_two


@freeze_time(NOW)
def test_remind_sends_inbox_and_sms_and_the_list_counts_the_reminders(client, db):
    """Ticking 乙 and 丙 reminds both: 乙 gets an inbox message and an SMS row (held in the outbox until
    the delivery job); 丙 has no account, so staff are told to phone; the list then says 已提醒 1 次,
    and after a second reminder 已提醒 2 次."""
    world = missing_world.build(db)
    _sign_in_staff(client, world, db)
    form = {"figure": "month", "term": world.term.id, "period": 202612, "township": "", "station": "",
            "ids": [world.乙.id, world.丙.id]}
    response = client.post("/dashboard/people/remind", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已提醒 1 位代表" in page
    assert "丙 还没有可用的账号" in page
    assert "已提醒 1 次" in page
    messages = db.session.scalars(sa.select(Message).where(Message.kind == "visit_reminder_month")).all()
    assert [m.user.deputy.name for m in messages] == ["乙"]
    assert "2026年12月" in messages[0].subject and "12月18日" in messages[0].body
    sms = db.session.scalars(sa.select(Delivery).where(Delivery.message_id == messages[0].id)).all()
    assert [(d.channel, d.status) for d in sms] == [("sms", DeliveryStatus.held)]
    client.post("/dashboard/people/remind", data=dict(form, ids=[world.乙.id]), follow_redirects=True)
    page = client.get(missing_world.list_url(world)).get_data(as_text=True)
    assert "已提醒 2 次" in page
    rows = db.session.execute(sa.select(VisitReminder.deputy_id, VisitReminder.sequence)
                              .order_by(VisitReminder.id)).all()
    assert rows == [(world.乙.id, 1), (world.丙.id, 1), (world.乙.id, 2)]
    assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.kind == "visit_reminder_month")) == 2


@freeze_time(NOW)
def test_staff_cannot_remind_other_townships_or_people_who_came(client, db):
    """丁 (西镇) and 甲 (came already) are not in the 东镇 staff's 进行中 list: ticking them reminds nobody."""
    world = missing_world.build(db)
    _sign_in_staff(client, world, db)
    form = {"figure": "month", "term": world.term.id, "period": 202612, "ids": [world.丁.id, world.甲.id]}
    page = client.post("/dashboard/people/remind", data=form, follow_redirects=True).get_data(as_text=True)
    assert "请先勾选要提醒的代表" in page
    assert "2 位代表已不在“进行中”名单" in page
    assert db.session.scalar(sa.select(sa.func.count(VisitReminder.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0


@freeze_time(NOW)
def test_the_list_costs_the_same_statements_for_more_deputies(client, db, app):
    """Flat cost: the list's reads do not grow with the number of deputies in progress."""
    from liaison.dashboard import queries
    from tests import factories

    world = missing_world.build(db)

    def statements():
        counted = []
        listener = lambda *args: counted.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows = queries.missing_people("month", world.term.id, world.today, 2026, 202612, [world.east.id])
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted), len(rows)

    few, n_few = statements()
    for _ in range(30):
        factories.make_mandate(factories.make_deputy(), world.term, world.east, station_id=world.one.id)
    db.session.flush()
    many, n_many = statements()
    assert n_many == n_few + 30
    assert many == few
