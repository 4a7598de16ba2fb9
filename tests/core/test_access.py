"""The role × route table: every route of the app is listed with who may use it, and checked.

A new route missing from ACCESS fails ``test_every_route_is_in_the_table``, so access is decided
on purpose for each page. Records used for the URLs lie in the township staff member's own
township; other tests check that another township's records answer 404.
"""
import pytest

from liaison.accounts.models import Role
from liaison.network.models import StationKind
from tests import factories
from tests.conftest import sign_in

ROLES = ("anonymous", "deputy", "township_staff", "committee", "admin")
PUBLIC = frozenset(ROLES)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
STAFF = frozenset({"township_staff", "committee", "admin"})
DISTRICT = frozenset({"committee", "admin"})
DEPUTY = frozenset({"deputy"})

ACCESS = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.index": SIGNED_IN,
    "main.healthz": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.logout": SIGNED_IN,
    "accounts.activate": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.change_password": SIGNED_IN,
    "accounts.switch_language": PUBLIC,
    "accounts.issue_activation": STAFF,
    "accounts.bulk_activation": STAFF,
    "accounts.issue_bulk_activation": STAFF,
    "accounts.set_enabled": STAFF,
    "accounts.users": DISTRICT,
    "accounts.new_user": DISTRICT,
    "accounts.edit_user": DISTRICT,
    "accounts.confirm_password": SIGNED_IN,
    "system.audit": DISTRICT,
    "townships.index": DISTRICT,
    "townships.new": DISTRICT,
    "townships.detail": DISTRICT,
    "townships.edit": DISTRICT,
    "townships.new_district": DISTRICT,
    "townships.edit_district": DISTRICT,
    "terms.index": DISTRICT,
    "terms.new": DISTRICT,
    "terms.edit": DISTRICT,
    "deputies.index": STAFF,
    "deputies.detail": STAFF,
    "deputies.new": DISTRICT,
    "deputies.edit": DISTRICT,
    "deputies.new_mandate": DISTRICT,
    "deputies.edit_mandate": DISTRICT,
    "deputies.end_mandate": DISTRICT,
    "deputies.new_suspension": DISTRICT,
    "deputies.export_roster": STAFF,
    "deputies.reveal_mobile": STAFF,
    "stations.index": STAFF,
    "scanner.choose": STAFF,
    "scanner.camera": STAFF,
    "scanner.submit": STAFF,
    "stations.new": STAFF,
    "stations.detail": STAFF,
    "stations.edit": STAFF,
    "stations.set_active": STAFF,
    "stations.poster": STAFF,
    "stations.poster_png": STAFF,
    "stations.poster_svg": STAFF,
    "stations.rekey": STAFF,
    "stations.kiosk": STAFF,
    "stations.kiosk_qr": STAFF,
    "checkin.scan": PUBLIC,
    "checkin.done": DEPUTY,
    "opinions.checkout": DEPUTY,
    "checkin.mine": DEPUTY,
    "dashboard.my_record": DEPUTY,
    "checkin.today": STAFF,
    "checkin.queue": STAFF,
    "checkin.review": STAFF,
    "checkin.back_entry": STAFF,
    "checkin.back_entry_many": STAFF,
    "reports.sessions": STAFF,
    "reports.new_session": STAFF,
    "reports.session": STAFF,
    "reports.new_report": STAFF,
    "reports.edit_report": STAFF,
    "reports.attachment": STAFF,
    "reports.exemptions": DISTRICT,
    "reports.new_exemption": DISTRICT,
    "reports.targets": DISTRICT,
    "calendar.index": DISTRICT,
    "calendar.new_day": DISTRICT,
    "calendar.notice": DISTRICT,
    "calendar.delete_day": DISTRICT,
    "system.jobs": DISTRICT,
    "notifications.inbox": SIGNED_IN,
    "notifications.mark_read": SIGNED_IN,
    "notifications.mark_all_read": SIGNED_IN,
    "notifications.email": SIGNED_IN,
    "notifications.outbox": DISTRICT,
    "notifications.deliveries": STAFF,
    "notifications.export_undelivered": STAFF,
    "notifications.retry_delivery": STAFF,
    "rota.index": STAFF,
    "rota.propose": STAFF,
    "rota.month": STAFF,
    "rota.add_slot": STAFF,
    "rota.delete_slot": STAFF,
    "rota.assign": STAFF,
    "rota.unassign": STAFF,
    "rota.publish": STAFF,
    "rota.notice": STAFF,
    "public.station": PUBLIC,
    "public.district_account": PUBLIC,
    "public.township_account": PUBLIC,
    "public.station_account": PUBLIC,
    "rota.my_slots": DEPUTY,
    "rota.request_leave": DEPUTY,
    "rota.my_unavailability": DEPUTY,
    "rota.delete_my_unavailability": DEPUTY,
    "rota.unavailability": STAFF,
    "rota.delete_unavailability": STAFF,
    "rota.requests": STAFF,
    "rota.decide": STAFF,
    "activities.index": STAFF,
    "activities.new": STAFF,
    "activities.show": STAFF,
    "activities.record_attendance": STAFF,
    "imports.roster": DISTRICT,
    "imports.template": DISTRICT,
    "imports.upload": DISTRICT,
    "imports.confirm": DISTRICT,
    "imports.static": PUBLIC,
    "dashboard.index": STAFF,
    "dashboard.missing": STAFF,
    "dashboard.people": STAFF,
    "dashboard.remind": STAFF,
    "dashboard.export": STAFF,
    "dashboard.bulletin": STAFF,
    "dashboard.bulletins_page": STAFF,
    "dashboard.make_bulletin": DISTRICT,
    "dashboard.terms": DISTRICT,
    "dashboard.deputy_record": STAFF,
    "dashboard.close_term": DISTRICT,
    "dashboard.reopen_term": DISTRICT,
    "dashboard.final_workbook": DISTRICT,
    "opinions.leave": PUBLIC,
    "opinions.received": PUBLIC,
    "opinions.lookup": PUBLIC,
    "opinions.track": PUBLIC,
    "opinions.rate": PUBLIC,
    "opinions.record": DEPUTY | STAFF,
    "opinions.mine": DEPUTY,
    "opinions.queue": STAFF,
    "opinions.detail": STAFF,
    "opinions.photo": STAFF,
    "opinions.act": STAFF,
    "opinions.register": STAFF,
    "opinions.reveal_phone": STAFF,
}

#: Routes whose answer to an allowed user is a redirect to the login page by design.
SIGNS_OUT = {"accounts.logout"}


def test_every_route_is_in_the_table(app):
    """Adding a route without deciding who may use it fails here."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "routes missing from the access table"
    assert set(ACCESS) - endpoints == set(), "table lists routes that no longer exist"


@pytest.fixture()
def records(db):
    """One of everything, in one township."""
    township = factories.make_township(name="安平镇")
    district_term = factories.make_term()
    district = factories.make_district(term=district_term, township=township)
    station = factories.make_station(township=township, electoral_district=district)
    home = factories.make_station(township=township, kind=StationKind.home)
    deputy = factories.make_deputy()
    mandate = factories.make_mandate(deputy=deputy, term=district_term, township=township,
                                     electoral_district=district, station=station, home=home)
    account = factories.make_user(roles={Role.deputy}, deputy=deputy, password=None)
    db.session.commit()
    return {
        "township": township, "township_id": township.id, "district_id": district.id,
        "term_id": district_term.id, "deputy_id": deputy.id, "mandate_id": mandate.id,
        "station_id": station.id, "user_id": account.id, "token": "not-a-token", "code": "zh_CN",
        "station_code": station.code,
        "filename": "app.css",
        "day_id": 1, "message_id": 1, "delivery_id": 1,  # no such calendar day, message or delivery: 404
        "checkin_id": 1,  # no such check-in: its owner-only pages answer 404 to everyone else
        "session_id": 1, "report_id": 1,  # no such session or report: staff get 404, others 403 or sign-in
        # No such rota month, slot, place, request, activity or unavailable period: allowed users get 404.
        "rota_month_id": 1, "slot_id": 1, "assignment_id": 1, "request_id": 1, "activity_id": 1,
        "unavailability_id": 1,
        "name": "bulletin-2000-01.xlsx",  # no such archived bulletin: allowed users get 404
        # No such opinion or lookup number: allowed users get 404.
        "opinion_id": 1, "number": "NOSUCHNO", "step": "reply",
    }


def _url(app, rule, values):
    args = {name: values[name] for name in rule.arguments}
    if "code" in args and rule.rule.startswith(("/s/", "/p/")):
        args["code"] = values["station_code"]  # a real station, so access is what is tested
    if rule.endpoint == "bootstrap.static":
        args["filename"] = "css/bootstrap.min.css"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _verdict(response):
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and "/login" in location:
        return "login"
    if response.status_code == 403:
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
def test_role_route_table(app, client, db, records, role):
    """Each role gets in where the table says, is refused (403) or sent to sign in elsewhere."""
    if role != "anonymous":
        roles = {Role(role)}
        user = factories.make_user(
            roles=roles, townships=[records["township"]] if role == "township_staff" else (),
            deputy=factories.make_deputy() if role == "deputy" else None)
        db.session.commit()
        sign_in(client, user.mobile)
    wrong = []
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint not in ACCESS or endpoint in SIGNS_OUT:
            continue
        url = _url(app, rule, records)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={"enabled": "1"} if method == "POST" else None)
        verdict = _verdict(response)
        response.close()
        if role in ACCESS[endpoint]:
            expected = "allowed"
        else:
            expected = "login" if role == "anonymous" else "forbidden"
        if verdict != expected:
            wrong.append(f"{method} {url} ({endpoint}): expected {expected}, got {response.status_code} {verdict}")
    assert wrong == []
