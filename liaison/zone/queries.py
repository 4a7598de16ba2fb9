"""Reads on the stored zone (rule R2): which zone the stored local dates are in, and whether any exist."""
import sqlalchemy as sa

from liaison.extensions import db
from liaison.opinions.models import Opinion
from liaison.zone.models import StoredZone
from stations.checkin.models import Checkin

#: The tables whose rows carry local dates or period keys derived from an instant.
ZONED_MODELS = (Checkin, Opinion)


def zone_table_exists():
    """Whether the schema has the stored_zone table yet (a fresh database before its migrations has not)."""
    return sa.inspect(db.session.connection()).has_table(StoredZone.__tablename__)


def stored_zone():
    """The recorded zone (a ``StoredZone``), or None when none is recorded."""
    return db.session.scalar(sa.select(StoredZone))


def has_zoned_data():
    """Whether any row carries a local date or period key written in the stored zone."""
    return any(db.session.scalar(sa.select(sa.literal(1)).select_from(model).limit(1))
               for model in ZONED_MODELS)


def zoned_counts():
    """Rows per table carrying local dates: ``{"checkins": n, "opinions": n}``."""
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in ZONED_MODELS}
