"""Duty reports, exemptions and target settings.

Revision ID: d4b2e1f6c8a3
Revises: c3a1f0e5b7d2
Create Date: 2026-11-26

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'd4b2e1f6c8a3'
down_revision = 'c3a1f0e5b7d2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
