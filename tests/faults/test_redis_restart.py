"""Redis killed (SIGKILL) and restarted twice while a queue_log is being ingested: the
collector and the aggregator reconnect by themselves, and with AOF (``appendfsync always``)
nothing acknowledged is lost and nothing is counted twice."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import redis
from faults.support import (
    Floorboard,
    applied,
    feed,
    in_redis,
    reference,
    same,
    simulated_lines,
    wait_until,
)

from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis

EVENTS = 40_000


def test_redis_restarts_during_ingest_lose_and_double_nothing(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendonly=True, appendfsync="always")
    server.start()
    client = redis.Redis(port=server.port, decode_responses=True, socket_timeout=5)
    lines = simulated_lines(lines=EVENTS)
    qlog = tmp_path / "queue_log"
    qlog.touch()
    expected = reference(lines, path=qlog)
    keys = Keys(prefix="faults")
    env = {
        "FLOORBOARD_REDIS_URL": server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp_path),
    }
    fb = Floorboard(env, tmp_path / "logs")
    restarts = 0

    def progress() -> int:
        try:
            return applied(client, keys)
        except redis.RedisError:
            return -1

    try:
        fb.start("collect", "queue-log", str(qlog), "--follow", "--poll-interval", "0.05")
        fb.start("aggregate", "--no-history", "--consumer", f"agg-{uuid.uuid4().hex[:4]}")
        wait_until(
            lambda: bool(client.exists(keys.aggregator_lock)),
            timeout=30,
            what=lambda: f"the aggregator to start\n{fb.output()}",
        )
        writer = feed(qlog, lines, chunk=500, pause=0.05)
        size = sum(len(line.encode()) + 1 for line in lines)
        for fraction in (0.3, 0.65):
            # while Asterisk still writes: the collector publishes and the aggregator applies
            wait_until(
                lambda f=fraction: qlog.stat().st_size >= f * size,
                timeout=60,
                what=f"{fraction:.0%} of the queue_log written",
            )
            assert progress() > 0 and writer.is_alive()
            server.stop(kill=True)
            time.sleep(0.5)  # down long enough for both clients to notice
            server.start()
            restarts += 1
        writer.join(timeout=60)
        wait_until(
            lambda: progress() >= EVENTS,
            timeout=90,
            what=lambda: f"every event applied after the restarts\n{fb.output()}",
        )
        assert all(p.poll() is None for p in fb.processes), "a process gave up"
    finally:
        fb.stop_all()
        outcome = in_redis(client, keys)
        stats = client.hgetall(keys.stats)
        client.close()
        server.stop()
    assert restarts == 2
    assert same(outcome, expected) == []
    assert int(stats["applied"]) == EVENTS
    # a batch whose reply was lost with the server is published again: dropped, not counted
    assert int(stats["ingested"]) == EVENTS + int(stats.get("duplicates", 0))
