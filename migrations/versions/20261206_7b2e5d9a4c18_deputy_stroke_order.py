"""Deputies sort in 姓氏笔画 order in official tables: a stored stroke key beside the pinyin key, whose
surnames are now read as surnames (rule R16).

Both keys of every existing deputy are written here from liaison/names.py, as every later write of
a name does (Deputy.name_keys).

Revision ID: 7b2e5d9a4c18
Revises: 7d2e4b6a9c13
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

from liaison.names import pinyin_sort_key, stroke_sort_key


# revision identifiers, used by Alembic.
revision = '7b2e5d9a4c18'
down_revision = '7d2e4b6a9c13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deputies') as batch_op:
        batch_op.add_column(sa.Column('stroke_sort_key', sa.String(length=255), nullable=True))
    bind = op.get_bind()
    deputies = sa.table('deputies', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('name_sort_key', sa.String), sa.column('stroke_sort_key', sa.String))
    rows = [{"deputy_id": deputy_id, "pinyin": pinyin_sort_key(name), "strokes": stroke_sort_key(name)}
            for deputy_id, name in bind.execute(sa.select(deputies.c.id, deputies.c.name)).all()]
    if rows:
        bind.execute(deputies.update().where(deputies.c.id == sa.bindparam('deputy_id'))
                     .values(name_sort_key=sa.bindparam('pinyin'), stroke_sort_key=sa.bindparam('strokes')),
                     rows)
    with op.batch_alter_table('deputies') as batch_op:
        batch_op.alter_column('stroke_sort_key', existing_type=sa.String(length=255), nullable=False)
        batch_op.create_index(batch_op.f('ix_deputies_stroke_sort_key'), ['stroke_sort_key'], unique=False)


def downgrade():
    with op.batch_alter_table('deputies') as batch_op:
        batch_op.drop_index(batch_op.f('ix_deputies_stroke_sort_key'))
        batch_op.drop_column('stroke_sort_key')
