"""Typed inputs and outputs of the awards engine and workflow, and the month view.

Tie-break inputs come from two providers with the same call shape:

- :class:`QaAverageProvider`: each agent's average QA evaluation score for the month. The
  pages, the CLI and the demo use the QA console's evaluations
  (:func:`qa.reports.service.qa_average_provider`, wired in :func:`qa.awards.month.providers`);
  :func:`qa.awards.inputs.no_qa_averages` ("no evaluations") is the service's default, which
  the engine's own tests rely on.
- :class:`AnsweredCallsProvider`: calls answered per agent in the month; the default
  :func:`qa.awards.inputs.answered_calls_from_history` counts the call history table.

Statuses are :class:`AwardStatus` (a revision) and :class:`StarStatus` (a star of a revision):
string enums whose values are exactly the strings stored in the database and in the stored
result JSON, so a member compares equal to what was read back.

:class:`MonthView` is the shape of :func:`qa.awards.report.month_view`: JSON-ready values (the
CLI's ``--json``), typed for the pages, the exports and the CLI that read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypedDict

from sqlalchemy.orm import Session

from qa.ledger.schemas import Category

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class AwardStatus(StrEnum):
    """Where a revision of a month stands: ``draft`` → ``reviewed`` → ``published`` (frozen)."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
    PUBLISHED = "published"


class StarStatus(StrEnum):
    """The result for one star (see :class:`StarOutcome`)."""

    AWARDED = "awarded"
    DECIDED = "decided"
    NEEDS_DECISION = "needs_decision"
    BLOCKED = "blocked"
    NO_CANDIDATE = "no_candidate"

    @property
    def waits(self) -> bool:
        """Whether the star waits for a manager (a tie, or an earlier tie blocking it)."""
        return self in (StarStatus.NEEDS_DECISION, StarStatus.BLOCKED)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-01`` → Month(2026, 1). Raises ValueError naming the bad text."""
        if not isinstance(text, str):  # a form may send anything
            raise ValueError(f"month {text!r} must look like 2026-01")
        match = _MONTH.fullmatch(text.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"month {text!r} must look like 2026-01")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day of the next month (the month is ``[start, end)``)."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class QaAverageProvider(Protocol):
    """Average QA score (0-100) per agent for evaluations in ``[start, end)``; an agent with no
    evaluation is left out of the mapping."""

    def __call__(
        self, *, db_session: Session, start: date, end: date, agent_ids: Sequence[str]
    ) -> Mapping[str, Decimal]: ...


class AnsweredCallsProvider(Protocol):
    """Calls answered per agent in ``[start, end)``; agents with none may be left out."""

    def __call__(
        self, *, db_session: Session, start: date, end: date, agent_ids: Sequence[str]
    ) -> Mapping[str, int]: ...


@dataclass(frozen=True)
class AgentFacts:
    """Everything the engine knows about one agent for one month (stored with the result, so
    that a decision or override re-applies the rules to exactly what the manager saw)."""

    agent_id: str
    name: str
    team: str
    employment: str
    active: bool
    deductions: Mapping[Category, Decimal]
    bonuses: Mapping[Category, Decimal]
    entries: Mapping[Category, int]
    qa_average: Decimal | None
    answered_calls: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "team": self.team,
            "employment": self.employment,
            "active": self.active,
            "deductions": {c.value: str(v) for c, v in self.deductions.items()},
            "bonuses": {c.value: str(v) for c, v in self.bonuses.items()},
            "entries": {c.value: n for c, n in self.entries.items()},
            "qa_average": None if self.qa_average is None else str(self.qa_average),
            "answered_calls": self.answered_calls,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AgentFacts:
        qa = raw["qa_average"]
        return cls(
            agent_id=raw["agent_id"],
            name=raw["name"],
            team=raw["team"],
            employment=raw["employment"],
            active=raw["active"],
            deductions={Category(c): Decimal(v) for c, v in raw["deductions"].items()},
            bonuses={Category(c): Decimal(v) for c, v in raw["bonuses"].items()},
            entries={Category(c): int(n) for c, n in raw["entries"].items()},
            qa_average=None if qa is None else Decimal(qa),
            answered_calls=int(raw["answered_calls"]),
        )


@dataclass(frozen=True)
class MonthInputs:
    """The engine's input for one month: one :class:`AgentFacts` per agent."""

    month: Month
    agents: tuple[AgentFacts, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"month": str(self.month), "agents": [a.to_dict() for a in self.agents]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> MonthInputs:
        agents = tuple(AgentFacts.from_dict(a) for a in raw["agents"])
        return cls(Month.parse(raw["month"]), agents)


@dataclass(frozen=True)
class TieDecision:
    """A manager's pick among tied candidates for a star, with the written reason."""

    star: str
    agent_id: str
    reason: str
    decided_by: str


@dataclass(frozen=True)
class CoefficientOverride:
    """A manager's final coefficient for an agent, replacing the computed one, with the reason."""

    agent_id: str
    coefficient: Decimal
    reason: str
    decided_by: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str


@dataclass
class StarOutcome:
    """The result for one star. ``status``: ``awarded`` (rules decided), ``decided`` (a manager
    resolved a tie), ``needs_decision`` (tie: ``tied`` lists the candidates), ``blocked`` (an
    earlier star in the award order needs a decision first) or ``no_candidate``."""

    key: str
    label: str
    winner: str | None = None
    status: StarStatus = StarStatus.NO_CANDIDATE
    tied: tuple[str, ...] = ()
    decision: TieDecision | None = None
    explanation: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "winner": self.winner,
            "status": self.status.value,
        }
        if self.tied:
            out["tied"] = list(self.tied)
        if self.decision is not None:
            out["decision"] = {
                "agent_id": self.decision.agent_id,
                "reason": self.decision.reason,
                "by": self.decision.decided_by,
            }
        out["explanation"] = list(self.explanation)
        return out


@dataclass
class AgentOutcome:
    """One agent's figures for the month and how each was reached."""

    facts: AgentFacts
    eligibility: dict[str, Eligibility]
    stars: tuple[str, ...]
    computed_coefficient: Decimal
    coefficient: Decimal
    override: CoefficientOverride | None
    explanation: list[str]

    def to_dict(self) -> dict[str, Any]:
        f = self.facts
        deductions = {c.value: float(v) for c, v in f.deductions.items()}
        bonuses = {c.value: float(v) for c, v in f.bonuses.items()}
        return {
            "agent_id": f.agent_id,
            "name": f.name,
            "team": f.team,
            "employment": f.employment,
            "deductions": {**deductions, "total": float(sum(f.deductions.values()))},
            "bonuses": {**bonuses, "total": float(sum(f.bonuses.values()))},
            "qa_average": None if f.qa_average is None else float(f.qa_average),
            "answered_calls": f.answered_calls,
            "eligibility": {
                k: {"eligible": e.eligible, "reason": e.reason} for k, e in self.eligibility.items()
            },
            "stars": list(self.stars),
            "computed_coefficient": float(self.computed_coefficient),
            "coefficient": float(self.coefficient),
            "override": None
            if self.override is None
            else {
                "coefficient": float(self.override.coefficient),
                "reason": self.override.reason,
                "by": self.override.decided_by,
            },
            "explanation": list(self.explanation),
        }


@dataclass
class MonthOutcome:
    """The engine's result: stars in award order and agents by agent id."""

    month: Month
    stars: dict[str, StarOutcome]
    agents: list[AgentOutcome]

    @property
    def needs_decision(self) -> list[str]:
        """Stars that wait for a manager (a tie, or an earlier tie blocking them)."""
        return [k for k, s in self.stars.items() if s.status.waits]

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "stars": {k: s.to_dict() for k, s in self.stars.items()},
            "agents": [a.to_dict() for a in self.agents],
            "needs_decision": self.needs_decision,
        }


# --- the month view (qa.awards.report.month_view) -------------------------------------------


class PolicyRef(TypedDict):
    """The policy a revision was computed with."""

    name: str
    version: str
    digest: str


class Stamp(TypedDict):
    """Who did a workflow step and when (ISO naive UTC; None when not done)."""

    at: str | None
    by: str | None


class DecisionView(TypedDict):
    """A manager's pick among tied candidates."""

    agent_id: str
    reason: str
    by: str


class _StarViewBase(TypedDict):
    label: str
    winner: str | None
    status: StarStatus
    explanation: list[str]


class StarView(_StarViewBase, total=False):
    """One star of a month (``tied`` only on a tie, ``decision`` only once decided)."""

    tied: list[str]
    decision: DecisionView


class EligibilityView(TypedDict):
    eligible: bool
    reason: str


class OverrideView(TypedDict):
    """A manager's final coefficient, with the reason."""

    coefficient: float
    reason: str
    by: str


class AgentView(TypedDict):
    """One agent's figures for the month. ``deductions`` and ``bonuses`` are keyed by category
    value, plus ``total``."""

    agent_id: str
    name: str
    team: str
    employment: str
    deductions: dict[str, float]
    bonuses: dict[str, float]
    qa_average: float | None
    answered_calls: int
    eligibility: dict[str, EligibilityView]
    stars: list[str]
    computed_coefficient: float
    coefficient: float
    override: OverrideView | None
    explanation: list[str]


class AgentMonth(AgentView):
    """One month of an agent's history (:func:`qa.awards.service.agent_history`)."""

    month: str
    revision: int
    status: AwardStatus


class MonthView(TypedDict):
    """A stored revision as plain values (:func:`qa.awards.report.month_view`)."""

    month: str
    revision: int
    status: AwardStatus
    reason: str
    supersedes: int | None
    policy: PolicyRef
    computed: Stamp
    reviewed: Stamp
    published: Stamp
    stars: dict[str, StarView]
    agents: list[AgentView]
    needs_decision: list[str]
