"""A closed term's in-term figures leave out what was recorded after its freeze (rule R14), in every
shape the rates give them: the district row, the township rows, the per-mandate rows, the 未述 list.

On the hand-built world of tests/rates (区第八届: 应述 5, 已述 2 as of its end 2026-11-30), the freeze
instant is set by hand an hour from now; rows are then written with their recording instant a minute
before or after it.
"""
from datetime import date, timedelta

from liaison.clock import utcnow
from liaison.deputies.models import ExemptionScope, Mandate
from liaison.rates import queries as rates
from liaison.reports.models import DutyReportCoverage
from liaison.terms.models import Term
from tests import factories
from tests.rates.conftest import add_exemption, add_report

END = date(2026, 11, 30)


def _all_shapes(term_id):
    """Every shape of the term's figures, as comparable values."""
    district = rates.in_term_reporting(term_id, END)[0]
    townships = [(r.township_name, r.mandates, r.due, r.done) for r in
                 rates.in_term_reporting(term_id, END, group_by="township")]
    mandates = [(r.mandate_id, r.status, r.done) for r in rates.in_term_reporting(term_id, END, group_by="deputy")]
    missing = [r.mandate_id for r in rates.missing_reporters(term_id, END)]
    return (district.mandates, district.due, district.done), townships, mandates, missing


def test_rows_recorded_after_the_freeze_are_left_out_and_those_before_counted(db, world):
    d, m = db.session.get(Term, world["D"]), db.session.get(Term, world["M"])
    p5 = db.session.get(Mandate, world["P5"])
    # 冯五 also sits in 市第十五届 and reported for that seat before the freeze, not yet for 区.
    p5_municipal = factories.make_mandate(deputy=p5.deputy, term=m, township=p5.township)
    municipal_report = add_report(p5_municipal, date(2024, 10, 1))
    frozen_at = utcnow() + timedelta(hours=1)
    before, after = frozen_at - timedelta(minutes=1), frozen_at + timedelta(minutes=1)
    d.figures_frozen_at = frozen_at
    db.session.commit()
    frozen = _all_shapes(d.id)
    assert frozen[0] == (6, 5, 2)
    assert set(frozen[3]) == {world["P4"], world["P5"], world["P7"]}

    # Recorded after the freeze, each would move a figure: a report for 冯五's 区 seat, the 市 report
    # marked as also covering it, a term exemption for 韩七, a by-election seat.
    add_report(p5, date(2025, 5, 1), created_at=after)
    municipal_report.coverages.append(DutyReportCoverage(mandate=p5, created_at=after))
    add_exemption(db.session.get(Mandate, world["P7"]), ExemptionScope.term_report, 0, date(2026, 11, 1)) \
        .created_at = after
    factories.make_mandate(term=d, township=p5.township, start_date=date(2025, 3, 1), by_election=True,
                           created_at=after)
    db.session.commit()
    assert _all_shapes(d.id) == frozen

    # Recorded before it (a report the freeze computation had seen): counted.
    add_report(db.session.get(Mandate, world["P7"]), date(2025, 6, 1), created_at=before)
    db.session.commit()
    district, _townships, mandates, missing = _all_shapes(d.id)
    assert district == (6, 5, 3) and world["P7"] not in missing
    assert (world["P7"], "due", True) in mandates

    # The same rows count in full once the term's figures are frozen again after them (a reopening).
    d.figures_frozen_at = after + timedelta(minutes=1)
    db.session.commit()
    district, _townships, _mandates, missing = _all_shapes(d.id)
    # 7 seats with the by-election one (due, unreported); 韩七 exempted leaves 应述, 冯五 joins 已述.
    assert district == (7, 5, 3)
    assert world["P5"] not in missing and world["P7"] not in missing


def test_an_open_term_counts_everything_recorded(db, world):
    """No freeze, no cut: a report recorded today for a past date counts at once."""
    add_report(db.session.get(Mandate, world["P5"]), date(2025, 5, 1), created_at=utcnow() + timedelta(days=1))
    db.session.commit()
    assert _all_shapes(world["D"])[0] == (6, 5, 3)
