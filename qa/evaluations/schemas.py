"""Typed inputs and outputs of the evaluation and dispute services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from qa.scorecards.schemas import ScorecardSpec
from qa.scoring import Problem, ScoreResult


class Refusal(StrEnum):
    """Why a dispute was refused, where the agent is told in their own words."""

    NEEDS_REASON = "needs_reason"
    WINDOW_CLOSED = "window_closed"


class EvaluationError(ValueError):
    """An evaluation or dispute step is not allowed; the message says why.

    Attributes:
        problems: When refused for the answers given, what is wrong with each item (callers
            tell them apart by :class:`~qa.scoring.ProblemKind`, never by the message).
        refusal: For some refused disputes, why (callers use it, never the message).
    """

    def __init__(
        self, message: str, *, problems: Sequence[Problem] = (), refusal: Refusal | None = None
    ) -> None:
        super().__init__(message)
        self.problems = tuple(problems)
        self.refusal = refusal


class Kind(StrEnum):
    """``regular`` evaluations count in quality scores; calibration ones never do."""

    REGULAR = "regular"
    CALIBRATION = "calibration"
    BENCHMARK = "benchmark"


class EvaluationStatus(StrEnum):
    """An evaluation is a ``draft`` (its evaluator edits it) until ``submitted`` (immutable
    except through a dispute). The stored values of ``evaluations.status``."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class DisputeStatus(StrEnum):
    """A dispute is ``open`` until decided. The stored values of
    ``evaluation_disputes.status``."""

    OPEN = "open"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"

    @property
    def upheld(self) -> bool:
        """Whether the agent was (at least partly) right."""
        return self in (DisputeStatus.ACCEPTED, DisputeStatus.PARTLY_ACCEPTED)


class Decision(StrEnum):
    """A supervisor's decision on a dispute."""

    ACCEPT = "accept"
    PARTLY_ACCEPT = "partly_accept"
    REJECT = "reject"


DISPUTE_STATUS = {
    Decision.ACCEPT: DisputeStatus.ACCEPTED,
    Decision.PARTLY_ACCEPT: DisputeStatus.PARTLY_ACCEPTED,
    Decision.REJECT: DisputeStatus.REJECTED,
}


@dataclass(frozen=True)
class DecisionPreview:
    """What deciding a dispute would do, before it is done (the confirmation names it).

    Attributes:
        decision: The decision chosen.
        item_ref: The disputed item.
        value_before: Its answer now.
        value_after: Its answer after the decision (equal to ``value_before`` when rejected).
        score_before: The evaluation's score now.
        score_after: The evaluation's score after the decision.
    """

    decision: Decision
    item_ref: str
    value_before: str
    value_after: str
    score_before: float | None
    score_after: float | None


@dataclass(frozen=True)
class AnswerIn:
    """An answer as the form gives it: ``value`` ``yes``/``no``/``na``/scale value, or None to
    clear it (drafts only); ``comment`` is the evaluator's note on the item."""

    value: str | None
    comment: str = ""


@dataclass(frozen=True)
class DisputePolicy:
    """How disputes work (configurable per center).

    Attributes:
        window_days: Days after submission during which the agent may dispute (Genesys uses
            45; 7 by default).
        max_per_evaluation: At most this many disputed items per evaluation (None: no cap).
    """

    window_days: float = 7.0
    max_per_evaluation: int | None = None


@dataclass(frozen=True)
class CommentOut:
    id: int
    author: str
    at_seconds: float | None
    item_ref: str | None
    text: str
    created_at: datetime


@dataclass(frozen=True)
class DisputeOut:
    id: int
    evaluation_id: int
    item_ref: str
    reason: str
    raised_by: str
    raised_at: datetime
    status: DisputeStatus
    value_before: str
    value_after: str | None
    score_before: float | None
    score_after: float | None
    decision_note: str
    resolved_by: str | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class EvaluationView:
    """Everything the evaluation page shows: the call, the scorecard version's definition
    (``spec``), answers and item comments by item ref, the score breakdown (``result``),
    timestamped comments and disputes (the history of changes after submission)."""

    id: int
    kind: Kind
    status: EvaluationStatus
    scorecard_id: int
    scorecard_key: str
    scorecard_version: int
    call_pk: int
    call_id: str
    queue: str
    agent_id: str
    call_at: datetime
    evaluator: str
    score: float | None
    raw_score: float | None
    passed: bool | None
    revision: int
    created_at: datetime
    submitted_at: datetime | None
    acknowledged_at: datetime | None
    dispute_deadline: datetime | None
    answers: Mapping[str, str]
    item_comments: Mapping[str, str]
    comments: tuple[CommentOut, ...]
    disputes: tuple[DisputeOut, ...]
    spec: ScorecardSpec
    result: ScoreResult
