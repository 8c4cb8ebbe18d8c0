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

from bench.soak_capacity import history_size, throughput
from bench.soak_report import MB, Sample, header, report, row
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis

START = "2026-01-05T10:00"  # a Monday (the busiest weekday), 10:00 (a peak hour)


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
