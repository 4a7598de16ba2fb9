"""Deliveries: one row per message and channel, sent by the scheduler; the SMS outbox moves in.

Rows of ``sms_outbox`` that still point at their message become SMS deliveries: "pending" ones
(the default gateway never sent them) become "held", so switching to a real gateway later does
not send months-old texts. Rows whose message is gone cannot be shown any more and are dropped.

Revision ID: 4d7a2c9e1b50
Revises: 4e7a2c9b1d05
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d7a2c9e1b50'
down_revision = '4e7a2c9b1d05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'held', name='deliverystatus', native_enum=False, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_deliveries_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('message_id', 'channel', name=op.f('uq_deliveries_message_id_channel'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_status_next_try_at', ['status', 'next_try_at'], unique=False)
    # One outbox row per message was the rule; MIN(id) keeps the key unique if a copy slipped in.
    op.execute("""
        INSERT INTO deliveries (message_id, channel, address, status, attempts, last_error, created_at)
        SELECT o.message_id, 'sms', o.mobile,
               CASE o.status WHEN 'pending' THEN 'held' ELSE o.status END, 0, '', o.created_at
        FROM sms_outbox o
        WHERE o.message_id IS NOT NULL
          AND o.id IN (SELECT MIN(id) FROM sms_outbox WHERE message_id IS NOT NULL GROUP BY message_id)
    """)
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_outbox_created_at'))
    op.drop_table('sms_outbox')


def downgrade():
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
    # The outbox text is rebuilt from the subject only; email deliveries have no place to go back to.
    op.execute("""
        INSERT INTO sms_outbox (mobile, text, created_at, status, user_id, message_id)
        SELECT SUBSTR(d.address, 1, 11), m.subject, d.created_at,
               CASE d.status WHEN 'held' THEN 'pending' ELSE d.status END, m.user_id, d.message_id
        FROM deliveries d JOIN messages m ON m.id = d.message_id
        WHERE d.channel = 'sms'
    """)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_next_try_at')
    op.drop_table('deliveries')
