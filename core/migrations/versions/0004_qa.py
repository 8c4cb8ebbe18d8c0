"""QA console: scorecards, evaluations, disputes, sampling, calibration (issue 4)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:00:00

Written by hand: creates only the tables of ``qa.scorecards``, ``qa.sampling``,
``qa.calibration`` and ``qa.evaluations``. Constraint names follow ``core.db.NAMING``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _scorecards() -> None:
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_zh", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("pass_mark", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('current', 'superseded', 'archived')", name="ck_scorecards_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scorecards"),
        sa.UniqueConstraint("key", "version", name="uq_scorecards_key_version"),
    )
    op.create_index("ix_scorecards_key", "scorecards", ["key"])
    op.create_table(
        "scorecard_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("title_zh", sa.String(length=255), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name="fk_scorecard_sections_scorecard_id_scorecards",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scorecard_sections"),
        sa.UniqueConstraint("scorecard_id", "key", name="uq_scorecard_sections_scorecard_key"),
    )
    op.create_index("ix_scorecard_sections_scorecard_id", "scorecard_sections", ["scorecard_id"])
    op.create_table(
        "scorecard_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("answer_type", sa.String(length=16), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("pass_value", sa.Integer(), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("na_allowed", sa.Boolean(), nullable=False),
        sa.Column("critical", sa.String(length=16), nullable=False),
        sa.Column("bonus", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("deduction", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("comment_required", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "answer_type IN ('yes_no', 'scale')", name="ck_scorecard_items_answer_type"
        ),
        sa.CheckConstraint(
            "critical IN ('none', 'fatal', 'section', 'flag')", name="ck_scorecard_items_critical"
        ),
        sa.CheckConstraint(
            "category IN ('etiquette', 'service', 'discipline')",
            name="ck_scorecard_items_category",
        ),
        sa.CheckConstraint(
            "comment_required IN ('never', 'on_fail', 'always')",
            name="ck_scorecard_items_comment_required",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["scorecard_sections.id"],
            name="fk_scorecard_items_section_id_scorecard_sections",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scorecard_items"),
        sa.UniqueConstraint("section_id", "key", name="uq_scorecard_items_section_key"),
    )
    op.create_index("ix_scorecard_items_section_id", "scorecard_items", ["section_id"])


def _sampling() -> None:
    op.create_table(
        "sampling_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sampling_runs"),
    )
    op.create_table(
        "qa_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("call_pk", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=128), nullable=False),
        sa.Column("evaluator", sa.String(length=128), nullable=False),
        sa.Column("scorecard_key", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["call_pk"], ["calls.id"], name="fk_qa_assignments_call_pk_calls"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sampling_runs.id"], name="fk_qa_assignments_run_id_sampling_runs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_qa_assignments"),
    )
    op.create_index("ix_qa_assignments_evaluator", "qa_assignments", ["evaluator"])
    op.create_index("ix_qa_assignments_call_pk", "qa_assignments", ["call_pk"])
    op.create_index("ix_qa_assignments_run_id", "qa_assignments", ["run_id"])


def _calibration() -> None:
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("call_pk", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("expert", sa.String(length=128), nullable=False),
        sa.Column("evaluators", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_calibration_sessions_status"),
        sa.ForeignKeyConstraint(
            ["call_pk"], ["calls.id"], name="fk_calibration_sessions_call_pk_calls"
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name="fk_calibration_sessions_scorecard_id_scorecards",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calibration_sessions"),
    )
    op.create_index("ix_calibration_sessions_call_pk", "calibration_sessions", ["call_pk"])


def _evaluations() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("call_pk", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("queue", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.String(length=128), nullable=False),
        sa.Column("call_at", sa.DateTime(), nullable=False),
        sa.Column("evaluator", sa.String(length=128), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("calibration_session_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("raw_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('regular', 'calibration', 'benchmark')", name="ck_evaluations_kind"
        ),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="ck_evaluations_status"),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["qa_assignments.id"],
            name="fk_evaluations_assignment_id_qa_assignments",
        ),
        sa.ForeignKeyConstraint(
            ["calibration_session_id"],
            ["calibration_sessions.id"],
            name="fk_evaluations_calibration_session_id_calibration_sessions",
        ),
        sa.ForeignKeyConstraint(["call_pk"], ["calls.id"], name="fk_evaluations_call_pk_calls"),
        sa.ForeignKeyConstraint(
            ["scorecard_id"], ["scorecards.id"], name="fk_evaluations_scorecard_id_scorecards"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evaluations"),
        sa.UniqueConstraint("assignment_id", name="uq_evaluations_assignment_id"),
        sa.UniqueConstraint(
            "calibration_session_id", "evaluator", name="uq_evaluations_calibration_evaluator"
        ),
    )
    op.create_index("ix_evaluations_scorecard_id", "evaluations", ["scorecard_id"])
    op.create_index("ix_evaluations_agent_call_at", "evaluations", ["agent_id", "call_at"])
    op.create_index("ix_evaluations_evaluator_status", "evaluations", ["evaluator", "status"])
    op.create_index("ix_evaluations_call_pk", "evaluations", ["call_pk"])


def _evaluation_parts() -> None:
    op.create_table(
        "evaluation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_ref", sa.String(length=130), nullable=False),
        sa.Column("value", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name="fk_evaluation_answers_evaluation_id_evaluations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_answers"),
        sa.UniqueConstraint("evaluation_id", "item_ref", name="uq_evaluation_answers_item"),
    )
    op.create_table(
        "evaluation_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("at_seconds", sa.Float(), nullable=True),
        sa.Column("item_ref", sa.String(length=130), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name="fk_evaluation_comments_evaluation_id_evaluations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_comments"),
    )
    op.create_index(
        "ix_evaluation_comments_evaluation_id", "evaluation_comments", ["evaluation_id"]
    )
    op.create_table(
        "evaluation_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("item_ref", sa.String(length=130), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(length=128), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value_before", sa.String(length=8), nullable=False),
        sa.Column("value_after", sa.String(length=8), nullable=True),
        sa.Column("score_before", sa.Float(), nullable=True),
        sa.Column("score_after", sa.Float(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'partly_accepted', 'rejected')",
            name="ck_evaluation_disputes_status",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name="fk_evaluation_disputes_evaluation_id_evaluations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_disputes"),
        sa.UniqueConstraint("evaluation_id", "item_ref", name="uq_evaluation_disputes_item"),
    )
    op.create_index("ix_evaluation_disputes_status", "evaluation_disputes", ["status"])


def upgrade() -> None:
    _scorecards()
    _sampling()
    _calibration()
    _evaluations()
    _evaluation_parts()


def downgrade() -> None:
    for table in (
        "evaluation_disputes", "evaluation_comments", "evaluation_answers", "evaluations",
        "calibration_sessions", "qa_assignments", "sampling_runs", "scorecard_items",
        "scorecard_sections", "scorecards",
    ):  # fmt: skip
        op.drop_table(table)
