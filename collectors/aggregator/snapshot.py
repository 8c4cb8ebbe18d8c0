"""The per-center snapshot: the whole live picture in one JSON document.

Every screen reads this one key. It holds "now" values (calls waiting, longest wait, agents by
state), and per queue and for the center (``*``) the current interval, today, rolling windows
and today's intervals for the intraday chart, each with the metrics of docs/METRICS.md and
their inputs.

The document's shape and version are :mod:`collectors.aggregator.snapshot_schema`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from collectors.aggregator.counters import DayCounters, Mirror
from collectors.aggregator.engine import Engine
from collectors.aggregator.metrics import (
    MAX_COUNTERS,
    STATE_TIME,
    agent_metrics,
    merge,
    occupancy,
    queue_metrics,
)
from collectors.aggregator.snapshot_schema import (
    SCHEMA_VERSION,
    AgentRow,
    ChartPoint,
    NowFigures,
    QueueBlock,
    Snapshot,
)
from collectors.aggregator.state import (
    CALLS,
    LOGGED_OFF,
    ON_CALL,
    PAUSED,
    SESSION,
    UNKNOWN,
    WRAP_UP,
    LiveAgent,
)

ALL = "*"
ROLLING_MINUTES = (15, 30, 60)


def _by_interval(day: DayCounters) -> dict[str, dict[int, dict[str, int]]]:
    """``queue → interval → counters`` from a flat day of counters."""
    out: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (name, idx, counter), value in day.items():
        out[name][idx][counter] = value
    return out


def _with_total(per_queue: dict[str, dict[int, dict[str, int]]]) -> None:
    total: dict[int, dict[str, int]] = defaultdict(dict)
    for intervals in list(per_queue.values()):
        for idx, counters in intervals.items():
            merge(total[idx], counters)
    per_queue[ALL] = total


def _agent_open_time(agent: LiveAgent, now: float) -> dict[str, int]:
    """Time in the current state, not yet closed into the counters (session time only, as
    the counters count it)."""
    counter = STATE_TIME.get(agent.mark)
    if counter is None or now <= agent.since:
        return {}
    return {counter: int((now - agent.since) * 1000)}


def _now_figures(
    engine: Engine,
    queue: str | None,
    now: float,
    seen_today: frozenset[str],
    interval: Mapping[str, int],
) -> NowFigures:
    """Live figures of a queue (``None``: the center, over agents in any queue).

    Presence (docs/METRICS.md#presence): logged in, the states and occupancy are over
    ``session`` agents only; ``agents_estimated`` counts agents present by call activity
    alone, ``agents_presence_unknown`` agents seen today whose presence nobody knows now.
    The live service level counts the calls waiting longer than T in the current
    ``interval`` as missed.
    """
    calls = [c for c in engine.calls.values() if queue is None or c.queue == queue]
    waiting = [c for c in calls if c.answered is None]
    members = [
        a for a in engine.agents.values() if (queue in a.queues if queue is not None else a.queues)
    ]
    agents = [a for a in members if a.presence == SESSION]
    states: dict[str, int] = defaultdict(int)
    for agent in agents:
        states[agent.state] += 1
    oldest = min((c.enqueued for c in waiting), default=None)
    over_t = sum(1 for c in waiting if now - c.enqueued > engine.config.threshold(c.queue))
    working = len(agents) - states.get(PAUSED, 0)
    busy = states.get(ON_CALL, 0) + states.get(WRAP_UP, 0)
    return {
        "calls_waiting": len(waiting),
        "longest_wait": max(0.0, now - oldest) if oldest is not None else 0.0,
        "connected": len(calls) - len(waiting),
        "waiting_over_t": over_t,
        "agents_logged_in": len(agents),
        "agents": dict(states),
        "occupancy": busy / working if working else None,
        "occupancy_agents": working,
        "agents_estimated": sum(1 for a in members if a.presence == CALLS),
        "agents_presence_unknown": sum(
            1 for a in members if a.presence == UNKNOWN and a.agent in seen_today
        ),
        "service_level": queue_metrics(interval, waiting_over_t=over_t)["service_level"],
    }


def _queue_block(
    engine: Engine,
    queue: str,
    intervals: Mapping[int, dict[str, int]],
    rolling: Mapping[str, dict[int, dict[str, int]]],
    idx: int,
    now: float,
    seen_today: frozenset[str],
) -> QueueBlock:
    today: dict[str, int] = {}
    for counters in intervals.values():
        merge(today, counters)
    current = intervals.get(idx, {})
    live = _now_figures(engine, None if queue == ALL else queue, now, seen_today, current)
    interval = queue_metrics(current)
    if queue == ALL:
        live["lines_in_use"] = (live["calls_waiting"] + live["connected"]) / max(
            1, engine.config.trunk_capacity
        )
    windows = rolling.get(queue, {})
    return {
        "now": live,
        "interval": interval,
        "today": queue_metrics(today),
        "rolling": {f"{span}m": queue_metrics(windows.get(span, {})) for span in ROLLING_MINUTES},
        "intervals": {
            str(i): _chart_point(c)
            for i, c in sorted(intervals.items())
            if c.get("offered") or c.get("answered") or c.get("handled")
        },
        "sl_threshold": engine.config.threshold(queue) if queue != ALL else None,
    }


def _chart_point(c: Mapping[str, int]) -> ChartPoint:
    m = queue_metrics(c)
    return {
        "offered": m["offered"],
        "answered": m["answered"],
        "answered_within_t": m["answered_within_t"],
        "abandoned": m["abandoned"],
        "abandoned_after_t": m["abandoned_after_t"],
        "short_abandoned": m["short_abandoned"],
        "exited": m["exited"],
        "handled": m["handled"],
        "answered_wait_unknown": m["answered_wait_unknown"],
        "service_level": m["service_level"],
        "asa": m["asa"],
        "aht": m["aht"],
    }


def _rolling_windows(mirror: Mirror, minute: int) -> dict[str, dict[int, dict[str, int]]]:
    """Per queue (and ``*``) and span in ``ROLLING_MINUTES``: the counters of the minutes in
    ``(minute - span, minute]``.

    Only the minutes of the longest window are looked at: the mirror holds more (hours of a
    backfill, the event clock ahead of the wall clock), and this runs with every snapshot.
    """
    out: dict[str, dict[int, dict[str, int]]] = {}
    longest = max(ROLLING_MINUTES)
    for (m, queue, counter), value in mirror.minutes.items():
        age = minute - m
        if not 0 <= age < longest:
            continue
        for name in (queue, ALL):
            spans = out.get(name)
            if spans is None:
                spans = out[name] = {span: {} for span in ROLLING_MINUTES}
            for span, window in spans.items():
                if age >= span:
                    continue
                if counter in MAX_COUNTERS:
                    window[counter] = max(window.get(counter, 0), value)
                else:
                    window[counter] = window.get(counter, 0) + value
    return out


def _agents_block(
    engine: Engine, per_agent: Mapping[str, dict[str, int]], now: float, day_start: float
) -> list[AgentRow]:
    """Agents in session or present by estimate now, or active today (a backfill of old days
    must not show agents who left long ago as if they were on the floor)."""
    rows: list[AgentRow] = []
    for name, agent in sorted(engine.agents.items()):
        if not _seen(agent, per_agent, day_start):
            continue
        counters = merge(dict(per_agent.get(name, {})), _agent_open_time(agent, now))
        today = agent_metrics(counters)
        rows.append(
            {
                "agent": name,
                "state": agent.state,
                "presence": agent.presence,
                "since": agent.since,
                "time_in_state": max(0.0, now - agent.since) if agent.state != LOGGED_OFF else None,
                "reason": agent.reason if agent.paused else "",
                "call_id": agent.call_id,
                "queue": agent.call_queue if agent.call_id else "",
                "queues": sorted(agent.queues),
                "today": {
                    "answered": today["answered"],
                    "handled": today["handled"],
                    "aht": today["aht"],
                    "occupancy": today["occupancy"],
                },
            }
        )
    return rows


def _seen(agent: LiveAgent, per_agent: Mapping[str, dict[str, int]], day_start: float) -> bool:
    """Present now, or with a state change, activity or counts today."""
    return (
        agent.presence != UNKNOWN
        or agent.since >= day_start
        or agent.last_activity >= day_start
        or agent.agent in per_agent
    )


def build_snapshot(
    *, engine: Engine, mirror: Mirror, now: float, stats: Mapping[Any, Any], center: str
) -> Snapshot:
    """The snapshot document for ``now`` (wall-clock epoch seconds)."""
    clock = engine.clock
    day, idx, minute = clock.bucket(now)
    per_queue = _by_interval(mirror.queues.get(day, {}))
    for call in engine.calls.values():
        per_queue.setdefault(call.queue, defaultdict(dict))
    for member in engine.agents.values():  # agents in a queue before its first call
        for name in member.queues:
            per_queue.setdefault(name, defaultdict(dict))
    _with_total(per_queue)
    rolling = _rolling_windows(mirror, minute)
    per_agent = mirror.agent_totals.get(day, {})
    day_start = clock.day_start(now)
    agents = _agents_block(engine, per_agent, now, day_start)
    seen_today = frozenset(
        a.agent for a in engine.agents.values() if _seen(a, per_agent, day_start)
    )
    center_agent_counters = dict(mirror.center_intervals.get(day, {}).get(idx, {}))
    queues = {
        q: _queue_block(engine, q, intervals, rolling, idx, now, seen_today)
        for q, intervals in per_queue.items()
        if q
    }
    queues[ALL]["interval"]["occupancy"] = occupancy(center_agent_counters)
    waiting = sorted(
        (c for c in engine.calls.values() if c.answered is None), key=lambda c: c.enqueued
    )
    start, end = clock.interval_bounds(now)
    return {
        "version": SCHEMA_VERSION,
        "center": center,
        "generated_at": now,
        "timezone": engine.config.timezone,
        "day": day,
        "interval_minutes": clock.interval_minutes,
        "interval_index": idx,
        "interval_start": start,
        "interval_end": end,
        "last_event_at": engine.last_event_ts or None,
        "config": {
            "sl_threshold": engine.config.sl_threshold,
            "sl_target": engine.config.sl_target,
            "short_abandon": engine.config.short_abandon,
            "trunk_capacity": engine.config.trunk_capacity,
        },
        "pipeline": {str(k): _int(str(v)) for k, v in stats.items() if k != "last_event_ts"},
        "queues": queues,
        "agents": agents,
        "waiting": [
            {"call_id": c.call_id, "queue": c.queue, "enqueued": c.enqueued, "caller": c.caller}
            for c in waiting[:200]
        ],
        "recent_abandons": list(engine.recent_abandons)[-20:],
    }


def _int(value: str) -> int | float:
    try:
        return int(value)
    except ValueError:
        return float(value)
