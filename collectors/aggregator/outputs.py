"""What the aggregator writes besides its batch transactions, as parts it owns: the snapshot
(:class:`SnapshotWriter`), the SQL call history from the outbox (:class:`HistoryFlusher`),
and the trimming of applied stream entries (:func:`trim_applied`).

Each part is given what it writes with and keeps only its own state; the aggregator decides when
each runs (its loop's pacing) and hands the snapshot writer the engine and mirror of the moment,
since a reload from Redis replaces both."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from collectors.aggregator.counters import Mirror
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.lease import Lease
from collectors.aggregator.merge import partial_document, write_merged_snapshot
from collectors.aggregator.partition import Partition, PartitionEngine
from collectors.aggregator.scripts import TRIM_OUTBOX
from collectors.aggregator.snapshot import build_snapshot
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient

# The aggregator's log: these parts are the aggregator's, and operators grep for its name.
log = logging.getLogger("collectors.aggregator.consumer")

HistorySink = Callable[[Sequence[dict[str, Any]]], None]


class SnapshotWriter:
    """Stores the live picture as one document: the center's snapshot, or a partition's part
    (and the center's merged snapshot while that partition's worker holds the merger lease).

    Args:
        client: Redis client with ``decode_responses=True``.
        keys: the keys the aggregator consumes (the center's, or its partition's).
        config: counting rules (the merged snapshot is built with them).
        partition: the partition the aggregator runs; ``None`` for a center with one stream.
        merger: the center's merger lease, held by at most one partition's worker.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        keys: Keys,
        config: AggregatorConfig,
        partition: Partition | None = None,
        merger: Lease | None = None,
    ) -> None:
        self.client = client
        self.keys = keys
        self.config = config
        self.partition = partition
        self.merger = merger

    def write(self, *, engine: Engine, mirror: Mirror, now: float) -> Mapping[str, Any]:
        """Build the picture of ``engine`` and ``mirror`` at ``now``, store it and return it.

        The caller waits for its transaction in flight first: the snapshot shows only what is
        durable.
        """
        stats = self.client.hgetall(self.keys.stats)
        doc: Mapping[str, Any]  # a partition's part, or the center's Snapshot
        if isinstance(engine, PartitionEngine) and self.partition is not None:
            doc = partial_document(
                engine=engine.owned_view(),
                mirror=mirror,
                now=now,
                stats=stats,
                index=self.partition.index,
            )
            self.client.set(self.keys.partial, json.dumps(doc, separators=(",", ":")))
            if self.merger is not None and self.merger.hold():
                center = self.partition.center
                write_merged_snapshot(self.client, center=center, config=self.config, now=now)
            return doc
        doc = build_snapshot(
            engine=engine, mirror=mirror, now=now, stats=stats, center=self.keys.center
        )
        self.client.set(self.keys.snapshot, json.dumps(doc, separators=(",", ":")))
        return doc


class HistoryFlusher:
    """Writes finished calls from the outbox to SQL; on failure they stay for next time.

    Args:
        client: Redis client with ``decode_responses=True``.
        keys: the keys whose outbox it empties.
        sink: stores records durably; must be idempotent (it may see a record again after a
            crash).
        batch: outbox elements (each one batch's records) read per write.
        retry_s: after a failed write (the database is down), wait this long before the next.
        clock: wall clock in seconds.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        keys: Keys,
        sink: HistorySink,
        batch: int,
        retry_s: float,
        clock: Callable[[], float],
    ) -> None:
        self.client = client
        self.keys = keys
        self.sink = sink
        self.batch = batch
        self.retry_s = retry_s
        self.now = clock
        self.retry_at = 0.0  # while the database is away: no attempt before this time

    def flush(self, *, everything: bool = False) -> int:
        """Write one batch of records (``everything``: all of them, even while waiting to
        retry); returns how many were written."""
        if not everything and self.now() < self.retry_at:
            return 0
        written = 0
        while True:
            raw = self.client.lrange(self.keys.outbox, 0, self.batch - 1)
            if not raw:
                return written
            records = [record for element in raw for record in json.loads(element)]
            try:
                self.sink(records)
            except Exception as exc:  # noqa: BLE001 - any database failure: keep them, retry
                self._failed(exc, len(records))
                return written
            if self.retry_at:
                log.warning("aggregator: the database is back; writing the outbox")
                self.retry_at = 0.0
            # Trimmed only if still at the head: never drops records nobody has written.
            self.client.eval(TRIM_OUTBOX, 1, self.keys.outbox, len(raw), raw[0], raw[-1])
            written += len(records)
            if not everything:
                return written

    def _failed(self, exc: Exception, records: int) -> None:
        """Log once per outage, then wait ``retry_s`` between attempts."""
        if not self.retry_at:
            log.exception("aggregator: history write failed; %d records kept", records)
        else:
            log.warning("aggregator: history still failing (%s); records kept", type(exc).__name__)
        self.retry_at = self.now() + self.retry_s


def trim_applied(client: RedisClient, keys: Keys, *, group: str) -> None:
    """Drop stream entries that every consumer of ``group`` has acknowledged."""
    summary = client.xpending(keys.events, group)
    if summary and summary.get("pending"):
        floor = summary["min"]
    else:
        groups = client.xinfo_groups(keys.events)
        mine = [g for g in groups if g["name"] == group]
        if not mine:
            return
        floor = mine[0]["last-delivered-id"]
    client.xtrim(keys.events, minid=floor, approximate=True)
