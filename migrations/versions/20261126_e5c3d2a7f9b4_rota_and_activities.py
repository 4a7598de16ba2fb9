"""Rota slots and assignments, leave and swap requests, collective activities at homes.

Revision ID: e5c3d2a7f9b4
Revises: d4b2e1f6c8a3
Create Date: 2026-11-26

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'e5c3d2a7f9b4'
down_revision = 'd4b2e1f6c8a3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
