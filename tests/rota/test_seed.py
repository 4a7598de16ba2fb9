"""`liaison seed demo` adds this month's published rota in every township, activities this quarter at
each home, and a few messages in the demo deputy's inbox."""
import time

import sqlalchemy as sa

from liaison.clock import local_today, quarter_of
from liaison.notifications.models import Message
from liaison.activities.models import Activity
from liaison.rota.models import RotaMonth, RotaStatus, Slot
from liaison.seed.demo import DEPUTY_MOBILE
from liaison.accounts.models import User
from liaison.townships.models import Township


def test_the_demo_has_a_published_rota_activities_and_messages(app, db, capsys):
    """Every township has this month published with slots; every home has two activities this quarter;
    the demo deputy has a place and a few messages; the whole seed stays fast."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nseed demo (with rota): {elapsed:.1f} s")
    assert result.exit_code == 0, result.output
    today = local_today()
    months = db.session.scalars(sa.select(RotaMonth)).all()
    townships = db.session.scalars(sa.select(Township)).all()
    assert sorted(m.township_id for m in months) == sorted(t.id for t in townships)
    assert all((m.year, m.month, m.status) == (today.year, today.month, RotaStatus.published) for m in months)
    assert all(db.session.scalar(sa.select(sa.func.count(Slot.id)).where(Slot.rota_month_id == m.id))
               for m in months)
    activities = db.session.scalars(sa.select(Activity)).all()
    assert len(activities) == 2 * len(townships)
    assert all(quarter_of(a.local_date) == quarter_of(today) and a.local_date.year == today.year
               for a in activities)
    demo = db.session.scalar(sa.select(User).where(User.mobile == DEPUTY_MOBILE))
    inbox = db.session.scalars(sa.select(Message).where(Message.user_id == demo.id)).all()
    assert 2 <= len(inbox) <= 5
    assert any("进站接待安排已公示" in m.subject for m in inbox)
    assert any(m.kind == "activity_invited" for m in inbox)
