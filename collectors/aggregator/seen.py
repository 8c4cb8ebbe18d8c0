"""Which events of a batch were applied before: asked when the batch is read, answered later.

The question (``ARE_SEEN``) goes to Redis as soon as the next batch is decoded and its answer
is read only when that batch is about to be applied, so Redis looks the ids up while the
consumer builds and sends the current batch's transaction. The answer cannot include what the
transactions still in flight mark as seen: their ids travel with the question (``pending``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from collectors.aggregator.scripts import ARE_SEEN
from collectors.aggregator.transaction import pack_ids
from collectors.events import Event
from collectors.pipeline.clients import RedisClient, is_cluster


class SeenCheck:
    """``ARE_SEEN`` for ``ids`` over the seen sets ``seen_keys``, sent at once.

    Args:
        client: the consumer's client. On one server the question is written to a connection
            of its own and the answer read by :meth:`flags`; a cluster client asks at once.
        seen_keys: the seen-id sets to look in (newest first).
        ids: the batch's event ids, in order.
        pending: ids of batches applied but not committed yet, to be treated as seen.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        seen_keys: Sequence[str],
        ids: Sequence[str],
        pending: Collection[str],
    ) -> None:
        self.pending = pending
        self._answer: str | None = None
        self._pool: Any = None
        self._conn: Any = None
        args = ("EVAL", ARE_SEEN, len(seen_keys), *seen_keys, pack_ids(ids))
        plain: Any = client  # redis-py's connection API is untyped
        if is_cluster(client) or not ids:
            self._answer = str(plain.execute_command(*args)) if ids else ""
            return
        self._pool = plain.connection_pool
        self._conn = self._pool.get_connection()
        try:
            self._conn.send_command(*args)
        except BaseException:
            self.cancel()
            raise

    def flags(self) -> str:
        """One character per id, ``"1"`` for an id applied before."""
        if self._answer is None:
            try:
                self._answer = str(self._conn.read_response())
            except BaseException:
                self.cancel()
                raise
            self._release()
        return self._answer

    def cancel(self) -> None:
        """Drop the question unanswered (its connection is closed: the reply would be stale)."""
        if self._conn is not None:
            self._conn.disconnect()
            self._release()

    def _release(self) -> None:
        self._pool.release(self._conn)
        self._conn = None


def drop_seen(
    events: list[Event], ids: list[str], flags: str, pending: Collection[str]
) -> tuple[list[Event], int]:
    """The events not seen before, nor pending, nor earlier in the batch; and how many went."""
    unique = set(ids)
    if "1" not in flags and len(unique) == len(ids) and unique.isdisjoint(pending):
        return events, 0
    seen = set(pending)
    fresh: list[Event] = []
    for ev, event_id, flag in zip(events, ids, flags, strict=True):
        if flag == "1" or event_id in seen:
            continue
        seen.add(event_id)
        fresh.append(ev)
    return fresh, len(events) - len(fresh)
