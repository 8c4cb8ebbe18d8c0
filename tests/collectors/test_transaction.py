"""What a batch writes: hostile names in counter fields, the lifetime of minute counters, and
an outbox trim that never drops records nobody wrote."""

from __future__ import annotations

import redis
from event_factories import T0, answered_call, ev

from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.scripts import TRIM_OUTBOX
from collectors.events import Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer


def test_names_with_tabs_and_newlines_are_counted_like_any_other(
    redis_client: redis.Redis, keys: Keys
) -> None:
    events = [
        *answered_call("c1", "sa\tles", "ann\nx", T0, wait=3, talk=9),
        ev(Kind.ENQUEUE, T0 + 1, call_id="c2", queue="q\x00"),
        *answered_call("c3", "plain", "bob", T0 + 2, wait=30, talk=9),
    ]
    EventProducer(redis_client, keys=keys).publish(sorted(events, key=lambda e: e.ts))
    Aggregator(redis_client, keys=keys).drain()
    counters = redis_client.hgetall(keys.queue_counters("20260101"))
    assert counters["sa\tles|0|answered"] == "1"
    assert counters["sa\tles|0|max_wait_answered_ms"] == "3000"
    assert counters["q\x00|0|offered"] == "1"
    assert counters["plain|0|max_wait_answered_ms"] == "30000"
    agents = redis_client.hgetall(keys.agent_counters("20260101"))
    assert agents["ann\nx|0|handled"] == "1"


def test_minute_counters_live_for_two_days_interval_counters_for_weeks(
    redis_client: redis.Redis, keys: Keys
) -> None:
    EventProducer(redis_client, keys=keys).publish(answered_call("c", "q", "a", T0, wait=1, talk=2))
    Aggregator(redis_client, keys=keys).drain()
    minute_keys = list(redis_client.scan_iter(match=f"{keys.prefix}:*:mc:*"))
    assert minute_keys
    assert all(0 < redis_client.ttl(k) <= 48 * 3600 for k in minute_keys)
    assert redis_client.ttl(keys.queue_counters("20260101")) > 30 * 86_400


def test_an_outbox_trim_applies_once(redis_client: redis.Redis, keys: Keys) -> None:
    redis_client.rpush(keys.outbox, "a", "b", "c")
    assert redis_client.eval(TRIM_OUTBOX, 1, keys.outbox, 2, "a", "b") == 1
    # the same trim again (a retried command, a second worker) leaves "c" alone
    assert redis_client.eval(TRIM_OUTBOX, 1, keys.outbox, 2, "a", "b") == 0
    assert redis_client.lrange(keys.outbox, 0, -1) == ["c"]
