"""Riding out an outage of Redis: capped exponential back-off, and one log line when the outage
begins and one when it ends, not one per retry.

Every long-running loop (the aggregator, the collectors, the simulator, the demo's status line)
keeps one :class:`OutageTracker` per thing it depends on. A Redis stopped for a minute then
costs the log two lines per loop instead of a hundred, and a loop that is back says so, with
how long it was out: an operator reading the log sees the outage as one event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis


@dataclass
class OutageTracker:
    """The state of one loop's outage: since when it fails and how long to wait next.

    Args:
        what: who is failing on what, for the log (``"aggregator: Redis"``).
        logger: where the two lines go.
        initial: seconds before the first retry.
        maximum: the cap of the doubling delay. It bounds how long a loop may take to notice
            that Redis is back, so it stays short (the boards should be live within seconds).
        clock: monotonic seconds (tests pass their own).
    """

    what: str
    logger: logging.Logger
    initial: float = 0.5
    maximum: float = 5.0
    clock: Callable[[], float] = time.monotonic
    since: float | None = None
    failures: int = 0

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> float:
        """Note a failed attempt (logged only when it begins an outage); returns the seconds to
        wait before the next attempt."""
        if self.since is None:
            self.since = self.clock()
            self.logger.warning(
                "%s unavailable (%s); retrying with back-off (at most every %g s) until it is back",
                self.what,
                exc,
                self.maximum,
            )
        self.failures += 1
        return float(min(self.maximum, self.initial * 2.0 ** min(self.failures - 1, 32)))

    def recovered(self) -> float | None:
        """Note a successful attempt; ends (and logs) an outage. Returns its length in seconds,
        or ``None`` when there was none."""
        if self.since is None:
            return None
        took = self.clock() - self.since
        self.logger.warning(
            "%s is back after %.1f s (%d failed attempts); carrying on",
            self.what,
            took,
            self.failures,
        )
        self.since, self.failures = None, 0
        return took


def keep_trying(
    action: Callable[[], object],
    *,
    stop: threading.Event,
    outage: OutageTracker,
    errors: tuple[type[BaseException], ...] = (redis.RedisError,),
) -> bool:
    """Run ``action`` until it succeeds (``True``) or ``stop`` is set first (``False``).

    The same action is repeated, so it must be safe to repeat: a publish whose reply was lost
    after Redis executed it adds the same event ids again, which the aggregator drops.
    """
    while True:
        try:
            action()
        except errors as exc:
            if stop.wait(outage.failed(exc)):
                return False
        else:
            outage.recovered()
            return True
