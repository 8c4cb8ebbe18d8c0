"""Single active writer per stream: a lease key, renewed by its owner, fencing every commit.

A lease alone does not make one writer: a worker that stalls (a long pause, a network cut)
for longer than the lease may wake up still believing it holds it while another worker has
taken over. So every batch transaction of a lease holder is *fenced*: the transaction watches
the lease key (``WATCH``) and checks its owner before ``MULTI``; if the lease changed hands in
between, ``EXEC`` does nothing and the stale worker reloads and becomes a standby.

Renewing the lease touches the watched key, which would abort a transaction in flight, so the
holder renews only every third of the lease time and waits for its transaction first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from redis.exceptions import WatchError

from collectors.aggregator.scripts import HOLD_LEASE, RELEASE_LEASE
from collectors.pipeline.clients import RedisClient


class LeaseLost(WatchError):
    """Another worker holds the lease now: this one must not write."""


class Lease:
    """A named lease on ``key``.

    Args:
        client: Redis client with ``decode_responses=True``.
        key: the lease key (in the slot of the keys it protects).
        owner: this worker's name, unique among workers.
        ttl_ms: lifetime of the lease; a holder that stops renewing loses it after this.
        clock: monotonic clock in seconds (replaceable in tests).
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        key: str,
        owner: str,
        ttl_ms: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.key = key
        self.owner = owner
        self.ttl_ms = ttl_ms
        self.clock = clock
        self.held = False
        self._renew_at = 0.0

    def hold(self, *, before_renew: Callable[[], None] = lambda: None) -> bool:
        """Take or renew the lease when due; ``False`` while another worker holds it.

        Args:
            before_renew: called before the renewal touches the key (wait for a fenced
                transaction in flight).
        """
        now = self.clock()
        if self.held and now < self._renew_at:
            return True
        before_renew()
        if int(self.client.eval(HOLD_LEASE, 1, self.key, self.owner, self.ttl_ms)):
            self.held = True
            self._renew_at = now + self.ttl_ms / 3000
        else:
            self.held = False
        return self.held

    def fence(self, pipe: Any) -> None:
        """Make the transaction ``pipe`` (not yet in MULTI) commit only while this worker holds
        the lease; raise :class:`LeaseLost` when it already does not. No-op unless held."""
        if not self.held:
            return
        pipe.watch(self.key)
        if pipe.get(self.key) != self.owner:
            pipe.reset()
            self.held = False
            raise LeaseLost(f"the lease {self.key} is held by another worker")
        pipe.multi()

    def release(self) -> None:
        """Give the lease up (a clean stop), so that a standby takes over at once."""
        if self.held:
            self.client.eval(RELEASE_LEASE, 1, self.key, self.owner)
        self.held = False
