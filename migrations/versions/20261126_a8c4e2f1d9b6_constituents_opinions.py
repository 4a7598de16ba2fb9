"""Constituents' opinions at stations (民意): opinions with their handling, and their timeline events.

Revision ID: a8c4e2f1d9b6
Revises: f7d4e3b8a1c5
Create Date: 2026-11-26 04:49:48.232746

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8c4e2f1d9b6'
down_revision = 'f7d4e3b8a1c5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('public_page', 'reception', name='opinionchannel', native_enum=False, length=12), nullable=False),
    sa.Column('category', sa.Enum('construction', 'social_security', 'education_health', 'environment', 'transport', 'economy', 'governance', 'other', name='opinioncategory', native_enum=False, length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('constituent_name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('photo_name', sa.String(length=64), nullable=True),
    sa.Column('photo_type', sa.String(length=20), nullable=False),
    sa.Column('photo_size', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_month', sa.String(length=7), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('received', 'registered', 'referred', 'suggestion', 'replied', 'handed_over', 'rejected', name='opinionstatus', native_enum=False, length=12), nullable=False),
    sa.Column('handling', sa.Enum('on_spot', 'referral', 'suggestion', 'direct', name='opinionhandling', native_enum=False, length=12), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('suggestion_deputy_id', sa.Integer(), nullable=True),
    sa.Column('suggestion_text', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('satisfaction', sa.Enum('satisfied', 'basically', 'unsatisfied', name='opinionsatisfaction', native_enum=False, length=12), nullable=True),
    sa.Column('satisfaction_comment', sa.String(length=500), nullable=False),
    sa.Column('satisfaction_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_reminded_on', sa.Date(), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_opinions_closed_by_id_users')),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_opinions_deputy_id_deputies')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_opinions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_opinions_registered_by_id_users')),
    sa.ForeignKeyConstraint(['replied_by_id'], ['users.id'], name=op.f('fk_opinions_replied_by_id_users')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_opinions_station_id_stations')),
    sa.ForeignKeyConstraint(['suggestion_deputy_id'], ['deputies.id'], name=op.f('fk_opinions_suggestion_deputy_id_deputies')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_opinions_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinions')),
    sa.UniqueConstraint('number', name=op.f('uq_opinions_number'))
    )
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinions_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinions_due_on'), ['due_on'], unique=False)
        batch_op.create_index('ix_opinions_station_month', ['station_id', 'received_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinions_status'), ['status'], unique=False)
        batch_op.create_index('ix_opinions_township_month', ['township_id', 'received_month'], unique=False)

    op.create_table('opinion_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opinion_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'registered', 'answered_on_spot', 'referred', 'suggestion', 'replied', 'rated', 'handed_over', 'rejected', 'reminded', 'note', name='opinioneventkind', native_enum=False, length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_opinion_events_by_id_users')),
    sa.ForeignKeyConstraint(['opinion_id'], ['opinions.id'], name=op.f('fk_opinion_events_opinion_id_opinions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_events'))
    )
    with op.batch_alter_table('opinion_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_events_opinion_id'), ['opinion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opinion_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_events_opinion_id'))

    op.drop_table('opinion_events')
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_index('ix_opinions_township_month')
        batch_op.drop_index(batch_op.f('ix_opinions_status'))
        batch_op.drop_index('ix_opinions_station_month')
        batch_op.drop_index(batch_op.f('ix_opinions_due_on'))
        batch_op.drop_index(batch_op.f('ix_opinions_deputy_id'))

    op.drop_table('opinions')
