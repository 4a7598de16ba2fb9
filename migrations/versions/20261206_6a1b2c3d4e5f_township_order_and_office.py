"""Townships: the district's administrative order (filled with the order they were added) and the office that signs a township's tables.

Revision ID: 6a1b2c3d4e5f
Revises: 5e1a9c3b7d20
Create Date: 2026-12-06 17:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6a1b2c3d4e5f'
down_revision = '5e1a9c3b7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('townships') as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('office_name', sa.String(length=60), nullable=True))
    # The order they were added (imported) is the best guess of the administrative order.
    op.execute("UPDATE townships SET position = id")
    with op.batch_alter_table('townships') as batch_op:
        batch_op.alter_column('position', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('townships') as batch_op:
        batch_op.drop_column('office_name')
        batch_op.drop_column('position')
