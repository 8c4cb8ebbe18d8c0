"""Erlang C staffing maths (docs/METRICS.md#erlang-c): agents required for a service target.

Erlang C assumes Poisson arrivals, exponential handling times and callers who never abandon.
P(wait) is computed from the Erlang B recursion ``B(n) = A·B(n−1) / (n + A·B(n−1))``, which
never forms ``A^N`` or ``N!`` and so stays accurate for thousands of agents and fractional
traffic, then ``C = N·B / (N − A·(1 − B))``.

With N agents and A Erlangs, N <= A means the queue grows without bound: such a staffing is
reported as understaffed (P(wait) 1, service level 0, ASA None) rather than as the formula's
meaningless negative numbers.
"""

from __future__ import annotations

import math

from collectors.staffing.schemas import (
    ServiceLevelTarget,
    StaffingLevel,
    StaffingResult,
    Target,
    WaitProbabilityTarget,
)

DEFAULT_SERVICE_TIME = 20.0
"""The default service-level threshold T, seconds (docs/METRICS.md#service-level)."""

# Divisions such as 14 / (1 − 0.3) give 20.000000000000004 in binary floating point; rounding
# to this many decimals first keeps ceil() from adding an agent for representation noise.
_CEIL_DECIMALS = 9


def _check_traffic(traffic: float) -> None:
    if not (math.isfinite(traffic) and traffic >= 0):
        raise ValueError(f"traffic must be a finite number of Erlangs >= 0, got {traffic!r}")


def _check_agents(agents: int) -> None:
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents!r}")


def _check_aht(aht: float) -> None:
    if not (math.isfinite(aht) and aht > 0):
        raise ValueError(f"AHT must be a finite number of seconds > 0, got {aht!r}")


def _ceil(value: float) -> int:
    return math.ceil(round(value, _CEIL_DECIMALS))


def traffic_erlangs(*, calls: float, interval_seconds: float, aht: float) -> float:
    """Offered load A = calls × AHT / interval length.

    Args:
        calls: Calls offered in the interval (may be fractional, e.g. a forecast), ``>= 0``.
        interval_seconds: Interval length in seconds, ``> 0``.
        aht: Average handling time in seconds, ``> 0``.

    Returns:
        Traffic in Erlangs.
    """
    if not (math.isfinite(calls) and calls >= 0):
        raise ValueError(f"calls must be a finite number >= 0, got {calls!r}")
    if not (math.isfinite(interval_seconds) and interval_seconds > 0):
        raise ValueError(
            f"interval must be a finite number of seconds > 0, got {interval_seconds!r}"
        )
    _check_aht(aht)
    return calls * aht / interval_seconds


def erlang_b(*, agents: int, traffic: float) -> float:
    """Erlang B blocking probability, by the stable iterative recursion.

    Args:
        agents: Number of servers N, ``>= 0``.
        traffic: Offered load A in Erlangs, ``>= 0`` (fractional allowed).

    Returns:
        B(N, A) in [0, 1]; 1 for zero agents.
    """
    _check_agents(agents)
    _check_traffic(traffic)
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = _next_b(blocking, n, traffic)
    return blocking


def _next_b(previous: float, n: int, traffic: float) -> float:
    load = traffic * previous
    return load / (n + load)


def _c_from_b(blocking: float, agents: int, traffic: float) -> float:
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_c(*, agents: int, traffic: float) -> float:
    """Erlang C probability that a call waits, P(wait).

    Args:
        agents: Number of agents N, ``>= 0``.
        traffic: Offered load A in Erlangs, ``>= 0``.

    Returns:
        P(wait) in [0, 1]: 0 for zero traffic, 1 when understaffed (N <= A).
    """
    return _c_from_b(erlang_b(agents=agents, traffic=traffic), agents, traffic)


def _level(
    *, agents: int, traffic: float, blocking: float, aht: float, service_time: float
) -> StaffingLevel:
    if traffic > 0 and agents <= traffic:
        return StaffingLevel(
            agents=agents,
            traffic=traffic,
            wait_probability=1.0,
            service_level=0.0,
            service_time=service_time,
            asa=None,
            occupancy=1.0,
            understaffed=True,
        )
    wait = _c_from_b(blocking, agents, traffic)
    spare = agents - traffic
    return StaffingLevel(
        agents=agents,
        traffic=traffic,
        wait_probability=wait,
        service_level=1.0 - wait * math.exp(-spare * service_time / aht),
        service_time=service_time,
        asa=wait * aht / spare if agents else 0.0,
        occupancy=traffic / agents if agents else 0.0,
        understaffed=False,
    )


def evaluate(
    *, agents: int, traffic: float, aht: float, service_time: float = DEFAULT_SERVICE_TIME
) -> StaffingLevel:
    """Everything ``agents`` achieve against ``traffic``.

    Args:
        agents: Agents on the phones, ``>= 0``.
        traffic: Offered load in Erlangs, ``>= 0``.
        aht: Average handling time in seconds, ``> 0``.
        service_time: Service-level threshold T in seconds, ``>= 0``.

    Returns:
        The achieved figures; ``understaffed`` when agents <= traffic > 0.
    """
    _check_aht(aht)
    if not (math.isfinite(service_time) and service_time >= 0):
        raise ValueError(
            f"service time must be a finite number of seconds >= 0, got {service_time!r}"
        )
    blocking = erlang_b(agents=agents, traffic=traffic)
    return _level(
        agents=agents, traffic=traffic, blocking=blocking, aht=aht, service_time=service_time
    )


def service_level(*, agents: int, traffic: float, aht: float, target_time: float) -> float:
    """Fraction answered within ``target_time``: 1 − P(wait)·e^(−(N−A)·T/AHT); 0 if understaffed.

    Args:
        agents: Agents N, ``>= 0``.
        traffic: Offered load A in Erlangs, ``>= 0``.
        aht: Average handling time in seconds, ``> 0``.
        target_time: Threshold T in seconds, ``>= 0``.
    """
    level = evaluate(agents=agents, traffic=traffic, aht=aht, service_time=target_time)
    return level.service_level


def average_speed_of_answer(*, agents: int, traffic: float, aht: float) -> float | None:
    """ASA = P(wait)·AHT / (N − A) in seconds; None (infinite) when understaffed.

    Args:
        agents: Agents N, ``>= 0``.
        traffic: Offered load A in Erlangs, ``>= 0``.
        aht: Average handling time in seconds, ``> 0``.
    """
    return evaluate(agents=agents, traffic=traffic, aht=aht).asa


def occupancy(*, agents: int, traffic: float) -> float:
    """Occupancy A / N, capped at 1 (an understaffed floor is simply always busy).

    Args:
        agents: Agents N, ``>= 0``; zero agents with zero traffic give 0.
        traffic: Offered load A in Erlangs, ``>= 0``.
    """
    _check_agents(agents)
    _check_traffic(traffic)
    if traffic <= 0:
        return 0.0
    return 1.0 if agents <= traffic else traffic / agents


def _meets(level: StaffingLevel, target: Target) -> bool:
    if level.understaffed:
        return False
    if isinstance(target, ServiceLevelTarget):
        return level.service_level >= target.level
    if isinstance(target, WaitProbabilityTarget):
        return level.wait_probability <= target.max_probability
    return level.asa is not None and level.asa <= target.max_asa


def _service_time(target: Target, service_time: float) -> float:
    return target.time if isinstance(target, ServiceLevelTarget) else service_time


def _target_minimum(*, traffic: float, aht: float, target: Target) -> int:
    # Every metric improves monotonically once N > A, so the first N that meets the target is
    # the minimum; B(N) is carried forward so the scan costs O(N) overall, not O(N²).
    agents = math.floor(traffic)
    blocking = erlang_b(agents=agents, traffic=traffic)
    time = _service_time(target, DEFAULT_SERVICE_TIME)
    while True:
        agents += 1
        blocking = _next_b(blocking, agents, traffic)
        level = _level(
            agents=agents, traffic=traffic, blocking=blocking, aht=aht, service_time=time
        )
        if _meets(level, target):
            return agents


def _occupancy_minimum(traffic: float, max_occupancy: float | None) -> int:
    if max_occupancy is None:
        return 0
    if not (math.isfinite(max_occupancy) and 0 < max_occupancy <= 1):
        raise ValueError(f"max occupancy must be above 0 and at most 1, got {max_occupancy!r}")
    return _ceil(traffic / max_occupancy)


def _requirement(
    *, traffic: float, aht: float, target: Target, max_occupancy: float | None
) -> tuple[int, str]:
    _check_traffic(traffic)
    _check_aht(aht)
    by_occupancy = _occupancy_minimum(traffic, max_occupancy)
    if traffic == 0:
        return 0, "none"
    by_target = _target_minimum(traffic=traffic, aht=aht, target=target)
    if by_occupancy > by_target:
        return by_occupancy, "occupancy"
    return by_target, "target"


def agents_required(
    *, traffic: float, aht: float, target: Target, max_occupancy: float | None = None
) -> int:
    """Minimum agents meeting ``target`` and, if given, occupancy <= ``max_occupancy``.

    Args:
        traffic: Offered load in Erlangs, ``>= 0``; zero traffic needs zero agents.
        aht: Average handling time in seconds, ``> 0``.
        target: A service-level, max P(wait) or max ASA target.
        max_occupancy: Optional cap in (0, 1]; forces N >= A / max_occupancy.

    Returns:
        The number of agents, always > traffic when traffic > 0.
    """
    required, _ = _requirement(traffic=traffic, aht=aht, target=target, max_occupancy=max_occupancy)
    return required


def scheduled_agents(*, required: int, shrinkage: float) -> int:
    """Agents to schedule so that ``required`` are on the phones: ceil(required / (1 − shrinkage)).

    Args:
        required: Agents needed on the phones, ``>= 0``.
        shrinkage: Fraction of paid time off the phones (breaks, training...), in [0, 1).
    """
    _check_agents(required)
    if not (math.isfinite(shrinkage) and 0 <= shrinkage < 1):
        raise ValueError(f"shrinkage must be at least 0 and below 1, got {shrinkage!r}")
    return _ceil(required / (1.0 - shrinkage))


def staff(
    *,
    calls: float,
    interval_seconds: float,
    aht: float,
    target: Target,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    service_time: float = DEFAULT_SERVICE_TIME,
) -> StaffingResult:
    """Agents required (and scheduled) for an interval's volume, with what they achieve.

    Args:
        calls: Calls offered in the interval, ``>= 0`` (fractional for forecasts).
        interval_seconds: Interval length in seconds, ``> 0``.
        aht: Average handling time in seconds, ``> 0``.
        target: What to meet: service level, max P(wait) or max ASA.
        shrinkage: Fraction of paid time off the phones, in [0, 1).
        max_occupancy: Optional occupancy cap in (0, 1].
        service_time: T in seconds for the reported service level when the target is not a
            service-level target (a ``ServiceLevelTarget`` uses its own time).

    Returns:
        The requirement and the figures achieved at exactly that staffing.
    """
    traffic = traffic_erlangs(calls=calls, interval_seconds=interval_seconds, aht=aht)
    required, limited_by = _requirement(
        traffic=traffic, aht=aht, target=target, max_occupancy=max_occupancy
    )
    scheduled = scheduled_agents(required=required, shrinkage=shrinkage)
    time = float(_service_time(target, service_time))
    level = evaluate(agents=required, traffic=traffic, aht=aht, service_time=time)
    return StaffingResult(
        agents_required=required,
        scheduled=scheduled,
        traffic=traffic,
        service_level=level.service_level,
        service_time=time,
        wait_probability=level.wait_probability,
        asa=level.asa,
        occupancy=level.occupancy,
        understaffed=level.understaffed,
        limited_by=limited_by,
        target=target,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
    )
