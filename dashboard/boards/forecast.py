"""The hook through which a forecast reaches the intraday chart and the staffing tile.

A provider returns the predicted offered calls (and AHT) per interval of a day for some
queues, or ``None`` when it has nothing. Boards call it through :class:`CachedForecast`, so a
provider that reads SQL costs one query per ``ttl_s``, never one per board refresh. The types
live with the forecast (:mod:`collectors.forecast.schemas`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from collectors.forecast.schemas import Forecast, ForecastProvider
from core.ttl_cache import TtlCache


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
        # Days come and go: past 256 (day, queues) answers it starts afresh.
        self._cache: TtlCache[tuple[str, tuple[str, ...] | None], Forecast | None] = TtlCache(
            ttl_s=ttl_s, clock=clock, max_entries=256
        )

    def __call__(self, *, day: str, queues: tuple[str, ...] | None) -> Forecast | None:
        return self._cache.get_or_load((day, queues), self._ask)

    def _ask(self, key: tuple[str, tuple[str, ...] | None]) -> Forecast | None:
        return self.provider(day=key[0], queues=key[1])
