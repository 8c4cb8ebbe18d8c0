"""The Redis key schema, in one place (documented in ``collectors/README.md``).

Every key of a center shares the hash tag ``{center}`` so that one center's keys live in one
Redis Cluster slot: the aggregator's batch commit is a MULTI/EXEC, and Cluster only allows that
within a slot. Sites scale out by center; see ``docs/DEPLOYMENT.md``.

A partitioned center (``partitions > 1``, see ``collectors.pipeline.partitions``) has, besides
its own keys (offsets, dead letters, the merged snapshot), one set of keys per partition: the
keys of the center ``<center>:p<K>``, tag ``{<center>:p<K>}``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    """Key names for one center under one prefix (tests use a fresh prefix each).

    Args:
        prefix: first part of every key name.
        center: the center's name (the hash tag).
        partitions: how many partitions the center's stream and live state are split into.
    """

    prefix: str = "fb"
    center: str = "main"
    partitions: int = 1

    def partition(self, index: int) -> Keys:
        """The keys of partition ``index`` (its stream, live state, counters, partial view)."""
        if not 0 <= index < self.partitions:
            raise ValueError(f"partition {index} is not one of 0..{self.partitions - 1}")
        return Keys(prefix=self.prefix, center=f"{self.center}:p{index}")

    def all_partitions(self) -> list[Keys]:
        """The keys of every partition; the center's own keys when it is not partitioned."""
        if self.partitions <= 1:
            return [self]
        return [self.partition(i) for i in range(self.partitions)]

    @property
    def base(self) -> str:
        return f"{self.prefix}:{{{self.center}}}"

    @property
    def events(self) -> str:
        """Stream of event frames (producers XADD, the aggregator XREADGROUPs)."""
        return f"{self.base}:events"

    @property
    def dead_letter(self) -> str:
        """Stream of rejected input lines with their reason."""
        return f"{self.base}:deadletter"

    @property
    def offsets(self) -> str:
        """Hash: source name → JSON of where that source's reader stopped."""
        return f"{self.base}:offsets"

    @property
    def sources(self) -> str:
        """Hash: source name → JSON of what its live collector last said about itself
        (connected, warnings such as AMI events without timestamps); ``floorboard health``."""
        return f"{self.base}:sources"

    @property
    def stats(self) -> str:
        """Hash of pipeline counters: ingested, rejected:<reason>, applied, duplicates..."""
        return f"{self.base}:stats"

    def seen(self, day: str) -> str:
        """Set of event ids already applied, one key per local day of the event."""
        return f"{self.base}:seen:{day}"

    @property
    def live_calls(self) -> str:
        """Hash: queue␟call id → JSON of a call that is waiting or connected."""
        return f"{self.base}:live:calls"

    @property
    def live_handoffs(self) -> str:
        """Hash: original call id → JSON of a call that recently left a queue by a transfer
        (pairs a transfer's consultation entry in another queue with it)."""
        return f"{self.base}:live:handoffs"

    @property
    def live_agents(self) -> str:
        """Hash: agent → JSON of the agent's state."""
        return f"{self.base}:live:agents"

    def queue_counters(self, day: str) -> str:
        """Hash: ``queue|interval index|metric`` → count, for one local day."""
        return f"{self.base}:qc:{day}"

    def agent_counters(self, day: str) -> str:
        """Hash: ``agent|interval index|metric`` → count, for one local day."""
        return f"{self.base}:ac:{day}"

    def minute_counters(self, hour: int) -> str:
        """Hash: ``queue|epoch minute|metric`` → count, one key per epoch hour (rolling windows)."""
        return f"{self.base}:mc:{hour}"

    @property
    def days(self) -> str:
        """Set of local days that have counters (what reports may read)."""
        return f"{self.base}:days"

    @property
    def outbox(self) -> str:
        """List of finished-call records waiting to be written to SQL."""
        return f"{self.base}:outbox"

    @property
    def snapshot(self) -> str:
        """The whole live picture as one JSON document: what every screen reads."""
        return f"{self.base}:snapshot"

    @property
    def partial(self) -> str:
        """A partition's part of the live picture, which the merger folds into the snapshot."""
        return f"{self.base}:partial"

    @property
    def merger_lock(self) -> str:
        """Which aggregator worker merges the partitions' parts into the snapshot (a lease)."""
        return f"{self.base}:merger"

    @property
    def aggregator_lock(self) -> str:
        """Who is the active aggregator for the center (a lease)."""
        return f"{self.base}:aggregator"
