"""``floorboard simulate``: a simulated center feeding the stream (or a queue_log file).

Live: events are paced in real time (``--speed 1``) or accelerated (``--speed 60`` = an hour
a minute) until ``--duration`` is over or Ctrl-C. Backfill (``--backfill-days N``): N whole past
days as fast as possible, for forecasts and QA history.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import redis

from collectors.events import Event
from collectors.pipeline.outage import OutageTracker
from collectors.pipeline.producer import EventProducer
from collectors.simulator import (
    CenterConfig,
    QueueLogFileSink,
    RunStats,
    default_center,
    generate,
    run,
    run_id_for,
)
from core.center_time import center_time
from dashboard.cli import Context, pass_context
from dashboard.runtime import keys_for, redis_connection

log = logging.getLogger(__name__)

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> float:
    """Seconds in ``8h``, ``30m``, ``1h30m``, ``90s``, ``2d``; raises ``click.BadParameter``."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise click.BadParameter(
            f"{text!r} is not a duration such as 8h, 30m, 1h30m, 90s or 2d",
            param_hint="--duration",
        )
    seconds = sum(float(n) * _UNIT[u] for n, u in parts)
    if seconds <= 0:
        raise click.BadParameter("the duration must be positive", param_hint="--duration")
    return seconds


def parse_start(text: str, timezone: str) -> float:
    """Epoch seconds of an ISO 8601 time; a naive time is in the center's ``timezone``."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r} is not an ISO 8601 time such as 2024-05-06T08:00", param_hint="--start"
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.timestamp()


def parse_queues(text: str) -> list[str]:
    """Queue names from ``a,b,c``; raises ``click.BadParameter`` on an empty or bad name."""
    names = [name.strip() for name in text.split(",")]
    for position, name in enumerate(names, 1):
        if not name or "|" in name or name.upper() == "NONE":
            raise click.BadParameter(
                f"queue #{position} in {text!r} is empty, NONE or contains '|'",
                param_hint="--queues",
            )
    if len(set(names)) != len(names):
        raise click.BadParameter(f"{text!r} names a queue twice", param_hint="--queues")
    return names


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM; the previous handlers are restored afterwards."""
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _status(timezone: str) -> Callable[[RunStats], None]:
    def show(stats: RunStats) -> None:
        clock = center_time(stats.clock, timezone, style="seconds")
        click.echo(
            f"sim {clock}  offered {stats.offered}  answered {stats.answered}  "
            f"abandoned {stats.abandoned}  events {stats.events}"
        )

    return show


@click.command()
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="Simulated seconds per real second (60 = one hour a minute).",
)
@click.option(
    "--start",
    "start_text",
    default=None,
    help="Simulated start, ISO 8601 (naive = center time zone). Default: now.",
)
@click.option(
    "--duration",
    "duration_text",
    default=None,
    help="Simulated time to run: 8h, 30m, 1h30m, 2d. Default: until Ctrl-C.",
)
@click.option("--agents", type=int, default=18, show_default=True, help="Roster size.")
@click.option(
    "--queues",
    "queues_text",
    default="sales,support,billing,vip",
    show_default=True,
    help="Comma-separated queue names.",
)
@click.option(
    "--emit",
    type=click.Choice(["redis", "queue-log"]),
    default="redis",
    show_default=True,
    help="Publish to the center's stream or append to a queue_log.",
)
@click.option(
    "--queue-log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The queue_log file to append to (with --emit queue-log).",
)
@click.option(
    "--backfill-days",
    type=click.IntRange(min=1),
    default=None,
    help="Generate N whole past days as fast as possible, then exit.",
)
@click.option(
    "--status-every",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Real seconds between two status lines.",
)
@pass_context
def simulate(
    ctx: Context,
    seed: int,
    speed: float,
    start_text: str | None,
    duration_text: str | None,
    agents: int,
    queues_text: str,
    emit: str,
    queue_log_file: Path | None,
    backfill_days: int | None,
    status_every: float,
) -> None:
    """Simulate a call center: live demo traffic, load, or history backfill."""
    settings = ctx.settings
    if not speed > 0 or math.isinf(speed):
        raise click.BadParameter("must be a positive number", param_hint="--speed")
    if emit == "queue-log" and queue_log_file is None:
        raise click.UsageError("--emit queue-log needs --queue-log-file PATH")
    if backfill_days is not None and duration_text is not None:
        raise click.UsageError("--backfill-days and --duration exclude each other")
    if agents < 1:
        raise click.BadParameter("must be at least 1", param_hint="--agents")
    config = default_center(
        agents=agents, queues=parse_queues(queues_text), timezone=settings.timezone
    )
    start, end = _period(start_text, duration_text, backfill_days, settings.timezone)
    run_id = run_id_for(config=config, seed=seed, start=start)
    click.echo(
        f"simulating {len(config.agents)} agents on {len(config.queues)} queues, "
        f"seed {seed}, run sim:{run_id}"
        + (f", {backfill_days} day(s) of backfill" if backfill_days else f", speed {speed:g}")
    )
    events = generate(config=config, seed=seed, start=start, end=end)
    # A Redis stall or restart: the same batch again with back-off, one line when Redis goes
    # away and one when it is back; the run carries on where it was.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    with _sink(ctx, emit, queue_log_file, config, run_id) as sink, _stop_on_signals() as stop:
        run(
            events=events,
            sink=sink,
            start=start,
            speed=None if backfill_days else speed,
            end=end,
            stop=stop,
            progress=_status(settings.timezone),
            progress_every=status_every,
            retry=OutageTracker("simulate: Redis", log),
        )
    click.echo("stopped" if stop.is_set() else "done")


def _period(
    start_text: str | None, duration_text: str | None, backfill_days: int | None, timezone: str
) -> tuple[float, float | None]:
    """The simulated ``(start, end)``; backfill ends at today's local midnight by default."""
    tz = ZoneInfo(timezone)
    if backfill_days is not None:
        if start_text is not None:
            start = parse_start(start_text, timezone)
        else:
            today = datetime.now(tz).date() - timedelta(days=backfill_days)
            start = datetime(today.year, today.month, today.day, tzinfo=tz).timestamp()
        return start, start + backfill_days * 86400.0
    start = parse_start(start_text, timezone) if start_text else float(math.floor(time.time()))
    end = None if duration_text is None else start + parse_duration(duration_text)
    return start, end


@contextlib.contextmanager
def _sink(
    ctx: Context, emit: str, path: Path | None, config: CenterConfig, run_id: str
) -> Iterator[Callable[[Sequence[Event]], None]]:
    """Where the batches go; turns Redis and file errors into a clear message."""
    if emit == "queue-log" and path is not None:
        file_sink = QueueLogFileSink(path, channels={a.name: a.channel for a in config.agents})
        try:
            yield file_sink
        except OSError as exc:
            raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from exc
        return
    source = f"sim:{run_id}"
    with redis_connection(ctx.settings) as client:
        producer = EventProducer(client, keys=keys_for(ctx.settings))

        def publish(batch: Sequence[Event]) -> None:
            last = batch[-1]
            producer.publish(
                batch, source=source, offset={"event_id": last.event_id, "ts": last.ts}
            )

        try:
            yield publish
        except redis.RedisError as exc:
            raise click.ClickException(f"Redis: {exc}") from exc
