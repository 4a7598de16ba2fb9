"""The December 2026 decisions on the dashboard and at 换届: month tables of a past year apply
exemptions approved up to the as-of date (rule R10); a term is open until closed, and the closing
sets its real last day (rules R5, R13)."""
import re
from datetime import date

from freezegun import freeze_time

from liaison.deputies.models import EndReason, ExemptionScope, Mandate
from liaison.deputies.operations import end_mandate
from liaison.extensions import db as _db
from liaison.rates import queries as rates
from liaison.terms.models import Term
from liaison.dashboard.models import TermClosure
from tests.rates.conftest import add_exemption


def test_a_past_years_month_table_applies_exemptions_approved_later(client, login_as, targets):
    """Rule R10: the 2024 月进站 table as of 2025-03-01 applies P1's October 2024 exemption approved on
    2025-02-01: October's total reads 0/4 (0/5 before it: D_MONTHS in tests/rates)."""
    add_exemption(_db.session.get(Mandate, targets["P1"]), ExemptionScope.month, 202410, date(2025, 2, 1))
    _db.session.commit()
    login_as("committee")
    page = client.get(f"/dashboard?as_of=2025-03-01&year=2024&visit_term={targets['D']}").get_data(as_text=True)
    month_table = page.split('id="months"')[1].split("</table>")[0]
    total = month_table.split(">合计</th>")[1].split("</tr>")[0]
    cells = re.findall(r"(\d+)</a>/<a [^>]*>(\d+)</a></span>", total)
    assert cells[9] == ("0", "4")
    months = rates.monthly_visits(2024, targets["D"], date(2025, 3, 1), group_by=None)
    assert cells == [(str(r.met), str(r.due)) for r in months]


def _open_municipal_term(world):
    """市第十五届 of the fixture with its end (2026-12-31) still provisional: the term is open."""
    term = _db.session.get(Term, world["M"])
    term.end_provisional = True
    _db.session.commit()
    return term


@freeze_time("2027-02-01 02:00:00")
def test_closing_refuses_a_last_day_before_a_recorded_early_end(client, db, login_as, world):
    """Rules R5, R13: while 市第十五届 is open past its planned end (2026-12-31), P6's early end on
    2027-01-20 can be recorded (held to 01-19). Closing the term on 2027-01-10 would cut that mandate
    short and is refused with the day to use; closing on 2027-01-19 sets it and freezes the figures."""
    term = _open_municipal_term(world)
    end_mandate(_db.session.get(Mandate, world["P6"]), date(2027, 1, 20), EndReason.moved_away)
    _db.session.commit()
    login_as("committee")
    refused = client.post(f"/dashboard/terms/{term.id}/close", data={"end_date": "2027-01-10", "confirm": "y"})
    assert "有代表资格登记为 2027-01-20 提前终止（任职至 2027-01-19），闭届日期不能早于 2027-01-19" in \
        refused.get_data(as_text=True)
    assert db.session.query(TermClosure).count() == 0
    assert db.session.get(Term, term.id).end_provisional is True
    closed = client.post(f"/dashboard/terms/{term.id}/close", data={"end_date": "2027-01-19", "confirm": "y"})
    assert closed.status_code == 302
    term = db.session.get(Term, term.id)
    assert (term.end_date, term.end_provisional, term.closed) == (date(2027, 1, 19), False, True)
    # As of the real last day: P2 and P6, P6 exempted (R10): 应述 1, 已述 1 (P2's covering report).
    closure = db.session.query(TermClosure).one()
    assert (closure.due, closure.done) == (1, 1)


@freeze_time("2027-02-01 02:00:00")
def test_the_closing_day_bounds_the_months(client, db, login_as, world):
    """Rules R5, R13: open, 市第十五届's January 2027 is a whole month (P2 and P6 due, not 部分); closed
    on 2027-01-15 (its real last day), January becomes partial for both and February is not held."""
    term = _open_municipal_term(world)
    [january] = rates.monthly_visits(2027, term.id, date(2027, 1, 31), group_by=None)
    assert (january.due, january.partial) == (2, 0)
    login_as("committee")
    client.post(f"/dashboard/terms/{term.id}/close", data={"end_date": "2027-01-15", "confirm": "y"})
    assert db.session.get(Term, term.id).closed
    rows = rates.monthly_visits(2027, term.id, date(2027, 2, 28), group_by=None)
    assert [(r.period_key, r.due, r.partial) for r in rows] == [(202701, 0, 2), (202702, 0, 0)]


def test_the_workbook_labels_partial_and_suspended_or_exempted_periods_by_the_reason(client, login_as, targets):
    """Rule R6: P3 (ended early 2024-05-20, so May is partial) also suspended 5-01 – 5-10 reads 暂停 for
    May in the workbook's 月进站 sheet, not 部分; P7 (from 2024-09-01, Q3 partial) exempted from Q3's
    季回家 reads 免. P4's March (by-election 3-15, partial only) still reads 部分."""
    from liaison.deputies.models import Suspension
    from tests.dashboard.conftest import read_workbook, sheet_rows

    _db.session.add(Suspension(mandate=_db.session.get(Mandate, targets["P3"]), start_date=date(2024, 5, 1),
                               end_date=date(2024, 5, 10), reason="接受调查"))
    add_exemption(_db.session.get(Mandate, targets["P7"]), ExemptionScope.quarter, 20243, date(2024, 9, 2))
    _db.session.commit()
    login_as("committee")
    workbook = read_workbook(client.get("/dashboard/export.xlsx?as_of=2024-12-31").get_data())
    # A row: 届次, 姓名, 乡镇（街道）, then one cell per period (January is the fourth column).
    months = {row[1]: row for row in sheet_rows(workbook["月进站"]) if row[0] == "区第八届"}
    assert months["陈三"][3 + 4] == "暂停"
    assert months["邓四"][3 + 2] == "部分"
    quarters = {row[1]: row for row in sheet_rows(workbook["季回家"]) if row[0] == "区第八届"}
    assert quarters["韩七"][3 + 2] == "免"
