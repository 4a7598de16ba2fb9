"""Writes on deputies, mandates and suspensions: rules checked, then flush and log; the caller commits."""
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from liaison.accounts.models import User
from liaison.accounts.operations import account_for_deputy
from liaison.audit.models import Outcome
from liaison.audit.operations import record_event, record_event_now
from liaison.clock import date_words
from liaison.deputies.models import (Deputy, EndReason, Gender, Mandate, Suspension, first_day_not_held,
                                     last_day_held_in)
from liaison.deputies.queries import deputy_township_ids
from liaison.errors import InvalidInput
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.terms.models import Level, Term
from liaison.text import ETHNIC_GROUPS, is_mobile, mask_mobile, normalize_mobile
from liaison.townships.models import ElectoralDistrict, Township

log = logging.getLogger(__name__)

NAME_MAX = 50
REASON_MAX = 200

#: What the features that plan a deputy's days do when a mandate may no longer be exercised from a
#: date (rule R20): the rota takes the person off its slots from then on. The rota lives on a higher
#: layer than mandates (docs/architecture.md), so it is connected here by the application factory
#: (``liaison.create_app``, ``connect_features``) instead of imported; ``end_mandate`` and
#: ``create_suspension`` call each follower explicitly, in their own transaction, after their write.
_MANDATE_FOLLOWERS = []


def follow_mandates(follower):
    """Connect ``follower(mandate, first_day, last_day, why)`` (once, however often called): it is told
    that ``mandate`` may not be exercised from ``first_day`` to ``last_day`` (None: with no end),
    ``why`` saying so in words (已于12月8日终止代表资格（…）)."""
    if follower not in _MANDATE_FOLLOWERS:
        _MANDATE_FOLLOWERS.append(follower)


def _tell_followers(mandate, first_day, last_day, why):
    """Let every connected feature follow a mandate that may no longer be exercised (rule R20)."""
    for follower in _MANDATE_FOLLOWERS:
        follower(mandate, first_day, last_day, why)


def _flush(message, field):
    """Flush, turning a unique-key clash from a concurrent request into the rule's own message."""
    try:
        db.session.flush()
    except IntegrityError:
        # The checks above ran before a parallel request saved the same key; the view rolls back.
        raise InvalidInput(message, field) from None


# --- the person -----------------------------------------------------------------------------

def clean_person(name, gender, ethnicity, mobile):
    """Check and normalise the person's fields; return them ready to store."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_l("请填写代表姓名。"), "name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_l("姓名太长了（最多 %(n)s 个字）。", n=NAME_MAX), "name")
    if not isinstance(gender, Gender):
        raise InvalidInput(_l("请选择性别。"), "gender")
    ethnicity = (ethnicity or "").strip() or "汉族"
    if ethnicity not in ETHNIC_GROUPS:
        raise InvalidInput(_l("请从列表中选择民族。"), "ethnicity")
    mobile = normalize_mobile(mobile)
    if not is_mobile(mobile):
        raise InvalidInput(_l("手机号码应为 11 位数字，以 1 开头（可带 +86、空格或短横线）。"), "mobile")
    return name, gender, ethnicity, mobile


def _check_mobile_free(mobile, deputy=None):
    """Refuse a mobile number another deputy, or another person's account, already uses."""
    other = db.session.scalar(sa.select(Deputy).where(Deputy.mobile == mobile))
    if other is not None and other is not deputy:
        raise InvalidInput(
            _l("手机号码已登记在代表“%(name)s”名下。同一人请勿重复添加；如号码有误，请核对后重新输入。",
               name=other.name),
            "mobile",
        )
    account = deputy.account if deputy is not None else None
    if account is not None and account.mobile != mobile:
        # The account follows the deputy's number; it must not take another person's sign-in name.
        holder = db.session.scalar(sa.select(User).where(User.mobile == mobile, User.id != account.id))
        if holder is not None:
            raise InvalidInput(
                _l("手机号码已被账号“%(name)s”用于登录，不能改成这个号码。", name=holder.name), "mobile"
            )


def create_deputy(name, gender, ethnicity, mobile):
    """Add a person; their account comes with their first mandate."""
    name, gender, ethnicity, mobile = clean_person(name, gender, ethnicity, mobile)
    _check_mobile_free(mobile)
    deputy = Deputy(name=name, gender=gender, ethnicity=ethnicity, mobile=mobile)
    db.session.add(deputy)
    _flush(_l("手机号码已登记给另一名代表，请核对。"), "mobile")
    log.info("deputy created: deputy=%s", deputy.id)
    return deputy


def update_deputy(deputy, name, gender, ethnicity, mobile):
    """Correct a person's data; their account's name and sign-in number follow."""
    name, gender, ethnicity, mobile = clean_person(name, gender, ethnicity, mobile)
    _check_mobile_free(mobile, deputy)
    old_mobile = deputy.mobile
    deputy.name, deputy.gender, deputy.ethnicity, deputy.mobile = name, gender, ethnicity, mobile
    if deputy.account is not None:
        deputy.account.name = name
        deputy.account.mobile = mobile
    _flush(_l("手机号码已登记给另一名代表或账号，请核对。"), "mobile")
    log.info("deputy updated: deputy=%s", deputy.id)
    if mobile != old_mobile:
        # The number is the account's sign-in name: changing it hands the account to another phone.
        account = f" account #{deputy.account.id}" if deputy.account is not None else ""
        record_event("deputy.mobile_changed", target=deputy, township_id=deputy.latest_township_id,
                     detail=f"{mask_mobile(old_mobile)} → {mask_mobile(mobile)}{account}")
    return deputy


# --- mandates -------------------------------------------------------------------------------

def _get(model, record_id):
    """The record with that id, or None when no id was given."""
    return db.session.get(model, record_id) if record_id else None


def _check_station(record_id, kind, township, current_id, field):
    """Return the home or station chosen for a mandate, checked against its township."""
    if not record_id:
        return None
    place = _get(Station, record_id)
    if place is None or place.kind is not kind:
        raise InvalidInput(
            _l("请选择一个%(kind)s。", kind=kind.label), field
        )
    if place.township_id != township.id:
        raise InvalidInput(
            _l("%(place)s 不在 %(township)s，请选择 %(township)s 的%(kind)s。",
               place=place.name, township=township.name, kind=kind.label),
            field,
        )
    # An inactive place stays on mandates that already had it (history); nobody new is sent there.
    if not place.active and place.id != current_id:
        raise InvalidInput(
            _l("%(place)s 已停用，请选择在用的%(kind)s。", place=place.name, kind=kind.label), field
        )
    return place


def _check_recorded_dates(mandate, term, start):
    """On an edit, keep the early end and the suspensions already recorded inside the new dates."""
    if mandate.end_date is not None:
        if start >= mandate.end_date:
            raise InvalidInput(
                _l("任职开始日期应早于提前终止日期（%(end)s）。", end=mandate.end_date.isoformat()), "start_date"
            )
        # An open term holds its mandates past its provisional end (rule R5): only a real last day bounds an early end.
        if mandate.end_date > last_day_held_in(term):
            raise InvalidInput(
                _l("此代表资格已于 %(end)s 提前终止，晚于 %(term)s 的届满日期，不能改到该届次。",
                   end=mandate.end_date.isoformat(), term=term.name),
                "term_id",
            )
    # The days the mandate would hold in the new term (rule R5).
    last = first_day_not_held(mandate.end_date, last_day_held_in(term)) - timedelta(days=1)
    for suspension in mandate.suspensions:
        if suspension.start_date < start or suspension.start_date > last:
            raise InvalidInput(
                _l("已有从 %(day)s 开始的暂停执行代表职务记录，修改后的任职期间必须包含它。",
                   day=suspension.start_date.isoformat()),
                "start_date",
            )


def refuse_frozen_mandate(mandate, field="start_date"):
    """Refuse a change to a mandate counted in a closed term's frozen figures (rule R14).

    Mandates keep no history of their changes, so recording or withdrawing an early end, moving its
    dates or term, its township or district, or a suspension would move the closed term's figures
    on every page while the frozen workbook stays as it was. The term's record is closed: only a
    mandate recorded after the freeze (outside the figures) may still be corrected.
    """
    if mandate.frozen:
        raise InvalidInput(frozen_mandate_message(mandate), field)


def frozen_mandate_message(mandate):
    """Why a mandate of a closed term no longer changes (rule R14); its forms show it before saving."""
    return _l("%(term)s已于%(day)s换届，该届的代表资格已随最终统计冻结，记录已经封存，不能再登记或撤销提前终止、"
              "修改任职信息或登记暂停执行代表职务。", term=mandate.term.name, day=mandate.term.end_date.isoformat())


def check_mandate(deputy, fields, mandate=None):
    """Check a mandate's fields against the domain rules; return the objects to store."""
    if mandate is not None:
        refuse_frozen_mandate(mandate, "term_id")
    term = _get(Term, fields.get("term_id"))
    if term is None:
        raise InvalidInput(_l("请选择届次。"), "term_id")
    if mandate is not None and term.id != mandate.term_id and term.closed:
        # Moving a counted mandate into a closed term would change its frozen figures too (rule R14).
        raise InvalidInput(
            _l("%(term)s已于%(day)s换届，最终统计已冻结，不能把代表资格改到该届次。",
               term=term.name, day=term.end_date.isoformat()),
            "term_id")
    township = _get(Township, fields.get("township_id"))
    if township is None:
        raise InvalidInput(_l("请选择所属乡镇（街道）。"), "township_id")

    clash = db.session.scalar(
        sa.select(Mandate.id).where(Mandate.deputy_id == deputy.id, Mandate.term_id == term.id)
    )
    if clash is not None and (mandate is None or clash != mandate.id):
        raise InvalidInput(_l("该代表在 %(term)s 已有代表资格。", term=term.name), "term_id")

    if term.level is Level.township and term.township_id != township.id:
        raise InvalidInput(
            _l("%(term)s 是 %(own)s 的乡镇人大，代表资格只能属于 %(own)s。",
               term=term.name, own=term.township.name if term.township else "—"),
            "township_id",
        )

    start = fields.get("start_date")
    if start is None:
        raise InvalidInput(_l("请填写任职开始日期。"), "start_date")
    if not term.start_date <= start <= last_day_held_in(term):
        raise InvalidInput(
            _l("任职开始日期应在 %(term)s 的任期内（%(start)s 至 %(end)s）。",
               term=term.name, start=term.start_date.isoformat(), end=term.end_date.isoformat()),
            "start_date",
        )
    if mandate is not None:
        _check_recorded_dates(mandate, term, start)

    district = _get(ElectoralDistrict, fields.get("electoral_district_id"))
    if fields.get("electoral_district_id") and district is None:
        raise InvalidInput(_l("所选选区不存在，请重新选择。"), "electoral_district_id")
    if term.level.directly_elected:
        if district is None:
            raise InvalidInput(
                _l("%(level)s级人大代表由选区直接选举产生，请选择选区。", level=term.level.label),
                "electoral_district_id",
            )
        if district.term_id != term.id:
            raise InvalidInput(
                _l("%(district)s 是 %(other)s 划分的选区，请选择 %(term)s 的选区。",
                   district=district.name, other=district.term.name, term=term.name),
                "electoral_district_id",
            )
        if district.township_id != township.id:
            raise InvalidInput(
                _l("%(district)s 在 %(other)s，请选择 %(township)s 的选区。",
                   district=district.name, other=district.township.name, township=township.name),
                "electoral_district_id",
            )
    elif district is not None:
        raise InvalidInput(
            _l("%(level)s人大代表由人民代表大会选举产生，没有选区：请不选选区，只选所编入的乡镇（街道）。",
               level=term.level.label),
            "electoral_district_id",
        )

    home = _check_station(fields.get("home_id"), StationKind.home, township,
                          mandate.home_id if mandate else None, "home_id")
    station = _check_station(fields.get("station_id"), StationKind.station, township,
                             mandate.station_id if mandate else None, "station_id")
    return {
        "term": term, "township": township, "electoral_district": district, "home": home,
        "station": station, "start_date": start, "by_election": bool(fields.get("by_election")),
    }


def create_mandate(deputy, audit=True, **fields):
    """Give a person a seat in a term; their account (awaiting activation) is created with it.

    ``fields``: term_id, township_id, electoral_district_id, home_id, station_id, start_date,
    by_election. ``audit=False`` for a caller that records one event for the whole batch (the
    roster import).
    """
    values = check_mandate(deputy, fields)
    mandate = Mandate(deputy=deputy, **values)
    db.session.add(mandate)
    _flush(_l("该代表在 %(term)s 已有代表资格。", term=values["term"].name), "term_id")
    account = account_for_deputy(deputy)
    log.info("mandate created: mandate=%s deputy=%s term=%s user=%s",
             mandate.id, deputy.id, mandate.term_id, account.id)
    if audit:
        record_event("mandate.created", target=mandate,
                     detail=f"deputy #{deputy.id} term #{mandate.term_id} account #{account.id}")
    return mandate


def update_mandate(mandate, audit=True, **fields):
    """Correct a mandate's term, township, district, home, station, start or by-election flag."""
    values = check_mandate(mandate.deputy, fields, mandate)
    before = _mandate_summary(mandate)
    for key, value in values.items():
        setattr(mandate, key, value)
    _flush(_l("该代表在 %(term)s 已有代表资格。", term=values["term"].name), "term_id")
    log.info("mandate updated: mandate=%s", mandate.id)
    if audit:
        record_event("mandate.updated", target=mandate, detail=f"{before} → {_mandate_summary(mandate)}")
    return mandate


def _mandate_summary(mandate):
    """The fields of a mandate that decide where and from when it counts, as ids for the audit trail."""
    return (f"term={mandate.term_id} township={mandate.township_id} district={mandate.electoral_district_id} "
            f"home={mandate.home_id} station={mandate.station_id} start={mandate.start_date.isoformat()} "
            f"by_election={int(mandate.by_election)}")


def end_mandate(mandate, end_date, reason, audit=True):
    """Record (or, with neither date nor reason, withdraw) the early end of a mandate (代表资格终止).

    Refused for a mandate in a closed term's frozen figures (rule R14)."""
    refuse_frozen_mandate(mandate, "end_date")
    if end_date is None and reason is None:
        if mandate.end_date is None:
            return mandate
        withdrawn = mandate.end_date
        mandate.end_date = None
        mandate.end_reason = None
        db.session.flush()
        log.info("mandate early end withdrawn: mandate=%s", mandate.id)
        if audit:
            record_event("mandate.end_withdrawn", target=mandate, detail=f"end={withdrawn.isoformat()}")
        return mandate
    if end_date is None:
        raise InvalidInput(_l("请填写代表资格终止的日期。"), "end_date")
    if not isinstance(reason, EndReason):
        raise InvalidInput(_l("请选择代表资格终止的原因。"), "end_reason")
    if end_date <= mandate.start_date:
        raise InvalidInput(
            _l("终止日期应晚于任职开始日期（%(start)s）。", start=mandate.start_date.isoformat()), "end_date"
        )
    # Past a provisional end the mandates of an open term are still held (rule R5): an early end then is real.
    if end_date > last_day_held_in(mandate.term):
        raise InvalidInput(
            _l("终止日期不能晚于 %(term)s 的届满日期（%(end)s）；届满不是提前终止，无需登记。",
               term=mandate.term.name, end=mandate.term.end_date.isoformat()),
            "end_date",
        )
    late = [s for s in mandate.suspensions if s.start_date >= end_date]
    if late:
        raise InvalidInput(
            _l("已有从 %(day)s 开始的暂停执行代表职务记录，终止日期应晚于它。",
               day=late[0].start_date.isoformat()),
            "end_date",
        )
    if (mandate.end_date, mandate.end_reason) == (end_date, reason):
        return mandate
    mandate.end_date = end_date
    mandate.end_reason = reason
    db.session.flush()
    log.info("mandate ended early: mandate=%s reason=%s", mandate.id, reason.value)
    if audit:
        record_event("mandate.ended", target=mandate, detail=f"end={end_date.isoformat()} reason={reason.value}")
    _tell_followers(mandate, end_date, None,
                    _l("%(name)s 已于%(day)s终止代表资格（%(reason)s）", name=mandate.deputy.name,
                       day=date_words(end_date), reason=reason.label))
    return mandate


# --- suspensions ----------------------------------------------------------------------------

def create_suspension(mandate, start_date, end_date, reason):
    """Record a period in which the deputy may not perform their duties (暂停执行代表职务)."""
    refuse_frozen_mandate(mandate, "start_date")  # rule R14: the closed term's month sheets are frozen
    reason = (reason or "").strip()
    if start_date is None:
        raise InvalidInput(_l("请填写暂停开始日期。"), "start_date")
    last = mandate.last_held
    if not mandate.start_date <= start_date <= last:
        raise InvalidInput(
            _l("暂停开始日期应在代表资格期内（%(start)s 至 %(end)s）。",
               start=mandate.start_date.isoformat(), end=last.isoformat()),
            "start_date",
        )
    if end_date is not None:
        if end_date < start_date:
            raise InvalidInput(_l("暂停结束日期不能早于开始日期。"), "end_date")
        if end_date > last:
            raise InvalidInput(
                _l("暂停结束日期不能晚于代表资格的最后一天（%(end)s）。", end=last.isoformat()), "end_date"
            )
    if not reason:
        raise InvalidInput(_l("请填写暂停执行代表职务的原因。"), "reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_l("原因太长了（最多 %(n)s 个字）。", n=REASON_MAX), "reason")
    for other in mandate.suspensions:
        # Two periods overlap when each starts before the other ends (an open end never ends).
        if (other.end_date is None or start_date <= other.end_date) and (
                end_date is None or other.start_date <= end_date):
            if other.end_date is None:
                period = _l("%(start)s 起，尚未恢复", start=other.start_date.isoformat())
            else:
                period = _l("%(start)s 至 %(end)s", start=other.start_date.isoformat(),
                            end=other.end_date.isoformat())
            raise InvalidInput(_l("与已有的暂停记录（%(period)s）重叠，请调整日期。", period=period), "start_date")
    suspension = Suspension(mandate=mandate, start_date=start_date, end_date=end_date, reason=reason)
    db.session.add(suspension)
    db.session.flush()
    log.info("suspension recorded: suspension=%s mandate=%s", suspension.id, mandate.id)
    record_event("suspension.recorded", target=suspension, township_id=mandate.township_id,
                 detail=f"mandate #{mandate.id} {start_date.isoformat()}–{end_date.isoformat() if end_date else ''}")
    if end_date is None:
        why = _l("%(name)s 自%(day)s起暂停执行代表职务（%(reason)s）", name=mandate.deputy.name,
                 day=date_words(start_date), reason=reason)
    else:
        why = _l("%(name)s %(first)s至%(last)s暂停执行代表职务（%(reason)s）", name=mandate.deputy.name,
                 first=date_words(start_date), last=date_words(end_date), reason=reason)
    _tell_followers(mandate, start_date, end_date, why)
    return suspension


# --- personal data leaving the system -------------------------------------------------------

def record_roster_export(township_ids, full_mobiles=0):
    """Note an export of the roster for the townships given (None: the whole district).

    ``full_mobiles``: how many people's full mobile numbers the file shows; like any reveal of a
    full number, that is audited as ``mobile.revealed`` too (R17).
    """
    scope = "all" if township_ids is None else sorted(township_ids)
    record_event("export", detail=f"deputies roster, townships={scope}")
    if full_mobiles:
        record_event("mobile.revealed", detail=f"roster export, full numbers of {full_mobiles} deputies, "
                                               f"townships={scope}"[:500])


def record_mobile_reveal(deputy, township_id):
    """Note that the signed-in staff member was shown the deputy's full mobile number."""
    record_event("mobile.revealed", target=deputy, township_id=township_id,
                 detail=f"deputy #{deputy.id} {mask_mobile(deputy.mobile)}")


# --- deputies named by id in another township's forms -------------------------------------------------

class NotOfTownship(InvalidInput):
    """A deputy chosen by id who never held a mandate in the township: no form offers them, so the
    request was made up. Refused without their name (which would leak another township's deputies)
    and, once the write is rolled back, audited as access denied (``record_refusal``)."""

    def __init__(self, field, township_id, deputy_id):
        super().__init__(_l("所选代表不在本乡镇在任代表中。"), field)
        self.township_id = township_id
        self.deputy_id = deputy_id

    def record_refusal(self):
        """Audit the made-up request (called by ``liaison.transaction.commit`` after the rollback)."""
        record_event_now("access.denied", outcome=Outcome.denied, township_id=self.township_id,
                         target_type="deputies", target_id=self.deputy_id,
                         detail=f"{request.method} {request.path}"[:500] if has_request_context() else "")


def refuse_stranger(deputy, township_id, field):
    """Refuse, without naming them, a deputy who has no mandate in the township at all; a deputy of the
    township who is not in force that day is refused by the caller, by name (staff see them anyway)."""
    if township_id not in deputy_township_ids(deputy.id):
        raise NotOfTownship(field, township_id, deputy.id)
