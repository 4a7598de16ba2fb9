"""Issue 18 for deputies: the travel doubt kept beside a check-in's pending reason (rule R32), the
check-in an opinion was recorded at 签退 with (rule R33), and the SMS codes of 忘记密码 (rule R35).

Revision ID: d18e4a7c2b95
Revises: b17a5c3e9d21
Create Date: 2026-12-06 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd18e4a7c2b95'
down_revision = 'b17a5c3e9d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('travel_doubt', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_opinions_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_opinions_checkin_id_checkins'), 'checkins', ['checkin_id'],
                                    ['id'])
    op.create_table(
        'password_reset_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_codes')),
    )
    with op.batch_alter_table('password_reset_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_codes_user_id'))
    op.drop_table('password_reset_codes')
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_opinions_checkin_id_checkins'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_opinions_checkin_id'))
        batch_op.drop_column('checkin_id')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('travel_doubt')
