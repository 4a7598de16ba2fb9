"""The audit policy: each audited write, done through its page by the staff who do it, leaves one
event naming the action, the actor, the record and its township; every action in the code has a label."""
import ast
import io
import pathlib
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role, User
from liaison.audit.models import AuditEvent
from liaison.audit.operations import ACTION_LABELS, record_event
from liaison.clock import local_today
from liaison.deputies.models import Deputy, EndReason, Exemption, Mandate, Suspension
from liaison.extensions import db
from liaison.network.models import Station
from liaison.rota.models import RotaMonth, Slot
from liaison.terms.models import Term
from liaison.townships.models import ElectoralDistrict, Township
from tests import factories
# The import pages' network (城关镇, 区第八届 and its districts, a station and a home) and their
# upload folder serve every case here, so a roster row of that network can be imported too.
from tests.imports.conftest import import_folder, network, roster_row, workbook_bytes  # noqa: F401
from tests.stations.conftest import station_form
from tests.terms.test_term_pages import term_form

ROOT = pathlib.Path(__file__).resolve().parents[2]


@dataclass
class Expected:
    """The event a write must leave: its action, its record (``(table, id)``) and its township."""

    action: str
    target: tuple
    township_id: int | None


def _row(model, **where):
    """The one row of ``model`` matching ``where`` (after the request committed it)."""
    db.session.expire_all()
    return db.session.scalar(sa.select(model).filter_by(**where))


def _target(model, **where):
    """``(table, id)`` of the one row matching ``where``."""
    return model.__tablename__, _row(model, **where).id


@pytest.fixture()
def world(network):  # noqa: F811 (the imported fixture, by name)
    """The import network plus a deputy of 城关镇 with a mandate in 区第八届 and an account."""
    deputy = factories.make_deputy(name="审计代表", mobile="13700009999")
    network.mandate = factories.make_mandate(deputy=deputy, term=network.district_term, township=network.chengguan,
                                             electoral_district=network.first, station=network.station,
                                             home=network.home, start_date=date(2021, 12, 1))
    network.deputy = deputy
    network.account = factories.make_user(roles={Role.deputy}, deputy=deputy, password=None)
    db.session.commit()
    return network


# --- the writes, each as staff do it -----------------------------------------------------------

def change_deputy_mobile(client, w):
    client.post(f"/deputies/{w.deputy.id}/edit",
                data={"name": "审计代表", "gender": "female", "ethnicity": "汉族", "mobile": "13700008888"})
    return Expected("deputy.mobile_changed", ("deputies", w.deputy.id), w.chengguan.id)


def create_staff_account(client, w):
    """A new account comes with its activation code: two events, the account first."""
    client.post("/users/new", data={"mobile": "13800001111", "name": "新同事", "roles": ["committee"]})
    target = _target(User, mobile="13800001111")
    return [Expected("user.created", target, None), Expected("account.activation_issued", target, None)]


def change_staff_scope(client, w):
    staff = factories.make_user(roles={Role.township_staff}, townships=[w.anping])
    client.post(f"/users/{staff.id}/edit",
                data={"name": staff.name, "roles": ["township_staff"], "townships": [str(w.chengguan.id)]})
    return Expected("user.access_changed", ("users", staff.id), w.chengguan.id)


def issue_activation(client, w):
    client.post(f"/users/{w.account.id}/activation")
    return Expected("account.activation_issued", ("users", w.account.id), w.chengguan.id)


def disable_account(client, w):
    client.post(f"/users/{w.account.id}/enabled", data={"enabled": "0"})
    return Expected("account.disabled", ("users", w.account.id), w.chengguan.id)


def enable_account(client, w):
    w.account.enabled = False
    client.post(f"/users/{w.account.id}/enabled", data={"enabled": "1"})
    return Expected("account.enabled", ("users", w.account.id), w.chengguan.id)


def _mandate_form(w, **overrides):
    data = {"term_id": str(w.district_term.id), "township_id": str(w.chengguan.id),
            "electoral_district_id": str(w.first.id), "home_id": str(w.home.id), "station_id": str(w.station.id),
            "start_date": "2021-12-01"}
    data.update(overrides)
    return data


def create_mandate(client, w):
    person = factories.make_deputy(name="新代表")
    client.post(f"/deputies/{person.id}/mandates/new", data=_mandate_form(w))
    return Expected("mandate.created", _target(Mandate, deputy_id=person.id), w.chengguan.id)


def edit_mandate(client, w):
    client.post(f"/mandates/{w.mandate.id}/edit", data=_mandate_form(w, electoral_district_id=str(w.second.id)))
    return Expected("mandate.updated", ("mandates", w.mandate.id), w.chengguan.id)


def end_mandate(client, w):
    client.post(f"/mandates/{w.mandate.id}/end", data={"end_date": "2026-06-01", "end_reason": "resigned"})
    return Expected("mandate.ended", ("mandates", w.mandate.id), w.chengguan.id)


def withdraw_mandate_end(client, w):
    w.mandate.end_date, w.mandate.end_reason = date(2026, 6, 1), EndReason.resigned
    client.post(f"/mandates/{w.mandate.id}/end", data={"end_date": "", "end_reason": ""})
    return Expected("mandate.end_withdrawn", ("mandates", w.mandate.id), w.chengguan.id)


def record_suspension(client, w):
    client.post(f"/mandates/{w.mandate.id}/suspensions/new",
                data={"start_date": "2026-02-01", "end_date": "2026-05-31", "reason": "因涉嫌违法被羁押"})
    return Expected("suspension.recorded", _target(Suspension, mandate_id=w.mandate.id), w.chengguan.id)


def record_exemption(client, w):
    client.post(f"/reports/exemptions/new?mandate_id={w.mandate.id}",
                data={"scope": "term_report", "year": "", "month": "", "quarter": "", "reason": "因病长期住院",
                      "approver": "区人大常委会主任会议", "approved_on": "2026-03-01"})
    return Expected("exemption.recorded", _target(Exemption, mandate_id=w.mandate.id), w.chengguan.id)


def choose_target_terms(client, w):
    client.post("/reports/targets", data={"term_ids": [str(w.district_term.id)]})
    return Expected("targets.changed", ("settings", "target_term_ids"), None)


def create_term(client, w):
    client.post("/terms/new", data=term_form(level="national", ordinal="14", start_date="2023-03-05",
                                             end_date="2028-03-04"))
    return Expected("term.created", _target(Term, ordinal=14), None)


def edit_term(client, w):
    client.post(f"/terms/{w.township_term.id}/edit", data=term_form(
        level="township", ordinal="18", township_id=str(w.chengguan.id), name="城关镇第十八届",
        start_date="2021-11-20", end_date="2026-12-01"))
    return Expected("term.updated", ("terms", w.township_term.id), w.chengguan.id)


def create_township(client, w):
    client.post("/townships/new", data={"name": "柳溪乡", "kind": "township"})
    target = _target(Township, name="柳溪乡")
    return Expected("township.created", target, target[1])


def edit_township(client, w):
    client.post(f"/townships/{w.chengguan.id}/edit", data={"name": "城关镇", "kind": "township"})
    return Expected("township.updated", ("townships", w.chengguan.id), w.chengguan.id)


def create_district(client, w):
    client.post(f"/townships/{w.chengguan.id}/districts/new", data={"term_id": w.district_term.id, "name": "第三选区"})
    return Expected("district.created", _target(ElectoralDistrict, name="第三选区"), w.chengguan.id)


def edit_district(client, w):
    client.post(f"/districts/{w.second.id}/edit",
                data={"term_id": w.district_term.id, "township_id": w.chengguan.id, "name": "第二选区（东）"})
    return Expected("district.updated", ("electoral_districts", w.second.id), w.chengguan.id)


def create_station(client, w):
    client.post("/stations/new", data=station_form(w.chengguan, w.first, name="城关第二联络站"))
    return Expected("station.created", _target(Station, name="城关第二联络站"), w.chengguan.id)


def edit_station(client, w):
    client.post(f"/stations/{w.station.id}/edit",
                data=station_form(w.chengguan, w.first, name="城关第一联络站", radius_m="300"))
    return Expected("station.updated", ("stations", w.station.id), w.chengguan.id)


def deactivate_station(client, w):
    spare = factories.make_station(township=w.chengguan, electoral_district=w.first, name="城关备用联络站")
    client.post(f"/stations/{spare.id}/active", data={"active": "0"})
    return Expected("station.deactivated", ("stations", spare.id), w.chengguan.id)


def activate_station(client, w):
    spare = factories.make_station(township=w.chengguan, electoral_district=w.first, name="城关备用联络站",
                                   active=False)
    client.post(f"/stations/{spare.id}/active", data={"active": "1"})
    return Expected("station.activated", ("stations", spare.id), w.chengguan.id)


def rekey_station(client, w):
    client.post(f"/stations/{w.station.id}/rekey", data={"confirm": "y"})
    return Expected("station.rekeyed", ("stations", w.station.id), w.chengguan.id)


def publish_rota(client, w):
    first = (local_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    rota_month = RotaMonth(township_id=w.chengguan.id, year=first.year, month=first.month)
    db.session.add(rota_month)
    db.session.flush()
    db.session.add(Slot(rota_month_id=rota_month.id, station_id=w.station.id, local_date=first + timedelta(days=9),
                        starts=time(9), ends=time(11)))
    client.post(f"/rota/{rota_month.id}/publish")
    return Expected("rota.published", ("rota_months", rota_month.id), w.chengguan.id)


def import_roster(client, w):
    """Checking the file writes nothing; the confirmation is one event however many rows it writes."""
    data = workbook_bytes([roster_row(1), roster_row(2, 姓名="李四")])
    client.post("/imports/roster", data={"file": (io.BytesIO(data), "名单.xlsx")}, content_type="multipart/form-data")
    client.post("/imports/roster/confirm")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mandate)) == 3
    return Expected("import", ("", ""), None)


COMMITTEE = "committee"
TOWNSHIP = "township_staff"

CASES = [
    (COMMITTEE, change_deputy_mobile), (COMMITTEE, create_staff_account), (COMMITTEE, change_staff_scope),
    (TOWNSHIP, issue_activation), (TOWNSHIP, disable_account), (TOWNSHIP, enable_account),
    (COMMITTEE, create_mandate), (COMMITTEE, edit_mandate), (COMMITTEE, end_mandate),
    (COMMITTEE, withdraw_mandate_end), (COMMITTEE, record_suspension), (COMMITTEE, record_exemption),
    (COMMITTEE, choose_target_terms), (COMMITTEE, create_term), (COMMITTEE, edit_term),
    (COMMITTEE, create_township), (COMMITTEE, edit_township), (COMMITTEE, create_district),
    (COMMITTEE, edit_district), (TOWNSHIP, create_station), (TOWNSHIP, edit_station),
    (TOWNSHIP, deactivate_station), (TOWNSHIP, activate_station), (TOWNSHIP, rekey_station),
    (TOWNSHIP, publish_rota), (COMMITTEE, import_roster),
]


def _events_after(event_id):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > event_id).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("role, write", CASES, ids=[write.__name__ for _role, write in CASES])
def test_each_audited_write_leaves_one_event(client, world, login_as, role, write):
    """A reviewer at /audit finds each of these changes once, under its own name, with who made it,
    the record it changed and the township it belongs to."""
    actor = login_as(role, townships=[world.chengguan] if role == TOWNSHIP else ())
    mark = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    expected = write(client, world)
    expected = expected if isinstance(expected, list) else [expected]
    events = _events_after(mark)
    assert [e.action for e in events] == [x.action for x in expected]
    for event, wanted in zip(events, expected):
        assert (event.actor_id, event.actor_name) == (actor.id, actor.name)
        assert (event.target_type, event.target_id) == (wanted.target[0], str(wanted.target[1]))
        assert event.township_id == wanted.township_id
        assert event.outcome.value == "success"


def test_a_refused_write_leaves_no_event(client, world, login_as):
    """A form sent back with a message changed nothing, so the trail has nothing to say about it."""
    login_as(COMMITTEE)
    mark = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    response = client.post(f"/mandates/{world.mandate.id}/end", data={"end_date": "2030-01-01",
                                                                      "end_reason": "resigned"})
    assert response.status_code == 200
    assert _events_after(mark) == []


def test_a_roster_import_does_not_audit_each_mandate(client, world, login_as):
    """Importing a roster is one event with its counts, not one per mandate it writes."""
    login_as(COMMITTEE)
    mark = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    expected = import_roster(client, world)
    [event] = _events_after(mark)
    assert event.action == expected.action and "new=2" in event.detail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deputy)) == 3


# --- the labels --------------------------------------------------------------------------------

#: Functions whose argument is an action name: the audit functions and the helpers that pass one on.
AUDIT_CALLS = {"record_event": 0, "record_event_now": 0, "_audit": 0, "_close": 6}


def _literals(node):
    """The string constants an argument can take (a literal, or either branch of ``a if c else b``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literals(node.body) | _literals(node.orelse)
    return set()


def actions_in_source():
    """Every action name the application passes to the audit functions, read from its source."""
    found = {}
    for path in sorted([*ROOT.joinpath("liaison").rglob("*.py"), *ROOT.joinpath("stations").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in AUDIT_CALLS:
                continue
            position = AUDIT_CALLS[name]
            argument = node.args[position] if len(node.args) > position else next(
                (k.value for k in node.keywords if k.arg == "action"), None)
            for action in _literals(argument) if argument is not None else ():
                found.setdefault(action, str(path.relative_to(ROOT)))
    return found


def test_every_action_in_the_code_has_a_label_and_every_label_an_action():
    """The audit page shows each action by its Chinese name, never as a bare code, and lists no
    action that nothing records."""
    used = actions_in_source()
    assert len(used) > 30  # the scan found the calls at all
    unlabelled = {action: path for action, path in used.items() if action not in ACTION_LABELS}
    assert unlabelled == {}
    assert sorted(set(ACTION_LABELS) - set(used)) == []


def test_an_action_without_a_label_is_refused(db):
    """A new audit call without a label fails in the tests, before a reviewer meets a bare code."""
    with pytest.raises(ValueError, match="no label"):
        record_event("deputy.renamed")
