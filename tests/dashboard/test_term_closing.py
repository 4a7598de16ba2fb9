"""换届: closing a term freezes its final figures; data entered afterwards does not change its export."""
from datetime import date

from freezegun import freeze_time

from liaison.extensions import db as _db
from liaison.rates.queries import in_term_reporting
from liaison.dashboard.models import TermClosure
from liaison.terms.models import Term
from tests.dashboard.conftest import read_workbook, sheet_rows
from tests.rates.conftest import add_report


def _live(term_id, day):
    rows = in_term_reporting(term_id, day)
    return sum(r.due for r in rows), sum(r.done for r in rows)


def test_closing_a_term_freezes_its_figures_and_workbook(client, db, login_as, world):
    # Not under a frozen clock: the freeze instant must come after the fixture's rows were recorded,
    # as it does in life (rule R14 leaves out what is recorded after it). 2026-11-30 is in the past.
    login_as("committee")
    response = client.post(f"/dashboard/terms/{world['D']}/close", data={"end_date": "2026-11-30", "confirm": "y"})
    assert response.status_code == 302
    closure = db.session.query(TermClosure).one()
    # Worked out in tests/rates: 6 区 mandates, P3 ended early → 应述 5; P1 and P2 reported → 已述 2.
    assert (closure.due, closure.done) == (5, 2)
    term = db.session.get(Term, world["D"])
    assert term.end_date == date(2026, 11, 30) and term.end_provisional is False
    frozen = client.get(f"/dashboard/terms/{world['D']}/final.xlsx").get_data()

    # A report for P5 recorded after closing, dated inside the term.
    from liaison.deputies.models import Mandate

    add_report(_db.session.get(Mandate, world["P5"]), date(2025, 5, 1))
    _db.session.commit()
    assert _live(world["D"], date(2026, 11, 30)) == (5, 2)  # the figures do not move (rule R14) …
    again = client.get(f"/dashboard/terms/{world['D']}/final.xlsx").get_data()
    assert again == frozen  # … nor does the frozen export
    target_rows = sheet_rows(read_workbook(again)["两个100%目标"])
    assert target_rows[0][:3] == ("区第八届（已于2026-11-30换届，第 1 版冻结数据）", 5, 2)  # named closed (R14)
    page = client.get("/dashboard/terms").get_data(as_text=True)
    assert "已闭届" in page and "应述 5，已述 2" in page


@freeze_time("2026-12-05 02:00:00")
def test_a_term_cannot_be_closed_twice_or_in_the_future(client, db, login_as, world):
    login_as("committee")
    future = client.post(f"/dashboard/terms/{world['M']}/close", data={"end_date": "2026-12-31", "confirm": "y"})
    assert "不能晚于今天" in future.get_data(as_text=True)
    unconfirmed = client.post(f"/dashboard/terms/{world['M']}/close", data={"end_date": "2026-11-30"})
    assert "请勾选确认" in unconfirmed.get_data(as_text=True)
    assert db.session.query(TermClosure).count() == 0
    client.post(f"/dashboard/terms/{world['D']}/close", data={"end_date": "2026-11-30", "confirm": "y"})
    twice = client.post(f"/dashboard/terms/{world['D']}/close", data={"end_date": "2026-11-30", "confirm": "y"})
    assert "已经闭届" in twice.get_data(as_text=True)
    assert db.session.query(TermClosure).count() == 1


def test_township_staff_cannot_close_terms(client, db, login_as, world):
    login_as("township_staff")
    assert client.get(f"/dashboard/terms/{world['D']}/close").status_code == 403
    assert client.get("/dashboard/terms").status_code == 403
