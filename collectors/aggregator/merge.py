"""A partitioned center's snapshot: each partition writes its part, one worker merges them.

Each partition's aggregator writes, instead of a snapshot, its *part* (``Keys.partial``): its own
live calls and agents and today's raw counters, as of one moment. The worker holding the
center's merger lease reads every part (one ``GET`` per partition), sums the counters, unites
the live state and builds the ordinary snapshot from them with the same code as a single
aggregator (:func:`build_snapshot`), then stores it under the center's snapshot key: screens
still read one key with one ``GET``.

The merged snapshot is as old as its oldest part (``generated_at``), so a partition whose
worker stopped makes the screens show stale data instead of hiding it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from collectors.aggregator.counters import DayCounters, Mirror, merge_into
from collectors.aggregator.counting import AggregatorConfig
from collectors.aggregator.engine import Engine
from collectors.aggregator.metrics import MAX_COUNTERS, merge
from collectors.aggregator.report import read_days
from collectors.aggregator.snapshot import ROLLING_MINUTES, build_snapshot
from collectors.aggregator.snapshot_schema import Snapshot
from collectors.aggregator.state import LiveAgent, LiveCall
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient

PART_VERSION = 1


def partial_document(
    *, engine: Engine, mirror: Mirror, now: float, stats: Mapping[Any, Any], index: int
) -> dict[str, Any]:
    """One partition's part of the live picture at ``now`` (``engine`` holds only what the
    partition owns)."""
    day, _idx, minute = engine.clock.bucket(now)
    queues: dict[str, dict[str, dict[str, int]]] = {}
    for (name, i, counter), value in mirror.queues.get(day, {}).items():
        queues.setdefault(name, {}).setdefault(str(i), {})[counter] = value
    first = minute - max(ROLLING_MINUTES)
    minutes: dict[str, dict[str, dict[str, int]]] = {}
    for (m, queue, counter), value in mirror.minutes.items():
        if m > first:
            minutes.setdefault(queue, {}).setdefault(str(m), {})[counter] = value
    return {
        "version": PART_VERSION,
        "partition": index,
        "generated_at": now,
        "day": day,
        "last_event_ts": engine.last_event_ts,
        "calls": [call.to_json() for call in engine.calls.values()],
        "agents": [agent.to_json() for agent in engine.agents.values()],
        "queues": queues,
        "minutes": minutes,
        "agent_totals": mirror.agent_totals.get(day, {}),
        "center_intervals": {str(i): c for i, c in mirror.center_intervals.get(day, {}).items()},
        "stats": {str(k): str(v) for k, v in stats.items()},
        "recent_abandons": list(engine.recent_abandons)[-20:],
    }


def merge_parts(
    parts: Sequence[Mapping[str, Any]], *, config: AggregatorConfig, keys: Keys
) -> tuple[Engine, Mirror, dict[str, float]]:
    """The center's engine (live state), counters and pipeline stats, united from ``parts``."""
    engine = Engine(config)
    mirror = Mirror(keys)
    stats: dict[str, float] = {}
    abandons: list[dict[str, Any]] = []
    for part in parts:
        for raw in part["calls"]:
            call = LiveCall.from_json(raw)
            engine.calls[call.key] = call
        for raw in part["agents"]:
            agent = LiveAgent.from_json(raw)
            engine.agents[agent.agent] = agent
        engine.last_event_ts = max(engine.last_event_ts, float(part["last_event_ts"]))
        _merge_counters(mirror, part)
        add_stats(stats, part["stats"])
        abandons.extend(part["recent_abandons"])
    engine.recent_abandons.extend(sorted(abandons, key=lambda a: float(a["ts"])))
    return engine, mirror, stats


def _merge_counters(mirror: Mirror, part: Mapping[str, Any]) -> None:
    day = str(part["day"])
    queues = mirror.queues.setdefault(day, {})
    for name, intervals in part["queues"].items():
        for i, counters in intervals.items():
            for counter, value in counters.items():
                merge_into(queues, (name, int(i), counter), int(value))
    for queue, per_minute in part["minutes"].items():
        for m, counters in per_minute.items():
            for counter, value in counters.items():
                key = (int(m), queue, counter)
                old = mirror.minutes.get(key, 0)
                mirror.minutes[key] = (
                    max(old, int(value)) if counter in MAX_COUNTERS else old + int(value)
                )
    totals = mirror.agent_totals.setdefault(day, {})
    for agent, counters in part["agent_totals"].items():
        merge(totals.setdefault(agent, {}), counters)
    intervals_of_day = mirror.center_intervals.setdefault(day, {})
    for i, counters in part["center_intervals"].items():
        merge(intervals_of_day.setdefault(int(i), {}), counters)


def add_stats(total: dict[str, float], stats: Mapping[Any, Any]) -> None:
    """Sum pipeline stats; ``last_event_ts`` is the newest of them."""
    for name, raw in stats.items():
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        key = str(name)
        if key == "last_event_ts":
            total[key] = max(total.get(key, 0.0), value)
        else:
            total[key] = total.get(key, 0.0) + value


def write_merged_snapshot(
    client: RedisClient, *, center: Keys, config: AggregatorConfig, now: float
) -> Snapshot | None:
    """Merge the partitions' parts into the center's snapshot; ``None`` when no part exists."""
    raws = [client.get(k.partial) for k in center.all_partitions()]
    parts = [json.loads(raw) for raw in raws if raw]
    if not parts:
        return None
    engine, mirror, stats = merge_parts(parts, config=config, keys=center)
    add_stats(stats, client.hgetall(center.stats))
    shown = {k: (int(v) if v == int(v) else v) for k, v in stats.items()}
    doc = build_snapshot(engine=engine, mirror=mirror, now=now, stats=shown, center=center.center)
    oldest = min((float(p["generated_at"]) for p in parts), default=math.inf)
    doc["generated_at"] = min(now, oldest)
    doc["partitions"] = {
        "count": center.partitions,
        "reporting": len(parts),
        "oldest_part_at": oldest,
    }
    client.set(center.snapshot, json.dumps(doc, separators=(",", ":")))
    return doc


def read_center_days(
    client: RedisClient, center: Keys
) -> dict[str, tuple[DayCounters, DayCounters]]:
    """Every day's queue and agent counters of the center, summed over its partitions (and
    its own keys, which hold the days counted before it was partitioned)."""
    out: dict[str, tuple[DayCounters, DayCounters]] = {}
    own = [Keys(prefix=center.prefix, center=center.center)] if center.partitions > 1 else []
    for keys in [*own, *center.all_partitions()]:
        for day, (queues, agents) in read_days(client, keys).items():
            total_q, total_a = out.setdefault(day, ({}, {}))
            for key, value in queues.items():
                merge_into(total_q, key, value)
            for key, value in agents.items():
                merge_into(total_a, key, value)
    return out
