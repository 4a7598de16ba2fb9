"""Writes on townships (乡镇/街道) and electoral districts (选区): validate, flush and log; the view commits."""
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.audit.operations import record_event
from liaison.deputies.models import Mandate
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import Station
from liaison.terms.models import Level, Term
from liaison.townships.models import ElectoralDistrict, Township, TownshipKind
# Stations sit a layer above; a district's stations only matter here as a reason to refuse a move.

log = logging.getLogger(__name__)

TOWNSHIP_NAME_LENGTH = (2, 50)
#: A township's place in the administrative order, and the length of the office that signs its tables.
POSITION_RANGE = (1, 9999)
OFFICE_NAME_LENGTH = (2, 60)
#: An argument left out: the township keeps what it has.
KEEP = object()
DISTRICT_NAME_LENGTH = (1, 50)


def _count(query):
    """The number a ``count()`` select returns."""
    return db.session.scalar(query) or 0


def _mandates_in(district):
    """How many mandates were elected in a district."""
    return _count(sa.select(sa.func.count(Mandate.id)).where(Mandate.electoral_district_id == district.id))


def _stations_serving(district):
    """How many liaison stations serve a district."""
    return _count(sa.select(sa.func.count(Station.id)).where(Station.electoral_district_id == district.id))


def _flush(message, field):
    """Flush; a unique key another request took in the meantime becomes the same message as the check."""
    try:
        db.session.flush()
    except IntegrityError:
        raise InvalidInput(message, field) from None


def _check_township(name, kind, township=None):
    """Validate a township's name and kind (``township`` is the one being edited, if any)."""
    low, high = TOWNSHIP_NAME_LENGTH
    if not low <= len(name) <= high:
        raise InvalidInput(_l("名称应为 %(low)s 到 %(high)s 个字，现在是 %(n)s 个字。", low=low, high=high, n=len(name)),
                           "name")
    if kind is None:
        raise InvalidInput(_l("请选择类型：乡镇或街道。"), "kind")
    duplicate = sa.select(Township.id).where(Township.name == name)
    if township is not None:
        duplicate = duplicate.where(Township.id != township.id)
    if db.session.scalar(duplicate) is not None:
        raise InvalidInput(_l("已有名为“%(name)s”的乡镇（街道），请换一个名称。", name=name), "name")
    if township is not None and township.kind is TownshipKind.township and kind is TownshipKind.subdistrict:
        own_terms = _count(sa.select(sa.func.count(Term.id)).where(
            Term.township_id == township.id, Term.level == Level.township))
        if own_terms:
            # A 街道 has no congress of its own, so its 乡镇 terms would be left meaningless.
            raise InvalidInput(_l("“%(name)s”已有 %(n)s 个乡镇人大届次，不能改为街道（街道不设人大）。"
                                  "如确需更改，请先处理这些届次。", name=township.name, n=own_terms), "kind")


def _check_settings(position, office_name):
    """Validate a township's administrative order (None: keep, or last when new) and its 制表单位
    (None: the default one); return the office name to store."""
    if position is not None:
        low, high = POSITION_RANGE
        if not low <= position <= high:
            raise InvalidInput(_l("排序号应为 %(low)s 到 %(high)s 之间的整数。", low=low, high=high), "position")
    office_name = (office_name or "").strip() or None
    if office_name is not None:
        low, high = OFFICE_NAME_LENGTH
        if not low <= len(office_name) <= high:
            raise InvalidInput(_l("制表单位应为 %(low)s 到 %(high)s 个字，现在是 %(n)s 个字。",
                                  low=low, high=high, n=len(office_name)), "office_name")
    return office_name


def create_township(name, kind, position=None, office_name=None):
    """Create a 乡镇 or 街道; without a ``position`` it goes last in the administrative order."""
    name = (name or "").strip()
    _check_township(name, kind)
    office_name = _check_settings(position, office_name)
    township = Township(name=name, kind=kind, office_name=office_name)
    if position is not None:
        township.position = position
    db.session.add(township)
    _flush(_l("已有名为“%(name)s”的乡镇（街道），请换一个名称。", name=name), "name")
    log.info("township created: township=%s kind=%s", township.id, kind.value)
    record_event("township.created", target=township, township_id=township.id, detail=f"{name} {kind.value}")
    return township


def update_township(township, name, kind, position=None, office_name=KEEP):
    """Rename a township, change its kind, its place in the administrative order (None: unchanged)
    or its 制表单位 (blank: the default; left out: unchanged)."""
    name = (name or "").strip()
    _check_township(name, kind, township)
    office_name = township.office_name if office_name is KEEP else office_name
    office_name = _check_settings(position, office_name)

    def described():
        return f"{township.name} {township.kind.value} #{township.position} {township.office_name or '-'}"

    before = described()
    township.name = name
    township.kind = kind
    if position is not None:
        township.position = position
    township.office_name = office_name
    _flush(_l("已有名为“%(name)s”的乡镇（街道），请换一个名称。", name=name), "name")
    log.info("township updated: township=%s kind=%s position=%s", township.id, kind.value, township.position)
    record_event("township.updated", target=township, township_id=township.id, detail=f"{before} → {described()}")
    return township


def _check_district(term, township, name, district=None):
    """Validate a district's term, township and name (``district`` is the one being edited, if any)."""
    low, high = DISTRICT_NAME_LENGTH
    if not low <= len(name) <= high:
        raise InvalidInput(_l("选区名称应为 %(low)s 到 %(high)s 个字。", low=low, high=high), "name")
    if term is None:
        raise InvalidInput(_l("请选择届次。"), "term_id")
    if township is None:
        raise InvalidInput(_l("请选择所在乡镇（街道）。"), "township_id")
    if not term.level.directly_elected:
        raise InvalidInput(_l("“%(term)s”的代表不按选区选举：只有区和乡镇代表由选区直接选举，请选择区或乡镇届次。",
                              term=term.name), "term_id")
    moved = district is not None and district.township_id != township.id
    if term.level is Level.township and term.township_id != township.id:
        raise InvalidInput(_l("“%(term)s”是%(owner)s的人大届次，它的选区只能设在%(owner)s，不能设在%(here)s。",
                              term=term.name, owner=term.township.name if term.township else "",
                              here=township.name),
                           "township_id" if moved else "term_id")
    if moved:
        mandates, stations = _mandates_in(district), _stations_serving(district)
        if mandates or stations:
            raise InvalidInput(_l("此选区已有 %(m)s 个代表资格、%(s)s 个联络站在使用，不能改到其他乡镇（街道）。"
                                  "请先调整这些代表资格和联络站。", m=mandates, s=stations), "township_id")
    if district is not None and district.term_id != term.id:
        # A mandate's district must belong to the mandate's own term.
        mandates = _mandates_in(district)
        if mandates:
            raise InvalidInput(_l("此选区已有 %(m)s 个代表资格，不能改换届次。", m=mandates), "term_id")
    duplicate = sa.select(ElectoralDistrict.id).where(
        ElectoralDistrict.term_id == term.id, ElectoralDistrict.township_id == township.id,
        ElectoralDistrict.name == name)
    if district is not None:
        duplicate = duplicate.where(ElectoralDistrict.id != district.id)
    if db.session.scalar(duplicate) is not None:
        raise InvalidInput(_duplicate_district(term, township, name), "name")


def _duplicate_district(term, township, name):
    """The message for a district name already used in that term and township."""
    return _l("%(township)s在“%(term)s”已有名为“%(name)s”的选区，请换一个名称。",
              township=township.name, term=term.name, name=name)


def create_district(term, township, name):
    """Draw a 选区 for a directly elected term inside a township."""
    name = (name or "").strip()
    _check_district(term, township, name)
    district = ElectoralDistrict(term=term, township=township, name=name)
    db.session.add(district)
    _flush(_duplicate_district(term, township, name), "name")
    log.info("district created: district=%s term=%s township=%s", district.id, term.id, township.id)
    record_event("district.created", target=district, detail=f"{name} term #{term.id}")
    return district


def update_district(district, term, township, name):
    """Rename a 选区, or move it to another term or township while nothing uses it."""
    name = (name or "").strip()
    _check_district(term, township, name, district)
    before = f"{district.name} term #{district.term_id} township #{district.township_id}"
    district.term = term
    district.township = township
    district.name = name
    _flush(_duplicate_district(term, township, name), "name")
    log.info("district updated: district=%s term=%s township=%s", district.id, term.id, township.id)
    record_event("district.updated", target=district,
                 detail=f"{before} → {name} term #{term.id} township #{township.id}")
    return district
