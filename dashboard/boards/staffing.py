"""The staffing tile's figure: Erlang C agents required now against agents working now.

The arrival rate is the calls offered in the last 15 minutes (or the forecast of the current
interval when there is one), the AHT the last hour's (else today's); the target is the
center's service level. It is an estimate and the tile says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collectors.forecast.schemas import ForecastPoint
from collectors.staffing import ServiceLevelTarget, staff


@dataclass(frozen=True)
class Estimate:
    """Agents required vs working, with the inputs shown under the figure."""

    required: int | None
    staffed: int
    calls: float
    aht: float | None
    target: float
    threshold: float
    source: str  # "actuals" or "forecast"

    @property
    def short_by(self) -> int:
        return max(0, (self.required or 0) - self.staffed)


def estimate(
    figs: Mapping[str, Mapping[str, Any]],
    *,
    interval_minutes: int,
    sl_target: float,
    sl_threshold: float,
    forecast: ForecastPoint | None = None,
) -> Estimate:
    """Erlang C for the current interval.

    Args:
        figs: the tile's figures (see :func:`dashboard.boards.scope.figures`).
        interval_minutes: the interval length.
        sl_target: service level target (fraction).
        sl_threshold: T in seconds.
        forecast: the current interval's forecast, used when present.
    """
    now = figs.get("now", {})
    staffed = int((now.get("agents_logged_in") or 0) - (now.get("agents_paused") or 0))
    aht = figs.get("60m", {}).get("aht") or figs.get("today", {}).get("aht")
    source = "actuals"
    calls = float(figs.get("15m", {}).get("offered") or 0) * interval_minutes / 15.0
    if forecast is not None:
        calls, source = forecast.offered, "forecast"
        aht = forecast.aht or aht
    required: int | None
    if calls <= 0:
        required = 0
    elif not aht:
        required = None
    else:
        result = staff(
            calls=calls,
            interval_seconds=interval_minutes * 60.0,
            aht=float(aht),
            target=ServiceLevelTarget(level=min(max(sl_target, 0.01), 0.99), time=sl_threshold),
            service_time=sl_threshold,
        )
        required = result.agents_required
    return Estimate(required, staffed, calls, aht, sl_target, sl_threshold, source)
