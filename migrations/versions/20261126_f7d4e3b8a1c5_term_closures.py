"""Term closures (换届): the confirmed end date and the frozen final figures and workbook.

Revision ID: f7d4e3b8a1c5
Revises: e5c3d2a7f9b4
Create Date: 2026-11-26 03:41:41.039912

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7d4e3b8a1c5'
down_revision = 'e5c3d2a7f9b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('term_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('final_end_date', sa.Date(), nullable=False),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('workbook', sa.LargeBinary(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_term_closures_closed_by_id_users')),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_term_closures_term_id_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_closures')),
    sa.UniqueConstraint('term_id', name=op.f('uq_term_closures_term_id'))
    )


def downgrade():
    op.drop_table('term_closures')
