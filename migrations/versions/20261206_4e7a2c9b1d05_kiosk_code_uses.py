"""Kiosk code uses: each kiosk code (the nonce in its signed token) makes one check-in in total.

A row is written in the same transaction as the check-in; its primary key lets only one of two
concurrent uses of a code through, on SQLite and PostgreSQL alike.

Revision ID: 4e7a2c9b1d05
Revises: c9f1a7d3e2b8
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e7a2c9b1d05'
down_revision = 'c9f1a7d3e2b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kiosk_code_uses',
    sa.Column('nonce', sa.String(length=16), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_kiosk_code_uses_checkin_id_checkins')),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_kiosk_code_uses'))
    )
    with op.batch_alter_table('kiosk_code_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_code_uses_checkin_id'), ['checkin_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kiosk_code_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_code_uses_checkin_id'))

    op.drop_table('kiosk_code_uses')
