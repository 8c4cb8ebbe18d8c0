"""The parts that write the aggregator's outputs, on their own: the history flusher's retry
pacing and the snapshot writer's document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import redis
from event_factories import T0, answered_call

from collectors.aggregator.counters import Mirror
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.outputs import HistoryFlusher, SnapshotWriter
from collectors.keys import Keys


class Database:
    """A history sink that is away until told otherwise."""

    def __init__(self) -> None:
        self.up = False
        self.attempts = 0
        self.stored: list[dict[str, Any]] = []

    def __call__(self, records: Sequence[dict[str, Any]]) -> None:
        self.attempts += 1
        if not self.up:
            raise OSError("database away")
        self.stored.extend(records)


def test_the_history_flusher_keeps_records_and_waits_before_retrying(
    redis_client: redis.Redis, keys: Keys
) -> None:
    redis_client.rpush(keys.outbox, json.dumps([{"call_id": "a"}]), json.dumps([{"call_id": "b"}]))
    now = [1000.0]
    sink = Database()
    flusher = HistoryFlusher(
        redis_client, keys=keys, sink=sink, batch=1, retry_s=5.0, clock=lambda: now[0]
    )
    assert flusher.flush() == 0
    assert (sink.attempts, redis_client.llen(keys.outbox)) == (1, 2)

    sink.up = True
    now[0] += 4.0  # still inside the retry wait: no attempt
    assert flusher.flush() == 0
    assert sink.attempts == 1

    now[0] += 1.0
    assert flusher.flush() == 1  # one batch per call
    assert flusher.flush(everything=True) == 1
    assert [r["call_id"] for r in sink.stored] == ["a", "b"]
    assert redis_client.llen(keys.outbox) == 0


def test_everything_is_written_even_while_waiting_to_retry(
    redis_client: redis.Redis, keys: Keys
) -> None:
    redis_client.rpush(keys.outbox, json.dumps([{"call_id": "a"}]))
    sink = Database()
    flusher = HistoryFlusher(
        redis_client, keys=keys, sink=sink, batch=10, retry_s=60.0, clock=lambda: T0
    )
    flusher.flush()
    sink.up = True
    assert flusher.flush(everything=True) == 1
    assert flusher.retry_at == 0.0


def test_the_snapshot_writer_stores_the_picture_it_returns(
    redis_client: redis.Redis, keys: Keys
) -> None:
    engine = Engine(AggregatorConfig())
    engine.apply_all(answered_call("c1", "sales", "ann", T0, wait=3, talk=30)[:1])  # waiting
    doc = SnapshotWriter(redis_client, keys=keys, config=engine.config).write(
        engine=engine, mirror=Mirror(keys), now=T0 + 10
    )
    stored = json.loads(redis_client.get(keys.snapshot) or "{}")
    assert stored == doc
    assert doc["generated_at"] == T0 + 10
    assert [call["call_id"] for call in doc["waiting"]] == ["c1"]
