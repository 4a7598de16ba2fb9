"""Sign-in throttling: refused attempts counted per lock, last failure time, and the addresses that failed per account.

Revision ID: 5e1a9c3b7d20
Revises: 4d7a2c9e1b50
Create Date: 2026-12-06 07:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1a9c3b7d20'
down_revision = '4d7a2c9e1b50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_throttles') as batch_op:
        batch_op.add_column(sa.Column('refused', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('login_throttle_addresses',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=60), nullable=False),
    sa.Column('first_failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', 'address', name=op.f('pk_login_throttle_addresses'))
    )


def downgrade():
    op.drop_table('login_throttle_addresses')
    with op.batch_alter_table('login_throttles') as batch_op:
        batch_op.drop_column('last_failed_at')
        batch_op.drop_column('refused')
