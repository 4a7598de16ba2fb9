"""Publishing a rota while the mail relay hangs: the publication is saved at once, its emails wait
as deliveries, the delivery job spends one SMTP timeout on them, and they go out when the relay is back."""
import time
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from liaison.clock import utcnow
from liaison.extensions import db as _db
from liaison.notifications.delivery import deliver_pending
from liaison.notifications.models import DeliveryStatus
from liaison.notifications.operations import set_email_address
from liaison.rota.models import RotaMonth, RotaStatus
from tests.notifications.delivery_helpers import deliveries, run_delivery_job, smtp_server
from tests.rota.conftest import messages
from tests.rota.test_pages import SEPT_20, propose

#: The SMTP timeout in this test: the request must not come near it, the job must stop at it.
TIMEOUT = 2


def test_a_hanging_relay_neither_blocks_nor_undoes_the_publication(app, client, db, login_as, october,
                                                                   monkeypatch):
    """With the relay hanging, publishing answers at once and stays published, no SMTP conversation
    happens in the request, and every deputy with a place has a message and a waiting email; the
    delivery job is held for one SMTP timeout (not one per deputy) and leaves them for a retry; when
    the relay works again the retry sends each email once."""
    with smtp_server(app, monkeypatch, mode="hang", timeout=TIMEOUT) as relay:
        with freeze_time(SEPT_20):
            login_as("township_staff", townships=[october.township])
            propose(client, october)
            rota_month = _db.session.scalar(sa.select(RotaMonth))
            holders = {a.deputy.account for s in rota_month.slots for a in s.holding if a.deputy.account}
            for user in holders:
                set_email_address(user, f"user{user.id}@example.com")
            _db.session.commit()
            started = time.monotonic()
            response = client.post(f"/rota/{rota_month.id}/publish")
            took = time.monotonic() - started
        assert response.status_code == 302 and took < TIMEOUT
        assert relay.sessions == 0
        _db.session.expire_all()
        assert _db.session.get(RotaMonth, rota_month.id).status is RotaStatus.published
        assert {m.user_id for m in messages("rota_published")} == {u.id for u in holders}
        queued = deliveries()
        assert len(queued) == len(holders) and {d.status for d in queued} == {DeliveryStatus.pending}

        started = time.monotonic()
        assert run_delivery_job() == "pending 1"
        assert time.monotonic() - started < TIMEOUT + 3
        tried = [d for d in deliveries() if d.attempts]
        assert len(tried) == 1 and "timed out" in tried[0].last_error

    with smtp_server(app, monkeypatch) as relay:
        assert deliver_pending(now=utcnow() + timedelta(minutes=5)) == {"sent": len(holders)}
        assert sorted(r[1][0] for r in relay.received) == sorted(f"user{u.id}@example.com" for u in holders)
        assert run_delivery_job() == "" and len(relay.received) == len(holders)
