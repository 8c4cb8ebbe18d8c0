"""Drive a stream of simulated events in real or accelerated time into a sink.

The simulated clock is ``start + (real elapsed) × speed``; every ``tick`` the events that are
due by then go to the sink in one batch (one ``EventProducer.publish``, one MULTI/EXEC). Without
a speed the events go as fast as the sink takes them, in batches of ``max_batch`` (backfill).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from collectors.events import Event, Kind
from collectors.pipeline.outage import OutageTracker, keep_trying

Sink = Callable[[Sequence[Event]], object]


@dataclass
class RunStats:
    """Progress of a run: what went to the sink so far and the simulated clock."""

    clock: float = 0.0
    events: int = 0
    batches: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def offered(self) -> int:
        return self.kinds[Kind.ENQUEUE]

    @property
    def answered(self) -> int:
        return self.kinds[Kind.ANSWER]

    @property
    def abandoned(self) -> int:
        return self.kinds[Kind.ABANDON]

    def add(self, batch: Sequence[Event]) -> None:
        self.events += len(batch)
        self.batches += 1
        self.kinds.update(event.kind for event in batch)


def run(
    *,
    events: Iterable[Event],
    sink: Sink,
    start: float,
    speed: float | None = 1.0,
    end: float | None = None,
    stop: threading.Event | None = None,
    tick: float = 0.5,
    max_batch: int = 2000,
    progress: Callable[[RunStats], object] | None = None,
    progress_every: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    retry: OutageTracker | None = None,
) -> RunStats:
    """Hand ``events`` to ``sink`` in batches, paced by their timestamps.

    Args:
        events: events in timestamp order (e.g. from :func:`~collectors.simulator.generate`).
        sink: called with each batch (a new list each time; the sink may keep it).
        start: the simulated time at which the run begins (epoch seconds).
        speed: simulated seconds per real second (1 = real time, 60 = an hour a minute);
            ``None`` = as fast as possible.
        end: keep the clock running until this simulated time even after the last event;
            ``None`` = return when the events run out.
        stop: set it (from another thread or a signal handler) to stop at the next tick.
        tick: longest real time between two batches when events are due.
        max_batch: most events in one batch.
        progress: called with the stats about every ``progress_every`` real seconds and at
            the end (unless nothing changed since the last call).
        progress_every: real seconds between two ``progress`` calls.
        clock: a monotonic clock in seconds (tests pass their own).
        retry: when given, a batch the sink refuses with a Redis error is offered again, the
            same batch, with back-off, until it is taken or ``stop`` is set: a Redis stall or
            restart delays the run instead of ending it, and no event is skipped or sent out
            of order (a batch sent twice carries the same event ids, which the aggregator
            drops). Without it the error ends the run.
    """
    if speed is not None and speed <= 0:
        raise ValueError("speed must be positive (or None for as fast as possible)")
    stop = stop or threading.Event()
    stats = RunStats(clock=start)
    pacer = _Pacer(clock=clock, start=start, speed=speed, end=end)
    last_report, shown = clock(), (-1, 0.0)
    it = iter(events)
    upcoming = next(it, None)
    while not stop.is_set():
        horizon = pacer.sim_now()
        batch: list[Event] = []
        while upcoming is not None and upcoming.ts <= horizon and len(batch) < max_batch:
            batch.append(upcoming)
            upcoming = next(it, None)
        if batch:
            if not _deliver(sink, batch, stop, retry):
                break  # stopped while Redis was away: the batch was not taken
            stats.add(batch)
        stats.clock = max(stats.clock, batch[-1].ts if speed is None and batch else horizon)
        if progress is not None and clock() - last_report >= progress_every:
            last_report, shown = clock(), (stats.events, stats.clock)
            progress(stats)
        if len(batch) < max_batch:
            pause = pacer.pause(upcoming, tick)
            if pause is None:
                break
            stop.wait(pause)
    if progress is not None and shown != (stats.events, stats.clock):
        progress(stats)
    return stats


def _deliver(
    sink: Sink, batch: list[Event], stop: threading.Event, retry: OutageTracker | None
) -> bool:
    """Hand ``batch`` to ``sink``; ``False`` when the run was stopped before it was taken."""
    if retry is None:
        sink(batch)
        return True
    return keep_trying(functools.partial(sink, batch), stop=stop, outage=retry)


class _Pacer:
    """Maps real time to simulated time (capped at ``end``) and says how long to sleep."""

    def __init__(
        self, *, clock: Callable[[], float], start: float, speed: float | None, end: float | None
    ) -> None:
        self.clock, self.start, self.speed, self.end = clock, start, speed, end
        self.t0 = clock()

    def sim_now(self) -> float:
        if self.speed is None:
            return math.inf
        now = self.start + (self.clock() - self.t0) * self.speed
        return now if self.end is None else min(now, self.end)

    def pause(self, upcoming: Event | None, tick: float) -> float | None:
        """Real seconds to sleep before the next batch, or ``None`` when the run is over.

        Sleeps until the next event is due (or ``end`` once the events ran out), at most
        ``tick`` and at least a tenth of it, so that dense traffic goes in batches rather than
        one event per wake-up.
        """
        target = upcoming.ts if upcoming is not None else self.end
        if target is None or self.speed is None or (upcoming is None and self.sim_now() >= target):
            return None
        return min(tick, max(tick / 10, (target - self.sim_now()) / self.speed))
