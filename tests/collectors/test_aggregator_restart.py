"""The real aggregator process, killed with SIGKILL mid-stream and restarted: exact counts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from event_factories import T0, abandoned_call, answered_call

from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.report import interval_records, read_days
from collectors.events import Event
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis

CALLS = 6_000


def workload() -> list[Event]:
    events: list[Event] = []
    for i in range(CALLS):
        at = T0 + i * 7
        if i % 9 == 0:
            events += abandoned_call(f"k{i}", f"q{i % 4}", at, wait=i % 60)
        else:
            events += answered_call(
                f"k{i}", f"q{i % 4}", f"a{i % 50}", at, wait=i % 45, talk=60 + i % 300
            )
    return sorted(events, key=lambda e: e.ts)


def start_aggregator(server: EmbeddedRedis, keys: Keys, tmp: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLOORBOARD_REDIS_URL": server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp),
    }
    code = "from dashboard.cli import main; main()"
    args = [
        sys.executable,
        "-c",
        code,
        "aggregate",
        "--no-history",
        "--consumer",
        "agg",
        "--read-count",
        "2",
    ]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def applied(client: redis.Redis, keys: Keys) -> int:
    stats = client.hgetall(keys.stats)
    return int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))


def wait_until(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_sigkill_mid_stream_then_restart_counts_exactly(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    events = workload()
    # A reference computed in memory by the same engine, no Redis, no restarts.
    reference = Engine(AggregatorConfig())
    for event in events:
        reference.apply(event)
    expected = sum(
        v for (_d, _q, _i, c), v in reference.take_changes().qdelta.items() if c == "handled"
    )

    EventProducer(redis_client, keys=keys, frame_size=50).publish(events)
    total = len(events)
    for fraction in (0.15, 0.4, 0.7):
        process = start_aggregator(redis_server, keys, tmp_path)
        wait_until(lambda f=fraction: applied(redis_client, keys) >= f * total)
        process.send_signal(signal.SIGKILL)
        process.wait()
    process = start_aggregator(redis_server, keys, tmp_path)
    try:
        wait_until(lambda: applied(redis_client, keys) >= total)
    finally:
        process.terminate()
        process.wait(timeout=20)

    clock = Engine(AggregatorConfig()).clock
    day = next(
        r
        for r in interval_records(read_days(redis_client, keys), clock=clock, interval="day")
        if r["queue"] == "*"
    )
    assert day["offered"] == CALLS
    assert day["handled"] == expected
    assert day["answered"] + day["abandoned"] + day["short_abandoned"] == CALLS
    stats = redis_client.hgetall(keys.stats)
    assert int(stats["applied"]) == total and int(stats.get("duplicates", 0)) == 0
    assert redis_client.hlen(keys.live_calls) == 0
