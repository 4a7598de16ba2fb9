"""Check-ins: an index on (deputy_id, occurred_at) for a deputy's latest check-in.

Every scan asks for the deputy's previous check-in (the travel doubt); with this index the answer is
one step down the index instead of sorting all of the deputy's check-ins of five years.

Revision ID: c9f1a7d3e2b8
Revises: b6e9d3f2a4c7
Create Date: 2026-11-26 05:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9f1a7d3e2b8'
down_revision = 'b6e9d3f2a4c7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_checkins_deputy_id_occurred_at', 'checkins', ['deputy_id', 'occurred_at'], unique=False)


def downgrade():
    op.drop_index('ix_checkins_deputy_id_occurred_at', table_name='checkins')
