"""The constituent hears back (issue 18, rules R29–R30): texts to a constituent's number (a message
without an account), the phone's consent and removal, and reopened opinions.

Revision ID: e18a3c5b7d92
Revises: d18e4a7c2b95
Create Date: 2026-12-06 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e18a3c5b7d92'
down_revision = 'd18e4a7c2b95'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
    op.create_index('ux_messages_text_dedupe_key', 'messages', ['dedupe_key'], unique=True,
                    postgresql_where=sa.text('user_id IS NULL'), sqlite_where=sa.text('user_id IS NULL'))
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_consented_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('phone_removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('concluded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reopened_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('reopened_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.String(length=500), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_opinions_concluded_on'), ['concluded_on'], unique=False)
    # Numbers left before consent was asked were given to be contacted by staff, not to be texted;
    # they stay for staff, and are removed like any other once the opinion is closed.
    op.execute("UPDATE opinions SET concluded_on = replied_on WHERE status = 'replied'")
    op.execute("UPDATE opinions SET concluded_on = received_on WHERE status IN ('handed_over', 'rejected')")


def downgrade():
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinions_concluded_on'))
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopened_on')
        batch_op.drop_column('reopened_count')
        batch_op.drop_column('concluded_on')
        batch_op.drop_column('phone_removed_at')
        batch_op.drop_column('phone_consented_at')
    op.drop_index('ux_messages_text_dedupe_key', table_name='messages')
    op.execute("DELETE FROM messages WHERE user_id IS NULL")
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
