"""Sampling policies (from YAML/JSON files or built in code) and work-queue items."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from core import safe_yaml
from qa.limits import Field, check_length


class SamplingError(ValueError):
    """A policy or assignment is invalid; the message says where and why."""


class NotEvaluatorError(SamplingError):
    """Work was given to someone who is not an active user with a QA role (``names``)."""

    def __init__(self, names: list[str]) -> None:
        self.names = tuple(names)
        listed = ", ".join(repr(n) for n in names)
        super().__init__(f"{listed}: not an active user with a QA role, so cannot evaluate")


class Period(StrEnum):
    """The period ``per_agent`` applies to: days, ISO weeks (Monday first) or months."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    def start_of(self, day: date) -> date:
        if self is Period.DAY:
            return day
        if self is Period.WEEK:
            return day - timedelta(days=day.weekday())
        return day.replace(day=1)

    def next_start(self, start: date) -> date:
        if self is Period.DAY:
            return start + timedelta(days=1)
        if self is Period.WEEK:
            return start + timedelta(days=7)
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)

    def previous(self, today: date) -> tuple[date, date]:
        """The last complete period before ``today``: ``[start, end)``."""
        end = self.start_of(today)
        return self.start_of(end - timedelta(days=1)), end


@dataclass(frozen=True)
class SamplingPolicy:
    """What to sample and who evaluates it.

    Attributes:
        name: The policy's name (stored with each run).
        per_agent: Calls to draw per agent per period (fewer when fewer qualify).
        period: The period ``per_agent`` applies to.
        evaluators: User names the sample is shared between, evenly (remainder at random).
        scorecard: Key of the scorecard the assignments use.
        min_talk: Only calls with at least this talk time (seconds).
        max_talk: Only calls with at most this talk time (seconds; None: no limit).
        queues: Only these queues (empty: all).
        outcomes: Only calls with these outcomes.
        agents: Only these agents (empty: every agent with qualifying calls).
        spread: Draw evenly over the period (one call from each of ``per_agent`` equal
            slices of the agent's qualifying calls in time order) rather than purely at random.
        due_days: Assignments are due this many days after the period ends.
    """

    name: str
    per_agent: int
    evaluators: tuple[str, ...]
    period: Period = Period.WEEK
    scorecard: str = "default"
    min_talk: float = 0.0
    max_talk: float | None = None
    queues: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ("answered", "transferred")
    agents: tuple[str, ...] = ()
    spread: bool = False
    due_days: int = 7

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain values (stored with each run)."""
        data = asdict(self)
        data["period"] = self.period.value
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


_FIELDS = set(SamplingPolicy.__dataclass_fields__)


def _strings(raw: Mapping[str, Any], name: str, origin: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise SamplingError(f"{origin}: {name} must be a list of names")
    return tuple(str(v) for v in value)


def _number(raw: Mapping[str, Any], name: str, origin: str, default: float | None) -> Any:
    value = raw.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise SamplingError(f"{origin}: {name} {value!r} must be a number >= 0")
    return value


def parse_policy(raw: Any, *, origin: str = "policy") -> SamplingPolicy:
    """A policy from loaded YAML/JSON values.

    Raises:
        SamplingError: Naming the file and the field.
    """
    if not isinstance(raw, Mapping):
        raise SamplingError(f"{origin}: a sampling policy must be a mapping")
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise SamplingError(f"{origin}: unknown field(s) {', '.join(unknown)}")
    per_agent = raw.get("per_agent")
    if isinstance(per_agent, bool) or not isinstance(per_agent, int) or per_agent < 1:
        raise SamplingError(f"{origin}: per_agent {per_agent!r} must be a whole number >= 1")
    try:
        period = Period(raw.get("period", "week"))
    except ValueError:
        raise SamplingError(f"{origin}: period must be day, week or month") from None
    policy = SamplingPolicy(
        name=str(raw.get("name") or "policy"), per_agent=per_agent, period=period,
        evaluators=_strings(raw, "evaluators", origin),
        scorecard=str(raw.get("scorecard", "default")),
        min_talk=float(_number(raw, "min_talk", origin, 0.0)),
        max_talk=_number(raw, "max_talk", origin, None),
        queues=_strings(raw, "queues", origin),
        outcomes=_strings(raw, "outcomes", origin) or ("answered", "transferred"),
        agents=_strings(raw, "agents", origin), spread=bool(raw.get("spread", False)),
        due_days=int(_number(raw, "due_days", origin, 7)),
    )  # fmt: skip
    return check_policy(policy, origin=origin)


def check_policy(policy: SamplingPolicy, *, origin: str = "policy") -> SamplingPolicy:
    """Return ``policy`` when usable.

    Raises:
        SamplingError: No evaluators, an evaluator listed twice, a bad talk range or a name
            over its limit.
    """
    check_length(policy.name, Field.SAMPLE_NAME, error=SamplingError, where=origin)
    if policy.per_agent < 1:
        raise SamplingError(f"{origin}: per_agent must be >= 1")
    if not policy.evaluators:
        raise SamplingError(f"{origin}: evaluators must name at least one evaluator")
    if len(set(policy.evaluators)) != len(policy.evaluators):
        raise SamplingError(f"{origin}: an evaluator is listed twice")
    if policy.max_talk is not None and policy.max_talk < policy.min_talk:
        raise SamplingError(f"{origin}: max_talk is below min_talk")
    return policy


def load_policy(path: Path) -> SamplingPolicy:
    """Read a policy file (YAML, or JSON for ``.json``).

    Raises:
        SamplingError: Unreadable or invalid file.
    """
    try:
        text = safe_yaml.read_text(path, what="policy")
        raw = (
            json.loads(text)
            if path.suffix.lower() == ".json"
            else safe_yaml.load(text, origin=str(path))
        )
    except safe_yaml.UserYamlError as exc:
        raise SamplingError(str(exc)) from exc
    except (ValueError, yaml.YAMLError) as exc:
        raise SamplingError(f"{path}: cannot read the policy: {exc}") from exc
    return parse_policy(raw, origin=str(path))


@dataclass(frozen=True)
class Drawn:
    """One sampled call and the evaluator it goes to."""

    call_pk: int
    call_id: str
    agent_id: str
    queue: str
    call_at: datetime
    period_start: date
    evaluator: str


@dataclass(frozen=True)
class SampleResult:
    """What a sampling run drew. ``run_id`` is None for a dry run; ``short`` lists
    ``(agent, period start, calls found)`` where fewer than ``per_agent`` calls qualified."""

    run_id: int | None
    drawn: tuple[Drawn, ...]
    per_evaluator: Mapping[str, int]
    short: tuple[tuple[str, date, int], ...]


class WorkStatus(StrEnum):
    """Where a work-queue assignment stands: ``due`` (not started), ``in_progress`` (a draft
    exists) or ``done`` (its evaluation is submitted). Derived, never stored."""

    DUE = "due"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class WorkItem:
    """One line of an evaluator's work queue. ``status``: ``due`` (not started),
    ``in_progress`` (a draft exists) or ``done``; ``overdue`` when past ``due_on`` and not
    done."""

    assignment_id: int
    call_pk: int
    call_id: str
    queue: str
    agent_id: str
    call_at: datetime
    talk: float | None
    scorecard_key: str
    evaluator: str
    due_on: date | None
    status: WorkStatus
    overdue: bool
    evaluation_id: int | None
