"""Rule R5: a term's recorded end date is provisional until the term is closed; until then its
deputies check in past it as usual."""
from datetime import timedelta

from liaison.clock import local_today
from stations.checkin.models import RejectReason, Status
from tests.checkin.conftest import AT_STATION, counts, only_checkin, tap
from tests.conftest import sign_in


def test_a_deputy_checks_in_after_the_planned_end_of_an_open_term(db, client, place):
    """The term's planned end was ten days ago but the term is not closed: the scan is accepted and
    counts."""
    place.term.end_date, place.term.end_provisional = local_today() - timedelta(days=10), True
    db.session.commit()
    sign_in(client, place.user.mobile)
    response = tap(client, place.station.code, location=AT_STATION)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert only_checkin().status is Status.accepted


def test_once_the_end_is_real_the_deputy_no_longer_checks_in(db, client, place):
    """The same term with its end confirmed (as the closing does): 您今天没有在任的代表职务."""
    place.term.end_date, place.term.end_provisional = local_today() - timedelta(days=10), False
    db.session.commit()
    sign_in(client, place.user.mobile)
    response = tap(client, place.station.code, location=AT_STATION)
    assert response.status_code == 403
    assert str(RejectReason.no_mandate.message) in response.get_data(as_text=True)
    assert counts() == (0, 1)
