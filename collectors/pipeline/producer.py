"""Append canonical events to the center's stream, with dead letters and source offsets.

One call to :meth:`EventProducer.publish` is one MULTI/EXEC: the event frames, the rejected
lines, the counters and the source's new offset land together or not at all. A collector that
dies between two calls therefore resumes from an offset that matches exactly what is in the
stream: nothing lost, nothing sent twice.

A partitioned center (``keys.partitions > 1``) gets each event in the streams of the partitions
that must see it (``partitions.route``). On one Redis server that is still one MULTI/EXEC. On a
Redis Cluster the partitions live in other slots, so each partition gets its own transaction
and the offset comes last: a collector that dies in between publishes those lines again, and
the partitions that already have them drop them by event id (they count as ``duplicates``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from collectors.events import Event, Reject, chunks, encode_frame
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient, is_cluster, without_retries
from collectors.pipeline.partitions import split

log = logging.getLogger(__name__)


class EventProducer:
    """Writes events for one center.

    Args:
        client: a Redis or Redis Cluster client (``decode_responses`` either way). The
            producer uses its own connections to the same server(s), without automatic
            retries (a transaction retried blindly could publish a batch twice).
        keys: the key names of the center (with ``partitions`` when it is partitioned).
        frame_size: events per stream entry; larger frames cost fewer Redis round trips.
        stream_maxlen: approximate cap on stream entries (frames). The aggregator trims what it
            has applied, so this only bites when the aggregator is down for very long; it is a
            guard against unbounded memory, sized to hold hours of peak traffic.
        dead_letter_maxlen: approximate cap on the dead-letter stream.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        keys: Keys,
        frame_size: int = 500,
        stream_maxlen: int = 200_000,
        dead_letter_maxlen: int = 100_000,
    ) -> None:
        if frame_size < 1:
            raise ValueError("frame_size must be at least 1")
        self.client = without_retries(client)
        self.keys = keys
        self.frame_size = frame_size
        self.stream_maxlen = stream_maxlen
        self.dead_letter_maxlen = dead_letter_maxlen

    def publish(
        self,
        events: Sequence[Event],
        *,
        rejects: Sequence[Reject] = (),
        source: str | None = None,
        offset: Mapping[str, Any] | None = None,
    ) -> None:
        """Append ``events`` and ``rejects`` and, if given, store ``offset`` for ``source``."""
        if not events and not rejects and offset is None:
            return
        if offset is not None and source is None:
            raise ValueError("an offset needs the source it belongs to")
        pipe = self.client.pipeline(transaction=True)
        if self.keys.partitions <= 1:
            self._queue_events(pipe, self.keys, events)
        else:
            for index, part in split(events, self.keys.partitions).items():
                self._queue_events(pipe, self.keys.partition(index), part)
                if is_cluster(self.client):
                    pipe.execute()
                    pipe = self.client.pipeline(transaction=True)
        self._queue_rest(pipe, rejects, source, offset)
        pipe.execute()

    def _queue_events(self, pipe: Any, keys: Keys, events: Sequence[Event]) -> None:
        for frame in chunks(events, self.frame_size):
            pipe.xadd(
                keys.events,
                {"n": len(frame), "e": encode_frame(frame)},
                maxlen=self.stream_maxlen,
                approximate=True,
            )
        if events:
            pipe.hincrby(keys.stats, "ingested", len(events))

    def _queue_rest(
        self,
        pipe: Any,
        rejects: Sequence[Reject],
        source: str | None,
        offset: Mapping[str, Any] | None,
    ) -> None:
        """Dead letters, their counts and the source's offset: the center's own keys."""
        for reject in rejects:
            pipe.xadd(
                self.keys.dead_letter,
                dict(reject._asdict()),
                maxlen=self.dead_letter_maxlen,
                approximate=True,
            )
        for reason, count in Counter(_reason_key(r.reason) for r in rejects).items():
            pipe.hincrby(self.keys.stats, f"rejected:{reason}", count)
        if rejects:
            pipe.hincrby(self.keys.stats, "rejected", len(rejects))
            for reject in rejects:
                log.warning("rejected %s at %s: %s", reject.source, reject.location, reject.reason)
        if offset is not None and source is not None:
            pipe.hset(self.keys.offsets, source, json.dumps(dict(offset), sort_keys=True))

    def load_offset(self, source: str) -> dict[str, Any] | None:
        """The offset last stored for ``source``, or ``None`` when it never published one."""
        raw = self.client.hget(self.keys.offsets, source)
        if raw is None:
            return None
        value = json.loads(raw)
        return value if isinstance(value, dict) else None


def _reason_key(reason: str) -> str:
    """The counter name of a rejection reason: its first clause, without line specifics."""
    return reason.split(":", 1)[0].strip().lower().replace(" ", "_")[:40] or "unknown"
