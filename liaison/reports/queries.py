"""Reads for the duty report pages: scoped lists, records by id (404 outside the viewer's townships),
options for the forms, and the target terms."""
import json
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from liaison.accounts.access import ensure_township
from liaison.clock import local_today
from liaison.deputies.models import Deputy, Mandate, last_day_held_in
from liaison.deputies.queries import held_end_after
from liaison.extensions import db
from liaison.network.models import Station
from liaison.deputies.models import Exemption
from liaison.reports.models import TARGET_TERMS_KEY, DutyReport, ReportSession, Setting
from liaison.terms.models import Level, Term
from liaison.terms.queries import LEVEL_ORDER
from liaison.text import mobile_conditions
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township

#: Mandates offered in pickers: held at some time in the last year, or still to come.
RECENT_DAYS = 366


def session_list(township_ids=None, q=""):
    """Reporting sessions, newest first, limited to the viewer's townships; ``q`` matches the
    township, the place or a reporting deputy's name."""
    query = sa.select(ReportSession).join(Township, Township.id == ReportSession.township_id).options(
        selectinload(ReportSession.mandates).selectinload(Mandate.deputy),
        selectinload(ReportSession.reports),
    )
    if township_ids is not None:
        query = query.where(ReportSession.township_id.in_(township_ids))
    q = (q or "").strip()
    if q:
        query = query.where(sa.or_(
            Township.name.contains(q, autoescape=True),
            ReportSession.place.contains(q, autoescape=True),
            ReportSession.mandates.any(Mandate.deputy.has(Deputy.name.contains(q, autoescape=True))),
        ))
    return query.order_by(ReportSession.session_date.desc(), ReportSession.id.desc())


def get_session_or_404(session_id):
    """A session the viewer may see (404 outside a staff member's townships)."""
    session = db.get_or_404(ReportSession, session_id)
    ensure_township(session.township_id)
    return session


def get_report_or_404(report_id):
    """A report the viewer may see: its mandate's township decides (404 outside the scope)."""
    report = db.get_or_404(DutyReport, report_id)
    ensure_township(report.mandate.township_id)
    return report


def get_mandate_or_404(mandate_id):
    """A mandate the viewer may see."""
    mandate = db.get_or_404(Mandate, mandate_id)
    ensure_township(mandate.township_id)
    return mandate


def _recent(today):
    """Mandates held at some time from a year ago on (rule R5: the early end day itself is not held)."""
    return held_end_after(today - timedelta(days=RECENT_DAYS))


def mandate_picker(township_ids=None, q=""):
    """Recent mandates for choosing whom to record for, in pinyin order; ``q`` matches the name
    or the mobile number as shown (liaison.text.shown_mobile_patterns)."""
    query = (
        sa.select(Mandate).join(Deputy, Deputy.id == Mandate.deputy_id).join(Term, Term.id == Mandate.term_id)
        .join(Township, Township.id == Mandate.township_id)
        .options(selectinload(Mandate.deputy), selectinload(Mandate.term), selectinload(Mandate.township))
        .where(_recent(local_today()))
    )
    if township_ids is not None:
        query = query.where(Mandate.township_id.in_(township_ids))
    q = (q or "").strip()
    if q:
        matches = [Deputy.name.contains(q, autoescape=True), *mobile_conditions(Deputy.mobile, q)]
        query = query.where(sa.or_(*matches))
    return query.order_by(*ADMINISTRATIVE_ORDER, Deputy.name_sort_key, LEVEL_ORDER, Mandate.id)


def session_mandate_options(township_id):
    """A township's recent mandates, for choosing who reports at a session."""
    query = (
        sa.select(Mandate).join(Deputy, Deputy.id == Mandate.deputy_id).join(Term, Term.id == Mandate.term_id)
        .options(selectinload(Mandate.deputy), selectinload(Mandate.term))
        .where(Mandate.township_id == township_id, _recent(local_today()))
        .order_by(LEVEL_ORDER, Term.start_date.desc(), Deputy.name_sort_key, Mandate.id)
    )
    return db.session.scalars(query).all()


def place_options(township_id):
    """A township's active homes and stations, homes first."""
    query = (sa.select(Station).where(Station.township_id == township_id, Station.active.is_(True))
             .order_by(Station.kind, Station.name_sort_key))
    return db.session.scalars(query).all()


def townships(township_ids=None):
    """Townships in pinyin order, limited to ``township_ids`` when given."""
    query = sa.select(Township).order_by(*ADMINISTRATIVE_ORDER)
    if township_ids is not None:
        query = query.where(Township.id.in_(township_ids))
    return db.session.scalars(query).all()


def other_mandates(mandate):
    """The same person's other mandates, for "also covers" (by level, newest term first)."""
    query = (sa.select(Mandate).join(Term, Term.id == Mandate.term_id)
             .where(Mandate.deputy_id == mandate.deputy_id, Mandate.id != mandate.id)
             .order_by(LEVEL_ORDER, Term.start_date.desc()))
    return db.session.scalars(query).all()


def exemption_list(q=""):
    """Exemptions, latest approval first; ``q`` matches the deputy's name."""
    query = (
        sa.select(Exemption).join(Mandate, Mandate.id == Exemption.mandate_id)
        .join(Deputy, Deputy.id == Mandate.deputy_id)
        .options(selectinload(Exemption.mandate).selectinload(Mandate.deputy),
                 selectinload(Exemption.mandate).selectinload(Mandate.term),
                 selectinload(Exemption.mandate).selectinload(Mandate.township),
                 selectinload(Exemption.recorded_by))
    )
    q = (q or "").strip()
    if q:
        query = query.where(Deputy.name.contains(q, autoescape=True))
    return query.order_by(Exemption.approved_on.desc(), Exemption.id.desc())


def exemptions_for_mandate(mandate_id):
    """A mandate's exemptions, latest approval first."""
    return db.session.scalars(sa.select(Exemption).where(Exemption.mandate_id == mandate_id)
                              .order_by(Exemption.approved_on.desc(), Exemption.id.desc())).all()


def terms():
    """Every term by level, newest first."""
    return db.session.scalars(sa.select(Term).order_by(LEVEL_ORDER, Term.start_date.desc(), Term.name)).all()


def stored_target_term_ids():
    """The target terms chosen by committee staff, or None when the default applies."""
    value = db.session.scalar(sa.select(Setting.value).where(Setting.key == TARGET_TERMS_KEY))
    if not value:
        return None
    try:
        ids = [int(i) for i in json.loads(value)]
    except (ValueError, TypeError):
        return None
    existing = set(db.session.scalars(sa.select(Term.id).where(Term.id.in_(ids))))
    return [i for i in ids if i in existing] or None


def target_term_ids(today=None):
    """The terms of the "two 100%" targets: the stored choice, else the 市 and 区 terms in force today
    (市 first)."""
    stored = stored_target_term_ids()
    if stored is not None:
        return stored
    today = today or local_today()
    query = (sa.select(Term.id)
             .where(Term.level.in_((Level.municipal, Level.district)), Term.start_date <= today,
                    last_day_held_in(Term) >= today)
             .order_by(LEVEL_ORDER, Term.start_date))
    return list(db.session.scalars(query))


# --- closed terms (换届, rule R14) ---------------------------------------------------------------

def closed_term_notice(term):
    """What a form for a closed term's mandate says: a record made now is kept but stays outside the
    term's frozen figures (rule R14). None for an open term."""
    if not term.closed:
        return None
    return _l("该届已于%(day)s换届，本记录不计入已冻结的统计。", day=term.end_date.isoformat())


def outside_frozen_figures(term, recorded_at):
    """The notice on a record of ``term`` recorded at ``recorded_at``, when that came after the term's
    figures were frozen (rule R14); None when the record is inside them or the term is open."""
    if not term.recorded_after_freeze(recorded_at):
        return None
    return _l("%(term)s已于%(day)s换届，本记录不计入已冻结的统计。", term=term.name,
              day=term.end_date.isoformat())


def report_notices(report):
    """The notices of a duty report outside closed terms' frozen figures: for the mandate it is
    recorded for, and for each other mandate it was marked as covering after that term's freeze."""
    found = [outside_frozen_figures(report.mandate.term, report.created_at)]
    found += [outside_frozen_figures(coverage.mandate.term, coverage.created_at) for coverage in report.coverages]
    return [notice for notice in dict.fromkeys(str(n) for n in found if n is not None)]


def exemption_notice(exemption):
    """The notice of an exemption recorded after its term's figures were frozen, or None."""
    return outside_frozen_figures(exemption.mandate.term, exemption.created_at)
