"""Stored monthly results. One row per revision of a month: the policy in force, the inputs the
rules saw, the result, and the workflow state (draft → reviewed → published, the values of
:class:`~qa.awards.schemas.AwardStatus`).

A published revision is never changed. A correction of a published month is a new revision
(``supersedes_id`` → the published one) with the reason written in ``reason``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from qa.awards.schemas import AwardStatus
from qa.ledger.models import ExactDecimal


class AwardMonth(Base):
    """One revision of one month's star awards and coefficients."""

    __tablename__ = "award_months"
    __table_args__ = (
        UniqueConstraint("month", "revision", name="uq_award_months_month_revision"),
        # the values of AwardStatus, spelled out as the migration wrote them
        CheckConstraint("status IN ('draft', 'reviewed', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    revision: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=AwardStatus.DRAFT.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("award_months.id"))
    policy_name: Mapped[str] = mapped_column(String(128))
    policy_version: Mapped[str] = mapped_column(String(64))
    policy_digest: Mapped[str] = mapped_column(String(64))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    computed_by: Mapped[str] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by: Mapped[str | None] = mapped_column(String(128))

    decisions: Mapped[list[TieDecisionRow]] = relationship(
        back_populates="award_month", cascade="all, delete-orphan", order_by="TieDecisionRow.id"
    )
    overrides: Mapped[list[CoefficientOverrideRow]] = relationship(
        back_populates="award_month",
        cascade="all, delete-orphan",
        order_by="CoefficientOverrideRow.id",
    )
    supersedes: Mapped[AwardMonth | None] = relationship(remote_side=[id])


class TieDecisionRow(Base):
    """A manager's choice among tied candidates for one star of one revision."""

    __tablename__ = "award_tie_decisions"
    __table_args__ = (
        UniqueConstraint("award_month_id", "star", name="uq_award_tie_decisions_month_star"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_month_id: Mapped[int] = mapped_column(ForeignKey("award_months.id"))
    star: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(DateTime)

    award_month: Mapped[AwardMonth] = relationship(back_populates="decisions")


class CoefficientOverrideRow(Base):
    """A manager's final coefficient for one agent in one revision."""

    __tablename__ = "award_coefficient_overrides"
    __table_args__ = (
        UniqueConstraint(
            "award_month_id", "agent_id", name="uq_award_coefficient_overrides_month_agent"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_month_id: Mapped[int] = mapped_column(ForeignKey("award_months.id"))
    agent_id: Mapped[str] = mapped_column(String(64))
    coefficient: Mapped[Decimal] = mapped_column(ExactDecimal(6, 3))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(DateTime)

    award_month: Mapped[AwardMonth] = relationship(back_populates="overrides")
