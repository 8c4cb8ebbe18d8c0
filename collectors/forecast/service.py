"""The intraday forecast read from the SQL call history (docs/METRICS.md#intraday-forecast).

For a local day D the history is D − 7, D − 14, … (``options.weeks`` weeks). Offered calls
are counted by ``enqueued_at`` and handling time (talk + hold + wrap of calls answered or
transferred) by ``ended_at``, like the live counters (docs/METRICS.md#intervals-and-midnight).
The database does the counting (``queries.py``: ``GROUP BY queue, time block`` per day, through
the index).

A history day counts for a scope (a queue, or ``*``) only if the scope had at least one
offered call that day: days before a queue existed, or with the collector down, are left out
and the remaining weeks' weights renormalised (a scope with no such day forecasts zero).

Today's actuals come from the history (calls that already ended, so the last minutes are a
little short) unless the caller passes them: the wallboard passes the live snapshot's
interval counts (``offered_from_snapshot``) and calls ``rescale`` on every refresh, reading
SQL only when the day changes. ``*`` is staffed as one pool of agents answering every queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collectors.forecast.model import (
    DayGrid,
    WeekHistory,
    base_intervals,
    day_grid,
    profile,
    rescale,
)
from collectors.forecast.queries import DayCounts, history_counts, offered_counts
from collectors.forecast.schemas import (
    ALL,
    Counts,
    DayForecast,
    ForecastError,
    ForecastOptions,
    QueueForecast,
)
from collectors.staffing import ServiceLevelTarget

DEFAULT_TARGET = ServiceLevelTarget(level=0.8, time=20.0)
"""The default target: 80 % of calls answered within 20 s (docs/METRICS.md#service-level)."""


def forecast_day(
    *,
    db_session: Session,
    day: date,
    timezone: str = "UTC",
    interval_minutes: int = 15,
    queues: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    targets: Mapping[str, ServiceLevelTarget] | None = None,
    default_target: ServiceLevelTarget = DEFAULT_TARGET,
    now: float | None = None,
    actual_offered: Mapping[str, Mapping[int, float]] | None = None,
    options: ForecastOptions | None = None,
) -> DayForecast:
    """Forecast offered calls, AHT and agents required per interval of ``day``.

    Args:
        db_session: Session on the database holding the ``calls`` table.
        day: Local day to forecast.
        timezone: IANA name of the center's zone (intervals are local).
        interval_minutes: Interval length; must divide a day.
        queues: Scopes to forecast (queue names, ``*`` for all queues together). None: every
            queue in the history plus ``*`` (and every group).
        groups: Named scopes adding up several queues (a team's queue group): name → its
            queues. A group is forecast like a queue; name it in ``queues``.
        targets: Service-level target per scope; others use ``default_target``.
        default_target: Target of scopes not in ``targets``.
        now: Epoch seconds of "now": intervals before it are past and scale the rest of the
            day. None: a pure history forecast (every interval ahead, scale 1).
        actual_offered: Scope → interval index → calls offered today, e.g. from the live
            snapshot. None: read from the history up to ``now``.
        options: Weeks, weights, AHT fallback, scaling and occupancy cap.

    Returns:
        The forecast of every scope.

    Raises:
        ForecastError: the history has no call of these scopes on any of the weeks.
    """
    opts = options or ForecastOptions()
    grid = day_grid(day=day, timezone=timezone, interval_minutes=interval_minutes)
    history = [
        day_grid(day=past, timezone=timezone, interval_minutes=interval_minutes)
        for past in history_days(day, opts.weeks)
    ]
    members = dict(groups or {})
    wanted = _wanted(queues, members)
    days = history_counts(db_session, history, wanted)
    for counts in days:
        _add_groups(counts, members)
    scopes = list(queues) if queues is not None else _every_scope(days)
    if not any(_offered_total(d.get(s, {})) for d in days for s in scopes):
        raise ForecastError(_no_history(day, history, scopes))
    if actual_offered is None:
        actual_offered = {}
        if now is not None and now > grid.start:
            actual_offered = _group_actuals(offered_counts(db_session, grid, wanted, now), members)
    cursor = grid.cursor(now)
    forecasts = {}
    for scope in scopes:
        target = (targets or {}).get(scope, default_target)
        forecast = _scope_forecast(
            scope, grid=grid, history=history, days=days, target=target, options=opts
        )
        forecasts[scope] = rescale(
            forecast,
            actual_offered=actual_offered.get(scope, {}),
            current_index=cursor,
            scaling=opts.scaling,
        )
    return DayForecast(
        day=day,
        timezone=timezone,
        interval_minutes=interval_minutes,
        history_days=tuple(g.day for g in history),
        queues=forecasts,
    )


def _wanted(queues: Sequence[str] | None, groups: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The queues to read: None for every queue."""
    if queues is None or ALL in queues:
        return None
    return sorted({queue for scope in queues for queue in groups.get(scope, (scope,))})


def _add_groups(counts: DayCounts, groups: Mapping[str, Sequence[str]]) -> None:
    for name, queues in groups.items():
        total: dict[int, Counts] = defaultdict(Counts)
        for queue in queues:
            for index, part in counts.get(queue, {}).items():
                into = total[index]
                into.offered += part.offered
                into.handled += part.handled
                into.handle_seconds += part.handle_seconds
        counts[name] = total


def _group_actuals(
    actual: dict[str, dict[int, int]], groups: Mapping[str, Sequence[str]]
) -> dict[str, dict[int, int]]:
    for name, queues in groups.items():
        total: dict[int, int] = defaultdict(int)
        for queue in queues:
            for index, calls in actual.get(queue, {}).items():
                total[index] += calls
        actual[name] = dict(total)
    return actual


def _every_scope(days: Sequence[DayCounts]) -> list[str]:
    return [*sorted({queue for day in days for queue in day} - {ALL}), ALL]


def history_days(day: date, weeks: int) -> list[date]:
    """The same weekday in each of the ``weeks`` weeks before ``day``, most recent first."""
    return [day - timedelta(weeks=k + 1) for k in range(weeks)]


def actual_offered_from_history(
    *,
    db_session: Session,
    day: date,
    timezone: str = "UTC",
    interval_minutes: int = 15,
    until: float | None = None,
    queues: Sequence[str] | None = None,
) -> dict[str, dict[int, int]]:
    """Calls offered per interval of ``day`` according to the history (finished calls only).

    Args:
        db_session: Session on the database holding the ``calls`` table.
        day: Local day.
        timezone: IANA name of the center's zone.
        interval_minutes: Interval length; must divide a day.
        until: Epoch seconds; only calls enqueued before it count (None: the whole day).
        queues: Queues to count (None: every queue); ``*`` is always included.

    Returns:
        Scope (queue or ``*``) → interval index → calls offered.
    """
    grid = day_grid(day=day, timezone=timezone, interval_minutes=interval_minutes)
    wanted = None if queues is None or ALL in queues else tuple(queues)
    return offered_counts(db_session, grid, wanted, until)


def offered_from_snapshot(intervals: Mapping[str, Mapping[str, Any]]) -> dict[int, int]:
    """Interval index → offered, from a live snapshot's ``queues[q]["intervals"]``.

    Args:
        intervals: Interval index (a string) → counters with ``offered``.
    """
    out = {}
    for key, counters in intervals.items():
        if str(key).isdigit():
            out[int(key)] = int(counters.get("offered") or 0)
    return out


def _no_history(day: date, history: Sequence[DayGrid], scopes: Sequence[str]) -> str:
    which = ", ".join(repr(s) if s != ALL else "any queue" for s in scopes)
    first, last = history[-1].day, history[0].day
    return (
        f"no call history for {which} on the {len(history)} {day:%A}(s) before {day} "
        f"({first} .. {last})"
    )


def _offered_total(counts: Mapping[int, Counts]) -> int:
    return sum(c.offered for c in counts.values())


def _scope_forecast(
    scope: str,
    *,
    grid: DayGrid,
    history: Sequence[DayGrid],
    days: Sequence[DayCounts],
    target: ServiceLevelTarget,
    options: ForecastOptions,
) -> QueueForecast:
    weeks, missing = [], []
    for past, weight, counts in zip(history, options.weights(), days, strict=True):
        scoped = counts.get(scope, {})
        if _offered_total(scoped):
            weeks.append(WeekHistory(grid=past, weight=weight, counts=scoped))
        else:
            missing.append(past.day)
    if weeks and not sum(w.weight for w in weeks):
        weeks = [WeekHistory(grid=w.grid, weight=1.0, counts=w.counts) for w in weeks]
    day_profile = profile(weeks=weeks, grid=grid, min_aht_calls=options.min_aht_calls)
    return QueueForecast(
        queue=scope,
        day=grid.day,
        interval_minutes=grid.interval_minutes,
        weeks=tuple(w.grid.day for w in weeks),
        missing_weeks=tuple(missing),
        history_offered=sum(_offered_total(w.counts) for w in weeks),
        aht_day=day_profile.aht_day,
        scale=1.0,
        actual_so_far=0,
        forecast_so_far=0.0,
        current_index=-1,
        target=target,
        max_occupancy=options.max_occupancy,
        intervals=base_intervals(
            grid=grid, day_profile=day_profile, target=target, max_occupancy=options.max_occupancy
        ),
    )
