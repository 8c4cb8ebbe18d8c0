"""people, ledger, awards and audit log (issue 5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:00:00

Written by hand: creates only the tables of ``qa.people``, ``qa.ledger``, ``qa.awards`` and
``qa.audit``. Constraint names follow ``core.db.NAMING``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _people() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("employment", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("employment IN ('regular', 'probation')", name="ck_agents_employment"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_agents_team_id_teams"),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("agent_id", name="uq_agents_agent_id"),
    )
    op.create_index("ix_agents_team_id", "agents", ["team_id"], unique=False)


def _ledger() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reporter", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("source_ref", sa.String(length=128), nullable=True),
        sa.Column("source_item", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "category IN ('etiquette', 'service', 'discipline')",
            name="ck_ledger_entries_category",
        ),
        sa.CheckConstraint(
            "kind IN ('incident', 'bonus', 'correction', 'scorecard')",
            name="ck_ledger_entries_kind",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.agent_id"], name="fk_ledger_entries_agent_id_agents"
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["ledger_entries.id"],
            name="fk_ledger_entries_corrects_id_ledger_entries",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entries"),
        sa.UniqueConstraint("source_ref", "source_item", name="uq_ledger_entries_source"),
    )
    op.create_index("ix_ledger_entries_agent_date", "ledger_entries", ["agent_id", "date"])
    op.create_index("ix_ledger_entries_date", "ledger_entries", ["date"])
    op.create_index("ix_ledger_entries_corrects_id", "ledger_entries", ["corrects_id"])


def _audit() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def _awards() -> None:
    op.create_table(
        "award_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("policy_name", sa.String(length=128), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("policy_digest", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("computed_by", sa.String(length=128), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=128), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'reviewed', 'published')", name="ck_award_months_status"
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["award_months.id"],
            name="fk_award_months_supersedes_id_award_months",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_award_months"),
        sa.UniqueConstraint("month", "revision", name="uq_award_months_month_revision"),
    )
    op.create_index("ix_award_months_month", "award_months", ["month"])
    op.create_table(
        "award_tie_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_month_id", sa.Integer(), nullable=False),
        sa.Column("star", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_month_id"],
            ["award_months.id"],
            name="fk_award_tie_decisions_award_month_id_award_months",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_award_tie_decisions"),
        sa.UniqueConstraint("award_month_id", "star", name="uq_award_tie_decisions_month_star"),
    )
    op.create_table(
        "award_coefficient_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_month_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=False),
        sa.Column("coefficient", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_month_id"],
            ["award_months.id"],
            name="fk_award_coefficient_overrides_award_month_id_award_months",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_award_coefficient_overrides"),
        sa.UniqueConstraint(
            "award_month_id", "agent_id", name="uq_award_coefficient_overrides_month_agent"
        ),
    )


def upgrade() -> None:
    _people()
    _ledger()
    _audit()
    _awards()


def downgrade() -> None:
    op.drop_table("award_coefficient_overrides")
    op.drop_table("award_tie_decisions")
    op.drop_index("ix_award_months_month", table_name="award_months")
    op.drop_table("award_months")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_ledger_entries_corrects_id", table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_date", table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_agent_date", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index("ix_agents_team_id", table_name="agents")
    op.drop_table("agents")
    op.drop_table("teams")
