"""A partial index on pending check-ins, oldest first, for the staff's pending queue.

Without it the committee's queue at 10,000 deputies walked every station's check-ins (about 2 s on
SQLite for 1,600 pending among 720,000); with it the queue reads only the pending rows in order.

Revision ID: 7d2e4b6a9c13
Revises: 6c3f1a8e2d47
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d2e4b6a9c13'
down_revision = '6c3f1a8e2d47'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_index('ix_checkins_pending', 'checkins', ['occurred_at', 'id'], unique=False,
                    sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade():
    op.drop_index('ix_checkins_pending', table_name='checkins')
