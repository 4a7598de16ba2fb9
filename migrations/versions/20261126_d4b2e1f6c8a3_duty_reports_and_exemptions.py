"""Duty reports, exemptions and target settings.

Revision ID: d4b2e1f6c8a3
Revises: c3a1f0e5b7d2
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4b2e1f6c8a3'
down_revision = 'c3a1f0e5b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settings')),
    sa.UniqueConstraint('key', name=op.f('uq_settings_key'))
    )
    op.create_table('report_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('place_kind', sa.Enum('home', 'station', 'other', name='placekind', native_enum=False, length=10), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_report_sessions_station_id_stations')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_report_sessions_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_sessions'))
    )
    with op.batch_alter_table('report_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_sessions_session_date'), ['session_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_sessions_township_id'), ['township_id'], unique=False)

    op.create_table('duty_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('form', sa.Enum('on_site', 'visits', 'written', name='reportform', native_enum=False, length=10), nullable=False),
    sa.Column('voters_present', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('basically_satisfied', sa.Integer(), nullable=False),
    sa.Column('dissatisfied', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('attachment_name', sa.String(length=64), nullable=True),
    sa.Column('attachment_original', sa.String(length=200), nullable=False),
    sa.Column('attachment_type', sa.String(length=100), nullable=False),
    sa.Column('attachment_size', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('satisfied + basically_satisfied + dissatisfied <= voters_present', name=op.f('ck_duty_reports_evaluations_within_voters')),
    sa.CheckConstraint('voters_present >= 0 AND satisfied >= 0 AND basically_satisfied >= 0 AND dissatisfied >= 0', name=op.f('ck_duty_reports_counts_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_duty_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_duty_reports_mandate_id_mandates')),
    sa.ForeignKeyConstraint(['session_id'], ['report_sessions.id'], name=op.f('fk_duty_reports_session_id_report_sessions')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_duty_reports_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_reports')),
    sa.UniqueConstraint('session_id', 'mandate_id', name=op.f('uq_duty_reports_session_id_mandate_id'))
    )
    with op.batch_alter_table('duty_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_reports_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_reports_report_date'), ['report_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_reports_session_id'), ['session_id'], unique=False)

    op.create_table('exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('term_report', 'year_report', 'month', 'quarter', name='exemptionscope', native_enum=False, length=20), nullable=False),
    sa.Column('period_key', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('approver', sa.String(length=100), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_exemptions_mandate_id_mandates')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_exemptions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exemptions')),
    sa.UniqueConstraint('mandate_id', 'scope', 'period_key', name=op.f('uq_exemptions_mandate_id_scope_period_key'))
    )
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exemptions_mandate_id'), ['mandate_id'], unique=False)

    op.create_table('report_session_mandates',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_report_session_mandates_mandate_id_mandates')),
    sa.ForeignKeyConstraint(['session_id'], ['report_sessions.id'], name=op.f('fk_report_session_mandates_session_id_report_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'mandate_id', name=op.f('pk_report_session_mandates'))
    )
    op.create_table('duty_report_coverages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_duty_report_coverages_mandate_id_mandates')),
    sa.ForeignKeyConstraint(['report_id'], ['duty_reports.id'], name=op.f('fk_duty_report_coverages_report_id_duty_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_report_coverages')),
    sa.UniqueConstraint('report_id', 'mandate_id', name=op.f('uq_duty_report_coverages_report_id_mandate_id'))
    )
    with op.batch_alter_table('duty_report_coverages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_report_coverages_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_report_coverages_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('duty_report_coverages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_report_coverages_report_id'))
        batch_op.drop_index(batch_op.f('ix_duty_report_coverages_mandate_id'))

    op.drop_table('duty_report_coverages')
    op.drop_table('report_session_mandates')
    with op.batch_alter_table('exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exemptions_mandate_id'))

    op.drop_table('exemptions')
    with op.batch_alter_table('duty_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_reports_session_id'))
        batch_op.drop_index(batch_op.f('ix_duty_reports_report_date'))
        batch_op.drop_index(batch_op.f('ix_duty_reports_mandate_id'))

    op.drop_table('duty_reports')
    with op.batch_alter_table('report_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_sessions_township_id'))
        batch_op.drop_index(batch_op.f('ix_report_sessions_session_date'))

    op.drop_table('report_sessions')
    op.drop_table('settings')
