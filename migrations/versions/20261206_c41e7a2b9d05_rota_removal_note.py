"""A rota place removed because its deputy may no longer receive that day keeps the reason (rule R20).

The status value ``removed`` needs no schema change (the status is a plain string column); the
note is new.

Revision ID: c41e7a2b9d05
Revises: 7b2e4d9a1c63
Create Date: 2026-12-06 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c41e7a2b9d05'
down_revision = '7b2e4d9a1c63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('slot_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_note', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('slot_assignments', schema=None) as batch_op:
        batch_op.drop_column('status_note')
