"""One partition of a partitioned center: the engine that writes only what it owns.

``collectors.pipeline.partitions`` sends an event to the partition that owns its queue and to
the home partition of its agent. Each partition applies everything it receives to its whole
in-memory state (so that, say, the agent's home knows when the agent's call was answered), but:

- queue counters and finished-call records are kept only for queues the partition owns, except
  for an event that names an agent and no queue (wrap-up end without a queue): only the agent's
  home receives it, so the home counts it, for the queue the agent last served;
- agent counters are kept only for the partition's own agents;
- only owned calls and owned agents are written to Redis and shown in the partition's part of
  the live picture.

Every increment therefore happens in exactly one partition, and the sum over partitions equals
what one aggregator counts. The one input this needs from a source is that events which change
an agent's state name the agent (queue_log, AMI and the simulator do; ``RINGCANCELED`` tells the
agent's home that a ring ended because the caller hung up).
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.aggregator.counting import AggregatorConfig, Changes
from collectors.aggregator.engine import Engine
from collectors.aggregator.scripts import HOLD_LEASE
from collectors.events import Event
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient
from collectors.pipeline.partitions import agent_partition, queue_partition


@dataclass(frozen=True)
class Partition:
    """Which partition an aggregator runs, of how many, and the center it belongs to.

    Args:
        index: this partition's number, ``0 <= index < center.partitions``.
        center: the center's keys (``partitions`` set), where the merged snapshot goes.
    """

    index: int
    center: Keys

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.center.partitions:
            raise ValueError(
                f"partition {self.index} is not one of 0..{self.center.partitions - 1}"
            )

    @property
    def count(self) -> int:
        return self.center.partitions

    @property
    def keys(self) -> Keys:
        """This partition's own keys."""
        return self.center.partition(self.index)


class PartitionEngine(Engine):
    """An :class:`Engine` whose changes are filtered to what partition ``index`` owns."""

    def __init__(self, config: AggregatorConfig, *, index: int, count: int) -> None:
        super().__init__(config)
        self.index = index
        self.count = count
        self._queues: dict[str, bool] = {}
        self._agents: dict[str, bool] = {}
        self._home_event = False

    def owns_queue(self, queue: str) -> bool:
        owned = self._queues.get(queue)
        if owned is None:
            owned = self._queues[queue] = queue_partition(queue, self.count) == self.index
        return owned

    def owns_agent(self, agent: str) -> bool:
        owned = self._agents.get(agent)
        if owned is None:
            owned = self._agents[agent] = agent_partition(agent, self.count) == self.index
        return owned

    def apply(self, event: Event) -> bool:
        self._home_event = not event.queue and bool(event.agent) and self.owns_agent(event.agent)
        before = len(self.outbox)
        try:
            return super().apply(event)
        finally:
            if not self._home_event:
                self._keep_owned_records(before)
            self._home_event = False

    def expire_stale(self, *, now: float, max_waiting: float, max_connected: float) -> int:
        before = len(self.outbox)
        closed = super().expire_stale(now=now, max_waiting=max_waiting, max_connected=max_connected)
        self._keep_owned_records(before)
        return closed

    def _keep_owned_records(self, start: int) -> None:
        """Drop the finished-call records just added for queues another partition owns."""
        added = self.outbox[start:]
        if added:
            self.outbox[start:] = [r for r in added if self.owns_queue(str(r.get("queue", "")))]

    def _inc(self, queue: str, ts: float, counter: str, n: int = 1) -> None:
        if self._home_event or self.owns_queue(queue):
            super()._inc(queue, ts, counter, n)

    def _ainc(self, agent: str, ts: float, counter: str, n: int = 1) -> None:
        if self.owns_agent(agent):
            super()._ainc(agent, ts, counter, n)

    def _agent_time(self, agent: str, state: str, start: float, end: float) -> None:
        if self.owns_agent(agent):
            super()._agent_time(agent, state, start, end)

    def take_changes(self) -> Changes:
        changes = super().take_changes()
        changes.calls = {
            key: call
            for key, call in changes.calls.items()
            if self.owns_queue(key.split("\x1f", 1)[0])
        }
        changes.agents = {a: agent for a, agent in changes.agents.items() if self.owns_agent(a)}
        return changes

    def owned_view(self) -> Engine:
        """A plain engine holding only the owned calls and agents (for the partition's part of
        the live picture)."""
        view = Engine(self.config)
        view.calls = {k: c for k, c in self.calls.items() if self.owns_queue(c.queue)}
        view.agents = {a: agent for a, agent in self.agents.items() if self.owns_agent(a)}
        view.recent_abandons.extend(self.recent_abandons)
        view.last_event_ts = self.last_event_ts
        return view


def claim_partition(client: RedisClient, center: Keys, *, owner: str, ttl_ms: int) -> int | None:
    """Take the lease of the first partition that has no active worker; ``None`` when every
    partition has one (the caller waits as a standby and tries again)."""
    for index in range(center.partitions):
        lease = center.partition(index).aggregator_lock
        if int(client.eval(HOLD_LEASE, 1, lease, owner, ttl_ms)):
            return index
    return None
