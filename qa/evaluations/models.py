"""Evaluation tables: an evaluation of one call on one scorecard version, its answers, comments
pinned to a time in the recording, and disputes (which are also the history of every change
made to a submitted evaluation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from qa.evaluations.schemas import DisputeStatus, EvaluationStatus, Kind
from qa.scorecards.models import Scorecard


class Evaluation(Base):
    """An evaluation. ``kind``: ``regular`` (counts in the agent's quality score),
    ``calibration`` or ``benchmark`` (a calibration session's evaluator or expert: never counts).
    ``status``: ``draft`` or ``submitted`` (immutable except through a dispute).

    The call's id, queue, agent and time are copied from the call history at creation, so that
    reports do not depend on later changes there. ``score``/``raw_score``/``passed`` are those
    of :func:`qa.scoring.score` for the current answers; ``revision`` counts changes made after
    submission (disputes).
    """

    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint("kind IN ('regular', 'calibration', 'benchmark')", name="kind"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        UniqueConstraint("assignment_id", name="uq_evaluations_assignment_id"),
        UniqueConstraint(
            "calibration_session_id", "evaluator", name="uq_evaluations_calibration_evaluator"
        ),
        Index("ix_evaluations_agent_call_at", "agent_id", "call_at"),
        Index("ix_evaluations_evaluator_status", "evaluator", "status"),
        Index("ix_evaluations_call_pk", "call_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=Kind.REGULAR.value)
    status: Mapped[str] = mapped_column(String(16), default=EvaluationStatus.DRAFT.value)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    call_id: Mapped[str] = mapped_column(String(128))
    queue: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[str] = mapped_column(String(128))
    call_at: Mapped[datetime] = mapped_column(DateTime)
    evaluator: Mapped[str] = mapped_column(String(128))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("qa_assignments.id"))
    calibration_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("calibration_sessions.id")
    )
    score: Mapped[float | None] = mapped_column(Float)
    raw_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)

    scorecard: Mapped[Scorecard] = relationship(lazy="joined")
    answers: Mapped[list[EvaluationAnswer]] = relationship(
        back_populates="evaluation",
        order_by="EvaluationAnswer.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    comments: Mapped[list[EvaluationComment]] = relationship(
        back_populates="evaluation",
        order_by="EvaluationComment.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    disputes: Mapped[list[Dispute]] = relationship(
        back_populates="evaluation",
        order_by="Dispute.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def ref(self) -> str:
        """The stable identifier used in the HR ledger and the audit log."""
        return f"evaluation:{self.id}"


class EvaluationAnswer(Base):
    """The answer to one item: ``value`` is ``yes``, ``no``, ``na`` or a scale value; in a draft
    it may be empty (``qa.evaluations.service.UNANSWERED``): a comment written before the answer."""

    __tablename__ = "evaluation_answers"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "item_ref", name="uq_evaluation_answers_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    item_ref: Mapped[str] = mapped_column(String(130))
    value: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="answers")


class EvaluationComment(Base):
    """A comment, optionally pinned to a time in the recording (``at_seconds``) and an item."""

    __tablename__ = "evaluation_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    at_seconds: Mapped[float | None] = mapped_column(Float)
    item_ref: Mapped[str | None] = mapped_column(String(130))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    evaluation: Mapped[Evaluation] = relationship(back_populates="comments")


class Dispute(Base):
    """An agent's dispute of one item. At most one per item: a decision is final.

    ``value_before`` is the answer disputed; ``value_after`` the answer after the decision
    (equal to it when rejected); ``score_before``/``score_after`` the evaluation's score.
    """

    __tablename__ = "evaluation_disputes"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "item_ref", name="uq_evaluation_disputes_item"),
        CheckConstraint(
            "status IN ('open', 'accepted', 'partly_accepted', 'rejected')", name="status"
        ),
        Index("ix_evaluation_disputes_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    item_ref: Mapped[str] = mapped_column(String(130))
    reason: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(String(128))
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.OPEN.value)
    value_before: Mapped[str] = mapped_column(String(8))
    value_after: Mapped[str | None] = mapped_column(String(8))
    score_before: Mapped[float | None] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    evaluation: Mapped[Evaluation] = relationship(back_populates="disputes")
