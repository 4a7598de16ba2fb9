"""Rota slots and assignments, leave and swap requests, collective activities at homes.

Revision ID: e5c3d2a7f9b4
Revises: d4b2e1f6c8a3
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c3d2a7f9b4'
down_revision = 'd4b2e1f6c8a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rota_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='rotastatus', native_enum=False, length=10), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('month >= 1 AND month <= 12', name=op.f('ck_rota_months_month_range')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_rota_months_published_by_id_users')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_rota_months_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_months')),
    sa.UniqueConstraint('township_id', 'year', 'month', name=op.f('uq_rota_months_township_id_year_month'))
    )
    with op.batch_alter_table('rota_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_months_township_id'), ['township_id'], unique=False)

    op.create_table('unavailabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_unavailabilities_last_after_first')),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_unavailabilities_deputy_id_deputies')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_unavailabilities_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailabilities'))
    )
    with op.batch_alter_table('unavailabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unavailabilities_deputy_id'), ['deputy_id'], unique=False)

    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('type', sa.Enum('study', 'inspection', 'discussion', 'other', name='activitytype', native_enum=False, length=12), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends > starts', name=op.f('ck_activities_ends_after_starts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activities_created_by_id_users')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_activities_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_station_id'), ['station_id'], unique=False)

    op.create_table('slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rota_month_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('theme', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_slots_capacity_positive')),
    sa.CheckConstraint('ends > starts', name=op.f('ck_slots_ends_after_starts')),
    sa.ForeignKeyConstraint(['rota_month_id'], ['rota_months.id'], name=op.f('fk_slots_rota_month_id_rota_months'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_slots_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slots'))
    )
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slots_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_slots_rota_month_id'), ['rota_month_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slots_station_id_local_date'), ['station_id', 'local_date'], unique=False)

    op.create_table('activity_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_invitations_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_activity_invitations_deputy_id_deputies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_invitations')),
    sa.UniqueConstraint('activity_id', 'deputy_id', name=op.f('uq_activity_invitations_activity_id_deputy_id'))
    )
    with op.batch_alter_table('activity_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_invitations_deputy_id'), ['deputy_id'], unique=False)

    op.create_table('slot_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('assigned', 'on_leave', 'swapped_out', 'no_show', 'attended', name='assignmentstatus', native_enum=False, length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_slot_assignments_deputy_id_deputies')),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_slot_assignments_slot_id_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot_assignments')),
    sa.UniqueConstraint('slot_id', 'deputy_id', name=op.f('uq_slot_assignments_slot_id_deputy_id'))
    )
    with op.batch_alter_table('slot_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_assignments_deputy_id'), ['deputy_id'], unique=False)

    op.create_table('leave_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('leave', 'swap', name='requestkind', native_enum=False, length=10), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('swap_with_deputy_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='requeststatus', native_enum=False, length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['slot_assignments.id'], name=op.f('fk_leave_requests_assignment_id_slot_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_leave_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['swap_with_deputy_id'], ['deputies.id'], name=op.f('fk_leave_requests_swap_with_deputy_id_deputies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leave_requests'))
    )
    with op.batch_alter_table('leave_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leave_requests_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leave_requests_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('leave_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leave_requests_status'))
        batch_op.drop_index(batch_op.f('ix_leave_requests_assignment_id'))

    op.drop_table('leave_requests')
    with op.batch_alter_table('slot_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_assignments_deputy_id'))

    op.drop_table('slot_assignments')
    with op.batch_alter_table('activity_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_invitations_deputy_id'))

    op.drop_table('activity_invitations')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slots_station_id_local_date'))
        batch_op.drop_index(batch_op.f('ix_slots_rota_month_id'))
        batch_op.drop_index(batch_op.f('ix_slots_local_date'))

    op.drop_table('slots')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_station_id'))
        batch_op.drop_index(batch_op.f('ix_activities_local_date'))

    op.drop_table('activities')
    with op.batch_alter_table('unavailabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unavailabilities_deputy_id'))

    op.drop_table('unavailabilities')
    with op.batch_alter_table('rota_months', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_months_township_id'))

    op.drop_table('rota_months')
