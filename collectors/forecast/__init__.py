"""Intraday forecast (docs/METRICS.md#intraday-forecast): offered calls, AHT and Erlang C
agents per local interval, from the same weekday of previous weeks in the call history, scaled
by today's actuals."""

from __future__ import annotations

from collectors.forecast.model import (
    DayGrid,
    day_grid,
    requirement,
    rescale,
    scale_factor,
)
from collectors.forecast.queries import queue_names
from collectors.forecast.schemas import (
    ALL,
    CURRENT,
    FUTURE,
    PAST,
    DayForecast,
    ForecastError,
    ForecastOptions,
    IntervalForecast,
    QueueForecast,
    Scaling,
)
from collectors.forecast.service import (
    DEFAULT_TARGET,
    actual_offered_from_history,
    forecast_day,
    offered_from_snapshot,
)

__all__ = [
    "ALL",
    "CURRENT",
    "DEFAULT_TARGET",
    "FUTURE",
    "PAST",
    "DayForecast",
    "DayGrid",
    "ForecastError",
    "ForecastOptions",
    "IntervalForecast",
    "QueueForecast",
    "Scaling",
    "actual_offered_from_history",
    "day_grid",
    "forecast_day",
    "offered_from_snapshot",
    "queue_names",
    "requirement",
    "rescale",
    "scale_factor",
]
