"""Figures for a tile's queues: one queue, a group of queues, or the whole center (``*``).

Single queues and the center are read straight from the snapshot. A group is built from its
queues: counts add up, the longest wait is the maximum, rates are recomputed from the summed
raw counters with the aggregator's own formulas (never averaged), and agents are counted once
even when they serve several queues of the group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from collectors.aggregator.metrics import merge, queue_metrics
from collectors.aggregator.snapshot_schema import (
    AgentRow,
    Figures,
    NowFigures,
    QueueBlock,
    Snapshot,
)
from dashboard.boards.metrics import AGENT_STATE_METRICS, NOW, PERIODS

ALL = "*"
_ROLLING = ("15m", "30m", "60m")
#: Presence counts of the "now" block (agents no source has stated present; older snapshots
#: lack them: 0).
PRESENCE_COUNTS = ("agents_estimated", "agents_presence_unknown")
#: A queue the snapshot does not know yet (no traffic, no members): every figure reads as 0.
_NO_BLOCK = cast(QueueBlock, {})


def _period_block(block: QueueBlock, window: str) -> Figures:
    # A block may lack a window (a document written by hand, as the tests do): no figures.
    if window in _ROLLING:
        return block.get("rolling", {}).get(window, {})
    if window == "interval":
        return block.get("interval", {})
    return block.get("today", {})


def _now_values(now: NowFigures) -> dict[str, Any]:
    out: dict[str, Any] = {
        "calls_waiting": now.get("calls_waiting"),
        "longest_wait": now.get("longest_wait"),
        "connected": now.get("connected"),
        "occupancy": now.get("occupancy"),
        "waiting_over_t": now.get("waiting_over_t"),
        "agents_logged_in": now.get("agents_logged_in"),
        "agents_estimated": now.get("agents_estimated", 0),
        "agents_presence_unknown": now.get("agents_presence_unknown", 0),
        "occupancy_agents": now.get("occupancy_agents"),
        "service_level": now.get("service_level"),
        "lines_in_use": now.get("lines_in_use"),
    }
    states = now.get("agents", {})
    for metric, state in AGENT_STATE_METRICS.items():
        out[metric] = states.get(state, 0)
    return out


def _raw(block: Figures) -> dict[str, int]:
    # Period blocks carry their raw counters next to the derived figures (ints only).
    return {k: v for k, v in block.items() if isinstance(v, int) and not isinstance(v, bool)}


def _group_agents(
    agents: Sequence[AgentRow], group: set[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """State counts of the group's agents whose presence a source stated (logged in), and
    presence counts of the others (``calls``: estimated from call activity, ``unknown``)."""
    counts: dict[str, int] = {}
    presence: dict[str, int] = {}
    for agent in agents:
        if agent["state"] == "logged_off" or not group & set(agent["queues"]):
            continue
        how = agent.get("presence", "session")  # older snapshots: all stated
        if how != "session":
            presence[how] = presence.get(how, 0) + 1
            continue
        counts[agent["state"]] = counts.get(agent["state"], 0) + 1
    return counts, presence


def _group_now(
    blocks: Sequence[QueueBlock], agents: Sequence[AgentRow], queues: Sequence[str]
) -> dict[str, Any]:
    nows = [b.get("now", {}) for b in blocks]
    out: dict[str, Any] = {
        "calls_waiting": sum(n.get("calls_waiting", 0) for n in nows),
        "connected": sum(n.get("connected", 0) for n in nows),
        "waiting_over_t": sum(n.get("waiting_over_t", 0) for n in nows),
    }
    out["longest_wait"] = max((n.get("longest_wait", 0) for n in nows), default=0.0)
    states, presence = _group_agents(agents, set(queues))
    logged_in = sum(states.values())
    out["agents_logged_in"] = logged_in
    for metric, state in AGENT_STATE_METRICS.items():
        out[metric] = states.get(state, 0)
    # Occupancy over the agents a source stated present only (docs/METRICS.md).
    working = logged_in - states.get("paused", 0)
    busy = states.get("on_call", 0) + states.get("wrap_up", 0)
    out["occupancy"] = busy / working if working else None
    out["occupancy_agents"] = working
    out["agents_estimated"] = presence.get("calls", 0)
    out["agents_presence_unknown"] = presence.get("unknown", 0)
    interval: dict[str, int] = {}
    for block in blocks:
        merge(interval, _raw(block.get("interval", {})))
    out["service_level"] = queue_metrics(interval, waiting_over_t=out["waiting_over_t"])[
        "service_level"
    ]
    out["lines_in_use"] = None
    return out


def _group_period(blocks: Sequence[QueueBlock], window: str) -> dict[str, Any]:
    raw: dict[str, int] = {}
    for block in blocks:
        merge(raw, _raw(_period_block(block, window)))
    return queue_metrics(raw)


def figures(snapshot: Snapshot | None, queues: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    """``window → metric → value`` for the given queues (``None`` or ``["*"]``: the center).

    Args:
        snapshot: the aggregator's snapshot document (``None``: none yet, all zeros).
        queues: queue names; a queue without traffic yet counts as all zeros.
    """
    names = list(queues) if queues else [ALL]
    all_queues = snapshot.get("queues", {}) if snapshot else {}
    if len(names) == 1:
        block = all_queues.get(names[0]) or _NO_BLOCK
        out: dict[str, dict[str, Any]] = {NOW: _now_values(block.get("now", {}))}
        for window in PERIODS:
            period = dict(_period_block(block, window))
            out[window] = period or queue_metrics({})
        return out
    blocks = [all_queues.get(q) or _NO_BLOCK for q in names]
    agents = snapshot.get("agents", []) if snapshot else []
    out = {NOW: _group_now(blocks, agents, names)}
    for window in PERIODS:
        out[window] = _group_period(blocks, window)
    return out


def value(figs: Mapping[str, Mapping[str, Any]], metric: str, window: str) -> Any:
    """One figure, or ``None`` when the snapshot does not have it."""
    return (figs.get(window) or {}).get(metric)


def queue_names(snapshot: Snapshot | None) -> list[str]:
    """The queues the snapshot knows, center total excluded, sorted."""
    return sorted(q for q in (snapshot.get("queues", {}) if snapshot else {}) if q != ALL)


def not_available(figs: Mapping[str, Mapping[str, Any]], metric: str, window: str) -> bool:
    """Whether the figure is missing because the source cannot know it (a CDR without the
    queue wait), not because nothing happened (see ``collectors.aggregator.metrics``)."""
    return metric in ((figs.get(window) or {}).get("not_available") or ())
