"""Reminders sent to deputies whose 月进站 / 季回家 is still in progress (rule R24).

Revision ID: b17a5c3e9d21
Revises: 9c4e1f7a2b36
Create Date: 2026-12-06 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b17a5c3e9d21'
down_revision = '9c4e1f7a2b36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'visit_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('deputy_id', sa.Integer(), nullable=False),
        sa.Column('figure', sa.String(length=10), nullable=False),
        sa.Column('period_key', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_visit_reminders_deputy_id_deputies')),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_visit_reminders_message_id_messages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_visit_reminders_sent_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_reminders')),
        sa.UniqueConstraint('deputy_id', 'figure', 'period_key', 'sequence',
                            name=op.f('uq_visit_reminders_deputy_id_figure_period_key_sequence')),
    )
    op.create_index('ix_visit_reminders_period', 'visit_reminders', ['figure', 'period_key', 'deputy_id'])


def downgrade():
    op.drop_index('ix_visit_reminders_period', table_name='visit_reminders')
    op.drop_table('visit_reminders')
