"""Tunables of the aggregator's stream consumer."""

from __future__ import annotations

from dataclasses import dataclass


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
        backlog_snapshot_ms: while the stream holds a backlog (the last read was full: a
            catch-up after an outage, a backfill), the snapshot is rewritten only this often.
            Each rewrite waits for the transaction in flight, so that it shows only what is
            durable: every 100 ms that cost a catching-up aggregator about a fifth of its speed.
        seen_ttl_days: how long applied event ids are remembered for de-duplication.
        counter_ttl_days: how long daily counters are kept in Redis (history lives in SQL).
        minute_ttl_hours: how long per-minute counters (the rolling windows' input) are kept.
        trim_every_s: how often applied entries are trimmed from the stream.
        history_batch: outbox elements (one per applied batch) written to SQL per round.
        history_retry_s: after a failed history write (the database is down), wait this long
            before the next attempt; the calls wait in the outbox meanwhile.
        lease_ms: lifetime of the single-active-aggregator lease (renewed every third of it).
        merger_lease_ms: lifetime of the lease of the worker that merges a partitioned
            center's snapshot; a standby takes the merging over this long after it stops.
        stale_waiting_s: a call waiting longer than this is closed as lost (its end was lost).
        stale_connected_s: a call connected longer than this is closed as lost.
    """

    group: str = "aggregator"
    consumer: str = "aggregator-1"
    read_count: int = 10
    block_ms: int = 200
    claim_idle_ms: int = 30_000
    snapshot_interval_ms: int = 100
    heartbeat_ms: int = 1000
    backlog_snapshot_ms: int = 1000
    seen_ttl_days: int = 3
    counter_ttl_days: int = 35
    minute_ttl_hours: float = 48
    trim_every_s: float = 5.0
    history_batch: int = 20
    history_retry_s: float = 2.0
    lease_ms: int = 15_000
    merger_lease_ms: int = 3_000
    stale_waiting_s: float = 4 * 3600
    stale_connected_s: float = 12 * 3600
