"""Job runs count their attempts: a failed run retried, or an abandoned run taken over, adds one.

Revision ID: b6e9d3f2a4c7
Revises: a8c4e2f1d9b6
Create Date: 2026-11-26 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6e9d3f2a4c7'
down_revision = 'a8c4e2f1d9b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
