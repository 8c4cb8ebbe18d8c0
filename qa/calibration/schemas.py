"""Typed outputs of calibration: the report comparing evaluators with the benchmark."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class CalibrationError(ValueError):
    """A calibration step is not allowed; the message says why."""


class SessionStatus(StrEnum):
    """A calibration session is ``open`` (evaluators score blind) until ``closed`` (answers
    and report visible). The stored values of ``calibration_sessions.status``."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class ItemComparison:
    """One item across the session.

    Attributes:
        ref: The item ref.
        text: The item's English text (``text_zh`` the Chinese).
        maximum: The item's points (the denominator of its alignment).
        weight: Its share of points in the score: section weight × points.
        benchmark: The benchmark's answer value.
        values: Evaluator → answer value.
        deviations: Evaluator → (earned − benchmark earned) / maximum, signed, from −1 to 1
            (None when either answer is N/A).
        alignments: Evaluator → 1 − |earned − benchmark earned| / maximum (0 when exactly
            one of the two is N/A; None when both are).
        agreement: Share of evaluators who gave exactly the benchmark's answer.
        spread: Population standard deviation of the evaluators' earned / maximum (N/A left
            out; None with fewer than two values).
    """

    ref: str
    text: str
    text_zh: str
    maximum: float
    weight: float
    benchmark: str | None
    values: Mapping[str, str | None]
    deviations: Mapping[str, float | None]
    alignments: Mapping[str, float | None]
    agreement: float | None
    spread: float | None


@dataclass(frozen=True)
class EvaluatorComparison:
    """One evaluator against the benchmark.

    Attributes:
        evaluator: The user name.
        evaluation_id: Their calibration evaluation.
        score: Their score of the call.
        score_deviation: Their score − the benchmark's, in percentage points.
        alignment: Σ weight × item alignment / Σ weight over items not N/A on both sides,
            from 0 to 1; 0 when they disagree with the benchmark on a fatal critical item.
        critical_disagreements: Refs of fatal critical items where one failed the call and
            the other did not.
    """

    evaluator: str
    evaluation_id: int
    score: float | None
    score_deviation: float | None
    alignment: float | None
    critical_disagreements: tuple[str, ...]


@dataclass(frozen=True)
class CalibrationReport:
    """The session's report. ``score_spread``: population standard deviation of the
    evaluators' scores; ``score_range``: highest − lowest (None with fewer than two);
    ``mean_alignment``: the evaluators' mean alignment; ``pending``: invited evaluators who have
    not submitted (left out of the figures)."""

    session_id: int
    title: str
    call_id: str
    scorecard_key: str
    scorecard_version: int
    status: SessionStatus
    expert: str
    benchmark_score: float | None
    evaluators: tuple[EvaluatorComparison, ...]
    items: tuple[ItemComparison, ...]
    score_spread: float | None
    score_range: float | None
    mean_alignment: float | None
    pending: tuple[str, ...]
