"""扫代表码: the witness (the staff member whose device read the deputy's code) and the scan time.

A check-in made by a station's device reading a deputy's personal code records who held the
device and when it read the code by its own clock; ``created_at`` already records when the server
received it (rules R36, R37). Both are NULL for the other methods.

Revision ID: 9c4e1f7a2b36
Revises: c41e7a2b9d05
Create Date: 2026-12-06 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c4e1f7a2b36'
down_revision = 'c41e7a2b9d05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('witness_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_checkins_witness_id_users'), 'users',
                                    ['witness_id'], ['id'])


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checkins_witness_id_users'), type_='foreignkey')
        batch_op.drop_column('scanned_at')
        batch_op.drop_column('witness_id')
