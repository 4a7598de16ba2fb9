"""Holidays, scheduler job runs and notifications (inbox and outbox).

Revision ID: c3a1f0e5b7d2
Revises: 8318e81ff205
Create Date: 2026-11-26

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'c3a1f0e5b7d2'
down_revision = '8318e81ff205'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
