"""Sampling runs (a policy applied with a seed to a period of call history) and assignments
(a call for an evaluator to score, from a run or picked by hand)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class SamplingRun(Base):
    """One draw: the policy as applied (JSON), the seed and the period ``[start, end)``."""

    __tablename__ = "sampling_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="run", order_by="Assignment.id"
    )


class Assignment(Base):
    """A call to score. Its progress comes from the evaluation that names it
    (``evaluations.assignment_id``): none → due, a draft → in progress, submitted → done.
    ``run_id`` is empty for a call picked by hand."""

    __tablename__ = "qa_assignments"
    __table_args__ = (
        Index("ix_qa_assignments_evaluator", "evaluator"),
        Index("ix_qa_assignments_call_pk", "call_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sampling_runs.id"), index=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    agent_id: Mapped[str] = mapped_column(String(128))
    evaluator: Mapped[str] = mapped_column(String(128))
    scorecard_key: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(128))

    run: Mapped[SamplingRun | None] = relationship(back_populates="assignments")
