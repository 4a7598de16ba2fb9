"""Demo duty reports (年述职) so the two 100% targets show realistic, unequal progress per township."""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from liaison.clock import local_today
from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.reports.models import DutyReport, DutyReportCoverage, ReportForm
from liaison.terms.models import Level, Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township

#: Share of a level's deputies who have reported in the term: 区 about 85%, 市 about 70%.
LEVEL_SHARE = {Level.district: 0.85, Level.municipal: 0.70}
#: How far each township (in pinyin order) sits from that share: some lead, some lag.
TOWNSHIP_OFFSET = (0.10, -0.05, 0.08, -0.12, 0.04, -0.08, 0.12, 0.0, -0.15, 0.06)
#: Main form first (现场面对面), supplements rarer.
FORMS = (ReportForm.on_site,) * 8 + (ReportForm.visits, ReportForm.written)


def seed_demo_reports(rng):
    """Add completed duty reports for a share of the 市 and 区 mandates (flushed); return the count.

    A person holding both seats who reports for the 区 seat usually covers the 市 seat in the same
    session, as townships do.
    """
    today = local_today()
    order = {tid: index for index, tid in enumerate(
        db.session.scalars(sa.select(Township.id).order_by(*ADMINISTRATIVE_ORDER)))}
    mandates = db.session.scalars(
        sa.select(Mandate).join(Term, Term.id == Mandate.term_id)
        .where(Term.level.in_(tuple(LEVEL_SHARE)), Mandate.start_date <= today)
        .options(selectinload(Mandate.term)).order_by(Mandate.id)).all()
    district_reported = {}
    reports = []
    for mandate in sorted(mandates, key=lambda m: (m.term.level is not Level.district, m.id)):
        level = mandate.term.level
        share = LEVEL_SHARE[level] + TOWNSHIP_OFFSET[order.get(mandate.township_id, 0) % len(TOWNSHIP_OFFSET)]
        own = district_reported.get(mandate.deputy_id) if level is Level.municipal else None
        if own is not None and rng.random() < 0.8:
            own.coverages.append(DutyReportCoverage(mandate=mandate))
            continue
        if rng.random() >= share:
            continue
        last = min(today, mandate.last_held)
        if last < mandate.start_date:
            continue
        day = mandate.start_date + timedelta(days=rng.randrange((last - mandate.start_date).days + 1))
        voters = rng.randrange(20, 90)
        satisfied = rng.randrange(voters // 2, voters + 1)
        basic = rng.randrange(0, voters - satisfied + 1)
        report = DutyReport(mandate=mandate, report_date=day, form=rng.choice(FORMS), voters_present=voters,
                            satisfied=satisfied, basically_satisfied=basic,
                            dissatisfied=rng.randrange(0, voters - satisfied - basic + 1), completed=True)
        reports.append(report)
        if level is Level.district:
            district_reported[mandate.deputy_id] = report
    db.session.add_all(reports)
    db.session.flush()
    return len(reports)
