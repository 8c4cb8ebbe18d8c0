"""SIGKILL the real aggregator process again and again while a stream of 100,000 events
arrives; the counters, the live state and the finished-call records must equal those of a
clean run exactly (nothing lost, nothing counted twice)."""

from __future__ import annotations

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

EVENTS = 100_000


def test_sigkill_mid_stream_of_100k_events_then_restart_counts_exactly(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    lines = simulated_lines(lines=EVENTS, agents=300)
    qlog = tmp_path / "queue_log"
    qlog.touch()
    expected = reference(lines, path=qlog)
    assert expected.events == EVENTS
    keys = Keys(prefix=f"t{uuid.uuid4().hex[:8]}")
    env = {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp_path),
    }
    fb = Floorboard(env, tmp_path / "logs")
    aggregate = ("aggregate", "--no-history", "--consumer", "agg", "--read-count", "4")
    kills = 0
    try:
        fb.start("collect", "queue-log", str(qlog), "--follow", "--poll-interval", "0.05")
        writer = feed(qlog, lines, chunk=2_000, pause=0.03)
        aggregator = fb.start(*aggregate)
        for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
            wait_until(
                lambda f=fraction: applied(redis_client, keys) >= f * EVENTS,
                timeout=60,
                what=lambda f=fraction: f"{f:.0%} of the events applied\n{fb.output()}",
            )
            fb.kill(aggregator)
            kills += 1
            aggregator = fb.start(*aggregate)
        writer.join(timeout=60)
        wait_until(
            lambda: applied(redis_client, keys) >= EVENTS,
            timeout=60,
            what=lambda: f"every event applied\n{fb.output()}",
        )
    finally:
        fb.stop_all()
    assert kills == 5
    assert same(in_redis(redis_client, keys), expected) == []
    stats = redis_client.hgetall(keys.stats)
    assert (int(stats["ingested"]), int(stats["applied"])) == (EVENTS, EVENTS)
    assert int(stats.get("duplicates", 0)) == 0
    assert redis_client.xpending(keys.events, "aggregator")["pending"] == 0


def test_a_standby_takes_over_mid_stream_and_counts_exactly(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """Two aggregators: one works, one waits. The worker is stopped (SIGTERM: it finishes the
    batch in hand and gives the lease up) and the standby, which loaded its state hours ago in
    real life, reloads it when it takes over: nothing is lost or counted twice."""
    lines = simulated_lines(lines=30_000)
    qlog = tmp_path / "queue_log"
    qlog.touch()
    expected = reference(lines, path=qlog)
    keys = Keys(prefix=f"t{uuid.uuid4().hex[:8]}")
    env = {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp_path),
    }
    fb = Floorboard(env, tmp_path / "logs")
    try:
        first = fb.start("aggregate", "--no-history", "--consumer", "first", "--read-count", "4")
        wait_until(
            lambda: redis_client.get(keys.aggregator_lock) == "first",
            timeout=30,
            what=lambda: f"the first aggregator\n{fb.output()}",
        )
        fb.start("aggregate", "--no-history", "--consumer", "standby", "--read-count", "4")
        fb.start("collect", "queue-log", str(qlog), "--follow", "--poll-interval", "0.05")
        writer = feed(qlog, lines, chunk=1_000, pause=0.05)
        wait_until(
            lambda: applied(redis_client, keys) >= EVENTS_STANDBY_SWITCH,
            timeout=60,
            what=lambda: f"events applied by the first aggregator\n{fb.output()}",
        )
        first.terminate()
        assert first.wait(timeout=30) == 0
        writer.join(timeout=60)
        wait_until(
            lambda: applied(redis_client, keys) >= len(lines),
            timeout=20,  # well below the 30 s after which entries of a dead consumer are claimed
            what=lambda: f"the standby to finish\n{fb.output()}",
        )
        assert redis_client.get(keys.aggregator_lock) == "standby"
    finally:
        fb.stop_all()
    assert same(in_redis(redis_client, keys), expected) == []
    assert int(redis_client.hget(keys.stats, "applied") or 0) == len(lines)


EVENTS_STANDBY_SWITCH = 8_000
