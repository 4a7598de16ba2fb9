"""Reads for imports: everything a roster names, loaded in a few bulk queries, and the recent imports."""
import re
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from liaison.audit.models import AuditEvent, Outcome
from liaison.deputies.models import Deputy, Mandate
from liaison.extensions import db
from liaison.network.models import Station
from liaison.terms.models import Term
from liaison.townships.models import ElectoralDistrict, Township

#: Mobile numbers per IN (...) list: well below every database's parameter limit.
CHUNK = 500


class Directory:
    """Terms, townships, districts, homes, stations and the file's known people, each loaded once.

    Rows are then looked up in these dictionaries, with no lookup query per row. The dictionaries
    also hold the records strongly, so the session's identity map keeps them and the deputies
    operations reused for the rules find them there instead of asking the database again.
    """

    def __init__(self, mobiles=()):
        """Load everything once; ``mobiles``: the people the file names."""
        self.terms = db.session.scalars(sa.select(Term)).all()
        self.terms_by_key = defaultdict(list)
        self.terms_by_name = {}
        for term in self.terms:
            self.terms_by_key[(term.level, term.ordinal, term.township_id)].append(term)
            self.terms_by_name[term.name] = term
        self.townships = {t.name: t for t in db.session.scalars(sa.select(Township))}
        self.districts = defaultdict(list)  # (township id, name) → the districts of every term
        self._district_names = defaultdict(list)  # (township id, term id) → names, for error messages
        for district in db.session.scalars(sa.select(ElectoralDistrict).order_by(ElectoralDistrict.name)):
            self.districts[(district.township_id, district.name)].append(district)
            self._district_names[(district.township_id, district.term_id)].append(district.name)
        self.places = defaultdict(list)  # name → homes and stations of every township
        self._place_names = defaultdict(list)  # (township id, kind) → names, for error messages
        for place in db.session.scalars(sa.select(Station).order_by(Station.name_sort_key)):
            self.places[place.name].append(place)
            self._place_names[(place.township_id, place.kind)].append(place.name)
        self.deputies = {}
        mobiles = sorted(set(mobiles))
        for start in range(0, len(mobiles), CHUNK):
            query = (sa.select(Deputy).where(Deputy.mobile.in_(mobiles[start:start + CHUNK]))
                     .options(selectinload(Deputy.mandates).selectinload(Mandate.suspensions),
                              selectinload(Deputy.account)))
            self.deputies.update((d.mobile, d) for d in db.session.scalars(query))

    def districts_of(self, township, term):
        """The names of the term's 选区 in the township."""
        return self._district_names.get((township.id, term.id), [])

    def places_of(self, township, kind):
        """The names of the township's stations or homes (of that kind)."""
        return self._place_names.get((township.id, kind), [])

    @staticmethod
    def people_by_mask(masks):
        """``(mobile, name)`` of the people whose number has these (first three, last four) digits.

        Masked numbers come from an export of the whole roster: one query over the people's
        numbers and names, matched here, instead of one LIKE per row.
        """
        rows = db.session.execute(sa.select(Deputy.mobile, Deputy.name)).all()
        return [(mobile, name) for mobile, name in rows if (mobile[:3], mobile[-4:]) in masks]

    def mandate(self, deputy, term):
        """The person's mandate in that term, or None."""
        if deputy is None:
            return None
        return next((m for m in deputy.mandates if m.term_id == term.id), None)


_COUNTS = re.compile(r"(rows|new|updated|unchanged|new_people)=(\d+)")


def recent_imports(limit=10):
    """The latest roster imports from the audit trail, newest first, with their counts read back."""
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "import", AuditEvent.outcome == Outcome.success,
               AuditEvent.detail.like("roster %"))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [{"event": e, "counts": {k: int(v) for k, v in _COUNTS.findall(e.detail)}} for e in events]
