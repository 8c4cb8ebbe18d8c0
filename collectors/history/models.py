"""The call history table: one row per call per queue it visited. All times are UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Call(Base):
    """A finished call as the aggregator saw it (outcome answered, transferred, abandoned,
    short_abandoned, exit_timeout, exit_empty, exit_key or lost)."""

    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("call_id", "queue", "enqueued_at", name="uq_calls_identity"),
        Index("ix_calls_queue_enqueued", "queue", "enqueued_at"),
        Index("ix_calls_agent_ended", "agent", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128))
    queue: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(255), default="")
    agent: Mapped[str] = mapped_column(String(128), default="")
    caller: Mapped[str] = mapped_column(String(128), default="")
    did: Mapped[str] = mapped_column(String(64), default="")
    enqueued_at: Mapped[datetime] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime] = mapped_column(DateTime)
    wait: Mapped[float | None] = mapped_column(Float)
    talk: Mapped[float | None] = mapped_column(Float)
    hold: Mapped[float | None] = mapped_column(Float)
    wrap: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64), default="")
    transfer_target: Mapped[str] = mapped_column(String(255), default="")
    ring_no_answer: Mapped[int] = mapped_column(Integer, default=0)
    survey_score: Mapped[float | None] = mapped_column(Float)
    recording_ref: Mapped[str] = mapped_column(String(512), default="")

    @property
    def handle_time(self) -> float:
        return (self.talk or 0.0) + (self.hold or 0.0) + (self.wrap or 0.0)
