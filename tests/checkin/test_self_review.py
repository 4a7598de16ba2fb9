"""Staff who are deputies themselves cannot make their own check-ins count."""
from datetime import datetime

import pytest

from liaison.accounts.models import Role
from liaison.errors import InvalidInput
from stations.checkin import operations
from stations.checkin.models import Status
from tests import factories


def test_staff_deputy_cannot_back_enter_or_confirm_their_own_checkin(db, place):
    place.user.set_roles({Role.deputy, Role.township_staff})
    place.user.townships = [place.town]
    db.session.flush()
    with pytest.raises(InvalidInput, match="不能为自己补登"):
        operations.back_enter_checkin(place.station, place.deputy, datetime(2026, 3, 2, 9, 30), "手机没电，见签到簿",
                                      place.user)
    pending = factories.make_checkin(place.deputy, place.station, factories.local(2026, 3, 2, 9, 30),
                                     status=Status.pending)
    with pytest.raises(InvalidInput, match="不能核实自己的签到"):
        operations.review_checkins([pending], True, place.user)
    db.session.rollback()
