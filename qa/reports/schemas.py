"""Typed report rows and the generic table every export writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class GroupBy(StrEnum):
    """What a quality report groups by (``center``: everything together)."""

    AGENT = "agent"
    TEAM = "team"
    QUEUE = "queue"
    CENTER = "center"


class ReportKind(StrEnum):
    """The three QA reports (a CSV download holds one, an XLSX workbook all three)."""

    QUALITY = "quality"
    ITEMS = "items"
    EVALUATORS = "evaluators"


class FileFormat(StrEnum):
    """How a report downloads."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class QualityRow:
    """Quality of one group in one period: ``mean_score`` is the mean of its evaluations'
    scores (not a mean of daily means); ``pass_rate`` the share that passed (0-1)."""

    period_start: date | None
    group: str
    evaluations: int
    mean_score: float | None
    mean_raw_score: float | None
    pass_rate: float | None


@dataclass(frozen=True)
class ItemFailureRow:
    """How often an item fails ("which rules are broken most"): ``failure_rate`` = failed /
    applicable answers (N/A left out)."""

    scorecard_key: str
    item_ref: str
    text: str
    text_zh: str
    category: str
    applicable: int
    failed: int
    na: int
    failure_rate: float | None


@dataclass(frozen=True)
class EvaluatorRow:
    """An evaluator's workload: regular evaluations submitted in the period and their mean
    score, current drafts and open assignments (overdue among them), and disputes raised in
    the period against their evaluations with how many were upheld (accepted or partly)."""

    evaluator: str
    submitted: int
    mean_score: float | None
    drafts: int
    open_assignments: int
    overdue: int
    disputes: int
    upheld: int


@dataclass(frozen=True)
class Table:
    """A report as a titled grid (what CSV and XLSX exports and text output write)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class ReportFile:
    """A report written as a file: its bytes and the name to download it as."""

    name: str
    data: bytes
