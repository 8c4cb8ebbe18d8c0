"""What one applied batch writes to Redis, queued on a MULTI/EXEC pipeline.

Everything a batch changes goes in one transaction together with its acknowledgements: the
counters, the live calls and agents, the ids now seen, the finished calls for SQL, the stats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from collectors.aggregator.counters import Writes
from collectors.aggregator.counting import Changes
from collectors.aggregator.scripts import APPLY_COUNTERS, HMAX_ONE, MARK_SEEN
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
    """How long counters and seen ids are kept, and where today's seen ids go.

    Per-minute counters only feed the rolling windows (the last hour or two), so they are kept
    ``minute_ttl_s``, not the ``counter_ttl_s`` of the daily interval counters.
    """

    counter_ttl_s: int
    seen_ttl_s: int
    seen_key: str
    group: str
    minute_ttl_s: int = 2 * 86_400


def pack_ids(ids: Sequence[str]) -> str:
    """Ids travel as lines of one packed argument: a newline inside one would split it, an
    empty one would vanish (and shift every answer after it)."""
    packed = "\n".join(ids)
    if packed.count("\n") != len(ids) - 1 or "" in ids:  # a broken or hostile source
        packed = "\n".join(i.replace("\n", " ") or " " for i in ids)
    return packed


def queue_batch(pipe: Any, keys: Keys, batch: BatchWrite, retention: Retention) -> None:
    """Queue every write of ``batch`` on the transaction ``pipe``."""
    _counters(pipe, batch.writes, retention)
    _live(pipe, keys, batch.changes)
    if batch.fresh_ids:
        ids = pack_ids(batch.fresh_ids)
        pipe.execute_command("EVAL", MARK_SEEN, 1, retention.seen_key, retention.seen_ttl_s, ids)
    changes = batch.changes
    if batch.writes.days:
        pipe.sadd(keys.days, *sorted(batch.writes.days))
    if changes.outbox:
        # One list element per batch: a JSON array of finished-call records.
        pipe.rpush(keys.outbox, orjson.dumps(changes.outbox))
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


def _counters(pipe: Any, writes: Writes, retention: Retention) -> None:
    # One script call per lifetime: ttl → (keys, modes, packed fields)
    calls: dict[int, tuple[list[str], list[str], list[str]]] = {}
    for mode, groups in (("set", writes.sets), ("sum", writes.sums), ("max", writes.maxima)):
        for key, lines in groups.items():
            ttl = _ttl(key, retention)
            counter_keys, modes, packed = calls.setdefault(ttl, ([], [], []))
            counter_keys.append(key)
            modes.append(mode)
            packed.append("\n".join(lines))
    for ttl, (counter_keys, modes, packed) in calls.items():
        # Not ``pipe.eval``: a cluster pipeline does not offer it (redis-py 8), EVAL does work.
        args = (*counter_keys, ttl, *modes, *packed)
        pipe.execute_command("EVAL", APPLY_COUNTERS, len(counter_keys), *args)
    for key, mode, field_name, value in writes.single:
        if mode == "set":
            pipe.hset(key, field_name, value)
        elif mode == "max":
            pipe.execute_command("EVAL", HMAX_ONE, 1, key, field_name, value)
        else:
            pipe.hincrby(key, field_name, value)
        pipe.expire(key, _ttl(key, retention))


def _ttl(key: str, retention: Retention) -> int:
    minute = key.rsplit(":", 2)[-2] == "mc"
    return retention.minute_ttl_s if minute else retention.counter_ttl_s


def _live(pipe: Any, keys: Keys, changes: Changes) -> None:
    _write_hash(pipe, keys.live_calls, changes.calls)
    if changes.agents:
        agents = {name: a.to_json() for name, a in changes.agents.items()}
        pipe.hset(keys.live_agents, mapping=agents)
    _write_hash(pipe, keys.live_handoffs, changes.handoffs)


def _write_hash(pipe: Any, key: str, changed: Mapping[str, Any]) -> None:
    """Mirror changed records into hash ``key``: ``None`` deletes a field, a record is written
    as its JSON."""
    gone = [k for k, record in changed.items() if record is None]
    current = {k: record.to_json() for k, record in changed.items() if record is not None}
    if gone:
        pipe.hdel(key, *gone)
    if current:
        pipe.hset(key, mapping=current)
