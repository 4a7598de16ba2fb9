"""Reads for the township pages: the list, a township's districts by term, its stations, select options."""
from itertools import groupby

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import aliased

from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.network.models import Station
from liaison.terms.models import Level, Term
from liaison.townships.models import ADMINISTRATIVE_ORDER, ElectoralDistrict, Township, TownshipKind
# The network sits a layer above; these pages only count and list a township's homes and stations.


def township_list(q=""):
    """Townships whose name contains ``q``, in pinyin order (a select of ``Township``)."""
    query = sa.select(Township).order_by(*ADMINISTRATIVE_ORDER)
    if q:
        query = query.where(Township.name.contains(q, autoescape=True))
    return query


def station_counts(township_ids):
    """Number of homes and stations per township id, for the townships shown on one page."""
    if not township_ids:
        return {}
    rows = db.session.execute(
        sa.select(Station.township_id, sa.func.count(Station.id))
        .where(Station.township_id.in_(township_ids))
        .group_by(Station.township_id)
    )
    return dict(rows.all())


def districts_by_term(township_id):
    """The township's electoral districts grouped by term, newest term first.

    Returns ``[(term, [row, ...]), ...]`` where each row has ``district``, ``mandates`` and
    ``stations`` (how many mandates and stations use that district).
    """
    district = aliased(ElectoralDistrict, name="district")
    term = aliased(Term, name="term")
    mandates = (
        sa.select(sa.func.count(Mandate.id))
        .where(Mandate.electoral_district_id == district.id)
        .correlate(district).scalar_subquery()
    )
    stations = (
        sa.select(sa.func.count(Station.id))
        .where(Station.electoral_district_id == district.id)
        .correlate(district).scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(district, term, mandates.label("mandates"), stations.label("stations"))
        .join(term, term.id == district.term_id)
        .where(district.township_id == township_id)
        .order_by(term.start_date.desc(), term.id, district.name_sort_key, district.id)
    ).all()
    return [(key, list(group)) for key, group in groupby(rows, key=lambda row: row.term)]


def township_stations(township_id):
    """The township's homes and stations: homes first, then by pinyin."""
    return db.session.scalars(
        sa.select(Station)
        .where(Station.township_id == township_id)
        .order_by(Station.kind, Station.name_sort_key, Station.id)
    ).all()


def township_terms(township_id):
    """The township's own congress terms (乡镇人大届次), newest first."""
    return db.session.scalars(
        sa.select(Term)
        .where(Term.township_id == township_id, Term.level == Level.township)
        .order_by(Term.start_date.desc(), Term.id)
    ).all()


def district_term_choices(township_id=None):
    """Options for a district's term, newest first: 区 terms and 乡镇 terms (only this township's, if given)."""
    own_congress = Term.level == Level.township
    if township_id is not None:
        own_congress = sa.and_(own_congress, Term.township_id == township_id)
    terms = db.session.scalars(
        sa.select(Term)
        .where(sa.or_(Term.level == Level.district, own_congress))
        .order_by(Term.start_date.desc(), Term.name)
    ).all()
    return [(term.id, term.name) for term in terms]


def township_choices():
    """Options for picking a township, in pinyin order, a 街道 marked as such."""
    townships = db.session.scalars(sa.select(Township).order_by(*ADMINISTRATIVE_ORDER)).all()
    return [(t.id, gettext("%(name)s（%(kind)s）", name=t.name, kind=t.kind.label)
             if t.kind is TownshipKind.subdistrict else t.name) for t in townships]
