"""The one read a board refresh makes: ``GET`` of the center's snapshot, shared by every screen.

Every screen served by a process shares one parsed snapshot for ``share_ms`` (a cache of the
last read), so 200 TVs refreshing every second cost a few reads per second in total. Whether
the picture is fresh is decided here: a snapshot older than ``stale_after_s`` (the aggregator
stopped) or a Redis error makes the read *stale*, and boards say so instead of showing old
numbers as live.

The document is read by :func:`collectors.aggregator.snapshot_schema.parse_snapshot`: a snapshot
of another schema version (an aggregator older or newer than this app) reads as *no data*, with
the reason in :attr:`Reading.problem` and the log, never half understood.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from collectors.aggregator.snapshot_schema import (
    Snapshot,
    SnapshotError,
    SnapshotVersionError,
    parse_snapshot,
)

log = logging.getLogger(__name__)

OK, STALE, NO_DATA, UNREACHABLE = "ok", "stale", "no_data", "unreachable"


@dataclass(frozen=True)
class Reading:
    """One read of the snapshot.

    Args:
        status: ``ok``, ``stale`` (too old), ``no_data`` (no snapshot yet) or ``unreachable``.
        snapshot: the document (the last good one when unreachable, else ``None``).
        age: seconds since the aggregator wrote it (``None`` without a snapshot).
        read_at: wall-clock time of the read.
        problem: why a stored snapshot could not be used (another schema version, a damaged
            document), else "".
    """

    status: str
    snapshot: Snapshot | None
    age: float | None
    read_at: float
    problem: str = ""

    @property
    def live(self) -> bool:
        return self.status == OK


class SnapshotSource:
    """Reads and shares the snapshot.

    Args:
        client_factory: returns a Redis client (called again after a connection error, so a
            restarted server or a new embedded port is picked up).
        key: the snapshot key.
        stale_after_s: age above which a snapshot is stale.
        share_ms: how long one read serves every request of this process.
        clock: wall clock.
    """

    def __init__(
        self,
        *,
        client_factory: Callable[[], redis.Redis],
        key: str,
        stale_after_s: float = 10.0,
        share_ms: float = 250.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_factory = client_factory
        self.key = key
        self.stale_after_s = stale_after_s
        self.share_ms = share_ms
        self.clock = clock
        self._client: redis.Redis | None = None
        self._last: Reading | None = None
        self._last_good: Snapshot | None = None
        self._lock = threading.Lock()

    def read(self) -> Reading:
        """The current reading (at most one ``GET`` per ``share_ms`` per process)."""
        now = self.clock()
        with self._lock:
            last = self._last
            if last is not None and (now - last.read_at) * 1000 < self.share_ms:
                return last
            reading = self._fetch(now)
            self._last = reading
            return reading

    def _fetch(self, now: float) -> Reading:
        try:
            if self._client is None:
                self._client = self.client_factory()
            raw = self._client.get(self.key)
        except (redis.RedisError, OSError) as exc:
            log.warning("snapshot: Redis unreachable (%s)", exc)
            self._client = None
            age = now - self._last_good["generated_at"] if self._last_good else None
            return Reading(UNREACHABLE, self._last_good, age, now)
        if raw is None:
            return Reading(NO_DATA, None, None, now)
        try:
            doc = parse_snapshot(raw)
        except SnapshotVersionError as exc:
            log.warning("snapshot: %s under %s (aggregator and web app differ)", exc, self.key)
            return Reading(NO_DATA, None, None, now, problem=str(exc))
        except SnapshotError as exc:
            log.warning("snapshot: damaged document under %s (%s)", self.key, exc)
            return Reading(NO_DATA, None, None, now, problem=str(exc))
        age = max(0.0, now - doc["generated_at"])
        self._last_good = doc
        return Reading(OK if age <= self.stale_after_s else STALE, doc, age, now)
