"""Typed inputs and outputs of the ledger service, and the rules every entry obeys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

ZERO = Decimal("0.00")
#: The largest points one entry may carry either way. A deduction point costs 0.01 of the
#: coefficient (docs/METRICS.md#performance-coefficient), so 100 already takes a whole
#: coefficient away; 1000 leaves room for corrections while refusing typos and values the
#: column (NUMERIC(8, 2)) cannot hold.
MAX_POINTS = Decimal(1000)


class Category(StrEnum):
    """What a ledger entry is about; each star ranks by one category (model star: discipline)."""

    ETIQUETTE = "etiquette"
    SERVICE = "service"
    DISCIPLINE = "discipline"


class EntryKind(StrEnum):
    """Where an entry comes from. ``scorecard`` entries are written only by
    :func:`qa.ledger.service.record_scorecard_deductions`."""

    INCIDENT = "incident"
    BONUS = "bonus"
    CORRECTION = "correction"
    SCORECARD = "scorecard"


class LedgerError(ValueError):
    """An entry breaks a ledger rule; the message says which and why."""


@dataclass(frozen=True)
class EntryIn:
    """A new ledger entry. ``points`` is negative for a deduction and positive for a bonus; a
    correction carries the difference it makes, with ``corrects_id`` naming the entry corrected
    (a correction of a correction applies to the original entry)."""

    agent_id: str
    date: date
    category: Category
    points: Decimal
    kind: EntryKind
    reporter: str
    note: str = ""
    corrects_id: int | None = None


@dataclass(frozen=True)
class ScorecardDeduction:
    """A failed scorecard item of one evaluation: ``item_ref`` identifies the item within the
    evaluation, ``points`` is its configured deduction (negative)."""

    item_ref: str
    category: Category
    points: Decimal
    note: str = ""


@dataclass
class LedgerTotals:
    """One agent's month: deductions (net of corrections, never above 0) and bonuses (never
    below 0) by category, with the number of entries behind each figure."""

    agent_id: str
    deductions: dict[Category, Decimal] = field(
        default_factory=lambda: dict.fromkeys(Category, ZERO)
    )
    bonuses: dict[Category, Decimal] = field(default_factory=lambda: dict.fromkeys(Category, ZERO))
    entries: dict[Category, int] = field(default_factory=lambda: dict.fromkeys(Category, 0))

    @property
    def total_deductions(self) -> Decimal:
        return sum(self.deductions.values(), ZERO)

    @property
    def total_bonuses(self) -> Decimal:
        return sum(self.bonuses.values(), ZERO)


def parse_points(text: str) -> Decimal:
    """Points from text such as ``-0.5``: a finite number with at most two decimals.

    Raises:
        LedgerError: The text is not such a number.
    """
    try:
        points = Decimal(text.strip())
    except InvalidOperation:
        raise LedgerError(f"points {text!r} is not a number") from None
    check_points(points)
    return points


def check_points(points: Decimal) -> None:
    """Refuse non-finite values, values beyond ±:data:`MAX_POINTS` and more than two decimals.

    The size is checked first: quantizing 1e30 to hundredths needs more digits than the
    decimal context holds and raises InvalidOperation, which is no message for anyone.
    """
    if not points.is_finite():
        raise LedgerError(f"points {points} is not a finite number")
    if abs(points) > MAX_POINTS:
        raise LedgerError(f"points {points} is beyond ±{MAX_POINTS}")
    if points != points.quantize(Decimal("0.01")):
        raise LedgerError(f"points {points} has more than two decimals")


def check_sign(kind: EntryKind, points: Decimal) -> None:
    """Deductions (incident, scorecard) are negative, bonuses positive, corrections not zero."""
    if kind in (EntryKind.INCIDENT, EntryKind.SCORECARD) and points >= 0:
        raise LedgerError(f"{kind} points must be negative (a deduction), got {points}")
    if kind is EntryKind.BONUS and points <= 0:
        raise LedgerError(f"bonus points must be positive, got {points}")
    if kind is EntryKind.CORRECTION and points == 0:
        raise LedgerError("a correction of 0 points changes nothing")
