"""Which partitions of a center an event goes to, when the center's pipeline is partitioned.

A center with ``partitions = N > 1`` has N streams, each with its own keys (hash tag
``{center:pK}``) and its own single active aggregator. Queues and agents are each assigned to
one partition by a stable hash of their name (CRC-32, the same in every process and release):

- the partition of a queue ("queue owner") keeps that queue's live calls, counts its queue
  counters and archives its finished calls;
- the partition of an agent ("agent home") keeps that agent's live state and counts its agent
  counters (states' times, answered, handled, talk...).

An event goes to the owner of its queue and to the home of its agent (one partition when they
are the same); an event with neither (``QUEUESTART``: the telephony server restarted) goes to
every partition. So an agent event without a queue (log off, pause on every queue) reaches only
the agent's home, and a call event reaches both the partition that counts the call and the one
that follows the agent who answered it. Each partition applies what it receives to its whole
in-memory state but writes only what it owns (``collectors.aggregator.partition``), so every
counter is incremented in exactly one partition and the merged counters equal one worker's.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from collectors.events import Event


def queue_partition(queue: str, partitions: int) -> int:
    """The partition that owns ``queue`` (0 when there is one partition)."""
    if partitions <= 1:
        return 0
    return zlib.crc32(b"q\x1f" + queue.encode("utf-8", "surrogatepass")) % partitions


def agent_partition(agent: str, partitions: int) -> int:
    """The home partition of ``agent`` (0 when there is one partition)."""
    if partitions <= 1:
        return 0
    return zlib.crc32(b"a\x1f" + agent.encode("utf-8", "surrogatepass")) % partitions


def route(event: Event, partitions: int) -> tuple[int, ...]:
    """The partitions that must see ``event``, in increasing order."""
    if partitions <= 1:
        return (0,)
    targets: set[int] = set()
    if event.queue:
        targets.add(queue_partition(event.queue, partitions))
    if event.agent:
        targets.add(agent_partition(event.agent, partitions))
    if not targets:
        return tuple(range(partitions))
    return tuple(sorted(targets))


def split(events: Sequence[Event], partitions: int) -> dict[int, list[Event]]:
    """Events per partition, each list in the order of ``events``; empty partitions left out."""
    out: dict[int, list[Event]] = {}
    for event in events:
        for index in route(event, partitions):
            out.setdefault(index, []).append(event)
    return out
