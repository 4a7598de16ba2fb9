"""Every POST route without a CSRF token: nothing in the database or the session changes, and no 5xx.

POSTS lists each POST endpoint with the role that may use it and the form data a real user would
send, so that a view that ran anyway would write. A new POST route missing from POSTS fails
``test_every_post_route_is_in_the_table``. The records come from the demo district plus a few
made here (a calendar day, a leave request, an unavailable period, an activation link …).
"""
import io
import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from liaison.accounts import operations as accounts
from liaison.activities.models import ActivityType
from liaison.activities.operations import create_activity
from liaison.accounts.models import User
from liaison.accounts.views import DEMO_PASSWORD
from liaison.calendar import operations as calendar
from liaison.calendar.models import DayKind
from liaison.clock import local_today, utcnow
from liaison.dashboard.models import TermClosure
from liaison.deputies.models import Deputy, Mandate
from liaison.extensions import db as _db
from liaison.notifications.models import Delivery, DeliveryStatus, Message
from liaison.opinions.models import Opinion, Status as OpinionStatus
from liaison.reports.models import DutyReport
from liaison.rota import operations as rota
from liaison.rota.models import RequestKind, RotaMonth, Slot, SlotAssignment
from liaison.terms.models import Level
from liaison.dashboard.seed import seed_demo_reports
from liaison.seed.demo import COMMITTEE_MOBILE, DEPUTY_MOBILE, seed_demo_district
from liaison.seed.opinions import seed_demo_opinions
from stations.checkin.models import Status as CheckinStatus
from liaison.network.models import Station
from tests import factories
from tests.conftest import sign_in

COMMITTEE, DEPUTY, ANONYMOUS = "committee", "deputy", "anonymous"
TODAY = local_today()
#: The warning on a form shown back after a failed token (the tests run in English, see below).
FORM_KEPT = "What you entered has been kept"
SOON = TODAY + timedelta(days=40)


@dataclass
class Post:
    """Who posts to an endpoint, the URL's values that differ from the world's, and the form data."""

    role: str
    data: object = field(default_factory=dict)  # a dict, or a function of the world
    args: dict = field(default_factory=dict)  # URL values instead of the world's same-named ones
    query: object = field(default_factory=dict)  # query-string values, or a function of the world


def _person(w, mobile):
    return {"name": "改名测试", "gender": "male", "ethnicity": "汉族", "mobile": mobile}


def _mandate(w):
    return {"term_id": w["term_id"], "township_id": w["township_id"],
            "electoral_district_id": w["district_id"],
            "home_id": w["home_id"], "station_id": w["station_id"], "start_date": TODAY.isoformat()}


def _station(w):
    return {"kind": "station", "name": "测试联络站", "township_id": w["township_id"],
            "electoral_district_id": w["district_id"], "address": "人民路 2 号", "radius_m": "200",
            "checkin_policy": "fence", "active": "y", "weekdays": ["1", "2"], "am_opens": "09:00",
            "am_closes": "11:30"}


def _term(w):
    return {"level": "district", "ordinal": "9", "township_id": "0", "start_date": "2027-01-11",
            "end_date": "2032-01-10", "end_provisional": "y"}


def _report(w):
    return {"report_date": TODAY.isoformat(), "kind": "on_site", "voters_present": "30", "satisfied": "30",
            "basically_satisfied": "0", "dissatisfied": "0", "completed": "y", "version": w["report_version"]}


POSTS = {
    # accounts
    "accounts.login": Post(ANONYMOUS, {"mobile": DEPUTY_MOBILE, "password": DEMO_PASSWORD, "remember": "y"}),
    "accounts.logout": Post(DEPUTY),
    "accounts.activate": Post(ANONYMOUS, lambda w: {"mobile": w["user_mobile"], "password": "brand-new-pass-7",
                                                    "confirm": "brand-new-pass-7"}),
    "accounts.issue_bulk_activation": Post(COMMITTEE, lambda w: {"township": w["township_id"],
                                                                 "ids": str(w["user_id"]), "action": "sms"}),
    "accounts.forgot_password": Post(ANONYMOUS, {"mobile": DEPUTY_MOBILE, "send_code": "1"}),
    "accounts.reset_password": Post(ANONYMOUS, {"mobile": DEPUTY_MOBILE, "code": "123456",
                                                "password": "brand-new-pass-7", "confirm": "brand-new-pass-7"}),
    "accounts.change_password": Post(COMMITTEE, {"current_password": DEMO_PASSWORD,
                                                 "new_password": "other-pass-2", "confirm": "other-pass-2"}),
    "accounts.confirm_password": Post(COMMITTEE, {"password": DEMO_PASSWORD, "next": "/"}),
    "accounts.switch_language": Post(DEPUTY, {"next": "/"}, args={"code": "zh_CN"}),
    "accounts.issue_activation": Post(COMMITTEE),
    "accounts.set_enabled": Post(COMMITTEE, {"enabled": "0"}),
    "accounts.new_user": Post(COMMITTEE, {"mobile": "13912345678", "name": "新同事", "roles": "committee"}),
    "accounts.edit_user": Post(COMMITTEE, lambda w: {"name": "改名测试", "roles": "township_staff",
                                                     "townships": str(w["township_id"])},
                               args={"user_id": "staff_user_id"}),
    # calendar
    "calendar.new_day": Post(COMMITTEE, {"local_date": f"{TODAY.year + 3}-05-04", "kind": "holiday",
                                         "name": "青年节"}),
    "calendar.delete_day": Post(COMMITTEE),
    "calendar.notice": Post(COMMITTEE, {"year": str(TODAY.year + 4), "text": "一、元旦：1月1日放假。",
                                        "action": "save"}),
    # check-in
    "checkin.scan": Post(DEPUTY, {"nonce": "n" * 22}, args={"code": "station_code"}),
    # scan mode: the camera page posts JSON with the token in a header; without it nothing runs
    "scanner.submit": Post(COMMITTEE, {"code": "LDC1.1.20260101.x", "nonce": "n" * 22, "scanned_at": "0"}),
    "opinions.checkout": Post(DEPUTY, {"constituents_received": "3", "matters-0-category": "transport",
                                        "matters-0-content": "村口路灯不亮\n晚上看不清路"}),
    "checkin.review": Post(COMMITTEE, lambda w: {"ids": str(w["pending_checkin_id"]), "action": "confirm"}),
    "checkin.back_entry": Post(COMMITTEE, lambda w: {
        "station_id": w["station_id"], "deputy_id": w["deputy_id"], "day": TODAY.isoformat(), "time": "09:30",
        "reason": "纸质签到表补登"}),
    "checkin.back_entry_many": Post(COMMITTEE, lambda w: {
        "station_id": w["station_id"], "day": TODAY.isoformat(), "time": "09:30", "reason": "纸质签到表补登",
        "deputy_ids": str(w["other_deputy_id"])}),
    # dashboard
    "dashboard.remind": Post(COMMITTEE, lambda w: {"figure": "month", "term": w["term_id"],
                                                   "period": str(TODAY.year * 100 + TODAY.month),
                                                   "ids": str(w["other_deputy_id"])}),
    "dashboard.close_term": Post(COMMITTEE, lambda w: {"end_date": w["term_end"], "confirm": "y"}),
    "dashboard.reopen_term": Post(COMMITTEE, {"reason": "补录了换届前完成的述职", "confirm": "y"},
                                  args={"term_id": "closed_term_id"}),
    "dashboard.make_bulletin": Post(COMMITTEE, lambda w: {"month": w["past_month"], "threshold": "80",
                                                          "with_names": "y", "replace": "y"}),
    # deputies
    "deputies.new": Post(COMMITTEE, lambda w: _person(w, "13812345678")),
    "deputies.edit": Post(COMMITTEE, lambda w: _person(w, DEPUTY_MOBILE)),
    "deputies.new_mandate": Post(COMMITTEE, _mandate),
    "deputies.edit_mandate": Post(COMMITTEE, _mandate),
    "deputies.end_mandate": Post(COMMITTEE, {"end_date": TODAY.isoformat(), "end_reason": "resigned"}),
    "deputies.new_suspension": Post(COMMITTEE, {"start_date": TODAY.isoformat(), "reason": "暂停测试"}),
    "deputies.reveal_mobile": Post(COMMITTEE),
    # imports
    "imports.upload": Post(COMMITTEE, lambda w: {"file": (io.BytesIO(b"PK\x03\x04roster"), "roster.xlsx")}),
    "imports.confirm": Post(COMMITTEE),
    # notifications
    "notifications.mark_read": Post(DEPUTY),
    "notifications.mark_all_read": Post(DEPUTY),
    "notifications.email": Post(DEPUTY, {"address": "deputy@example.cn"}),
    "notifications.retry_delivery": Post(COMMITTEE),
    # opinions
    "opinions.leave": Post(ANONYMOUS, {"category": "construction", "content": "村口路灯坏了三个月"},
                           args={"code": "station_code"}),
    "opinions.rate": Post(ANONYMOUS, {"satisfaction": "satisfied"}, args={"number": "replied_number"}),
    "opinions.record": Post(COMMITTEE, lambda w: {"category": "construction", "content": "希望修一条路",
                                                  "station_id": w["station_id"],
                                                  "deputy_id": w["deputy_id"]}),
    "opinions.register": Post(COMMITTEE, lambda w: {"register-version": w["received_version"]},
                              args={"opinion_id": "received_opinion_id"}),
    "opinions.act": Post(COMMITTEE, lambda w: {"reply-reply": "已经安排维修", "reply-version": w["open_version"]},
                         args={"opinion_id": "open_opinion_id", "step": "reply"}),
    "opinions.reveal_phone": Post(COMMITTEE, args={"opinion_id": "open_opinion_id"}),
    # reports
    "reports.new_session": Post(COMMITTEE, lambda w: {
        "session_date": TODAY.isoformat(), "place_kind": "station", "station_id": w["station_id"],
        "mandate_ids": str(w["mandate_id"])}, query=lambda w: {"township_id": w["township_id"]}),
    "reports.new_report": Post(COMMITTEE, _report, query=lambda w: {"mandate_id": w["mandate_id"]}),
    "reports.edit_report": Post(COMMITTEE, _report),
    "reports.new_exemption": Post(COMMITTEE, {"scope": "year", "year": str(TODAY.year), "reason": "因病",
                                              "approver": "主任会议", "approved_on": TODAY.isoformat()},
                                  query=lambda w: {"mandate_id": w["mandate_id"]}),
    "reports.targets": Post(COMMITTEE, lambda w: {"term_ids": str(w["term_id"])}),
    # rota
    "rota.propose": Post(COMMITTEE, lambda w: {"township_id": w["township_id"], "year": str(SOON.year),
                                               "month": str(SOON.month), "capacity": "2"}),
    "rota.add_slot": Post(COMMITTEE, lambda w: {"station_id": w["station_id"], "local_date": w["slot_date"],
                                                "starts": "09:00", "ends": "10:00", "capacity": "2"}),
    "rota.delete_slot": Post(COMMITTEE),
    "rota.assign": Post(COMMITTEE, lambda w: {"deputy_id": w["other_deputy_id"]}),
    "rota.unassign": Post(COMMITTEE),
    "rota.publish": Post(COMMITTEE),
    "rota.request_leave": Post(DEPUTY, {"kind": "leave", "reason": "出差"}),
    "rota.my_unavailability": Post(DEPUTY, {"first_day": SOON.isoformat(), "last_day": SOON.isoformat(),
                                            "reason": "住院"}),
    "rota.delete_my_unavailability": Post(DEPUTY),
    "rota.unavailability": Post(COMMITTEE, lambda w: {"deputy_id": w["deputy_id"],
                                                      "first_day": SOON.isoformat(),
                                                      "last_day": SOON.isoformat(), "reason": "外出"}),
    "rota.delete_unavailability": Post(COMMITTEE),
    "rota.decide": Post(COMMITTEE, {"decision": "approve"}),
    "activities.new": Post(COMMITTEE, lambda w: {
        "local_date": w["slot_date"], "starts": "14:00", "ends": "16:00", "type": "study", "title": "学习",
        "invited": str(w["deputy_id"])}, query=lambda w: {"station_id": w["home_id"]}),
    "activities.record_attendance": Post(COMMITTEE, lambda w: {"deputy_ids": str(w["other_deputy_id"])}),
    # stations
    "stations.new": Post(COMMITTEE, _station),
    "stations.edit": Post(COMMITTEE, _station),
    "stations.set_active": Post(COMMITTEE, {"active": "0"}),
    "stations.rekey": Post(COMMITTEE, {"confirm": "y"}),
    # terms and townships
    "terms.new": Post(COMMITTEE, _term),
    "terms.edit": Post(COMMITTEE, _term),
    "townships.new": Post(COMMITTEE, {"name": "新设镇", "kind": "township"}),
    "townships.edit": Post(COMMITTEE, {"name": "改名镇", "kind": "subdistrict"}),
    "townships.new_district": Post(COMMITTEE, lambda w: {"term_id": w["term_id"], "name": "第九十九选区"}),
    "townships.edit_district": Post(COMMITTEE, lambda w: {"term_id": w["term_id"],
                                                          "township_id": w["township_id"], "name": "改名选区"}),
}


def _post_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def test_every_post_route_is_in_the_table(app):
    """A new POST route fails here until it says who posts to it and with what."""
    endpoints = {rule.endpoint for rule in _post_rules(app)}
    assert endpoints - set(POSTS) == set(), "POST routes missing from POSTS: say who posts and with what"
    assert set(POSTS) - endpoints == set(), "POSTS lists routes that no longer exist"


def test_csrf_is_checked_before_any_other_request_hook(app):
    """No request hook that may write (the staff idle sign-out writes the session) runs before the
    token check; only the NUL-byte guard, which refuses before anything reads, comes first."""
    hooks = app.before_request_funcs[None]
    assert hooks[0].__name__ == "refuse_nul_bytes"
    assert hooks[1].__module__ == "flask_wtf.csrf"
    assert all(name is None for name in app.before_request_funcs), "a blueprint hook would run before CSRF"


def _one(statement):
    return _db.session.scalars(statement.limit(1)).first()


def _world():
    """The demo district, and the few records it lacks, as the values URLs and forms need."""
    seed_demo_district()
    seed_demo_reports(random.Random(1))
    committee = _db.session.scalar(sa.select(User).where(User.mobile == COMMITTEE_MOBILE))
    seed_demo_opinions(random.Random(2), committee.id)
    deputy = _db.session.scalar(sa.select(Deputy).where(Deputy.mobile == DEPUTY_MOBILE))
    mandate = _one(sa.select(Mandate).where(Mandate.deputy_id == deputy.id,
                                            Mandate.electoral_district_id.is_not(None)))
    station, home = mandate.station, mandate.home
    other = _one(sa.select(Mandate).where(Mandate.township_id == mandate.township_id,
                                          Mandate.deputy_id != deputy.id, Mandate.end_date.is_(None)))
    staff_user = _one(sa.select(User).where(User.mobile == "13900000002"))
    token = accounts.issue_activation(other.deputy.account, issued_by=committee)
    day = calendar.record_calendar_day(TODAY.replace(year=TODAY.year + 3, month=10, day=8), DayKind.holiday,
                                       "国庆节")
    checkin = factories.make_checkin(deputy, station, utcnow())
    pending = factories.make_checkin(other.deputy, station, utcnow() - timedelta(hours=1),
                                     status=CheckinStatus.pending)
    unavailable = rota.record_unavailability(deputy, SOON, SOON + timedelta(days=1), "出差")
    rota_month = _one(sa.select(RotaMonth).where(RotaMonth.township_id == mandate.township_id))
    assignment = _one(sa.select(SlotAssignment).join(Slot).where(SlotAssignment.deputy_id == deputy.id,
                                                                 Slot.local_date > TODAY))
    leave = rota.request_leave(assignment, RequestKind.leave, "出差") if assignment is not None else None
    slot = assignment.slot if assignment is not None else _one(sa.select(Slot).where(Slot.local_date > TODAY))
    opinions = _db.session.scalars(sa.select(Opinion).join(Station).where(
        Station.township_id == mandate.township_id)).all()
    by_status = {}
    for opinion in opinions:
        by_status.setdefault(opinion.status, opinion)
    received = by_status.get(OpinionStatus.received) or opinions[0]
    open_ = by_status.get(OpinionStatus.registered) or by_status.get(OpinionStatus.referred) or opinions[0]
    replied = _one(sa.select(Opinion).where(Opinion.status == OpinionStatus.replied,
                                            Opinion.satisfaction.is_(None)))
    report = _one(sa.select(DutyReport))
    message = _one(sa.select(Message).where(Message.user_id == deputy.account.id))
    failed = Delivery(message=message, channel="email",
                      address="deputy@example.cn", status=DeliveryStatus.failed, attempts=5, last_error="550 refused")
    _db.session.add(failed)
    closed = _closed_term(committee)
    activity = create_activity(home, TODAY - timedelta(days=1), time(9), time(10), ActivityType.study, "学习",
                               [other.deputy], notify=False)
    _db.session.commit()
    return {
        "township_id": mandate.township_id, "term_id": mandate.term_id,
        "term_end": mandate.term.end_date.isoformat(),
        "past_month": (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
        "district_id": mandate.electoral_district_id, "deputy_id": deputy.id, "mandate_id": mandate.id,
        "other_deputy_id": other.deputy_id, "station_id": station.id, "station_code": station.code,
        "home_id": home.id, "user_id": other.deputy.account.id, "staff_user_id": staff_user.id,
        "token": token, "user_mobile": other.deputy.mobile, "activity_id": activity.id,
        "day_id": day.id, "checkin_id": checkin.id, "pending_checkin_id": pending.id,
        "unavailability_id": unavailable.id, "rota_month_id": rota_month.id, "slot_id": slot.id,
        "slot_date": slot.local_date.isoformat(),
        "assignment_id": assignment.id if assignment else 0, "request_id": leave.id if leave else 0,
        "received_opinion_id": received.id, "received_version": str(received.version),
        "open_opinion_id": open_.id, "open_version": str(open_.version),
        "replied_number": replied.number if replied else "NOSUCHNO",
        "report_id": report.id, "report_version": str(report.version),
        "message_id": message.id if message else 0, "delivery_id": failed.id,
        "closed_term_id": closed.id,
    }


def _closed_term(committee):
    """A term closed at the last 换届, with its frozen figures, so its reopening form can be reached."""
    term = factories.make_term(level=Level.district, ordinal=7, name="区第七届", start_date=date(2017, 1, 10),
                               end_date=date(2022, 1, 9), end_provisional=False, figures_frozen_at=utcnow())
    _db.session.add(TermClosure(term=term, final_end_date=term.end_date, due=0, done=0, workbook=b"",
                                closed_at=term.figures_frozen_at, closed_by_id=committee.id))
    return term


def _rows(db):
    """Every row of every table (the audit trail included), in a comparable form."""
    with db.engine.connect() as conn:
        return {table.name: sorted(map(repr, conn.execute(sa.select(table)).all()))
                for table in db.metadata.sorted_tables}


def _changed_tables(before, after):
    return sorted(name for name in before if before[name] != after[name])


def _session(client, token_key="csrf_token"):
    with client.session_transaction() as session:
        return {key: value for key, value in session.items() if key != token_key}


def _request(app, rule, post, world):
    """The URL and form data of one endpoint's post."""
    keys = {name: post.args.get(name, name) for name in rule.arguments}
    args = {name: world.get(key, key) for name, key in keys.items()}  # a world value, or the literal given
    query = post.query(world) if callable(post.query) else post.query
    with app.test_request_context():
        url = url_for(rule.endpoint, **args, **query)
    data = post.data(world) if callable(post.data) else dict(post.data)
    return url, data


def _language_shown(client):
    page = client.get("/", follow_redirects=True).get_data(as_text=True)  # home, or sign-in when signed out
    return "en" if '<html lang="en">' in page else "zh"


@pytest.mark.parametrize("role", (COMMITTEE, DEPUTY, ANONYMOUS))
def test_posts_without_a_token_change_nothing(app, client, db, role):
    """Posting any form of the product without its token, with data that would save, changes no record,
    no audit event and nothing in the session: the user is still signed in, in the language chosen."""
    world = _world()
    if role != ANONYMOUS:
        response = sign_in(client, COMMITTEE_MOBILE if role == COMMITTEE else DEPUTY_MOBILE, DEMO_PASSWORD)
        assert response.status_code == 302
    client.post("/lang/en", data={"next": "/"})  # CSRF is still off: a language other than the default
    signed_in_before = client.get("/").status_code == 200
    assert signed_in_before is (role != ANONYMOUS)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        session_before, rows_before = _session(client), _rows(db)
        wrong = []
        for rule in sorted(_post_rules(app), key=lambda r: r.endpoint):
            post = POSTS.get(rule.endpoint)
            if post is None or post.role != role:
                continue
            url, data = _request(app, rule, post, world)
            response = client.post(url, data=data, content_type="multipart/form-data")
            page = response.get_data(as_text=True)
            reshows = getattr(app.view_functions[rule.endpoint], "reshows_expired_form", False)
            if response.status_code != 400:
                wrong.append(f"{rule.endpoint}: status {response.status_code}")
            elif "xpired" not in page:
                wrong.append(f"{rule.endpoint}: no word that the page expired")
            elif (FORM_KEPT in page) is not reshows:
                # A marked form view must reach its form (so the records and rights above are real).
                wrong.append(f"{rule.endpoint}: {'no' if reshows else 'a'} form shown back filled in")
            changed = _changed_tables(rows_before, _rows(db))
            if changed:
                wrong.append(f"{rule.endpoint}: rows changed in {changed}")
                rows_before = _rows(db)
            session_after = _session(client)
            if session_after != session_before:
                wrong.append(f"{rule.endpoint}: session changed from {session_before} to {session_after}")
                session_before = session_after
        assert not wrong, "\n".join(wrong)
        assert (client.get("/").status_code == 200) is signed_in_before
        assert _language_shown(client) == "en"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
