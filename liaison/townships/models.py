"""Townships (乡镇/街道) and the electoral districts (选区) drawn in them for a term."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from liaison.clock import UTCDateTime, utcnow
from liaison.extensions import db
from liaison.text import sort_key


class TownshipKind(enum.Enum):
    """A 乡镇 has its own congress; a 街道 has none (its 人大工委 organises district deputies)."""

    township = "township"
    subdistrict = "subdistrict"

    @property
    def label(self):
        return {"township": _l("乡镇"), "subdistrict": _l("街道")}[self.value]


def _next_position(context):
    """A new township goes last in the administrative order (the order it was added or imported)."""
    return context.connection.scalar(sa.text("SELECT COALESCE(MAX(position), 0) + 1 FROM townships"))


class Township(db.Model):
    """A township or subdistrict of the district; every mandate and station belongs to one."""

    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), unique=True)
    kind: Mapped[TownshipKind] = mapped_column(sa.Enum(TownshipKind, native_enum=False, length=20))
    #: Pinyin key written with the name, so lists sort by pinyin in SQL.
    name_sort_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    #: The district's administrative order (行政区划顺序), set by the committee; every table lists
    #: townships in it (ties by the order they were added). Not pinyin: offices expect their own order.
    position: Mapped[int] = mapped_column(default=_next_position)
    #: The township's liaison office as it signs its tables (制表单位); None: ``office_label``'s default.
    office_name: Mapped[str | None] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    electoral_districts = relationship("ElectoralDistrict", back_populates="township")

    @validates("name")
    def _keep_sort_key(self, _key, value):
        self.name_sort_key = sort_key(value)
        return value

    @property
    def office_label(self):
        """Who signs this township's tables: the office set for it, else the usual name of its
        people's congress office (a 乡镇 has its 人大主席团, a 街道 the district's 人大工委)."""
        if self.office_name:
            return self.office_name
        suffix = "人大主席团" if self.kind is TownshipKind.township else "人大工委"
        return f"{self.name}{suffix}"

    def __repr__(self):
        return f"<Township {self.name}>"


#: ORDER BY for townships in administrative order (use everywhere townships are listed).
ADMINISTRATIVE_ORDER = (Township.position, Township.id)


class ElectoralDistrict(db.Model):
    """A 选区 of one term inside one township; redrawn at every election."""

    __tablename__ = "electoral_districts"
    __table_args__ = (sa.UniqueConstraint("term_id", "township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    name_sort_key: Mapped[str] = mapped_column(sa.String(255))

    term = relationship("Term")
    township = relationship("Township", back_populates="electoral_districts")

    @validates("name")
    def _keep_sort_key(self, _key, value):
        self.name_sort_key = sort_key(value)
        return value

    def __repr__(self):
        return f"<ElectoralDistrict {self.name}>"
