"""The one time-to-live cache of the project: values read from SQL and trusted for a while.

Two shapes, both thread-safe, with a replaceable monotonic clock:

- :class:`TtlCache`: values by key (users by id, forecasts by day), each trusted for ``ttl_s``
  after it was loaded. A miss loads in the caller's thread, outside the lock: two threads
  missing the same key may both load it (the reads are idempotent; the last one stays).
- :class:`Reloading`: one value (a table, a list) reloaded as a whole at most once per
  ``ttl_s``, one load at a time. A caller that finds a load in progress is served the current
  value at once (or, with ``wait=True``, waits for that load); a load that fails with one of
  ``keep_on`` keeps the last value (a database hiccup must not blank the screens).

Either is "stamped" with the clock read before the load, so ``ttl_s`` counts from the read.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Clock = Callable[[], float]


class TtlCache(Generic[K, V]):
    """Values by key, each trusted for ``ttl_s`` after it was loaded.

    Args:
        ttl_s: how long a loaded value is returned without loading it again.
        clock: monotonic clock (replaceable in tests).
        max_entries: when a new key would make more than this many, the cache starts afresh
            (keys such as days come and go; ``None``: no bound).
    """

    def __init__(
        self, *, ttl_s: float, clock: Clock = time.monotonic, max_entries: int | None = None
    ) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: K, load: Callable[[K], V]) -> V:
        """``key``'s value: the kept one if younger than ``ttl_s``, else ``load(key)``, kept.

        What ``load`` raises is raised, and nothing is kept.
        """
        now = self.clock()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        return self.load(key, load, now=now)

    def load(self, key: K, load: Callable[[K], V], *, now: float | None = None) -> V:
        """Load ``key`` now, whatever the age of its kept value, and keep the result."""
        stamp = self.clock() if now is None else now
        value = load(key)
        with self._lock:
            full = self.max_entries is not None and len(self._entries) >= self.max_entries
            if full and key not in self._entries:
                self._entries.clear()
            self._entries[key] = (stamp, value)
        return value

    def invalidate(self, key: K | None = None) -> None:
        """Forget ``key``'s value (every value when ``key`` is ``None``)."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class Reloading(Generic[V]):
    """One value, reloaded as a whole at most once per ``ttl_s``; one load at a time.

    Args:
        load: reads the value (e.g. a whole table).
        initial: the value before the first load (what a caller gets while it runs).
        ttl_s: age after which :meth:`get` reloads.
        clock: monotonic clock.
        keep_on: exceptions of ``load`` after which the last value is kept (others propagate).
        on_error: called (inside the ``except`` block: ``log.exception`` works) when one of
            ``keep_on`` is caught.
    """

    def __init__(
        self,
        load: Callable[[], V],
        *,
        initial: V,
        ttl_s: float,
        clock: Clock = time.monotonic,
        keep_on: tuple[type[Exception], ...] = (),
        on_error: Callable[[], object] | None = None,
    ) -> None:
        self._load = load
        self.value = initial
        self.ttl_s = ttl_s
        self.clock = clock
        self.keep_on = keep_on
        self.on_error = on_error
        #: Clock reading when the last load began; ``-inf``: never loaded, or invalidated.
        self.loaded_at = -math.inf
        #: Loads finished (successful or not): 0 until the first load is over.
        self.loads = 0
        #: Held while a load runs (a test may hold it to play "a load in progress").
        self.load_lock = threading.Lock()
        self._lock = threading.Lock()
        self._background = False

    def fresh(self, max_age_s: float | None = None) -> bool:
        """Loaded less than ``max_age_s`` (default ``ttl_s``) ago, and not invalidated since."""
        age = self.clock() - self.loaded_at
        return age < (self.ttl_s if max_age_s is None else max_age_s)

    @property
    def loading(self) -> bool:
        """A load is running (or a background one is about to)."""
        return self._background or self.load_lock.locked()

    def get(self) -> V:
        """The value, reloaded first if older than ``ttl_s``; never waits for another
        thread's load (its caller gets the current value meanwhile)."""
        return self.refresh(wait=False)

    def refresh(self, *, wait: bool = True, max_age_s: float | None = None) -> V:
        """Reload unless loaded less than ``max_age_s`` (default ``ttl_s``) ago.

        Args:
            wait: wait for a load another thread is running (then reload only if that one is
                older than ``max_age_s``); ``False``: return the current value at once.
            max_age_s: the age that makes a reload necessary.
        """
        # Fresh: served at once, unless the caller would wait and a load is running (it may be
        # the first one, or bring what the caller is looking for).
        if self.fresh(max_age_s) and not (wait and self.load_lock.locked()):
            return self.value
        if not self.load_lock.acquire(blocking=wait):
            return self.value
        try:
            if self.fresh(max_age_s):  # loaded by the thread we waited for
                return self.value
            self.loaded_at = self.clock()
            try:
                value = self._load()
            except self.keep_on:
                if self.on_error is not None:
                    self.on_error()
                return self.value
            finally:
                self.loads += 1
            self.value = value
            return value
        finally:
            self.load_lock.release()

    def get_in_background(self) -> V:
        """The current value at once; if it is older than ``ttl_s``, a new thread reloads it
        (one such thread at a time), so no caller waits on the load."""
        with self._lock:
            start = not self._background and not self.fresh()
            if start:
                self._background = True
        if start:
            threading.Thread(target=self._reload_behind, name="ttl-reload", daemon=True).start()
        return self.value

    def _reload_behind(self) -> None:
        try:
            self.refresh(wait=True)
        finally:
            with self._lock:
                self._background = False

    def invalidate(self) -> None:
        """Reload at the next :meth:`get` (a change made by this process shows at once)."""
        self.loaded_at = -math.inf
