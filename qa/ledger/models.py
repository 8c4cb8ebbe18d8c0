"""Ledger entries. An entry is never changed: a correction is a new entry that references the
entry it corrects (``corrects_id``) and carries the difference in points."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``NUMERIC(precision, scale)`` column read back as an exact :class:`Decimal`.

    SQLite has no decimal type, so values travel as floats and are rounded to ``scale`` on
    the way back: with at most ``scale`` decimals that round trip is exact on every backend.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=False)
        self.scale = scale

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else float(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(repr(round(float(value), self.scale))).quantize(
            Decimal(1).scaleb(-self.scale)
        )


class LedgerEntry(Base):
    """One addition (positive points) or deduction (negative points) for an agent on a date.

    ``category`` holds a :class:`~qa.ledger.schemas.Category` value, ``kind`` an
    :class:`~qa.ledger.schemas.EntryKind` value: ``incident`` (recorded by a supervisor),
    ``bonus`` (customer praise...), ``scorecard`` (a failed QA item; ``source_ref`` and
    ``source_item`` name the evaluation and item) or ``correction`` (``corrects_id`` names the
    entry corrected, if any).
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        # the values of Category and EntryKind, spelled out as the migration wrote them
        CheckConstraint("category IN ('etiquette', 'service', 'discipline')", name="category"),
        CheckConstraint("kind IN ('incident', 'bonus', 'correction', 'scorecard')", name="kind"),
        UniqueConstraint("source_ref", "source_item", name="uq_ledger_entries_source"),
        Index("ix_ledger_entries_agent_date", "agent_id", "date"),
        Index("ix_ledger_entries_date", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.agent_id"))
    date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(16))
    points: Mapped[Decimal] = mapped_column(ExactDecimal(8, 2))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    source_ref: Mapped[str | None] = mapped_column(String(128))
    source_item: Mapped[str | None] = mapped_column(String(128))
