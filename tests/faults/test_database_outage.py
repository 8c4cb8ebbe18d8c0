"""PostgreSQL goes away for a while under the real ``floorboard aggregate`` process: finished
calls wait in the Redis outbox, the aggregator keeps counting, and when the database is back
every call is written exactly once."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from faults.support import Floorboard, Outage, applied, reference, simulated_lines, wait_until
from sqlalchemy import create_engine, text

from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import parse_lines
from collectors.queue_log.parser import default_source
from collectors.redis_server import EmbeddedRedis

pytestmark = pytest.mark.postgres


def through(url: str, port: int) -> str:
    """``url`` (a Unix socket one) pointed at the forwarder on ``port`` instead."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc, query=""))


def stored_calls(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            rows = db.execute(text("SELECT call_id, queue, outcome FROM calls")).all()
    finally:
        engine.dispose()
    return sorted(tuple(r) for r in rows)


def test_database_away_for_a_while_loses_no_call(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, postgres_server: Any, tmp_path: Path
) -> None:
    name = f"outage_{uuid.uuid4().hex[:8]}"
    postgres_server.psql(f"CREATE DATABASE {name};")
    direct = postgres_server.get_uri(database=name).replace(
        "postgresql://", "postgresql+psycopg://"
    )
    info = postgres_server.get_postmaster_info()  # it listens on a Unix socket only
    outage = Outage(f"{info.socket_dir}/.s.PGSQL.{info.port}")
    lines = simulated_lines(lines=12_000)
    qlog = tmp_path / "queue_log"
    events, _ = parse_lines(lines, source=default_source(qlog), path_label=str(qlog))
    expected = sorted(
        (r["call_id"], r["queue"], r["outcome"])
        for r in (json.loads(x) for x in reference(lines, path=qlog).records)
        if r["type"] == "call"
    )
    keys = Keys(prefix=f"t{uuid.uuid4().hex[:8]}")
    env = {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp_path),
        "FLOORBOARD_DATABASE_URL": through(direct, outage.port),
    }
    fb = Floorboard(env, tmp_path / "logs")
    producer = EventProducer(redis_client, keys=keys)
    half = len(events) // 2
    try:
        fb.start("aggregate", "--consumer", "agg")  # migrates the database first
        producer.publish(events[:half])
        wait_until(
            lambda: applied(redis_client, keys) >= half and not redis_client.llen(keys.outbox),
            timeout=60,
            what=lambda: f"the first half in SQL\n{fb.output()}",
        )
        outage.cut()
        producer.publish(events[half:])
        wait_until(
            lambda: applied(redis_client, keys) >= len(events),
            timeout=60,
            what=lambda: f"the second half applied while the database is away\n{fb.output()}",
        )
        time.sleep(3)  # a few failed attempts
        kept = redis_client.llen(keys.outbox)
        assert kept > 0, "finished calls must wait in the outbox"
        assert all(p.poll() is None for p in fb.processes), fb.output()
        outage.restore()
        wait_until(
            lambda: not redis_client.llen(keys.outbox),
            timeout=60,
            what=lambda: f"the outbox written once the database is back\n{fb.output()}",
        )
    finally:
        fb.stop_all()
        outage.cut()
    assert stored_calls(direct) == expected
    assert "the database is back" in fb.output()
