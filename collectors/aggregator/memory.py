"""Garbage collection for a process that applies millions of events.

CPython's automatic collector runs every few hundred thousand allocations and walks every young
object still alive: in the aggregator, which builds a tuple per event and several per counter,
that costs about a tenth of its time, and more as its in-memory counters grow. Nearly all of it
is freed by reference counting anyway. The policy below turns the automatic collector off and
collects between batches on a timer instead: the young generations often (bounded work), a full
collection rarely, after which everything still alive is frozen so that later collections do
not walk the day's counters again.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


class GarbagePolicy:
    """Timed collections; call it between batches (it fits ``Aggregator.run(on_batch=...)``).

    Args:
        young_s: seconds between collections of the two young generations.
        full_s: seconds between full collections (each followed by ``gc.freeze()``).
        clock: monotonic clock, replaceable in tests.
    """

    def __init__(
        self,
        *,
        young_s: float = 10.0,
        full_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.young_s = young_s
        self.full_s = full_s
        self.clock = clock
        self.young_at = self.full_at = clock()
        self.collections = 0

    def start(self) -> None:
        """Take over from the automatic collector."""
        gc.disable()
        gc.collect()
        gc.freeze()
        self.young_at = self.full_at = self.clock()

    def __call__(self, _applied: int = 0) -> None:
        now = self.clock()
        if now - self.full_at >= self.full_s:
            gc.collect()
            gc.freeze()
            self.full_at = self.young_at = now
            self.collections += 1
        elif now - self.young_at >= self.young_s:
            gc.collect(1)
            self.young_at = now
            self.collections += 1


def collector_thresholds(young: int = 100_000) -> None:
    """Automatic collection, but of young objects once per ``young`` allocations, not 700.

    For the collectors: they build an event (a tuple and its strings) per line and free each
    batch by reference counting, so the default threshold makes the collector walk the batch
    in hand dozens of times per batch (a sixth of a collector's time). Cycles are still
    collected, which a long-running follower needs more than the last few percent.
    """
    gc.freeze()
    gc.set_threshold(young, 50, 100)
