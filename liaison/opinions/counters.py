"""Counters of constituents' opinions (民意 接、登、转、复) by township, station, month and deputy, in SQL.

Each step is counted in the period its own local date falls in, not by the opinion's status now:
接 received (``received_on``), 登 registered (``registered_on``), 转 passed on as a referral or a
suggestion (``referred_on``), 复 replied (``replied_on``). An opinion received in October,
referred in November and answered in December adds one to each of those three months.

Petitions handed over to 信访 and opinions rejected (不予受理) are not the station's work: they
leave every station counter, and those handed over are shown as their own count by the month
they were received. Satisfaction belongs to the reply: replies of the period that the constituent
rated, and how many of those were 满意 or 基本满意. 逾期 overdue is a state, not a step: opinions
waiting on a department or deputy past their due date and unanswered as of the period's last day
(today, for a period not yet over), whenever they were received.

重新办理 reopened counts the opinions a constituent sent back with 不满意, by the day of the latest
reopening (rule R30). ``answer_days`` is the sum of the days from receipt to reply over the
period's replies, so the average days to answer is ``answer_days / replied``.

These are the figures staff see on the dashboard and the public sees on the accountability pages
(rule R31): both call ``opinion_counts``, nothing else counts opinions for them.

Every counter is one statement in standard SQL, the same on SQLite and PostgreSQL, that reads
the opinions once with a ``SUM(CASE …)`` per counter (and per month, for months side by side);
the days between two dates are the one expression written per dialect (``days_between``).
Per deputy, where one opinion may count for two deputies, ``UNION ALL`` rows of steps are summed.
"""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from liaison.clock import Month, local_today
from liaison.extensions import db
from liaison.network.models import Station
from liaison.opinions.models import Handling, Opinion, Satisfaction, Status
from liaison.townships.models import ADMINISTRATIVE_ORDER, Township

#: Final statuses that take an opinion out of the station's counters.
NOT_STATION_WORK = (Status.handed_over, Status.rejected)
#: Handlings that wait on someone else by a due date (转办, 转为建议).
PASSED_ON = (Handling.referral, Handling.suggestion)
#: Verdicts counted as satisfied (满意 and 基本满意).
CONTENT = (Satisfaction.satisfied, Satisfaction.basically)

#: The summed columns, in the order of ``OpinionCounts`` after ``key`` and ``name``.
COUNTED = ("received", "registered", "referred", "replied", "overdue", "handed_over", "rated", "satisfied",
           "reopened", "answer_days")


class OpinionCounts(NamedTuple):
    """The 接、登、转、复 counters of one township, station or month (or the whole scope)."""

    #: Township id, station id, month key (202611), or None for the whole scope.
    key: object
    #: Township or station name; '' for months and the whole scope.
    name: str
    received: int
    registered: int
    referred: int
    replied: int
    overdue: int
    #: Petitions handed over to 信访, by the month they were received (not in the other counters).
    handed_over: int
    #: Replies of the period the constituent rated, and those rated 满意 or 基本满意.
    rated: int
    satisfied: int
    #: Opinions sent back by the constituent with 不满意, by the day of the latest reopening.
    reopened: int = 0
    #: Days from receipt to reply, summed over the period's replies.
    answer_days: int = 0

    @property
    def satisfaction_rate(self):
        """满意率 (满意 + 基本满意 over rated replies); None when no reply was rated."""
        return self.satisfied / self.rated if self.rated else None

    @property
    def average_answer_days(self):
        """Average days from receipt to reply over the period's replies; None without replies."""
        return self.answer_days / self.replied if self.replied else None


class DeputyOpinionCounts(NamedTuple):
    """What one deputy handled: opinions received at their receptions, taken up as suggestions, replied."""

    deputy_id: int
    received: int
    suggestions: int
    #: Replies (in the period) to opinions the deputy received or took up.
    replied: int


class days_between(FunctionElement):
    """SQL: whole days from the date ``earlier`` to the date ``later`` (``later - earlier``)."""

    type = sa.Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    # Standard SQL (PostgreSQL and its kin): subtracting two dates gives the days between them.
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def period_of(year, month=None):
    """First and last day of a year, or of one of its months."""
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    period = Month(year, month)
    return period.first, period.last


def _months(first_day, last_day):
    """(key, first, last) of every month overlapping the period, in order."""
    months = []
    month, end = Month.of(first_day), Month.of(last_day)
    while month <= end:
        months.append((month.key, max(month.first, first_day), min(month.last, last_day)))
        month = month.next()
    return months


def _step(name):
    """The step's name as an SQL constant (names are this module's own, never user input)."""
    return sa.literal_column(f"'{name}'", sa.String).label("step")


def _deputy_step(step, day, deputy, *conditions, first_day, last_day):
    """One kind of a deputy's step as rows (deputy, step) within the period."""
    return sa.select(deputy.label("deputy_id"), _step(step)).where(
        day.is_not(None), day >= first_day, day <= last_day, *conditions)


def overdue_on(as_of):
    """SQL condition: passed on with a due date before ``as_of`` and not replied by then.

    On today it is the queue's overdue filter (status 转办 or 建议, due date past); on an earlier
    day it reads the reply date, so a month that has ended keeps its figure.
    """
    return sa.and_(Opinion.handling.in_(PASSED_ON), Opinion.due_on.is_not(None), Opinion.due_on < as_of,
                   sa.or_(Opinion.replied_on.is_(None), Opinion.replied_on > as_of),
                   Opinion.status.not_in(NOT_STATION_WORK))


def _dated_steps():
    """Each dated step: its name, the column holding its local date, and what else it requires."""
    station_work = Opinion.status.not_in(NOT_STATION_WORK)
    return [
        ("received", Opinion.received_on, (station_work,)),
        ("registered", Opinion.registered_on, (station_work,)),
        ("referred", Opinion.referred_on, (station_work, Opinion.handling.in_(PASSED_ON))),
        ("replied", Opinion.replied_on, (station_work,)),
        ("handed_over", Opinion.received_on, (Opinion.status == Status.handed_over,)),
        ("rated", Opinion.replied_on, (station_work, Opinion.satisfaction.is_not(None))),
        ("satisfied", Opinion.replied_on, (station_work, Opinion.satisfaction.in_(CONTENT))),
        ("reopened", Opinion.reopened_on, (station_work,)),
    ]


def _in_scope(query, township_ids):
    return query if township_ids is None else query.where(Opinion.township_id.in_(township_ids))


def _step_sums(first_day, last_day, today, suffix=""):
    """One ``SUM(CASE …)`` per counter over the opinions table: a single pass, whatever the steps."""
    flags = [sa.and_(day >= first_day, day <= last_day, *conditions)
             for _name, day, conditions in _dated_steps()]
    # Overdue as of the period's last day, or today while it runs; a period not yet begun has none.
    overdue = overdue_on(min(last_day, today)) if first_day <= today else sa.false()
    flags.insert(COUNTED.index("overdue"), overdue)
    sums = [sa.func.sum(sa.case((flag, 1), else_=0)).label(name + suffix)
            for name, flag in zip(COUNTED, flags)]
    replied = flags[COUNTED.index("replied")]
    days = days_between(Opinion.replied_on, Opinion.received_on)
    sums.append(sa.func.sum(sa.case((replied, days), else_=0)).label("answer_days" + suffix))
    return sums


def _grouped(first_day, last_day, township_ids, today, key):
    """The counters per ``key`` column of the opinions (township or station id), as a subquery."""
    # "+ 0" keeps SQLite from walking the (township, month) index to group, which visits the table
    # in index order and took twice as long as a plain scan on 100,000 opinions; PostgreSQL ignores it.
    key = (key + 0).label("key")
    query = sa.select(key, *_step_sums(first_day, last_day, today)).group_by(key)
    return _in_scope(query, township_ids).subquery("counted")


def _joined(table, counted):
    """Columns of a township or station with its counters, zeros where it has no opinion."""
    return [table.id, table.name] + [sa.func.coalesce(counted.c[name], 0) for name in COUNTED]


def opinion_counts(first_day, last_day, by=None, township_ids=None, today=None):
    """The counters of a period (``period_of`` gives a year's or a month's bounds).

    ``by`` None gives one row for the whole scope; "township" one row per township in scope (pinyin
    order, zeros included); "station" one row per station in scope (by township, then pinyin;
    inactive stations only when something of theirs is counted); "month" one row per month of the
    period. ``township_ids`` None means the whole district. One statement each.
    """
    today = today or local_today()
    if by is None:
        query = _in_scope(sa.select(*_step_sums(first_day, last_day, today)), township_ids)
        row = db.session.execute(query).one()
        return [OpinionCounts(None, "", *(value or 0 for value in row))]
    if by == "township":
        counted = _grouped(first_day, last_day, township_ids, today, Opinion.township_id)
        query = (sa.select(*_joined(Township, counted))
                 .outerjoin(counted, counted.c.key == Township.id)
                 .order_by(*ADMINISTRATIVE_ORDER))
        if township_ids is not None:
            query = query.where(Township.id.in_(township_ids))
        return [OpinionCounts(*row) for row in db.session.execute(query)]
    if by == "station":
        counted = _grouped(first_day, last_day, township_ids, today, Opinion.station_id)
        query = (sa.select(*_joined(Station, counted))
                 .outerjoin(counted, counted.c.key == Station.id)
                 .where(sa.or_(Station.active.is_(True), *(counted.c[name] > 0 for name in COUNTED)))
                 .order_by(Station.township_id, Station.name_sort_key, Station.id))
        if township_ids is not None:
            query = query.where(Station.township_id.in_(township_ids))
        return [OpinionCounts(*row) for row in db.session.execute(query)]
    if by == "month":
        # Each month's counters side by side in one row: still one pass over the opinions.
        months = _months(first_day, last_day)
        columns = [column for index, (_key, first, last) in enumerate(months)
                   for column in _step_sums(first, last, today, suffix=f"_{index}")]
        row = db.session.execute(_in_scope(sa.select(*columns), township_ids)).one()
        width = len(COUNTED)
        return [OpinionCounts(key, "", *(value or 0 for value in row[index * width:(index + 1) * width]))
                for index, (key, _first, _last) in enumerate(months)]
    raise ValueError(f"cannot count opinions by {by!r}")


def totals(rows):
    """The sum of several rows (the 合计 line under a township or station table)."""
    return OpinionCounts(None, "", *(sum(getattr(row, name) for row in rows) for name in COUNTED))


def deputy_counts(deputy_ids, first_day, last_day, township_ids=None):
    """``{deputy_id: DeputyOpinionCounts}`` for the given deputies over a period, in one statement.

    An opinion counts for a deputy who received it at a reception (by its received date) or took it
    up as a suggestion (by the day it was passed on); its reply counts once for each of them.
    Opinions handed over or rejected are left out, as in the station counters.
    """
    deputy_ids = list(deputy_ids)
    if not deputy_ids:
        return {}
    station_work = Opinion.status.not_in(NOT_STATION_WORK)
    bounds = {"first_day": first_day, "last_day": last_day}
    received_by, took_up = Opinion.deputy_id, Opinion.suggestion_deputy_id
    # The receiving deputy's reply row, and the suggesting deputy's unless it is the same person.
    other_deputy = sa.or_(received_by.is_(None), received_by != took_up)
    branches = [
        _deputy_step("received", Opinion.received_on, received_by, station_work, received_by.in_(deputy_ids),
                     **bounds),
        _deputy_step("suggestion", Opinion.referred_on, took_up, station_work,
                     Opinion.handling == Handling.suggestion, took_up.in_(deputy_ids), **bounds),
        _deputy_step("replied", Opinion.replied_on, received_by, station_work, received_by.in_(deputy_ids),
                     **bounds),
        _deputy_step("replied", Opinion.replied_on, took_up, station_work, took_up.in_(deputy_ids),
                     other_deputy, **bounds),
    ]
    branches = [_in_scope(branch, township_ids) for branch in branches]
    steps = sa.union_all(*branches).subquery("steps")
    sums = [sa.func.sum(sa.case((steps.c.step == name, 1), else_=0)) for name in ("received", "suggestion",
                                                                                 "replied")]
    rows = db.session.execute(sa.select(steps.c.deputy_id, *sums).group_by(steps.c.deputy_id))
    found = {row[0]: DeputyOpinionCounts(*row) for row in rows}
    return {deputy_id: found.get(deputy_id, DeputyOpinionCounts(deputy_id, 0, 0, 0))
            for deputy_id in deputy_ids}
