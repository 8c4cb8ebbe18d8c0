"""display tokens may expire (issue 6, security hardening)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 12:00:00

Written by hand: adds ``display_tokens.expires_at`` (NULL = never).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("display_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("display_tokens") as batch:
        batch.drop_column("expires_at")
