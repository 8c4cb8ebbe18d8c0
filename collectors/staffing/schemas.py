"""Typed inputs and results of the staffing maths.

Targets validate themselves on construction so that a bad figure fails where it is written,
with a message naming the figure, rather than as a never-ending search for agents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _require_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


@dataclass(frozen=True, slots=True)
class ServiceLevelTarget:
    """Answer at least ``level`` of calls within ``time`` seconds.

    Args:
        level: Fraction of calls, strictly between 0 and 1. Erlang C never reaches 100 %, so
            1.0 is refused instead of searching forever.
        time: Answer-time threshold T in seconds (default 20 s: docs/METRICS.md#service-level),
            ``>= 0``.
    """

    level: float
    time: float = 20.0

    def __post_init__(self) -> None:
        _require_finite("service level target", self.level)
        _require_finite("service level time", self.time)
        if not 0.0 < self.level < 1.0:
            raise ValueError(
                f"service level target must be above 0 and below 1 (100 %), got {self.level!r}"
            )
        if self.time < 0:
            raise ValueError(f"service level time must be >= 0 seconds, got {self.time!r}")


@dataclass(frozen=True, slots=True)
class WaitProbabilityTarget:
    """At most ``max_probability`` of calls wait at all (Erlang C P(wait)).

    Args:
        max_probability: In (0, 1]; 1 only asks for a stable queue.
    """

    max_probability: float

    def __post_init__(self) -> None:
        _require_finite("max wait probability", self.max_probability)
        if not 0.0 < self.max_probability <= 1.0:
            raise ValueError(
                f"max wait probability must be above 0 and at most 1, got {self.max_probability!r}"
            )


@dataclass(frozen=True, slots=True)
class AsaTarget:
    """Average speed of answer of at most ``max_asa`` seconds.

    Args:
        max_asa: Seconds, ``> 0`` (an ASA of exactly 0 needs infinitely many agents).
    """

    max_asa: float

    def __post_init__(self) -> None:
        _require_finite("max ASA", self.max_asa)
        if self.max_asa <= 0:
            raise ValueError(f"max ASA must be above 0 seconds, got {self.max_asa!r}")


Target = ServiceLevelTarget | WaitProbabilityTarget | AsaTarget


@dataclass(frozen=True, slots=True)
class StaffingLevel:
    """What ``agents`` achieve against ``traffic`` (all Erlang C, no abandonment).

    ``understaffed`` is True when agents <= traffic (and traffic > 0): the queue grows without
    bound, so ``wait_probability`` is 1, ``service_level`` 0, ``asa`` None (infinite) and
    ``occupancy`` 1 (every agent is always busy).
    """

    agents: int
    traffic: float
    wait_probability: float
    service_level: float
    service_time: float
    asa: float | None
    occupancy: float
    understaffed: bool


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """Agents required for a target, and what that staffing achieves.

    Attributes:
        agents_required: Minimum agents on the phones meeting the target and occupancy cap.
        scheduled: Agents to schedule once shrinkage is allowed for (equals ``agents_required``
            when shrinkage is 0).
        traffic: Offered load in Erlangs.
        service_level: Achieved fraction answered within ``service_time`` seconds.
        wait_probability: Achieved P(wait).
        asa: Achieved average speed of answer, seconds (None only when understaffed).
        occupancy: Achieved occupancy, traffic / agents.
        understaffed: Always False for a computed requirement; kept so that a result can be
            read the same way as a ``StaffingLevel``.
        limited_by: ``"target"`` or ``"occupancy"``: which constraint set the number
            (``"none"`` for zero traffic).
        target: The target that was met.
        shrinkage: Fraction of paid time agents are not on the phones.
        max_occupancy: Occupancy cap used, or None.
    """

    agents_required: int
    scheduled: int
    traffic: float
    service_level: float
    service_time: float
    wait_probability: float
    asa: float | None
    occupancy: float
    understaffed: bool
    limited_by: str
    target: Target
    shrinkage: float
    max_occupancy: float | None
