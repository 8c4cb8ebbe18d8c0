"""A partitioned center: routing, the ownership-filtered engines, the merged snapshot, and N
aggregator workers in separate processes counting exactly what one worker counts."""

from __future__ import annotations

import itertools
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis
from faults.support import (
    QUEUES,
    Floorboard,
    append,
    applied,
    in_redis,
    reference,
    same,
    simulated_lines,
    wait_until,
)

from collectors.aggregator.engine import AggregatorConfig, Changes, Engine
from collectors.aggregator.partition import Partition, PartitionEngine
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.partitions import agent_partition, queue_partition, route, split
from collectors.queue_log.decoder import parse_lines
from collectors.queue_log.parser import default_source
from collectors.redis_server import EmbeddedRedis
from collectors.simulator import default_center, generate

START = 1_767_254_400.0  # 2026-01-01 08:00 UTC


def simulated_events(count: int, *, agents: int = 60) -> list[Event]:
    """Events straight from the simulator (with rings and wrap-up, which queue_log lacks)."""
    config = default_center(agents=agents, queues=QUEUES)
    return list(itertools.islice(generate(config=config, seed=3, start=START), count))


def test_routing_sends_each_event_to_its_queue_owner_and_agent_home() -> None:
    call = Event(Kind.ANSWER, START, "s", "1", call_id="c", queue="sales", agent="ann")
    logoff = Event(Kind.LOGOUT, START, "s", "2", agent="ann")
    restart = Event(Kind.SYSTEM_START, START, "s", "3")
    n = 5
    assert route(call, n) == tuple(sorted({queue_partition("sales", n), agent_partition("ann", n)}))
    assert route(logoff, n) == (agent_partition("ann", n),)
    assert route(restart, n) == tuple(range(n))
    assert route(call, 1) == (0,)
    # stable: the same names give the same partitions in every process and release
    assert (queue_partition("sales", 7), agent_partition("王芳", 7)) == (4, 1)
    parts = split([call, logoff, restart], n)
    assert sum(len(v) for v in parts.values()) == len(route(call, n)) + 1 + n


def counts(changes: Changes) -> tuple[dict[object, int], dict[object, int], Counter[str]]:
    records = Counter(json.dumps(r, sort_keys=True) for r in changes.outbox)
    return dict(changes.qdelta), dict(changes.adelta), records


@pytest.mark.parametrize("partitions", [2, 3, 7])
def test_partition_engines_together_count_exactly_what_one_engine_counts(
    partitions: int,
) -> None:
    events = simulated_events(40_000)
    single = Engine(AggregatorConfig())
    for event in events:
        single.apply(event)
    expected = single.take_changes()

    engines = [
        PartitionEngine(AggregatorConfig(), index=i, count=partitions) for i in range(partitions)
    ]
    for index, part in split(events, partitions).items():
        for event in part:
            engines[index].apply(event)
    qdelta: dict[object, int] = {}
    adelta: dict[object, int] = {}
    records: Counter[str] = Counter()
    calls: dict[str, object] = {}
    agents: dict[str, object] = {}
    for engine in engines:
        changes = engine.take_changes()
        for key, value in changes.qdelta.items():
            assert key not in qdelta, f"{key} counted by two partitions"
            qdelta[key] = value
        for key, value in changes.adelta.items():
            assert key not in adelta, f"{key} counted by two partitions"
            adelta[key] = value
        records.update(counts(changes)[2])
        assert not set(changes.calls) & set(calls) and not set(changes.agents) & set(agents)
        calls |= {k: v and v.to_json() for k, v in changes.calls.items()}
        agents |= {k: v.to_json() for k, v in changes.agents.items()}
    assert (qdelta, adelta, records) == counts(expected)
    assert calls == {k: v and v.to_json() for k, v in expected.calls.items()}
    assert agents == {k: v.to_json() for k, v in expected.agents.items()}
    assert {k for e in engines for k in e.owned_view().calls} == set(single.calls)
    assert sum(len(e.owned_view().agents) for e in engines) == len(single.agents)


def test_a_partition_is_one_of_the_centers() -> None:
    center = Keys(prefix="p", center="main", partitions=3)
    assert Partition(2, center).keys == Keys(prefix="p", center="main:p2")
    assert center.partition(1).events == "p:{main:p1}:events"
    with pytest.raises(ValueError, match="0..2"):
        Partition(3, center)


# --- N workers in separate processes ------------------------------------------------------


def test_three_workers_on_a_partitioned_stream_count_what_one_worker_counts(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    today = START  # counters are compared per day; the snapshot's "today" is the wall clock's
    lines = simulated_lines(lines=30_000, start=today)
    qlog = tmp_path / "queue_log"
    append(qlog, lines)
    expected = reference(lines, path=qlog)
    events, _ = parse_lines(lines, source=default_source(qlog), path_label=str(qlog))
    unique = {e.event_id: e for e in events}.values()
    deliveries = sum(len(route(e, 3)) for e in unique)  # an event may go to two partitions
    single = Keys(prefix=f"t{uuid.uuid4().hex[:8]}")
    split_keys = Keys(prefix=f"t{uuid.uuid4().hex[:8]}", partitions=3)
    env = {"FLOORBOARD_REDIS_URL": redis_server.url, "FLOORBOARD_DATA_DIR": str(tmp_path)}
    fb = Floorboard(env, tmp_path / "logs")
    one = {"FLOORBOARD_KEY_PREFIX": single.prefix}
    three = {"FLOORBOARD_KEY_PREFIX": split_keys.prefix, "FLOORBOARD_PARTITIONS": "3"}
    try:
        fb.start("aggregate", "--no-history", "--consumer", "solo", **one)
        for n in range(3):
            fb.start("aggregate", "--no-history", "--consumer", f"w{n}", **three)
        assert fb.start("collect", "queue-log", str(qlog), **one).wait(60) == 0, fb.output()
        assert fb.start("collect", "queue-log", str(qlog), **three).wait(60) == 0, fb.output()
        for keys, total in ((single, expected.events), (split_keys, deliveries)):
            wait_until(
                lambda k=keys, n=total: applied(redis_client, k) >= n,
                timeout=120,
                what=lambda k=keys, n=total: f"{k.prefix} to apply {n} events\n{fb.output()}",
            )

        def merged() -> dict[str, Any] | None:
            raw = redis_client.get(split_keys.snapshot)
            doc: dict[str, Any] | None = json.loads(raw) if raw else None
            fresh = doc and doc["pipeline"].get("applied") == deliveries
            return doc if fresh else None

        wait_until(lambda: merged() is not None, timeout=30, what="the merged snapshot")
        doc = merged()
    finally:
        fb.stop_all()
    one_worker = in_redis(redis_client, single)
    assert same(one_worker, expected) == []
    assert same(in_redis(redis_client, split_keys), one_worker) == []
    assert doc is not None and doc["partitions"] == {
        "count": 3,
        "reporting": 3,
        "oldest_part_at": doc["partitions"]["oldest_part_at"],
    }
    assert {a["agent"] for a in doc["agents"]} <= set(expected.agents)
    assert doc["pipeline"]["ingested"] == deliveries
    assert doc["last_event_at"] == float(lines[-1].split("|", 1)[0])
    # a clean stop hands the leases back: a standby would not wait for them to expire
    for part in split_keys.all_partitions():
        assert redis_client.get(part.aggregator_lock) is None
