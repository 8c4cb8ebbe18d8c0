"""What the wallboard bench runs against: Redis holding a simulated center's snapshot, the
database with a display token, the server processes, and the two baselines (a bare Flask route
on the same gunicorn setup, a Redis GET of the snapshot)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from bench.common import percentile
from bench.wallboard_client import fetch_json
from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.engine import AggregatorConfig
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis
from collectors.simulator import default_center, generate
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.cli.demo import business_hours_zone, demo_trunk_capacity

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BOARDS = ("center", "agents", "sales-team", "center-zh")
AGENTS = 300
WORKERS, THREADS = 2, 8
PREFIX = "wb"


@dataclass
class Site:
    """What the bench runs: Redis with the snapshot, a display token, the settings' env."""

    redis: EmbeddedRedis
    root: Path
    zone: str
    token: str
    agents_live: int

    @property
    def keys(self) -> Keys:
        return Keys(prefix=PREFIX)

    def env(self, port: int) -> dict[str, str]:
        return {
            **os.environ,
            "FLOORBOARD_ENV": "development",
            "FLOORBOARD_DATA_DIR": str(self.root),
            "FLOORBOARD_REDIS_URL": self.redis.url,
            "FLOORBOARD_KEY_PREFIX": PREFIX,
            "FLOORBOARD_TIMEZONE": self.zone,
            "FLOORBOARD_HOST": HOST,
            "FLOORBOARD_PORT": str(port),
        }


def _rules(zone: str) -> AggregatorConfig:
    return AggregatorConfig(timezone=zone, trunk_capacity=demo_trunk_capacity(AGENTS))


def prepare(root: Path, agents: int = AGENTS) -> Site:
    """Redis holding a simulated center's morning, the database, a display token."""
    server = EmbeddedRedis(root / "redis", appendonly=False).start()
    zone = business_hours_zone(datetime.now().astimezone())
    now = time.time()
    midnight = datetime.fromtimestamp(now, ZoneInfo(zone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    client = server.client()
    keys = Keys(prefix=PREFIX)
    producer = EventProducer(client, keys=keys)
    events = list(
        generate(
            config=default_center(agents=agents, timezone=zone),
            seed=11,
            start=midnight.timestamp(),
            end=now,
        )
    )
    for first in range(0, len(events), 5000):
        producer.publish(events[first : first + 5000])
    aggregator = Aggregator(client, keys=keys, config=_rules(zone))
    aggregator.drain()
    snap = aggregator.write_snapshot()
    live = sum(1 for a in snap["agents"] if a.get("state") != "logged_off")
    upgrade(f"sqlite:///{(root / 'floorboard.db').resolve()}")
    sessions = session_factory(make_engine(f"sqlite:///{(root / 'floorboard.db').resolve()}"))
    with session_scope(sessions) as db:
        token = service.create_display(db, name="bench", boards=BOARDS, created_by="bench").token
    return Site(server, root, zone, token, live)


def keep_fresh(redis_url: str, zone: str, period_s: float = 0.5) -> None:
    """Rewrite the snapshot every ``period_s`` as the running aggregator does (own process)."""
    aggregator = Aggregator(
        redis.Redis.from_url(redis_url, decode_responses=True),
        keys=Keys(prefix=PREFIX),
        config=_rules(zone),
    )
    aggregator.drain()
    while True:
        time.sleep(period_s)
        aggregator.write_snapshot()


def spawn(args: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_http(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            asyncio.run(fetch_json(HOST, port, path))
            return
        except (OSError, RuntimeError, ValueError):
            time.sleep(0.2)
    raise RuntimeError(f"no answer on {HOST}:{port}{path}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- baselines -----------------------------------------------------------------------------


def bare_server(redis_url: str, key: str, port: int) -> None:
    """The baseline: Flask on the same gunicorn setup, one route returning the snapshot."""
    import flask  # noqa: PLC0415
    from gunicorn.app.base import BaseApplication  # noqa: PLC0415

    app = flask.Flask("bare")
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    @app.get("/snapshot")
    def snapshot() -> flask.Response:
        return flask.Response(client.get(key) or "{}", mimetype="application/json")

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in (
                ("bind", f"{HOST}:{port}"), ("workers", WORKERS), ("threads", THREADS),
                ("worker_class", "gthread"), ("accesslog", "-"),
            ):  # fmt: skip
                self.cfg.set(name, value)

        def load(self) -> flask.Flask:
            return app

    _App().run()


def redis_get_ms(site: Site, count: int = 2000) -> tuple[float, float, int]:
    client = site.redis.client()
    key = site.keys.snapshot
    size = len(client.get(key) or "")
    times = []
    for _ in range(count):
        began = time.perf_counter()
        client.get(key)
        times.append(time.perf_counter() - began)
    return 1000 * percentile(times, 50), 1000 * percentile(times, 99), size
