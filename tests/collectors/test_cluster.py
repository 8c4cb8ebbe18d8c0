"""The whole pipeline on a real Redis Cluster: three ``redis-server --cluster-enabled yes``
processes on loopback, joined with ``redis-cli --cluster create``; the real collector and
aggregator processes talk to it through ``FLOORBOARD_REDIS_URL=redis+cluster://...``.

Every key of a center (or of a partition) carries one hash tag, so each batch transaction
(MULTI/EXEC with EVAL inside) is within one slot, which Redis Cluster requires.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.support import (
    Floorboard,
    append,
    applied,
    have_redis_tools,
    in_redis,
    reference,
    same,
    simulated_lines,
    wait_until,
)
from redis.cluster import RedisCluster

from collectors.aggregator.engine import AggregatorConfig
from collectors.keys import Keys
from collectors.pipeline.clients import connect, without_retries
from collectors.pipeline.partitions import route
from collectors.queue_log.decoder import parse_lines
from collectors.queue_log.parser import default_source
from collectors.redis_server import EmbeddedRedis, free_port

NODES = 3


def cluster_port() -> int:
    """A free port whose cluster bus port (+10000) is free too."""
    for _ in range(200):
        port = free_port()
        if port > 55_535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port + 10_000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    missing = have_redis_tools()
    if missing:
        pytest.skip(f"no Redis Cluster here: {missing}")
    base = tmp_path_factory.mktemp("cluster")
    flags = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
    flags += ["--cluster-node-timeout", "2000"]
    nodes = [
        EmbeddedRedis(base / f"n{i}", port=cluster_port(), appendonly=False, extra_args=flags)
        for i in range(NODES)
    ]
    try:
        for node in nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in nodes]
        subprocess.run(
            ["redis-cli", "--cluster", "create", *addresses, "--cluster-replicas", "0"]
            + ["--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        for node in nodes:
            client = node.client()
            wait_until(
                lambda c=client: c.cluster("INFO")["cluster_state"] == "ok",
                timeout=30,
                what="the cluster to be ready",
            )
            client.close()
        yield "redis+cluster://" + ",".join(addresses)
    finally:
        for node in nodes:
            node.stop()


def test_cluster_urls_and_clients_without_retries(cluster_url: str) -> None:
    client = connect(cluster_url)
    assert isinstance(client, RedisCluster)
    assert len(client.get_primaries()) == NODES
    writer = without_retries(client)
    assert isinstance(writer, RedisCluster) and writer.retry.get_retries() == 0
    assert writer.ping()
    with pytest.raises(ValueError, match="host:port"):
        connect("redis+cluster://127.0.0.1")


def spread_center(client: RedisCluster, partitions: int) -> str:
    """A center name whose partitions' slots are served by more than one node."""
    for n in range(1000):
        keys = Keys(center=f"site{n}", partitions=partitions)
        owners = {client.get_node_from_key(part.events).name for part in keys.all_partitions()}
        if len(owners) > 1:
            return keys.center
    raise AssertionError("no center name spreads over the nodes")


@pytest.mark.parametrize("partitions", [1, 2])
def test_the_whole_pipeline_on_a_cluster_counts_exactly(
    cluster_url: str, tmp_path: Path, partitions: int
) -> None:
    client = connect(cluster_url)
    assert isinstance(client, RedisCluster)
    center = spread_center(client, partitions) if partitions > 1 else "main"
    keys = Keys(prefix=f"t{uuid.uuid4().hex[:8]}", center=center, partitions=partitions)
    for part in [keys, *keys.all_partitions()]:
        slots = {client.keyslot(k) for k in (part.events, part.stats, part.seen("20260101"))}
        assert len(slots) == 1, "a center's keys must share one slot"
    lines = simulated_lines(lines=20_000)
    qlog = tmp_path / "queue_log"
    append(qlog, lines)
    expected = reference(lines, path=qlog)
    events, _ = parse_lines(lines, source=default_source(qlog), path_label=str(qlog))
    deliveries = sum(len(route(e, partitions)) for e in {e.event_id: e for e in events}.values())
    env = {
        "FLOORBOARD_REDIS_URL": cluster_url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_CENTER": center,
        "FLOORBOARD_PARTITIONS": str(partitions),
        "FLOORBOARD_DATA_DIR": str(tmp_path),
    }
    fb = Floorboard(env, tmp_path / "logs")
    try:
        for n in range(partitions):
            fb.start("aggregate", "--no-history", "--consumer", f"agg{n}")
        assert fb.start("collect", "queue-log", str(qlog)).wait(60) == 0, fb.output()
        wait_until(
            lambda: applied(client, keys) >= deliveries,
            timeout=120,
            what=lambda: f"{deliveries} events applied\n{fb.output()}",
        )
        wait_until(
            lambda: _snapshot_applied(client, keys) == deliveries,
            timeout=30,
            what=lambda: f"the snapshot\n{fb.output()}",
        )
    finally:
        fb.stop_all()
    assert same(in_redis(client, keys), expected) == []
    snapshot = json.loads(client.get(keys.snapshot) or "{}")
    assert snapshot["center"] == center
    assert snapshot["last_event_at"] == float(lines[-1].split("|", 1)[0])
    assert snapshot["timezone"] == AggregatorConfig().timezone
    for key in client.scan_iter(match=f"{keys.prefix}:*"):
        client.delete(key)


def _snapshot_applied(client: RedisCluster, keys: Keys) -> int:
    raw = client.get(keys.snapshot)
    return int(json.loads(raw)["pipeline"].get("applied", 0)) if raw else -1


def test_a_cluster_transaction_is_refused_across_slots(cluster_url: str) -> None:
    """Why every key of a center shares a hash tag: without it, no MULTI/EXEC."""
    client = connect(cluster_url)
    pipe = client.pipeline(transaction=True)
    pipe.set(f"x{uuid.uuid4().hex}:{{a}}", 1)
    pipe.set(f"x{uuid.uuid4().hex}:{{b}}", 1)
    started = time.monotonic()
    with pytest.raises(Exception, match="slot"):
        pipe.execute()
    assert time.monotonic() - started < 5
