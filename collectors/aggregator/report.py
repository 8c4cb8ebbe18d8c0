"""Interval reports from the counters in Redis: per queue and for all queues (``*``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from collectors.aggregator.clock import Clock
from collectors.aggregator.counters import DayCounters, decode_fields
from collectors.aggregator.metrics import STATE_TIME, merge, occupancy, queue_metrics
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient

ALL = "*"
INTERVALS = {"15m": 15, "30m": 30, "1h": 60, "day": 24 * 60}
STATE_TIME_COUNTERS = frozenset(STATE_TIME.values())


def read_days(client: RedisClient, keys: Keys) -> dict[str, tuple[DayCounters, DayCounters]]:
    """Every day with counters: ``day → (queue counters, agent counters)``."""
    days = sorted(str(d) for d in client.smembers(keys.days))
    return {
        day: (
            decode_fields(client.hgetall(keys.queue_counters(day))),
            decode_fields(client.hgetall(keys.agent_counters(day))),
        )
        for day in days
    }


def interval_records(
    days: Mapping[str, tuple[DayCounters, DayCounters]],
    *,
    clock: Clock,
    interval: str = "15m",
    queue: str | None = None,
) -> list[dict[str, Any]]:
    """One record per queue (and ``*``) per reporting interval that saw any call.

    Args:
        days: counters as returned by :func:`read_days`.
        clock: the center's clock (time zone, base interval).
        interval: ``15m``, ``30m``, ``1h`` or ``day``; must be a multiple of the base interval.
        queue: only this queue (and still ``*`` = all queues in the data).
    """
    minutes = INTERVALS.get(interval)
    if minutes is None or minutes % clock.interval_minutes:
        raise ValueError(
            f"interval must be one of {', '.join(INTERVALS)} and a multiple of "
            f"{clock.interval_minutes} minutes, not {interval!r}"
        )
    group = minutes // clock.interval_minutes
    records: list[dict[str, Any]] = []
    for day, (qc, ac) in sorted(days.items()):
        per: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
        for (name, idx, counter), value in qc.items():
            if queue is not None and name != queue:
                continue
            merge(per[(idx // group, name)], {counter: value})
            merge(per[(idx // group, ALL)], {counter: value})
        agents: dict[int, dict[str, int]] = defaultdict(dict)
        timed: dict[int, set[str]] = defaultdict(set)  # agents with session time
        seen: dict[int, set[str]] = defaultdict(set)  # agents with any count
        for (agent, idx, counter), value in ac.items():
            merge(agents[idx // group], {counter: value})
            seen[idx // group].add(agent)
            if counter in STATE_TIME_COUNTERS:
                timed[idx // group].add(agent)
        for (slot, name), counters in sorted(
            per.items(), key=lambda kv: (kv[0][0], kv[0][1] != ALL, kv[0][1])
        ):
            record: dict[str, Any] = {
                "queue": name,
                "interval_start": clock.interval_start(day, slot * group).isoformat(),
                "interval": interval,
            }
            record.update(queue_metrics(counters))
            record["occupancy"] = occupancy(agents.get(slot, {})) if name == ALL else None
            if name == ALL:
                # Over how many agents, and how many had calls but no session data
                # (docs/METRICS.md#presence).
                record["occupancy_agents"] = len(timed.get(slot, ()))
                record["agents_without_session"] = len(seen.get(slot, set()) - timed[slot])
            records.append(record)
    return records
