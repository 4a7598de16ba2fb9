"""Reads for the term pages: the list with mandate counts, and township options."""
import sqlalchemy as sa
from flask_babel import gettext

from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.terms.models import Level, Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township, TownshipKind

#: Lists show 全国, 市, 区, 乡镇 in that order (the stored values sort otherwise).
LEVEL_ORDER = sa.case(*((Term.level == level, position) for position, level in enumerate(Level)),
                      else_=len(Level))


def term_list(q=""):
    """Terms whose name contains ``q``: by level, then newest first (a select of ``Term``)."""
    query = sa.select(Term).order_by(LEVEL_ORDER, Term.start_date.desc(), Term.name, Term.id)
    if q:
        query = query.where(Term.name.contains(q, autoescape=True))
    return query


def mandate_counts(term_ids):
    """Number of mandates per term id, for the terms shown on one page."""
    if not term_ids:
        return {}
    rows = db.session.execute(
        sa.select(Mandate.term_id, sa.func.count(Mandate.id))
        .where(Mandate.term_id.in_(term_ids))
        .group_by(Mandate.term_id)
    )
    return dict(rows.all())


def township_choices():
    """Options for a 乡镇 term's township, in pinyin order; a 街道 is marked (it has no congress)."""
    townships = db.session.scalars(sa.select(Township).order_by(*ADMINISTRATIVE_ORDER)).all()
    return [(t.id, gettext("%(name)s（%(kind)s）", name=t.name, kind=t.kind.label)
             if t.kind is TownshipKind.subdistrict else t.name) for t in townships]
