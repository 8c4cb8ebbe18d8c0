"""The aggregator process: stream → engine → one Redis transaction per batch → snapshot.

Exactly-once, the taskiq-redis way plus one step: the consumer group is created idempotently;
entries are read with ``XREADGROUP`` (block and count); an entry is acknowledged in the same
MULTI/EXEC that writes its effects and records its event ids as seen, so a crash at any point
either leaves the entry pending (re-read, re-applied once) or fully applied (acked). Event ids
seen before are dropped, so replaying a source cannot count twice. Entries left pending by a
dead consumer are taken over with ``XAUTOCLAIM``; applied entries are trimmed with ``MINID``.

One worker is active per stream (a lease, which fences its transactions: ``lease.py``). A
partitioned center runs one such worker per partition (``partition.py``), and the worker holding
the merger lease folds the partitions' parts into the center's snapshot (``merge.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import redis

from collectors.aggregator.batch import EVENT_ID, Batch, Entry, entries_of
from collectors.aggregator.committer import Committer
from collectors.aggregator.counters import Mirror, Writes
from collectors.aggregator.engine import AggregatorConfig, Changes, Engine
from collectors.aggregator.lease import Lease
from collectors.aggregator.options import ConsumerOptions
from collectors.aggregator.outputs import (
    HistoryFlusher,
    HistorySink,
    SnapshotWriter,
    trim_applied,
)
from collectors.aggregator.partition import Partition, PartitionEngine
from collectors.aggregator.seen import SeenCheck, drop_seen
from collectors.aggregator.state import Handoff, LiveAgent, LiveCall
from collectors.aggregator.transaction import BatchWrite, Retention, queue_batch
from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient, without_retries
from collectors.pipeline.outage import OutageTracker

log = logging.getLogger(__name__)

__all__ = ["Aggregator", "Batch", "ConsumerOptions", "HistorySink"]


class Aggregator:
    """Consumes one center's event stream.

    It owns the parts that write its outputs (``outputs.py``): a :class:`SnapshotWriter`
    (``snapshots``) and, given a ``history`` sink, a :class:`HistoryFlusher` (``history``).

    Args:
        client: Redis client (or cluster client) with ``decode_responses=True``. The aggregator
            uses its own connections to the same server(s), without automatic retries: a
            transaction retried blindly after a lost reply would count a batch twice.
        keys: the key names of the stream it consumes: the center's, or with ``partition``
            that partition's (``partition.keys``).
        config: counting rules.
        options: consumer tunables.
        history: called with finished-call records to store them durably; must be idempotent
            (it may see a record again after a crash). ``None`` leaves them in the outbox.
        clock: wall clock, replaceable for reports that run on historical data.
        partition: which partition of a partitioned center this worker runs; ``None`` for a
            center with one stream.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        keys: Keys,
        config: AggregatorConfig | None = None,
        options: ConsumerOptions | None = None,
        history: HistorySink | None = None,
        clock: Callable[[], float] = time.time,
        partition: Partition | None = None,
    ) -> None:
        self.client = without_retries(client)
        self.keys = keys
        self.config = config or AggregatorConfig()
        self.options = options or ConsumerOptions()
        self.now = clock
        self.partition = partition
        self.engine = self._new_engine()
        opts = self.options
        self.lease = Lease(
            self.client, key=keys.aggregator_lock, owner=opts.consumer, ttl_ms=opts.lease_ms
        )
        self.merger: Lease | None = None
        if partition is not None:
            if partition.keys != keys:
                raise ValueError(f"partition {partition.index} has other keys than {keys}")
            self.merger = Lease(
                self.client,
                key=partition.center.merger_lock,
                owner=opts.consumer,
                ttl_ms=opts.merger_lease_ms,
            )
        self.snapshots = SnapshotWriter(
            self.client, keys=keys, config=self.config, partition=partition, merger=self.merger
        )
        self.history: HistoryFlusher | None = None
        if history is not None:
            self.history = HistoryFlusher(
                self.client,
                keys=keys,
                sink=history,
                batch=opts.history_batch,
                retry_s=opts.history_retry_s,
                clock=clock,
            )
        self.mirror = Mirror(keys)
        self._last_snapshot = 0.0
        self._dirty = False
        self._backlog = False  # the last read was full: the stream holds more
        self._last_trim = 0.0
        self._claim_cursor = "0-0"
        self._committer = Committer()
        self._recovering = True
        self._prefetched: Batch | None = None

    def _new_engine(self) -> Engine:
        if self.partition is None:
            return Engine(self.config)
        return PartitionEngine(self.config, index=self.partition.index, count=self.partition.count)

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
        self.engine = self._new_engine()
        for raw in self.client.hvals(self.keys.live_calls):
            call = LiveCall.from_json(raw)
            self.engine.calls[call.key] = call
        for raw in self.client.hvals(self.keys.live_agents):
            agent = LiveAgent.from_json(raw)
            self.engine.agents[agent.agent] = agent
        for raw in self.client.hvals(self.keys.live_handoffs):
            handoff = Handoff.from_json(raw)
            self.engine.handoffs[handoff.call_id] = handoff
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
        if self._prefetched is not None and self._prefetched.seen is not None:
            self._prefetched.seen.cancel()
        self._prefetched = None

    # -- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, on_batch: Callable[[int], None] | None = None) -> None:
        """Consume until ``stop`` is set; survives Redis and database outages.

        State is (re)loaded from Redis after the lease is taken: a standby must not apply
        events on the picture it had before another worker changed it.
        """
        # One log line when Redis goes away and one when it is back, whatever the length of
        # the outage; the delay doubles up to a few seconds, so the boards are live again soon
        # after Redis is.
        outage = OutageTracker("aggregator: Redis", log)
        ready = False
        while not stop.is_set():
            try:
                if not self.hold_lease():
                    ready = False
                    stop.wait(1.0)
                    continue
                if not ready:
                    self.ensure_group()
                    self.load()
                    ready = True
                applied = self.step()
                if on_batch is not None:
                    on_batch(applied)
                self.housekeeping()
                outage.recovered()
            except redis.RedisError as exc:
                ready = False  # reload the state from Redis once it answers again
                stop.wait(outage.failed(exc))
        self._stop_cleanly()

    def _stop_cleanly(self) -> None:
        """Finish the work in hand and hand the leases over to a standby at once."""
        try:
            self._committer.wait()
            batch, self._prefetched = self._prefetched, None
            if batch is not None and self.lease.held:
                # Read ahead, so pending on this consumer: a standby could only claim it later.
                self._recovering = True  # commit it now, read nothing more
                self._apply_batch(batch)
                self._committer.wait()
            for lease in (self.lease, self.merger):
                if lease is not None:
                    lease.release()
        except redis.RedisError as exc:
            log.warning("aggregator: stopping without releasing the lease (%s)", exc)

    def hold_lease(self) -> bool:
        """Keep the single-active-aggregator lease; ``False`` while another one holds it.

        While it is held, every batch transaction is fenced by it (see ``lease.py``).
        """
        return self.lease.hold(before_renew=self._committer.wait)

    def step(self, *, block: bool = True) -> int:
        """Read and apply one batch; returns the number of stream entries it handled.

        The next batch is read before this one's transaction is sent, so that Redis executes
        the transaction while this thread applies the next batch.
        """
        batch, self._prefetched = self._prefetched or self._fetch(block=block), None
        if batch is None:
            self._committer.wait()
            self._backlog = False
            return 0
        self._apply_batch(batch)
        self._dirty = True
        self._backlog = len(batch.entries) >= self.options.read_count
        return len(batch.entries)

    def _snapshot_due_in_ms(self) -> float:
        # The merger refreshes the center's snapshot at the fast pace even when its own
        # partition is quiet: the other partitions may not be.
        fast = self._dirty or (self.merger is not None and self.merger.held)
        period = self.options.snapshot_interval_ms if fast else self.options.heartbeat_ms
        if self._backlog:
            # Catching up: each snapshot waits for the transaction in flight (see options).
            period = max(period, self.options.backlog_snapshot_ms)
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
            entries = entries_of(own)
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
        return entries_of(fresh)

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
        ids = list(map(EVENT_ID, events))
        check = SeenCheck(
            self.client,
            seen_keys=self._seen_keys(),
            ids=ids,
            pending=self._committer.in_flight_ids | also_seen,
        )
        return Batch(entries, events, 0, damaged, ids, check)

    def _drop_seen(self, batch: Batch) -> None:
        """Settle which of the batch's events were applied before (see ``seen.py``)."""
        if batch.seen is None:
            return
        check, batch.seen = batch.seen, None
        batch.fresh, batch.duplicates = drop_seen(
            batch.fresh, batch.fresh_ids, check.flags(), check.pending
        )
        if batch.duplicates:
            batch.fresh_ids = list(map(EVENT_ID, batch.fresh))

    def _apply_batch(self, batch: Batch) -> None:
        self._drop_seen(batch)
        self.mirror.ensure_days(self.client, self._recent(self.engine.days_of(batch.fresh)))
        unknown = self.engine.apply_all(batch.fresh)
        changes = self.engine.take_changes()
        writes = self._mirror_apply(changes)
        if not self._recovering:
            ids = frozenset(batch.fresh_ids)
            self._prefetched = self._fetch(block=False, also_seen=ids)
        self._commit(batch, changes, writes, unknown)

    def _mirror_apply(self, changes: Changes) -> Writes:
        hours = self.mirror.hours_to_load(changes.mdelta)
        if hours:
            # Read what is in Redis only once the transaction in flight is in it.
            self._committer.wait()
            self.mirror.ensure_hours(self.client, hours)
        writes = self.mirror.apply(changes.qdelta, changes.adelta, changes.mdelta)
        self.prune_minutes()
        return writes

    def _recent(self, days: set[str]) -> list[str]:
        held = set(self.mirror.queues)
        newest = sorted(held | days)[-self.mirror.keep_days :]
        return [d for d in days if d in newest]

    def _seen_keys(self) -> list[str]:
        """Seen-id sets of today and the days before it that are still kept, newest first."""
        now = self.now()
        day_of = self.engine.clock.day_of
        return [self.keys.seen(day_of(now - d * 86_400)) for d in range(self.options.seen_ttl_days)]

    def _commit(self, batch: Batch, changes: Changes, writes: Writes, unknown: int) -> None:
        """Send the batch's effects, seen ids and acknowledgements as one transaction."""
        fresh_ids = batch.fresh_ids
        pipe = self.client.pipeline(transaction=True)
        self.lease.fence(pipe)
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
            minute_ttl_s=int(self.options.minute_ttl_hours * 3600),
        )
        queue_batch(pipe, self.keys, write, retention)
        self._committer.submit(pipe, set(fresh_ids), background=not self._recovering)

    # -- outputs ----------------------------------------------------------------------------

    def write_snapshot(self) -> Mapping[str, Any]:
        """Build the whole live picture and store it as one document (a partition stores its
        part, and merges the center's snapshot when it holds the merger lease)."""
        now = self.now()
        # The snapshot shows only what is durable: wait for the transaction in flight.
        self._committer.wait()
        self.prune_minutes()
        doc = self.snapshots.write(engine=self.engine, mirror=self.mirror, now=now)
        self._last_snapshot = now
        self._dirty = False
        return doc

    def flush_history(self, *, everything: bool = False) -> int:
        """Write finished calls from the outbox to SQL (see :class:`HistoryFlusher`); ``0``
        without a history sink, the records then stay in the outbox."""
        if self.history is None:
            return 0
        return self.history.flush(everything=everything)

    def trim(self) -> None:
        """Drop stream entries that every consumer has acknowledged."""
        trim_applied(self.client, self.keys, group=self.options.group)

    def prune_minutes(self) -> None:
        """Keep the mirror's per-minute counters to what the rolling windows and the next
        writes need (see ``Mirror.prune_minutes``)."""
        now = self.now()
        newest = self.engine.last_event_ts or now
        self.mirror.prune_minutes(newest_minute=int(newest // 60), now_minute=int(now // 60))

    def tick_presence(self) -> None:
        """Roster shifts start and end, and call-activity estimates lapse, when no event
        comes (a quiet night): reckoned at the wall clock while the aggregator is live, not
        while it catches up on older events (their own minutes reckon it as they come)."""
        now = self.now()
        if not self._backlog and now >= self.engine.last_event_ts:
            self.engine.tick_presence(now, live=True)

    def expire_stale(self) -> int:
        """Close stuck calls through the same transaction path as any batch."""
        closed = self.engine.expire_stale(
            now=self.now(),
            max_waiting=self.options.stale_waiting_s,
            max_connected=self.options.stale_connected_s,
        )
        if closed:
            log.warning("aggregator: closed %d calls stuck in the queue as lost", closed)
        self.tick_presence()
        engine = self.engine
        # Or hand-offs too old to pair forgotten, or presence changed by the clock alone.
        if closed or engine.dirty_handoffs or engine.dirty_agents:
            changes = self.engine.take_changes()
            writes = self._mirror_apply(changes)
            self._commit(Batch([], [], 0, []), changes, writes, 0)
            self._dirty = True
        return closed
