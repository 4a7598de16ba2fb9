"""The zone the stored local dates were written in (rule R2): a one-row stored_zone table.

Every local date and period key already stored was written in the zone configured now (there was
no way to change it safely), so the row records LIAISON_TIMEZONE as configured for this upgrade.

Revision ID: 7b2e4d9a1c63
Revises: 7b2e5d9a4c18
Create Date: 2026-12-06 20:00:00.000000

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context


# revision identifiers, used by Alembic.
revision = '7b2e4d9a1c63'
down_revision = '7b2e5d9a4c18'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'stored_zone',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_stored_zone_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_zone')),
    )
    zone = current_app.config["LIAISON_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as liaison.clock.UTCDateTime stores it
    op.bulk_insert(table, [{"id": 1, "name": zone, "recorded_at": now}])


def downgrade():
    op.drop_table('stored_zone')
