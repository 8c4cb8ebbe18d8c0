"""What the aggregator writes besides its batch transactions: the snapshot (or a partition's
part of it), the SQL call history from the outbox, and the trimming of applied entries."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from collectors.aggregator.committer import Committer
from collectors.aggregator.counters import Mirror
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.lease import Lease
from collectors.aggregator.merge import partial_document, write_merged_snapshot
from collectors.aggregator.options import ConsumerOptions
from collectors.aggregator.partition import Partition, PartitionEngine
from collectors.aggregator.scripts import TRIM_OUTBOX
from collectors.aggregator.snapshot import build_snapshot
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient

log = logging.getLogger("collectors.aggregator.consumer")

HistorySink = Callable[[Sequence[dict[str, Any]]], None]


class Outputs:
    """The aggregator's outputs (a part of :class:`~collectors.aggregator.consumer.Aggregator`)."""

    client: RedisClient
    keys: Keys
    config: AggregatorConfig
    options: ConsumerOptions
    history: HistorySink | None
    now: Callable[[], float]
    engine: Engine
    mirror: Mirror
    partition: Partition | None
    merger: Lease | None
    _committer: Committer
    _last_snapshot: float
    _dirty: bool
    _history_retry_at: float = 0.0

    def prune_minutes(self) -> None:
        """Keep the mirror's per-minute counters to what the rolling windows and the next
        writes need (see ``Mirror.prune_minutes``)."""
        now = self.now()
        newest = self.engine.last_event_ts or now
        self.mirror.prune_minutes(newest_minute=int(newest // 60), now_minute=int(now // 60))

    def write_snapshot(self) -> Mapping[str, Any]:
        """Build the whole live picture and store it as one document (a partition stores its
        part, and merges the center's snapshot when it holds the merger lease)."""
        now = self.now()
        # The snapshot shows only what is durable: wait for the transaction in flight.
        self._committer.wait()
        self.prune_minutes()
        stats = self.client.hgetall(self.keys.stats)
        doc: Mapping[str, Any]  # a partition's part, or the center's Snapshot
        if isinstance(self.engine, PartitionEngine) and self.partition is not None:
            view = self.engine.owned_view()
            doc = partial_document(
                engine=view, mirror=self.mirror, now=now, stats=stats, index=self.partition.index
            )
            self.client.set(self.keys.partial, json.dumps(doc, separators=(",", ":")))
            if self.merger is not None and self.merger.hold():
                center = self.partition.center
                write_merged_snapshot(self.client, center=center, config=self.config, now=now)
        else:
            doc = build_snapshot(
                engine=self.engine,
                mirror=self.mirror,
                now=now,
                stats=stats,
                center=self.keys.center,
            )
            self.client.set(self.keys.snapshot, json.dumps(doc, separators=(",", ":")))
        self._last_snapshot = now
        self._dirty = False
        return doc

    def flush_history(self, *, everything: bool = False) -> int:
        """Write finished calls from the outbox to SQL; on failure they stay for next time."""
        if self.history is None or (not everything and self.now() < self._history_retry_at):
            return 0
        written = 0
        while True:
            raw = self.client.lrange(self.keys.outbox, 0, self.options.history_batch - 1)
            if not raw:
                return written
            records = [record for element in raw for record in json.loads(element)]
            try:
                self.history(records)
            except Exception as exc:  # noqa: BLE001 - any database failure: keep them, retry
                self._history_failed(exc, len(records))
                return written
            if self._history_retry_at:
                log.warning("aggregator: the database is back; writing the outbox")
                self._history_retry_at = 0.0
            # Trimmed only if still at the head: never drops records nobody has written.
            self.client.eval(TRIM_OUTBOX, 1, self.keys.outbox, len(raw), raw[0], raw[-1])
            written += len(records)
            if not everything:
                return written

    def _history_failed(self, exc: Exception, records: int) -> None:
        """Log once per outage, then wait ``history_retry_s`` between attempts."""
        if not self._history_retry_at:
            log.exception("aggregator: history write failed; %d records kept", records)
        else:
            log.warning("aggregator: history still failing (%s); records kept", type(exc).__name__)
        self._history_retry_at = self.now() + self.options.history_retry_s

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
