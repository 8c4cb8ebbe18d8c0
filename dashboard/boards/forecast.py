"""The hook through which a forecast reaches the intraday chart and the staffing tile.

A provider returns the predicted offered calls (and AHT) per interval of a day for some
queues, or ``None`` when it has nothing. Boards call it through :class:`CachedForecast`, so a
provider that reads SQL costs one query per ``ttl_s``, never one per board refresh. The types
live with the forecast (:mod:`collectors.forecast.schemas`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from collectors.forecast.schemas import Forecast, ForecastProvider


def no_forecast(*, day: str, queues: tuple[str, ...] | None) -> Forecast | None:
    """The default provider until a forecast is configured: nothing."""
    return None


class CachedForecast:
    """Caches a provider's answers per day and queues.

    Args:
        provider: the forecast.
        ttl_s: how long an answer is reused.
        clock: monotonic clock.
    """

    def __init__(
        self,
        provider: ForecastProvider,
        *,
        ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.ttl_s = ttl_s
        self.clock = clock
        self._cache: dict[tuple[str, tuple[str, ...] | None], tuple[float, Forecast | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, *, day: str, queues: tuple[str, ...] | None) -> Forecast | None:
        key = (day, queues)
        now = self.clock()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        value = self.provider(day=day, queues=queues)
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = (now, value)
        return value
