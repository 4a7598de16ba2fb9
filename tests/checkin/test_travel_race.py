"""Two scans by one account at stations 30 km apart, sent at the same instant: the second is held as
travel doubt, however the requests interleave (a row lock on the deputy on PostgreSQL, the immediate
write transaction on SQLite)."""
import time
from decimal import Decimal

import sqlalchemy as sa

from stations.checkin import operations
from stations.checkin.models import Checkin, PendingReason, Status
from stations.tokens import make_kiosk_token
from tests import factories
from tests.checkin.conftest import at_once, client_for

#: About 30 km north of the place's station.
FAR_POINT = (Decimal("30.520000"), Decimal("120.150000"))


def test_two_scans_30_km_apart_at_the_same_instant_leave_one_in_doubt(app, db, place, monkeypatch):
    """One account, two phones, kiosk codes of two stations 30 km apart, both 签到 at the same instant:
    one check-in counts, the other waits for staff as 与上一次签到的距离和时间不符.

    Each request pauses after reading the deputy's previous check-in, as a busy server may: without
    the lock both read "no previous check-in" in that pause and both count."""
    far = factories.make_station(township=place.town, electoral_district=place.district, name="远郊联络站",
                                 latitude=FAR_POINT[0], longitude=FAR_POINT[1], radius_m=200)
    real_doubt = operations._implausible_travel

    def slow_doubt(deputy_id, station, now):
        doubt = real_doubt(deputy_id, station, now)
        time.sleep(0.5)
        return doubt

    monkeypatch.setattr(operations, "_implausible_travel", slow_doubt)
    phones = [client_for(app, place.user), client_for(app, place.user)]
    scans = [(place.station.code, make_kiosk_token(place.station)), (far.code, make_kiosk_token(far))]
    db.session.commit()

    def send(phone):
        code, token = scans[phones.index(phone)]
        return phone.post(f"/s/{code}", data={"nonce": f"race-{code}-0123456789", "t": token}).status_code

    assert at_once(phones, send) == [303, 303]
    db.session.commit()
    rows = db.session.execute(sa.select(Checkin.status, Checkin.pending_reason).order_by(Checkin.occurred_at)).all()
    assert [tuple(row) for row in rows] == [(Status.accepted, None),
                                           (Status.pending, PendingReason.implausible_travel)]
