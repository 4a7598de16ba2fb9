"""The deputy's record (履职档案): mandates, check-ins, activities, duty reports and exemptions in one timeline."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from liaison.clock import local_today
from liaison.extensions import db
from liaison.network.models import Station, StationKind
from liaison.opinions.counters import deputy_counts, period_of
from liaison.opinions.models import Opinion
from liaison.deputies.models import Exemption
from liaison.reports.models import DutyReport, DutyReportCoverage
from liaison.reports.queries import exemption_notice, report_notices
from liaison.activities.models import Activity, ActivityInvitation
from stations.checkin.models import COUNTED, Checkin


@dataclass
class Event:
    """One line of the timeline."""

    day: date
    kind: str
    title: str
    details: list = field(default_factory=list)
    #: Bootstrap badge colour: a counted visit is green, a pending one yellow, a refusal grey.
    tone: str = "secondary"


def deputy_timeline(deputy, mandates, township_ids=None):
    """The deputy's events, newest first, limited to the mandates and townships the viewer may see.

    ``township_ids`` None means the whole district; township staff see check-ins and activities
    at their own townships' homes and stations only.
    """
    mandate_ids = [m.id for m in mandates]
    events = []
    for mandate in mandates:
        events.append(Event(mandate.start_date, str(_l("任职")), mandate.term.name,
                            [mandate.township.name, str(_l("补选")) if mandate.by_election else ""], "primary"))
        if mandate.end_date:
            events.append(Event(mandate.end_date, str(_l("代表资格终止")), mandate.term.name,
                                [mandate.end_reason.label], "dark"))
        for suspension in mandate.suspensions:
            until = suspension.end_date.isoformat() if suspension.end_date else str(_l("至今"))
            events.append(Event(suspension.start_date, str(_l("暂停执行代表职务")), mandate.term.name,
                                [str(_l("至 %(day)s", day=until)), suspension.reason], "warning"))
    counted_places = set()
    checkin_query = sa.select(Checkin).where(Checkin.deputy_id == deputy.id).order_by(Checkin.occurred_at.desc())
    if township_ids is not None:
        checkin_query = checkin_query.join(Station, Station.id == Checkin.station_id).where(
            Station.township_id.in_(township_ids))
    checkins = db.session.scalars(checkin_query)
    for checkin in checkins:
        kind = _l("进站") if checkin.station_kind is StationKind.station else _l("回家")
        details = [checkin.method.label, checkin.status.label]
        if checkin.away_from_own:
            details.append(str(_l("非本人站点")))
        if checkin.constituents_received:
            details.append(str(_l("接待群众 %(n)s 人", n=checkin.constituents_received)))
        tone = "success" if checkin.status in COUNTED else "warning" if checkin.status.value == "pending" else "light"
        events.append(Event(checkin.local_date, str(kind), checkin.station.name, details, tone))
        if checkin.status in COUNTED:
            counted_places.add((checkin.station_id, checkin.local_date))
    activity_query = (sa.select(Activity).join(ActivityInvitation, ActivityInvitation.activity_id == Activity.id)
                      .where(ActivityInvitation.deputy_id == deputy.id))
    if township_ids is not None:
        activity_query = activity_query.join(Station, Station.id == Activity.station_id).where(
            Station.township_id.in_(township_ids))
    invitations = db.session.scalars(activity_query)
    today = local_today()
    for activity in invitations:
        came = (activity.station_id, activity.local_date) in counted_places
        # An activity still to come is awaited, not missed.
        presence = _l("已到场") if came else _l("待参加") if activity.local_date >= today else _l("未到场")
        events.append(Event(activity.local_date, str(_l("集体活动")), activity.title,
                            [activity.type.label, str(presence)], "success" if came else "light"))
    covered = sa.select(DutyReportCoverage.report_id).where(DutyReportCoverage.mandate_id.in_(mandate_ids))
    reports = db.session.scalars(sa.select(DutyReport).where(
        sa.or_(DutyReport.mandate_id.in_(mandate_ids), DutyReport.id.in_(covered))))
    for report in reports:
        details = [report.form.label, str(_l("到场选民 %(n)s 人", n=report.voters_present)),
                   str(_l("满意 %(a)s，基本满意 %(b)s，不满意 %(c)s", a=report.satisfied,
                          b=report.basically_satisfied, c=report.dissatisfied))]
        if not report.completed:
            details.append(str(_l("未完成")))
        details += report_notices(report)
        events.append(Event(report.report_date, str(_l("述职")), report.mandate.term.name if report.mandate else "",
                            details, "info" if report.completed else "light"))
    for exemption in db.session.scalars(sa.select(Exemption).where(Exemption.mandate_id.in_(mandate_ids))):
        late = exemption_notice(exemption)
        events.append(Event(exemption.approved_on, str(_l("免于考核")), exemption.period_label,
                            [exemption.reason, str(_l("批准人：%(who)s", who=exemption.approver)),
                             str(late) if late is not None else ""], "secondary"))
    events.sort(key=lambda e: e.day, reverse=True)
    return events


#: How many of a deputy's opinions the record lists (newest first); the counts cover them all.
RECORD_OPINIONS = 30


@dataclass
class OpinionRecord:
    """民意 in the record: the year's counts and the latest opinions the deputy received or took up."""

    year: int
    counts: object
    opinions: list
    #: How many opinions in scope there are in all (the list stops at RECORD_OPINIONS).
    total: int


def deputy_opinion_record(deputy, year, township_ids=None):
    """The deputy's opinions in the viewer's townships: ``year``'s counts and the latest ones, briefly."""
    mine = sa.or_(Opinion.deputy_id == deputy.id, Opinion.suggestion_deputy_id == deputy.id)
    query = sa.select(Opinion).where(mine)
    if township_ids is not None:
        query = query.where(Opinion.township_id.in_(township_ids))
    latest = db.session.scalars(query.options(joinedload(Opinion.station))
                                .order_by(Opinion.received_at.desc(), Opinion.id.desc())
                                .limit(RECORD_OPINIONS)).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    counts = deputy_counts([deputy.id], *period_of(year), township_ids=township_ids)[deputy.id]
    return OpinionRecord(year, counts, latest, total)
