"""Holidays, scheduler job runs and notifications (inbox, SMS outbox, email addresses).

Revision ID: c3a1f0e5b7d2
Revises: 8318e81ff205
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a1f0e5b7d2'
down_revision = '8318e81ff205'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Enum('scheduled', 'catch_up', 'manual', name='runsource', native_enum=False, length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('running', 'success', 'failure', name='outcome', native_enum=False, length=10), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job_id', 'period', name=op.f('uq_job_runs_job_id_period'))
    )
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('holiday', 'swapped_workday', name='daykind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_calendar_days_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('local_date', name=op.f('uq_calendar_days_local_date'))
    )
    op.create_table('email_addresses',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_email_addresses'))
    )
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_messages_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('user_id', 'dedupe_key', name=op.f('uq_messages_user_id_dedupe_key'))
    )
    op.create_table('sms_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='smsstatus', native_enum=False, length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_sms_outbox_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sms_outbox_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox'))
    )
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_outbox_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_outbox_created_at'))

    op.drop_table('sms_outbox')
    op.drop_table('messages')
    op.drop_table('email_addresses')
    op.drop_table('calendar_days')
    op.drop_table('job_runs')
