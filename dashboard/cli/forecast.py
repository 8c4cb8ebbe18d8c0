"""``floorboard forecast``: a day's intraday forecast from the call history
(docs/METRICS.md#intraday-forecast).

Offered calls and AHT per interval come from the same weekday of the previous ``--weeks``
weeks (recent weeks weigh more); for today the intervals still to come are scaled by today's
actual-to-forecast ratio so far. ``agents_required`` is an Erlang C estimate for the center's
service-level target. The database is ``FLOORBOARD_DATABASE_URL`` (run ``floorboard db
upgrade`` first); intervals are local to ``FLOORBOARD_TIMEZONE``.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from collectors.forecast import (
    ALL,
    ForecastError,
    ForecastOptions,
    QueueForecast,
    forecast_day,
)
from collectors.forecast.queries import queue_names
from collectors.staffing import ServiceLevelTarget
from core.db import make_engine, session_factory
from dashboard.cli import Context, pass_context, require_tables
from dashboard.settings import Settings

_NOW_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TABLES = ("calls",)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


def _target(settings: Settings, queue: str) -> ServiceLevelTarget:
    per_queue = settings.queues.get(queue)
    level = settings.sl_target
    if per_queue is not None and per_queue.sl_target is not None:
        level = per_queue.sl_target
    time_t = settings.sl_threshold if queue == ALL else settings.sl_threshold_for(queue)
    try:
        return ServiceLevelTarget(level=level, time=time_t)
    except ValueError as exc:
        raise click.ClickException(f"service-level setting for queue {queue!r}: {exc}") from exc


def _interval(iv: Any) -> dict[str, Any]:
    return {
        "interval_start": iv.start.isoformat(),
        "index": iv.index,
        "status": iv.status,
        "seconds": iv.seconds,
        "offered_base": round(iv.offered_base, 3),
        "offered_forecast": round(iv.offered_forecast, 3),
        "aht_forecast": None if iv.aht_forecast is None else round(iv.aht_forecast, 2),
        "traffic_erlangs": round(iv.traffic, 3),
        "agents_required": iv.agents_required,
        "actual_offered": iv.actual_offered,
    }


def _payload(result: QueueForecast, timezone: str, now: datetime) -> dict[str, Any]:
    return {
        "date": result.day.isoformat(),
        "weekday": f"{result.day:%A}",
        "queue": result.queue,
        "timezone": timezone,
        "interval_minutes": result.interval_minutes,
        "now": now.isoformat(),
        "weeks_used": [d.isoformat() for d in result.weeks],
        "missing_weeks": [d.isoformat() for d in result.missing_weeks],
        "history_offered": result.history_offered,
        "aht_day": None if result.aht_day is None else round(result.aht_day, 2),
        "scale": round(result.scale, 4),
        "actual_so_far": result.actual_so_far,
        "forecast_so_far": round(result.forecast_so_far, 3),
        "sl_target": result.target.level,
        "sl_threshold": result.target.time,
        "agents_required_method": "Erlang C estimate (no abandonment)",
        "offered_forecast_total": round(sum(iv.offered_forecast for iv in result.intervals), 3),
        "intervals": [_interval(iv) for iv in result.intervals],
    }


def _table(result: QueueForecast, now: datetime) -> str:
    history = ", ".join(d.isoformat() for d in result.weeks)
    if result.missing_weeks:
        history += f"; no calls on {', '.join(d.isoformat() for d in result.missing_weeks)}"
    lines = [
        f"Forecast for {result.queue!r} on {result.day:%A %Y-%m-%d} (now {now:%Y-%m-%d %H:%M})",
        f"History: {history}",
        f"Scale {result.scale:.3f} (actual {result.actual_so_far} vs forecast "
        f"{result.forecast_so_far:.1f} so far); agents: Erlang C estimate for "
        f"{result.target.level:.0%} within {result.target.time:g} s",
        f"{'interval':<8} {'status':<8} {'forecast':>9} {'actual':>7} {'AHT s':>7} {'agents':>7}",
    ]
    for iv in result.intervals:
        actual = "" if iv.actual_offered is None else str(iv.actual_offered)
        aht = "" if iv.aht_forecast is None else f"{iv.aht_forecast:.0f}"
        agents = "?" if iv.agents_required is None else str(iv.agents_required)
        status = iv.status if iv.seconds else "skipped"
        lines.append(
            f"{iv.start:%H:%M}    {status:<8} {iv.offered_forecast:>9.1f} {actual:>7} "
            f"{aht:>7} {agents:>7}"
        )
    return "\n".join(lines)


def _run(
    session: Session, settings: Settings, *, day: date, queue: str, weeks: int, now: float
) -> QueueForecast:
    try:
        result = forecast_day(
            db_session=session,
            day=day,
            timezone=settings.timezone,
            interval_minutes=settings.interval_minutes,
            queues=[queue],
            targets={queue: _target(settings, queue)},
            now=now,
            options=ForecastOptions(weeks=weeks),
        )
    except ForecastError as exc:
        known = queue_names(session)
        hint = f"; queues in the history: {', '.join(known)}" if queue != ALL and known else ""
        raise click.ClickException(f"{exc}{hint}") from exc
    return result.queues[queue]


@click.command("forecast")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Local day to forecast, YYYY-MM-DD (default: today in FLOORBOARD_TIMEZONE).",
)
@click.option(
    "--queue", default=ALL, show_default=True, help="Queue name, or * for all queues together."
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    default=4,
    show_default=True,
    help="Previous same weekdays to average (recent weeks weigh more).",
)
@click.option(
    "--now",
    "now_at",
    type=click.DateTime(formats=_NOW_FORMATS),
    help="Local time to treat as now, YYYY-MM-DDTHH:MM (replaying a day); default: the clock.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def forecast(
    ctx: Context,
    day: datetime | None,
    queue: str,
    weeks: int,
    now_at: datetime | None,
    as_json: bool,
) -> None:
    """Offered calls, AHT and agents required per interval of a day (Erlang C estimate)."""
    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    now = now_at.replace(tzinfo=tz) if now_at else datetime.fromtimestamp(time.time(), tz)
    target_day = day.date() if day else now.date()
    url = settings.sqlalchemy_url
    require_tables(url, TABLES)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            result = _run(
                session, settings, day=target_day, queue=queue, weeks=weeks, now=now.timestamp()
            )
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"cannot read the call history at {_safe(url)}: {exc.__class__.__name__}: {exc}"
        ) from exc
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(_payload(result, settings.timezone, now), indent=2, allow_nan=False))
    else:
        click.echo(_table(result, now))
