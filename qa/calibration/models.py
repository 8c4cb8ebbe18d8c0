"""Calibration sessions: one call, one scorecard version, invited evaluators and an expert whose
evaluation is the benchmark. Their evaluations are ``evaluations`` rows of kind ``calibration``
or ``benchmark`` that name the session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from qa.calibration.schemas import SessionStatus


class CalibrationSession(Base):
    """``status``: ``open`` (evaluators score blind) or ``closed`` (answers and report visible).
    ``evaluators`` is the JSON list of invited evaluators' user names."""

    __tablename__ = "calibration_sessions"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    expert: Mapped[str] = mapped_column(String(128))
    evaluators: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.OPEN.value)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(128))
