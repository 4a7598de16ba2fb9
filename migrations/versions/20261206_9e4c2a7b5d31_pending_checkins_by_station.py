"""A partial index on pending check-ins by station, for a township's pending queue.

The index of pending check-ins oldest first (7d2e4b6a9c13) serves the committee's queue, but a
township's queue still walked the district's pending check-ins and kept its own through the
stations: twice the time at 10,000 deputies as at 1,000 for a township of the same size (issue 16).
By station, the queue reads only its own stations' pending rows.

Revision ID: 9e4c2a7b5d31
Revises: e18a3c5b7d92
Create Date: 2026-12-06 23:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9e4c2a7b5d31'
down_revision = 'e18a3c5b7d92'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_index('ix_checkins_pending_station', 'checkins', ['station_id', 'occurred_at', 'id'], unique=False,
                    sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    op.drop_index('ix_checkins_pending_station', table_name='checkins')
