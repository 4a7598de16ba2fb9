"""Deputies (the people), their mandates (one seat in one term), suspensions and exemptions (应述尽述)."""
import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from liaison.clock import Month, Quarter, UTCDateTime, utcnow
from liaison.extensions import db
from liaison.names import pinyin_sort_key, stroke_sort_key


class Gender(enum.Enum):
    male = "male"
    female = "female"

    @property
    def label(self):
        return {"male": _l("男"), "female": _l("女")}[self.value]


class EndReason(enum.Enum):
    """Why a mandate ended before its term did (代表法 第四十九条 and 第五十条)."""

    moved_away = "moved_away"
    resigned = "resigned"
    absent_twice = "absent_twice"
    recalled = "recalled"
    lost_nationality = "lost_nationality"
    deprived_of_rights = "deprived_of_rights"
    incapacitated = "incapacitated"
    died = "died"

    @property
    def label(self):
        return {
            "moved_away": _l("迁出或调离本行政区域"),
            "resigned": _l("辞职被接受"),
            "absent_twice": _l("未经批准两次不出席会议"),
            "recalled": _l("被罢免"),
            "lost_nationality": _l("丧失中华人民共和国国籍"),
            "deprived_of_rights": _l("被剥夺政治权利"),
            "incapacitated": _l("丧失行为能力"),
            "died": _l("死亡"),
        }[self.value]


class Deputy(db.Model):
    """A person who holds or held one or more seats; kept across terms (换届)."""

    __tablename__ = "deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    #: Pinyin key written with the name (surnames read as surnames), so lists sort by pinyin in SQL
    #: across pages (rule R16).
    name_sort_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    #: 姓氏笔画 key written with the name: official tables order by it (rule R16).
    stroke_sort_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    gender: Mapped[Gender] = mapped_column(sa.Enum(Gender, native_enum=False, length=10))
    ethnicity: Mapped[str] = mapped_column(sa.String(20), default="汉族")
    #: Normalised 11-digit mainland mobile number; also the deputy's sign-in name.
    mobile: Mapped[str] = mapped_column(sa.String(11), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mandates = relationship("Mandate", back_populates="deputy", order_by="Mandate.start_date")
    account = relationship("User", back_populates="deputy", uselist=False)

    @staticmethod
    def name_keys(name):
        """The stored sort keys of a name (rule R16): every write of a name sets them from here,
        the ORM's through ``_keep_sort_keys``, bulk inserts by spreading this into their rows."""
        return {"name_sort_key": pinyin_sort_key(name), "stroke_sort_key": stroke_sort_key(name)}

    @validates("name")
    def _keep_sort_keys(self, _key, value):
        for column, key in self.name_keys(value).items():
            setattr(self, column, key)
        return value

    @property
    def latest_township_id(self):
        """The township of the latest mandate (None before the first): the audit trail files
        events about the person there."""
        return self.mandates[-1].township_id if self.mandates else None

    def __repr__(self):
        return f"<Deputy {self.id}>"


#: The last day held of a term still open (rule R5): far enough that no figure reaches it, near
#: enough that the day after it and the periods around it are still dates.
OPEN_TERM_LAST_DAY = date(9000, 12, 31)


def last_day_held_in(term):
    """The last local date a mandate without an early end is held in ``term`` (rule R5).

    A term's recorded end date is provisional until the term is closed (换届, rule R13): until then
    its mandates are held past that date, and this is ``OPEN_TERM_LAST_DAY``. Once the real last day
    is set (the closing, which also marks the end date confirmed, or the end date confirmed on the
    term's form) it is the recorded end date. Every reading of "the term's last day" for holding,
    partial periods and the cap of 届内述职率 goes through this function.

    Both forms of the rule read the term through it: given a ``Term`` it is a date, given the ``Term``
    class or an alias of it, the SQL expression.
    """
    if isinstance(term.end_date, date):
        return term.end_date if term_end_is_real(term) else OPEN_TERM_LAST_DAY
    return sa.case((sa.and_(term.end_provisional.is_(True), term.figures_frozen_at.is_(None)),
                    sa.literal(OPEN_TERM_LAST_DAY, sa.Date)), else_=term.end_date)


def term_end_is_real(term):
    """Whether a ``Term``'s recorded end date is its real last day (rule R5): the term was closed, or
    its end date confirmed; else the term is still open and its mandates are held past that date."""
    return not term.end_provisional or term.figures_frozen_at is not None


def first_day_not_held(end_date, term_last_day):
    """The first local date a mandate is no longer held (rule R5): its early end date, else the day
    after ``term_last_day`` (its term's ``last_day_held_in``)."""
    return end_date if end_date is not None else term_last_day + timedelta(days=1)


class Mandate(db.Model):
    """One person's seat in one term (代表资格), shown under its own township."""

    __tablename__ = "mandates"
    __table_args__ = (
        sa.UniqueConstraint("deputy_id", "term_id"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint(
            "(end_date IS NULL AND end_reason IS NULL) OR (end_date IS NOT NULL AND end_reason IS NOT NULL)",
            name="end_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(sa.ForeignKey("deputies.id"), index=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("townships.id"), index=True)
    #: Required for 区 and 乡镇 deputies; NULL for 市 and 全国 deputies, who are 编入 a township.
    electoral_district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("electoral_districts.id"))
    #: The deputy's own 代表之家 (季回家 away from it still counts, marked as such).
    home_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stations.id"))
    #: The deputy's own 代表联络站.
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stations.id"))
    #: Local date the seat began: the term's start, or later after a by-election (补选).
    start_date: Mapped[date]
    #: Local date the seat ended early (not held from that day on); NULL when it runs to the term's end.
    end_date: Mapped[date | None]
    end_reason: Mapped[EndReason | None] = mapped_column(sa.Enum(EndReason, native_enum=False, length=30))
    #: True when the seat was won in a by-election (补选) rather than at the general election.
    by_election: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deputy = relationship("Deputy", back_populates="mandates")
    term = relationship("Term", back_populates="mandates")
    township = relationship("Township")
    electoral_district = relationship("ElectoralDistrict")
    home = relationship("Station", foreign_keys=[home_id])
    station = relationship("Station", foreign_keys=[station_id])
    suspensions = relationship(
        "Suspension", back_populates="mandate", order_by="Suspension.start_date", cascade="all, delete-orphan"
    )

    # Rule R5 in Python; its SQL form is ``held_on`` in liaison/deputies/queries.py, and a test
    # (tests/deputies/test_held_on.py) checks that the two agree.

    @property
    def held_end(self):
        """The first local date the mandate is no longer held (rule R5)."""
        return first_day_not_held(self.end_date, last_day_held_in(self.term))

    @property
    def last_held(self):
        """The last local date the mandate is held (rule R5)."""
        return self.held_end - timedelta(days=1)

    @property
    def last_held_label(self):
        """``last_held`` as messages show it: the date, or 本届闭届 while the term is open and the
        mandate has no early end (held until the closing, rule R5)."""
        if self.end_date is None and not term_end_is_real(self.term):
            return str(_l("本届闭届"))
        return self.last_held.isoformat()

    @property
    def frozen(self):
        """Counted in its closed term's frozen figures, so it no longer changes (rule R14): the term is
        closed and the mandate was recorded by the freeze."""
        term = self.term
        return term is not None and term.closed and not term.recorded_after_freeze(self.created_at)

    def held_on(self, day):
        """Held on that local date, suspension aside (rule R5): from its start date, up to its early
        end date (not held itself), else up to and including its term's end."""
        return self.start_date <= day < self.held_end

    def suspended_on(self, day):
        """Suspended (暂停执行代表职务) on that local date."""
        return any(s.start_date <= day and (s.end_date is None or day <= s.end_date) for s in self.suspensions)

    def __repr__(self):
        return f"<Mandate {self.id}>"


class Suspension(db.Model):
    """A period in which a deputy may not perform their duties (暂停执行代表职务)."""

    __tablename__ = "suspensions"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("mandates.id"), index=True)
    #: First local date of the suspension.
    start_date: Mapped[date]
    #: Last local date of the suspension; NULL while it lasts.
    end_date: Mapped[date | None]
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mandate = relationship("Mandate", back_populates="suspensions")


class ExemptionScope(enum.Enum):
    """What an exemption takes a mandate out of (应述尽述: it leaves the denominator)."""

    #: 届内述职: the term's reporting (period_key 0).
    term_report = "term_report"
    #: 年述职 of one year (period_key = the year).
    year_report = "year_report"
    #: 月进站 of one month (period_key = ``Month.key``, year*100+month).
    month = "month"
    #: 季回家 of one quarter (period_key = ``Quarter.key``, year*10+quarter).
    quarter = "quarter"

    @property
    def label(self):
        return {"term_report": _l("届内述职"), "year_report": _l("年度述职"), "month": _l("月进站"),
                "quarter": _l("季回家")}[self.value]


class Exemption(db.Model):
    """An approved exemption (免述/免于进站) taking a mandate out of one duty's denominator."""

    __tablename__ = "exemptions"
    __table_args__ = (sa.UniqueConstraint("mandate_id", "scope", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("mandates.id"), index=True)
    scope: Mapped[ExemptionScope] = mapped_column(sa.Enum(ExemptionScope, native_enum=False, length=20))
    #: Which period: 0 for the term's reporting, the year, year*100+month or year*10+quarter
    #: (see ExemptionScope); never NULL so the unique key holds on PostgreSQL too.
    period_key: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(sa.String(200))
    #: Who approved it, in words (a person or a body, e.g. 主任会议).
    approver: Mapped[str] = mapped_column(sa.String(100))
    #: Local date of the approval; figures as of an earlier date do not apply it.
    approved_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mandate = relationship("Mandate")
    recorded_by = relationship("User")

    @property
    def period_label(self):
        """The period in words: 2024年, 2024年3月, 2024年第1季度, or the term."""
        key = self.period_key
        if self.scope is ExemptionScope.year_report:
            return _l("%(y)s年", y=key)
        if self.scope is ExemptionScope.month:
            return Month.from_key(key).label
        if self.scope is ExemptionScope.quarter:
            return Quarter.from_key(key).label
        return _l("本届")
