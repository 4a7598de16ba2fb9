"""Congress terms (届): 全国, 市, 区 and 乡镇 congresses, each five years long."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db
from liaison.text import chinese_numeral


class Level(enum.Enum):
    """The level of a congress (四级代表)."""

    national = "national"
    municipal = "municipal"
    district = "district"
    township = "township"

    @property
    def label(self):
        return {
            "national": _l("全国"),
            "municipal": _l("市"),
            "district": _l("区"),
            "township": _l("乡镇"),
        }[self.value]

    @property
    def directly_elected(self):
        """区 and 乡镇 deputies are elected by voters in an electoral district (选区)."""
        return self in (Level.district, Level.township)


#: The level as it begins a term's stored name (区第八届); not translated.
NAME_PREFIXES = {"national": "全国", "municipal": "市", "district": "区", "township": "乡镇"}


class Term(db.Model):
    """One congress's term; it ends at the next congress's first session, so the end may be provisional."""

    __tablename__ = "terms"
    __table_args__ = (
        sa.CheckConstraint("ordinal > 0", name="ordinal_positive"),
        sa.CheckConstraint("end_date > start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[Level] = mapped_column(sa.Enum(Level, native_enum=False, length=20))
    #: The term's number: 15 for 第十五届.
    ordinal: Mapped[int]
    #: Shown everywhere, e.g. 市第十五届; unique, and for a 乡镇 term it names the township.
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: Only for 乡镇 terms: whose congress this is. NULL for 全国, 市 and 区.
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("townships.id"))
    #: Local date of the first session.
    start_date: Mapped[date]
    #: Local date the term ends (the next congress's first session), planned until confirmed.
    end_date: Mapped[date]
    #: True while ``end_date`` is only planned (the next first session has not happened).
    end_provisional: Mapped[bool] = mapped_column(default=True)
    #: When the term's in-term figures were last frozen (UTC): at its closing (换届), then at each
    #: reopening by the committee. NULL while the term is open. Reports, coverage, exemptions and
    #: mandates recorded after this instant stay outside the term's figures (rule R14).
    figures_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    township = relationship("Township")
    mandates = relationship("Mandate", back_populates="term")

    @staticmethod
    def default_name(level, ordinal, township=None):
        """Name a term the usual way: 区第八届, or 某某镇第十八届 for a township congress.

        The name is stored data, so it is Chinese whatever language the person adding the term reads
        (``level.label`` would be English for someone who switched to English).
        """
        prefix = township.name if level is Level.township and township else NAME_PREFIXES[level.value]
        return f"{prefix}第{chinese_numeral(ordinal)}届"

    @property
    def closed(self):
        """Whether the term has been closed (换届) and its figures frozen."""
        return self.figures_frozen_at is not None

    def recorded_after_freeze(self, instant):
        """Whether a row recorded at ``instant`` (UTC) came after the term's figures were frozen, so
        it is kept but stays outside them (rule R14). Always False for an open term."""
        return self.figures_frozen_at is not None and instant is not None and instant > self.figures_frozen_at

    def in_force_on(self, day):
        """Tell whether the term runs on a local date (both ends included): an open term whose end
        is still provisional runs past its recorded end date until it is closed (rule R5)."""
        end_is_real = not self.end_provisional or self.figures_frozen_at is not None
        return self.start_date <= day and (day <= self.end_date or not end_is_real)

    def __repr__(self):
        return f"<Term {self.name}>"
