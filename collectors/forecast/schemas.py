"""Typed inputs and results of the intraday forecast.

Tunables validate themselves on construction so that a bad figure fails where it is written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from collectors.staffing import ServiceLevelTarget

ALL = "*"
"""The scope of every queue together (as in the live snapshot)."""

HANDLED_OUTCOMES = ("answered", "transferred")
"""History outcomes that count as handled for AHT (completed or transferred out:
docs/METRICS.md#handled)."""

PAST, CURRENT, FUTURE = "past", "current", "future"


class ForecastError(ValueError):
    """The forecast cannot be made (no history, bad arguments); the message says why."""


@dataclass(frozen=True, slots=True)
class Scaling:
    """How today's actuals scale the rest of today's forecast.

    The scale is ``(actual + prior_calls) / (forecast + prior_calls)`` over today's completed
    intervals, clamped to ``[min_scale, max_scale]``: as if ``prior_calls`` calls had already
    arrived exactly as forecast, so one busy early interval (3 calls instead of 1) moves the
    scale a little, and a whole morning 30 % above forecast moves it almost all the way.

    Args:
        prior_calls: Pseudo-calls that pull the scale towards 1, ``>= 0`` (0: the raw ratio).
        min_scale: Lowest scale, ``> 0``.
        max_scale: Highest scale, ``>= min_scale``. Outage days (the seed's 停水、抢修) can
            triple the volume, hence the default 3.
    """

    prior_calls: float = 20.0
    min_scale: float = 0.5
    max_scale: float = 3.0

    def __post_init__(self) -> None:
        for name in ("prior_calls", "min_scale", "max_scale"):
            if not math.isfinite(getattr(self, name)):
                raise ForecastError(f"{name} must be a finite number")
        if self.prior_calls < 0:
            raise ForecastError(f"prior_calls must be >= 0, got {self.prior_calls!r}")
        if not 0 < self.min_scale <= self.max_scale:
            raise ForecastError(
                f"scale limits must satisfy 0 < min_scale <= max_scale, "
                f"got {self.min_scale!r} and {self.max_scale!r}"
            )


@dataclass(frozen=True, slots=True)
class ForecastOptions:
    """The forecast's tunables.

    Args:
        weeks: How many previous same weekdays to read (1–52).
        week_weights: One weight per week, most recent first (``>= 0``, not all 0). None
            weighs recent weeks more: ``weeks, weeks − 1, …, 1`` (4, 3, 2, 1 for four weeks).
            Weeks without history are left out and the others' weights renormalised.
        min_aht_calls: An interval whose history has fewer handled calls than this (over all
            weeks) takes the day's AHT instead of its own noisy average.
        scaling: How today's actuals scale the rest of today.
        max_occupancy: Optional occupancy cap for the Erlang C requirement, in (0, 1].
    """

    weeks: int = 4
    week_weights: tuple[float, ...] | None = None
    min_aht_calls: int = 5
    scaling: Scaling = field(default_factory=Scaling)
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.weeks <= 52:
            raise ForecastError(f"weeks must be between 1 and 52, got {self.weeks!r}")
        if self.min_aht_calls < 1:
            raise ForecastError(f"min_aht_calls must be >= 1, got {self.min_aht_calls!r}")
        weights = self.week_weights
        if weights is not None and (
            len(weights) != self.weeks
            or not all(math.isfinite(w) and w >= 0 for w in weights)
            or not any(weights)
        ):
            raise ForecastError(
                f"week_weights must be {self.weeks} finite numbers >= 0, not all 0, got {weights!r}"
            )

    def weights(self) -> tuple[float, ...]:
        """The weight of each week, most recent first."""
        if self.week_weights is not None:
            return self.week_weights
        return tuple(float(self.weeks - k) for k in range(self.weeks))


@dataclass(slots=True)
class Counts:
    """What history holds for one interval of one day: offered calls, handled calls and
    their handling time (talk + hold + wrap, seconds)."""

    offered: int = 0
    handled: int = 0
    handle_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class IntervalForecast:
    """One interval of the forecast day.

    Attributes:
        index: Interval number from local midnight (as in the live snapshot).
        start: Local start (aware). On the day clocks go back, the first pass of the hour.
        seconds: Real length: 0 for the hour skipped when clocks go forward, twice the
            nominal length for the hour repeated when they go back.
        offered_base: Offered calls forecast from history alone.
        offered_forecast: ``offered_base`` scaled by today's actuals for the current and
            coming intervals of today; equal to ``offered_base`` otherwise.
        aht_forecast: Handling time per handled call, seconds (None: no handled calls in the
            history at all).
        traffic: Offered load in Erlangs for the real length of the interval.
        agents_required: Erlang C agents for the target (None when AHT is unknown).
        actual_offered: Calls offered so far (past and current intervals of today), else None.
        status: ``past``, ``current`` or ``future`` relative to the forecast's "now".
    """

    index: int
    start: datetime
    seconds: int
    offered_base: float
    offered_forecast: float
    aht_forecast: float | None
    traffic: float
    agents_required: int | None
    actual_offered: int | None
    status: str


@dataclass(frozen=True, slots=True)
class QueueForecast:
    """The forecast day of one queue (or of every queue together, ``*``).

    Attributes:
        queue: Queue name or ``*``.
        day: The local day forecast.
        interval_minutes: Nominal interval length.
        weeks: History days used (same weekday), most recent first.
        missing_weeks: History days read that held no call of this scope.
        history_offered: Calls offered on the history days used.
        aht_day: Weighted AHT over the whole history days (seconds), or None.
        scale: Scale applied to the current and coming intervals.
        actual_so_far: Calls offered in today's completed intervals.
        forecast_so_far: ``offered_base`` summed over the same intervals.
        current_index: Interval of "now": -1 before the day, the interval count after it.
        target: The service-level target Erlang C staffs for.
        max_occupancy: Occupancy cap of the requirement, or None.
        intervals: Every interval of the day, by index.
    """

    queue: str
    day: date
    interval_minutes: int
    weeks: tuple[date, ...]
    missing_weeks: tuple[date, ...]
    history_offered: int
    aht_day: float | None
    scale: float
    actual_so_far: int
    forecast_so_far: float
    current_index: int
    target: ServiceLevelTarget
    max_occupancy: float | None
    intervals: tuple[IntervalForecast, ...]

    def interval(self, index: int) -> IntervalForecast:
        """The interval numbered ``index``."""
        return self.intervals[index]


@dataclass(frozen=True, slots=True)
class DayForecast:
    """Forecasts of one local day for several scopes (queues and/or ``*``)."""

    day: date
    timezone: str
    interval_minutes: int
    history_days: tuple[date, ...]
    queues: Mapping[str, QueueForecast]


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """The forecast of one interval as the screens use it (the intraday chart's forecast line,
    the staffing tile): offered calls and AHT (seconds, ``None`` if unknown)."""

    offered: float
    aht: float | None = None


Forecast = Mapping[int, ForecastPoint]
"""A day's forecast for one scope: interval index (as in the live snapshot) → point."""


class ForecastProvider(Protocol):
    """``provider(day="YYYYMMDD", queues=None | ("sales", ...))`` → interval index → point, or
    ``None`` when it has nothing for that day and scope."""

    def __call__(self, *, day: str, queues: tuple[str, ...] | None) -> Forecast | None: ...
