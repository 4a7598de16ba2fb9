"""Closed terms keep their frozen figures: each term's freeze instant, coverage recording times, one term_closures row per version.

terms.figures_frozen_at is when the term's figures were last frozen (closing, then each reopening);
duty_report_coverages.created_at says when a report was marked as covering a mandate; term_closures
holds one row per frozen version (closing = 1, each reopening one more) with the reopening's reason.

Revision ID: 6c3f1a8e2d47
Revises: 6a1b2c3d4e5f
Create Date: 2026-12-06 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6c3f1a8e2d47'
down_revision = '6a1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('terms') as batch_op:
        batch_op.add_column(sa.Column('figures_frozen_at', sa.DateTime(timezone=True), nullable=True))
    # A term closed before versions existed was frozen when it was closed.
    op.execute("UPDATE terms SET figures_frozen_at = (SELECT closed_at FROM term_closures "
               "WHERE term_closures.term_id = terms.id) "
               "WHERE id IN (SELECT term_id FROM term_closures)")

    # Existing coverage was recorded with its report, or later: the report's instant is the
    # earliest it can have been, which keeps it inside any figures frozen since.
    with op.batch_alter_table('duty_report_coverages') as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE duty_report_coverages SET created_at = (SELECT created_at FROM duty_reports "
               "WHERE duty_reports.id = duty_report_coverages.report_id)")
    with op.batch_alter_table('duty_report_coverages') as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table('term_closures') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.drop_constraint('uq_term_closures_term_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_term_closures_term_id_version'), ['term_id', 'version'])
        batch_op.create_index(batch_op.f('ix_term_closures_term_id'), ['term_id'], unique=False)


def downgrade():
    # Only the latest version of each term fits the one-row-per-term table.
    op.execute("DELETE FROM term_closures WHERE version < (SELECT MAX(v.version) FROM term_closures v "
               "WHERE v.term_id = term_closures.term_id)")
    with op.batch_alter_table('term_closures') as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_closures_term_id'))
        batch_op.drop_constraint(batch_op.f('uq_term_closures_term_id_version'), type_='unique')
        batch_op.create_unique_constraint('uq_term_closures_term_id', ['term_id'])
        batch_op.drop_column('reason')
        batch_op.drop_column('version')
    with op.batch_alter_table('duty_report_coverages') as batch_op:
        batch_op.drop_column('created_at')
    with op.batch_alter_table('terms') as batch_op:
        batch_op.drop_column('figures_frozen_at')
