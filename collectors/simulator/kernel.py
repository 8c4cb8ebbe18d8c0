"""The discrete-event core under the simulation: a clock, a heap of timed actions, an outbox.

Time runs in whole seconds, as in queue_log. Actions due at the same second run in the order they
were scheduled, so a run depends only on its configuration, seed and start.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from collectors.events import Event, Kind
from collectors.simulator.model import CenterConfig


def run_id_for(*, config: CenterConfig, seed: int, start: float) -> str:
    """The run id: the same center, seed and start time always give the same one."""
    key = f"{seed}|{math.floor(start)}|{config!r}".encode()
    return hashlib.blake2b(key, digest_size=6).hexdigest()


def to_epoch(value: datetime | float, timezone: str) -> float:
    """Epoch seconds of ``value``; a naive datetime is read in ``timezone``."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(timezone))
        return value.timestamp()
    return float(value)


class EventLoop:
    """The clock, the action heap and the events emitted so far (base of the simulation).

    Args:
        config: a checked center configuration.
        seed: the random seed.
        start: simulated start, epoch seconds (rounded down to a whole second).
    """

    def __init__(self, *, config: CenterConfig, seed: int, start: float) -> None:
        self.cfg = config
        self.tz = ZoneInfo(config.timezone)
        self.start = float(math.floor(start))
        self.run_id = run_id_for(config=config, seed=seed, start=self.start)
        self.source = f"sim:{self.run_id}"
        self.rng = random.Random(f"{seed}|{self.start}")  # noqa: S311 - a simulation, not crypto
        self.now = self.start
        self.seq = 0
        self.out: list[Event] = []
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._n = 0

    def run(self, *, until: float = math.inf) -> Iterator[Event]:
        """Yield events until the simulated time reaches ``until``."""
        heap, out = self._heap, self.out
        while heap and heap[0][0] < until:
            self.now, _, action, args = heapq.heappop(heap)
            action(*args)
            if out:
                yield from out
                out.clear()

    def _at(self, when: float, action: Callable[..., None], *args: Any) -> None:
        self._n += 1
        heapq.heappush(self._heap, (when, self._n, action, args))

    def _later(self, delay: float, action: Callable[..., None], *args: Any) -> None:
        self._at(self.now + max(1, round(delay)), action, *args)

    def _emit(
        self, kind: Kind, call_id: str = "", queue: str = "", agent: str = "", **f: Any
    ) -> None:
        self.seq += 1
        eid = f"{self.source}:{self.seq}"
        self.out.append(Event(kind, self.now, self.source, eid, call_id, queue, agent, **f))

    def _local(self, day: date, clock: str) -> float:
        hour, minute = map(int, clock.split(":"))
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp()
