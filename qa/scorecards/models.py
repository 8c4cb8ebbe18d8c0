"""Scorecard tables: one ``scorecards`` row per version, with its sections and items.

A scorecard is identified by ``key`` across versions; evaluations reference one version's row,
so that changing a scorecard never changes an evaluation already made on it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from qa.ledger.models import ExactDecimal
from qa.scorecards.schemas import ScorecardStatus


class Scorecard(Base):
    """One version of a scorecard. ``status``: ``current`` (the version new evaluations use),
    ``superseded`` (an older version) or ``archived`` (no new evaluations at all)."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_scorecards_key_version"),
        CheckConstraint("status IN ('current', 'superseded', 'archived')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    name_zh: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    pass_mark: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default=ScorecardStatus.CURRENT.value)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    sections: Mapped[list[ScorecardSection]] = relationship(
        back_populates="scorecard",
        order_by="ScorecardSection.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ScorecardSection(Base):
    """A section of one scorecard version; ``weight`` multiplies its items' points."""

    __tablename__ = "scorecard_sections"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "key", name="uq_scorecard_sections_scorecard_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    title_zh: Mapped[str] = mapped_column(String(255), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)

    scorecard: Mapped[Scorecard] = relationship(back_populates="sections")
    items: Mapped[list[ScorecardItem]] = relationship(
        back_populates="section",
        order_by="ScorecardItem.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ScorecardItem(Base):
    """An item (question). See :class:`qa.scorecards.schemas.ItemSpec` for the meaning of each
    column; ``deduction`` is the positive number of points the HR ledger deducts."""

    __tablename__ = "scorecard_items"
    __table_args__ = (
        UniqueConstraint("section_id", "key", name="uq_scorecard_items_section_key"),
        CheckConstraint("answer_type IN ('yes_no', 'scale')", name="answer_type"),
        CheckConstraint("critical IN ('none', 'fatal', 'section', 'flag')", name="critical"),
        CheckConstraint("category IN ('etiquette', 'service', 'discipline')", name="category"),
        CheckConstraint(
            "comment_required IN ('never', 'on_fail', 'always')", name="comment_required"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("scorecard_sections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    text_zh: Mapped[str] = mapped_column(Text, default="")
    answer_type: Mapped[str] = mapped_column(String(16))
    scale_min: Mapped[int] = mapped_column(Integer, default=0)
    scale_max: Mapped[int] = mapped_column(Integer, default=1)
    pass_value: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float)
    na_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    critical: Mapped[str] = mapped_column(String(16), default="none")
    bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str] = mapped_column(String(16))
    deduction: Mapped[Decimal] = mapped_column(ExactDecimal(8, 2))
    comment_required: Mapped[str] = mapped_column(String(16), default="never")

    section: Mapped[ScorecardSection] = relationship(back_populates="items")
