"""users.session_version: logout, password, role change and disable end every session (issue 11.4)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 20:00:00

Written by hand: adds ``users.session_version`` (0 for existing accounts). A login stores the
version in its session cookie; a cookie holding another version is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
