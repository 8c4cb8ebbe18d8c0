"""What one applied batch writes to Redis, queued on a MULTI/EXEC pipeline.

Everything a batch changes goes in one transaction together with its acknowledgements: the
counters, the live calls and agents, the ids now seen, the finished calls for SQL, the stats.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collectors.aggregator.counters import Writes
from collectors.aggregator.counting import Changes
from collectors.aggregator.scripts import APPLY_COUNTERS, MARK_SEEN
from collectors.keys import Keys


@dataclass(frozen=True)
class BatchWrite:
    """One batch's effects and bookkeeping (see :func:`queue_batch`)."""

    changes: Changes
    writes: Writes
    entry_ids: Sequence[str]
    fresh_ids: Sequence[str]
    damaged: Sequence[tuple[str, str]]
    duplicates: int
    unknown: int
    last_event_ts: float


@dataclass(frozen=True)
class Retention:
    """How long counters and seen ids are kept, and where today's seen ids go."""

    counter_ttl_s: int
    seen_ttl_s: int
    seen_key: str
    group: str


def line_safe(event_id: str) -> str:
    """Ids travel as lines of one packed argument: a newline inside one would split it."""
    return event_id.replace("\n", " ") if "\n" in event_id else event_id


def queue_batch(pipe: Any, keys: Keys, batch: BatchWrite, retention: Retention) -> None:
    """Queue every write of ``batch`` on the transaction ``pipe``."""
    _counters(pipe, batch.writes, retention.counter_ttl_s)
    _live(pipe, keys, batch.changes)
    if batch.fresh_ids:
        ids = "\n".join(line_safe(i) for i in batch.fresh_ids)
        pipe.eval(MARK_SEEN, 1, retention.seen_key, retention.seen_ttl_s, ids)
    changes = batch.changes
    days = {k[0] for k in changes.qdelta} | {k[0] for k in changes.adelta}
    if days:
        pipe.sadd(keys.days, *days)
    if changes.outbox:
        # One list element per batch: a JSON array of finished-call records.
        pipe.rpush(keys.outbox, json.dumps(changes.outbox, separators=(",", ":")))
    for entry_id, reason in batch.damaged:
        pipe.xadd(keys.dead_letter, {"source": "stream", "location": entry_id, "raw": "",
                                     "reason": f"damaged frame: {reason}"})  # fmt: skip
    counts = (("applied", len(batch.fresh_ids)), ("duplicates", batch.duplicates),
              ("unknown", batch.unknown))  # fmt: skip
    for name, n in counts:
        if n:
            pipe.hincrby(keys.stats, name, n)
    if batch.last_event_ts:
        pipe.hset(keys.stats, "last_event_ts", repr(batch.last_event_ts))
    if batch.entry_ids:
        pipe.xack(keys.events, retention.group, *batch.entry_ids)


def _counters(pipe: Any, writes: Writes, ttl: int) -> None:
    counter_keys: list[str] = []
    modes: list[str] = []
    packed: list[str] = []
    for mode, groups in (("sum", writes.sums), ("max", writes.maxima)):
        for key, fields in groups.items():
            counter_keys.append(key)
            modes.append(mode)
            packed.append("\n".join(f"{f}\t{v}" for f, v in fields.items()))
    if counter_keys:
        pipe.eval(APPLY_COUNTERS, len(counter_keys), *counter_keys, ttl, *modes, *packed)


def _live(pipe: Any, keys: Keys, changes: Changes) -> None:
    ended = [k for k, call in changes.calls.items() if call is None]
    current = {k: c.to_json() for k, c in changes.calls.items() if c is not None}
    if ended:
        pipe.hdel(keys.live_calls, *ended)
    if current:
        pipe.hset(keys.live_calls, mapping=current)
    if changes.agents:
        agents = {name: a.to_json() for name, a in changes.agents.items()}
        pipe.hset(keys.live_agents, mapping=agents)
