"""The real queue_log collector (``floorboard collect queue-log --follow``) across a rotation,
a copytruncate, and a SIGKILL with restart, while the real aggregator runs: every line written
is counted exactly once, end to end.

``copytruncate`` (logrotate copies the file, then empties it) loses, in any tail follower, the
lines written between the copy and the truncation that the follower had not read yet; the test
truncates once the collector has caught up, as the race is logrotate's, not the collector's.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import redis
from faults.support import (
    Floorboard,
    append,
    applied,
    in_redis,
    reference,
    same,
    simulated_lines,
    wait_until,
)

from collectors.keys import Keys
from collectors.queue_log.parser import default_source
from collectors.redis_server import EmbeddedRedis


def caught_up(client: redis.Redis, keys: Keys, path: Path) -> bool:
    """The collector's stored offset is at the end of the file now at ``path``."""
    raw = client.hget(keys.offsets, default_source(path))
    if raw is None:
        return False
    offset = json.loads(raw)
    st = path.stat()
    return (offset["inode"], offset["position"]) == (st.st_ino, st.st_size)


def test_rotation_truncation_and_a_collector_restart_count_every_line_once(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    lines = simulated_lines(lines=12_000)
    chunks = [lines[i : i + 2_000] for i in range(0, len(lines), 2_000)]
    qlog = tmp_path / "queue_log"
    expected = reference(lines, path=qlog)
    keys = Keys(prefix=f"t{uuid.uuid4().hex[:8]}")
    env = {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp_path),
    }
    fb = Floorboard(env, tmp_path / "logs")
    collect = ("collect", "queue-log", str(qlog), "--follow", "--poll-interval", "0.05")
    collect += ("--batch-lines", "300")

    def settle(what: str) -> None:
        wait_until(
            lambda: caught_up(redis_client, keys, qlog),
            timeout=30,
            what=lambda: f"the collector to catch up after {what}\n{fb.output()}",
        )

    try:
        fb.start("aggregate", "--no-history", "--consumer", "agg")
        collector = fb.start(*collect)
        append(qlog, chunks[0])
        settle("the first lines")
        # rotation: Asterisk goes on writing to the renamed file until it reopens its log
        qlog.rename(tmp_path / "queue_log.1")  # the new file appears only later
        append(tmp_path / "queue_log.1", chunks[1])
        append(qlog, chunks[2])
        settle("a rotation")
        # copytruncate
        shutil.copyfile(qlog, tmp_path / "queue_log.2")
        with qlog.open("r+b") as fh:
            fh.truncate(0)
        append(qlog, chunks[3][:1000])
        settle("a truncation")
        # the collector dies mid-stream; Asterisk does not wait for it
        append(qlog, chunks[3][1000:])
        fb.kill(collector)
        append(qlog, chunks[4])
        fb.start(*collect)
        append(qlog, chunks[5])
        settle("a restart")
        wait_until(
            lambda: applied(redis_client, keys) >= expected.events,
            timeout=60,
            what=lambda: f"every line applied\n{fb.output()}",
        )
    finally:
        fb.stop_all()
    assert same(in_redis(redis_client, keys), expected) == []
    stats = redis_client.hgetall(keys.stats)
    assert int(stats["applied"]) == len(lines)
    assert int(stats.get("rejected", 0)) == 0
