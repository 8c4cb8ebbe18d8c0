"""Forecast maths without I/O: local day grids, the weekly profile and the actuals scale.

Intervals follow the wall clock like the aggregator's ``Clock``: interval ``i`` of a day is
local ``[i·len, (i+1)·len)``. On the day clocks go forward the skipped hour's intervals last
0 s; on the day they go back the repeated hour's intervals last twice as long. History is
therefore averaged as a *rate per nominal interval* (a repeated interval's calls are halved,
a skipped interval is no evidence at all) and the forecast day's real lengths turn the rate
back into calls, so a normal week forecasts a DST day correctly and vice versa. Erlang C gets
the real length too: a doubled interval carries twice the calls in twice the time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from collectors.forecast.schemas import (
    CURRENT,
    FUTURE,
    PAST,
    Counts,
    IntervalForecast,
    QueueForecast,
    Scaling,
)
from collectors.staffing import ServiceLevelTarget, agents_required, traffic_erlangs


@dataclass(frozen=True, slots=True)
class DayGrid:
    """The intervals of one local day, mapped to real time.

    Attributes:
        day: The local day.
        timezone: IANA name of the center's zone.
        interval_minutes: Nominal interval length.
        start: Epoch seconds of local midnight.
        end: Epoch seconds of the next local midnight.
        minute_index: Interval index of every real minute from ``start`` to ``end``.
        seconds: Real length of every interval, by index.
    """

    day: date
    timezone: str
    interval_minutes: int
    start: int
    end: int
    minute_index: tuple[int, ...]
    seconds: tuple[int, ...]

    @property
    def nominal_seconds(self) -> int:
        return self.interval_minutes * 60

    def utc_bounds(self, until: float | None = None) -> tuple[datetime, datetime]:
        """``[start, end)`` as naive UTC datetimes (the history's convention), the end
        optionally clipped to ``until``."""
        end = self.end if until is None else max(self.start, min(self.end, until))
        return _naive_utc(self.start), _naive_utc(end)

    def cursor(self, now: float | None) -> int:
        """Index of the interval holding ``now``: -1 before the day (or ``now`` None), the
        interval count after it."""
        if now is None or now < self.start:
            return -1
        if now >= self.end:
            return len(self.seconds)
        return self.minute_index[int(now - self.start) // 60]

    def interval_start(self, index: int) -> datetime:
        """Local (aware) start of interval ``index``: its first real instant, or for a
        skipped interval the wall-clock time it would have had."""
        offset = self.minute_index.index(index) if self.seconds[index] else -1
        if offset >= 0:
            return datetime.fromtimestamp(self.start + offset * 60, ZoneInfo(self.timezone))
        wall = datetime.combine(self.day, time()) + timedelta(minutes=index * self.interval_minutes)
        return wall.replace(tzinfo=ZoneInfo(self.timezone))

    def blocks(self, block_minutes: int) -> dict[int, int] | None:
        """Epoch block number (``epoch // (block_minutes·60)``) → interval index, or None if
        some block straddles two intervals or the day's edges (an exotic zone offset)."""
        first = self.start // 60
        if first % block_minutes or (self.end // 60) % block_minutes:
            return None
        out: dict[int, int] = {}
        for offset in range(0, len(self.minute_index), block_minutes):
            chunk = set(self.minute_index[offset : offset + block_minutes])
            if len(chunk) != 1:
                return None
            out[(first + offset) // block_minutes] = chunk.pop()
        return out


def _naive_utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def day_grid(*, day: date, timezone: str, interval_minutes: int) -> DayGrid:
    """The grid of ``day`` in ``timezone``.

    Args:
        day: Local day.
        timezone: IANA zone name.
        interval_minutes: Interval length; must divide a day.
    """
    if interval_minutes <= 0 or (24 * 60) % interval_minutes:
        raise ValueError("interval_minutes must divide a day")
    tz = ZoneInfo(timezone)
    start = int(datetime.combine(day, time(), tzinfo=tz).timestamp())
    end = int(datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).timestamp())
    count = 24 * 60 // interval_minutes
    minutes = []
    for epoch in range(start, end, 60):
        local = datetime.fromtimestamp(epoch, tz)
        index = (local.hour * 60 + local.minute) // interval_minutes
        # A zone that shifts at midnight can put a minute on a neighbouring date.
        minutes.append(index if local.date() == day else (0 if local.date() < day else count - 1))
    per_interval = Counter(minutes)
    return DayGrid(
        day=day,
        timezone=timezone,
        interval_minutes=interval_minutes,
        start=start,
        end=end,
        minute_index=tuple(minutes),
        seconds=tuple(per_interval.get(i, 0) * 60 for i in range(count)),
    )


@dataclass(frozen=True, slots=True)
class WeekHistory:
    """One history day of one scope with its weight."""

    grid: DayGrid
    weight: float
    counts: Mapping[int, Counts]


@dataclass(frozen=True, slots=True)
class Profile:
    """The history-only forecast of a day: offered calls and AHT per interval."""

    offered: tuple[float, ...]
    aht: tuple[float | None, ...]
    aht_day: float | None


def profile(*, weeks: Sequence[WeekHistory], grid: DayGrid, min_aht_calls: int) -> Profile:
    """Weighted same-weekday average of ``weeks``, laid on ``grid``.

    Args:
        weeks: History days that hold calls, with their weights (weights need not sum to 1).
        grid: The forecast day.
        min_aht_calls: Fewer handled calls than this in an interval's history → day AHT.
    """
    offered = tuple(_offered(weeks, grid, i) for i in range(len(grid.seconds)))
    handled = sum(w.weight * c.handled for w in weeks for c in w.counts.values())
    handle = sum(w.weight * c.handle_seconds for w in weeks for c in w.counts.values())
    aht_day = handle / handled if handled else None
    aht = tuple(_aht(weeks, i, min_aht_calls, aht_day) for i in range(len(grid.seconds)))
    return Profile(offered=offered, aht=aht, aht_day=aht_day)


def _offered(weeks: Sequence[WeekHistory], grid: DayGrid, index: int) -> float:
    if not grid.seconds[index]:
        return 0.0
    rate = weight = 0.0
    for week in weeks:
        seconds = week.grid.seconds[index]
        if not seconds:
            continue  # the skipped hour of a spring-forward day says nothing
        counts = week.counts.get(index)
        calls = counts.offered if counts else 0
        rate += week.weight * calls * week.grid.nominal_seconds / seconds
        weight += week.weight
    if not weight:
        return 0.0
    return rate / weight * grid.seconds[index] / grid.nominal_seconds


def _aht(
    weeks: Sequence[WeekHistory], index: int, min_calls: int, fallback: float | None
) -> float | None:
    found = [w for w in weeks if index in w.counts]
    calls = sum(w.counts[index].handled for w in found)
    if calls < min_calls:
        return fallback
    handled = sum(w.weight * w.counts[index].handled for w in found)
    handle = sum(w.weight * w.counts[index].handle_seconds for w in found)
    return handle / handled if handled else fallback


def scale_factor(*, actual: float, forecast: float, scaling: Scaling) -> float:
    """Today's damped actual-to-forecast ratio (see ``Scaling``).

    Args:
        actual: Calls offered in today's completed intervals.
        forecast: History forecast of the same intervals.
        scaling: Prior and limits.
    """
    denominator = forecast + scaling.prior_calls
    raw = (actual + scaling.prior_calls) / denominator if denominator > 0 else 1.0
    return min(max(raw, scaling.min_scale), scaling.max_scale)


def requirement(
    *,
    calls: float,
    aht: float | None,
    seconds: int,
    target: ServiceLevelTarget,
    max_occupancy: float | None = None,
) -> tuple[float, int | None]:
    """``(traffic in Erlangs, Erlang C agents)`` for one interval; agents None when AHT is
    unknown but calls are expected, 0 when no call is expected.

    Args:
        calls: Calls forecast for the interval.
        aht: Handling time per call, seconds, or None.
        seconds: Real length of the interval.
        target: Service-level target.
        max_occupancy: Optional occupancy cap.
    """
    if calls <= 0 or seconds <= 0:
        return 0.0, 0
    if aht is None or aht <= 0 or not math.isfinite(aht):
        return 0.0, None
    traffic = traffic_erlangs(calls=calls, interval_seconds=seconds, aht=aht)
    agents = agents_required(traffic=traffic, aht=aht, target=target, max_occupancy=max_occupancy)
    return traffic, agents


def rescale(
    forecast: QueueForecast,
    *,
    actual_offered: Mapping[int, float],
    current_index: int,
    scaling: Scaling,
) -> QueueForecast:
    """The forecast adjusted to today's actuals so far; cheap enough for every refresh.

    Intervals before ``current_index`` are past: they report their actuals and keep the
    history forecast. The current and coming intervals get the scale (and their Erlang C
    requirement is recomputed when their volume changed).

    Args:
        forecast: A forecast of the day (any earlier scale is replaced, not compounded).
        actual_offered: Interval index → calls offered so far (missing intervals are 0).
        current_index: Interval of "now"; -1 before the day, the interval count after it.
        scaling: Prior and limits of the scale.
    """
    past = [iv for iv in forecast.intervals if iv.index < current_index]
    actual = int(sum(actual_offered.get(iv.index, 0) for iv in past))
    base = sum(iv.offered_base for iv in past)
    scale = scale_factor(actual=actual, forecast=base, scaling=scaling)
    intervals = tuple(
        _rescaled(forecast, iv, actual_offered, current_index, scale) for iv in forecast.intervals
    )
    return replace(
        forecast,
        scale=scale,
        actual_so_far=actual,
        forecast_so_far=base,
        current_index=current_index,
        intervals=intervals,
    )


def _rescaled(
    forecast: QueueForecast,
    iv: IntervalForecast,
    actual_offered: Mapping[int, float],
    current_index: int,
    scale: float,
) -> IntervalForecast:
    status = PAST if iv.index < current_index else CURRENT if iv.index == current_index else FUTURE
    offered = iv.offered_base if status == PAST else iv.offered_base * scale
    actual = None if status == FUTURE else int(actual_offered.get(iv.index, 0))
    if offered == iv.offered_forecast:
        return replace(iv, status=status, actual_offered=actual)
    traffic, agents = requirement(
        calls=offered,
        aht=iv.aht_forecast,
        seconds=iv.seconds,
        target=forecast.target,
        max_occupancy=forecast.max_occupancy,
    )
    return replace(
        iv,
        offered_forecast=offered,
        traffic=traffic,
        agents_required=agents,
        actual_offered=actual,
        status=status,
    )


def base_intervals(
    *,
    grid: DayGrid,
    day_profile: Profile,
    target: ServiceLevelTarget,
    max_occupancy: float | None,
) -> tuple[IntervalForecast, ...]:
    """Unscaled intervals of the day (every interval ``future``, no actuals).

    Args:
        grid: The forecast day.
        day_profile: Its history profile.
        target: Service-level target for Erlang C.
        max_occupancy: Optional occupancy cap.
    """
    out = []
    for index, seconds in enumerate(grid.seconds):
        offered, aht = day_profile.offered[index], day_profile.aht[index]
        traffic, agents = requirement(
            calls=offered, aht=aht, seconds=seconds, target=target, max_occupancy=max_occupancy
        )
        out.append(
            IntervalForecast(
                index=index,
                start=grid.interval_start(index),
                seconds=seconds,
                offered_base=offered,
                offered_forecast=offered,
                aht_forecast=aht,
                traffic=traffic,
                agents_required=agents,
                actual_offered=None,
                status=FUTURE,
            )
        )
    return tuple(out)
