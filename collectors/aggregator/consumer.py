"""The aggregator process: stream → engine → one Redis transaction per batch → snapshot.

Exactly-once, the taskiq-redis way plus one step: the consumer group is created idempotently;
entries are read with ``XREADGROUP`` (block and count); an entry is acknowledged in the same
MULTI/EXEC that writes its effects and records its event ids as seen, so a crash at any point
either leaves the entry pending (re-read, re-applied once) or fully applied (acked). Event ids
seen before are dropped, so replaying a source cannot count twice. Entries left pending by a
dead consumer are taken over with ``XAUTOCLAIM``; applied entries are trimmed with ``MINID``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from collectors.aggregator.committer import Committer
from collectors.aggregator.counters import Mirror, Writes
from collectors.aggregator.engine import AggregatorConfig, Changes, Engine
from collectors.aggregator.scripts import ARE_SEEN
from collectors.aggregator.snapshot import build_snapshot
from collectors.aggregator.state import LiveAgent, LiveCall
from collectors.aggregator.transaction import BatchWrite, Retention, line_safe, queue_batch
from collectors.events import Event, decode_frame
from collectors.keys import Keys

log = logging.getLogger(__name__)

HistorySink = Callable[[Sequence[dict[str, Any]]], None]

Entry = tuple[str, dict[str, str]]


@dataclass
class Batch:
    """Stream entries read together and the events in them not applied before."""

    entries: list[Entry]
    fresh: list[Event]
    duplicates: int
    damaged: list[tuple[str, str]]


@dataclass(frozen=True)
class ConsumerOptions:
    """Tunables of the stream consumer.

    Args:
        group: consumer group name.
        consumer: this consumer's name (unique per process).
        read_count: stream entries (frames of up to ``frame_size`` events) read per batch.
        block_ms: how long ``XREADGROUP`` waits for new entries.
        claim_idle_ms: entries pending this long on another consumer are taken over.
        snapshot_interval_ms: after a change, the snapshot is rewritten within this time (and
            not more often), so screens lag events by about this much.
        heartbeat_ms: while nothing changes the snapshot is still rewritten this often, so
            screens can tell a quiet center from a dead aggregator.
        seen_ttl_days: how long applied event ids are remembered for de-duplication.
        counter_ttl_days: how long daily counters are kept in Redis (history lives in SQL).
        trim_every_s: how often applied entries are trimmed from the stream.
        history_batch: outbox elements (one per applied batch) written to SQL per round.
        lease_ms: lifetime of the single-active-aggregator lease.
        stale_waiting_s: a call waiting longer than this is closed as lost (its end was lost).
        stale_connected_s: a call connected longer than this is closed as lost.
    """

    group: str = "aggregator"
    consumer: str = "aggregator-1"
    read_count: int = 20
    block_ms: int = 200
    claim_idle_ms: int = 30_000
    snapshot_interval_ms: int = 100
    heartbeat_ms: int = 1000
    seen_ttl_days: int = 3
    counter_ttl_days: int = 35
    trim_every_s: float = 5.0
    history_batch: int = 20
    lease_ms: int = 15_000
    stale_waiting_s: float = 4 * 3600
    stale_connected_s: float = 12 * 3600


class Aggregator:
    """Consumes one center's event stream.

    Args:
        client: Redis client with ``decode_responses=True``.
        keys: the center's key names.
        config: counting rules.
        options: consumer tunables.
        history: called with finished-call records to store them durably; must be idempotent
            (it may see a record again after a crash). ``None`` leaves them in the outbox.
        clock: wall clock, replaceable for reports that run on historical data.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        keys: Keys,
        config: AggregatorConfig | None = None,
        options: ConsumerOptions | None = None,
        history: HistorySink | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.keys = keys
        self.config = config or AggregatorConfig()
        self.options = options or ConsumerOptions()
        self.history = history
        self.now = clock
        self.engine = Engine(self.config)
        self.mirror = Mirror(keys)
        self._last_snapshot = 0.0
        self._dirty = False
        self._last_trim = 0.0
        self._claim_cursor = "0-0"
        self._committer = Committer()
        self._recovering = True
        self._prefetched: Batch | None = None

    # -- setup ------------------------------------------------------------------------------

    def ensure_group(self) -> None:
        """Create the consumer group (and the stream) unless it exists."""
        try:
            self.client.xgroup_create(self.keys.events, self.options.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def load(self) -> None:
        """(Re)build in-memory state from Redis: the source of truth after any failure."""
        self.engine = Engine(self.config)
        for raw in self.client.hvals(self.keys.live_calls):
            call = LiveCall.from_json(raw)
            self.engine.calls[call.key] = call
        for raw in self.client.hvals(self.keys.live_agents):
            agent = LiveAgent.from_json(raw)
            self.engine.agents[agent.agent] = agent
        self.engine.rebuild_indexes()
        stats = self.client.hgetall(self.keys.stats)
        self.engine.last_event_ts = float(stats.get("last_event_ts", 0) or 0)
        self.mirror = Mirror(self.keys)
        now = self.engine.last_event_ts or self.now()
        today = self.engine.clock.day_of(now)
        yesterday = self.engine.clock.day_of(now - 86_400)
        self.mirror.ensure_days(self.client, [yesterday, today])
        self.mirror.load_minutes(self.client, int(self.now() // 60))
        try:
            self._committer.wait()
        except redis.RedisError:
            log.info("aggregator: the last transaction failed; state reloaded from Redis")
        self._committer = Committer()
        self._recovering = True
        self._prefetched = None

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, on_batch: Callable[[int], None] | None = None) -> None:
        """Consume until ``stop`` is set; survives Redis and database outages."""
        backoff = 0.5
        ready = False
        while not stop.is_set():
            try:
                if not ready:
                    self.ensure_group()
                    self.load()
                    ready = True
                if not self.hold_lease():
                    stop.wait(1.0)
                    continue
                applied = self.step()
                if on_batch is not None:
                    on_batch(applied)
                self.housekeeping()
                backoff = 0.5
            except redis.RedisError as exc:
                log.warning("aggregator: Redis error (%s); reloading in %.1fs", exc, backoff)
                ready = False
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def hold_lease(self) -> bool:
        """Keep the single-active-aggregator lease; ``False`` while another one holds it."""
        key, me, ttl = self.keys.aggregator_lock, self.options.consumer, self.options.lease_ms
        if self.client.set(key, me, nx=True, px=ttl):
            return True
        if self.client.get(key) == me:
            self.client.pexpire(key, ttl)
            return True
        return False

    def step(self, *, block: bool = True) -> int:
        """Read and apply one batch; returns the number of stream entries it handled.

        The next batch is read before this one's transaction is sent, so that Redis executes
        the transaction while this thread applies the next batch.
        """
        batch, self._prefetched = self._prefetched or self._fetch(block=block), None
        if batch is None:
            self._committer.wait()
            return 0
        self._apply_batch(batch)
        self._dirty = True
        return len(batch.entries)

    def _snapshot_due_in_ms(self) -> float:
        period = self.options.snapshot_interval_ms if self._dirty else self.options.heartbeat_ms
        return self._last_snapshot * 1000 + period - self.now() * 1000

    def drain(self) -> None:
        """Apply everything in the stream now (reports and tests), then flush and snapshot."""
        self.ensure_group()
        self.load()
        while self.step(block=False):
            pass
        self._committer.wait()
        self.flush_history(everything=True)
        self.write_snapshot()

    def housekeeping(self) -> None:
        now = self.now()
        if self._snapshot_due_in_ms() <= 0:
            self.write_snapshot()
        if now - self._last_trim >= self.options.trim_every_s:
            self._last_trim = now
            self.trim()
            self.expire_stale()
        self.flush_history()

    # -- reading ----------------------------------------------------------------------------

    def _read(self, *, block: bool) -> list[Entry]:
        opts = self.options
        # After a (re)start, our own pending entries first: a crash left them unacknowledged.
        # Not later: by then our pending entries are the batch whose commit is in flight.
        if self._recovering:
            self._committer.wait()
            own = self.client.xreadgroup(
                opts.group, opts.consumer, {self.keys.events: "0"}, count=opts.read_count
            )
            entries = _entries(own)
            if entries:
                return entries
            self._recovering = False
        claimed = self.client.xautoclaim(
            self.keys.events,
            opts.group,
            opts.consumer,
            min_idle_time=opts.claim_idle_ms,
            start_id=self._claim_cursor,
            count=opts.read_count,
        )
        self._claim_cursor = claimed[0] or "0-0"
        stale = [(eid, fields) for eid, fields in claimed[1] if fields]
        if stale:
            log.info("aggregator: took over %d stale entries", len(stale))
            return stale
        fresh = self.client.xreadgroup(
            opts.group,
            opts.consumer,
            {self.keys.events: ">"},
            count=opts.read_count,
            block=self._block_ms() if block else None,
        )
        return _entries(fresh)

    def _block_ms(self) -> int:
        """Wait for new entries, but not past the moment the snapshot is due."""
        return max(1, min(self.options.block_ms, int(self._snapshot_due_in_ms())))

    # -- applying ---------------------------------------------------------------------------

    def _fetch(self, *, block: bool, also_seen: frozenset[str] = frozenset()) -> Batch | None:
        """Read entries, decode them and drop events applied before."""
        entries = self._read(block=block)
        if not entries:
            return None
        events: list[Event] = []
        damaged: list[tuple[str, str]] = []
        for entry_id, fields in entries:
            try:
                events.extend(decode_frame(fields.get("e", "")))
            except ValueError as exc:
                damaged.append((entry_id, str(exc)))
        fresh, duplicates = self._unseen(events, also_seen)
        return Batch(entries, fresh, duplicates, damaged)

    def _apply_batch(self, batch: Batch) -> None:
        days = {self.engine.clock.day_of(ev.ts) for ev in batch.fresh}
        self.mirror.ensure_days(self.client, self._recent(days))
        unknown = 0
        for ev in batch.fresh:
            if not self.engine.apply(ev):
                unknown += 1
        changes = self.engine.take_changes()
        writes = self.mirror.apply(changes.qdelta, changes.adelta, changes.mdelta)
        if not self._recovering:
            ids = frozenset(ev.event_id for ev in batch.fresh)
            self._prefetched = self._fetch(block=False, also_seen=ids)
        self._commit(batch, changes, writes, unknown)

    def _recent(self, days: set[str]) -> list[str]:
        held = set(self.mirror.queues)
        newest = sorted(held | days)[-self.mirror.keep_days :]
        return [d for d in days if d in newest]

    def _unseen(
        self, events: list[Event], also_seen: frozenset[str] = frozenset()
    ) -> tuple[list[Event], int]:
        """Drop events whose id was applied before, is in a batch not yet committed
        (``also_seen`` and the transaction in flight), or came earlier in this batch.

        Applied ids are remembered per day of applying, for ``seen_ttl_days`` days: a replay
        within that time is recognised whatever the dates of its events.
        """
        if not events:
            return [], 0
        ids = [line_safe(ev.event_id) for ev in events]
        flags = str(
            self.client.eval(ARE_SEEN, len(self._seen_keys()), *self._seen_keys(), "\n".join(ids))
        )
        pending = self._committer.in_flight_ids | also_seen
        if "1" not in flags and not pending and len(set(ids)) == len(ids):
            return events, 0
        seen = set(pending)
        fresh: list[Event] = []
        for ev, event_id, flag in zip(events, ids, flags, strict=True):
            if flag == "1" or event_id in seen:
                continue
            seen.add(event_id)
            fresh.append(ev)
        return fresh, len(events) - len(fresh)

    def _seen_keys(self) -> list[str]:
        """Seen-id sets of today and the days before it that are still kept, newest first."""
        now = self.now()
        day_of = self.engine.clock.day_of
        return [self.keys.seen(day_of(now - d * 86_400)) for d in range(self.options.seen_ttl_days)]

    def _commit(self, batch: Batch, changes: Changes, writes: Writes, unknown: int) -> None:
        """Send the batch's effects, seen ids and acknowledgements as one transaction."""
        fresh_ids = [ev.event_id for ev in batch.fresh]
        pipe = self.client.pipeline(transaction=True)
        write = BatchWrite(
            changes=changes,
            writes=writes,
            entry_ids=[eid for eid, _ in batch.entries],
            fresh_ids=fresh_ids,
            damaged=batch.damaged,
            duplicates=batch.duplicates,
            unknown=unknown,
            last_event_ts=self.engine.last_event_ts,
        )
        retention = Retention(
            counter_ttl_s=self.options.counter_ttl_days * 86_400,
            seen_ttl_s=self.options.seen_ttl_days * 86_400,
            seen_key=self._seen_keys()[0],
            group=self.options.group,
        )
        queue_batch(pipe, self.keys, write, retention)
        self._committer.submit(pipe, set(fresh_ids), background=not self._recovering)

    # -- outputs ----------------------------------------------------------------------------

    def expire_stale(self) -> int:
        """Close stuck calls through the same transaction path as any batch."""
        closed = self.engine.expire_stale(
            now=self.now(),
            max_waiting=self.options.stale_waiting_s,
            max_connected=self.options.stale_connected_s,
        )
        if closed:
            log.warning("aggregator: closed %d calls stuck in the queue as lost", closed)
            changes = self.engine.take_changes()
            writes = self.mirror.apply(changes.qdelta, changes.adelta, changes.mdelta)
            self._commit(Batch([], [], 0, []), changes, writes, 0)
            self._dirty = True
        return closed

    def write_snapshot(self) -> dict[str, Any]:
        """Build the whole live picture and store it as one document."""
        now = self.now()
        # The snapshot shows only what is durable: wait for the transaction in flight.
        self._committer.wait()
        self.mirror.prune_minutes(int(now // 60))
        stats = self.client.hgetall(self.keys.stats)
        doc = build_snapshot(
            engine=self.engine, mirror=self.mirror, now=now, stats=stats, center=self.keys.center
        )
        self.client.set(self.keys.snapshot, json.dumps(doc, separators=(",", ":")))
        self._last_snapshot = now
        self._dirty = False
        return doc

    def flush_history(self, *, everything: bool = False) -> int:
        """Write finished calls from the outbox to SQL; on failure they stay for next time."""
        if self.history is None:
            return 0
        written = 0
        while True:
            raw = self.client.lrange(self.keys.outbox, 0, self.options.history_batch - 1)
            if not raw:
                return written
            records = [record for element in raw for record in json.loads(element)]
            try:
                self.history(records)
            except Exception:  # noqa: BLE001 - any database failure: keep the records, retry later
                log.exception("aggregator: history write failed; %d records kept", len(records))
                return written
            self.client.ltrim(self.keys.outbox, len(raw), -1)
            written += len(records)
            if not everything:
                return written

    def trim(self) -> None:
        """Drop stream entries that every consumer has acknowledged."""
        summary = self.client.xpending(self.keys.events, self.options.group)
        if summary and summary.get("pending"):
            floor = summary["min"]
        else:
            groups = self.client.xinfo_groups(self.keys.events)
            mine = [g for g in groups if g["name"] == self.options.group]
            if not mine:
                return
            floor = mine[0]["last-delivered-id"]
        self.client.xtrim(self.keys.events, minid=floor, approximate=True)


def _entries(reply: Any) -> list[Entry]:
    """Flatten an XREADGROUP reply; entries whose payload was trimmed come back empty."""
    out: list[Entry] = []
    for _stream, items in reply or []:
        out.extend((eid, fields) for eid, fields in items if fields)
    return out
