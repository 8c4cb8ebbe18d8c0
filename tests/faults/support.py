"""Helpers of the pipeline fault tests: a simulated queue_log, what a clean run counts, what
Redis holds afterwards, and the real ``floorboard`` processes.

Imported as ``faults.support`` (``tests`` is on the path).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectors.aggregator.counters import DayCounters
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.merge import read_center_days
from collectors.events import Event
from collectors.keys import Keys
from collectors.pipeline.clients import RedisClient
from collectors.queue_log.decoder import parse_lines
from collectors.queue_log.parser import default_source
from collectors.simulator import default_center, generate
from collectors.simulator.queue_log_writer import QueueLogWriter

START = 1_767_254_400.0  # 2026-01-01 08:00 UTC: the morning shift logs in, the queues fill up
QUEUES = ("sales", "support", "billing", "vip", "claims", "retention")

Days = dict[str, tuple[DayCounters, DayCounters]]


def simulated_lines(
    *, lines: int, agents: int = 120, seed: int = 7, start: float = START
) -> list[str]:
    """The first ``lines`` queue_log lines of a simulated center from ``start``."""
    config = default_center(agents=agents, queues=QUEUES)
    writer = QueueLogWriter()
    out: list[str] = []
    for event in generate(config=config, seed=seed, start=start):
        line = writer.render(event)
        if line is not None:
            out.append(line)
            if len(out) >= lines:
                break
    return out


def append(path: Path, lines: Iterable[str]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def feed(path: Path, lines: list[str], *, chunk: int, pause: float) -> threading.Thread:
    """Append ``lines`` to ``path`` in chunks, as Asterisk would, on a thread."""

    def write() -> None:
        for start in range(0, len(lines), chunk):
            append(path, lines[start : start + chunk])
            stop.wait(pause)

    stop = threading.Event()
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@dataclass
class Outcome:
    """What the pipeline produced: counters per day, live state, finished-call records."""

    days: Days
    calls: dict[str, str]
    agents: dict[str, str]
    records: Counter[str]
    events: int


def reference(lines: Sequence[str], *, path: Path) -> Outcome:
    """What one aggregator counts from ``lines`` with no failure at all: the engine in memory,
    each event id applied once (as the aggregator drops repeated ids)."""
    events, _rejects = parse_lines(lines, source=default_source(path), path_label=str(path))
    return counted(events, AggregatorConfig())


def counted(events: Iterable[Event], config: AggregatorConfig) -> Outcome:
    """What one aggregator with ``config`` counts from ``events`` with no failure at all."""
    engine = Engine(config)
    seen: set[str] = set()
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            engine.apply(event)
    changes = engine.take_changes()
    days: Days = {}
    for (day, queue, idx, counter), value in changes.qdelta.items():
        days.setdefault(day, ({}, {}))[0][(queue, idx, counter)] = value
    for (day, agent, idx, counter), value in changes.adelta.items():
        days.setdefault(day, ({}, {}))[1][(agent, idx, counter)] = value
    return Outcome(
        days=_without_zeros(days),
        calls={c.key: c.to_json() for c in engine.calls.values()},
        agents={a.agent: a.to_json() for a in engine.agents.values()},
        records=Counter(json.dumps(r, sort_keys=True) for r in changes.outbox),
        events=len(seen),
    )


def in_redis(client: RedisClient, keys: Keys) -> Outcome:
    """The same, read back from Redis (every partition of a partitioned center)."""
    calls: dict[str, str] = {}
    agents: dict[str, str] = {}
    records: Counter[str] = Counter()
    applied = 0
    for part in keys.all_partitions():
        calls.update(client.hgetall(part.live_calls))
        agents.update(client.hgetall(part.live_agents))
        for element in client.lrange(part.outbox, 0, -1):
            records.update(json.dumps(r, sort_keys=True) for r in json.loads(element))
        applied += int(client.hget(part.stats, "applied") or 0)
    return Outcome(
        days=_without_zeros(read_center_days(client, keys)),
        calls=calls,
        agents=agents,
        records=records,
        events=applied,
    )


def _without_zeros(days: Mapping[str, tuple[DayCounters, DayCounters]]) -> Days:
    return {
        day: ({k: v for k, v in q.items() if v}, {k: v for k, v in a.items() if v})
        for day, (q, a) in days.items()
    }


def applied(client: RedisClient, keys: Keys) -> int:
    """Events applied or dropped as duplicates so far, over every partition."""
    total = 0
    for part in keys.all_partitions():
        stats = client.hgetall(part.stats)
        total += int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))
    return total


def wait_until(
    predicate: Callable[[], bool], *, timeout: float, what: str | Callable[[], str]
) -> None:
    """Poll ``predicate``; fail naming ``what`` (a callable: evaluated only on failure, to
    include the processes' output as it is then)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {said}")
        time.sleep(0.02)


class Floorboard:
    """``floorboard`` subcommands as real processes with a shared environment.

    Args:
        env: ``FLOORBOARD_*`` settings for every process.
        logs: folder for each process's output (read it when a test fails).
    """

    def __init__(self, env: Mapping[str, str], logs: Path) -> None:
        self.env = {**os.environ, "FLOORBOARD_ENV": "test", **env}
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen[bytes]] = []
        self._n = 0

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen[bytes]:
        self._n += 1
        log = (self.logs / f"{self._n:02d}-{args[0]}.log").open("wb")
        code = "from dashboard.cli import main; main()"
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        """SIGTERM every process still running (SIGKILL if it does not stop)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def output(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.logs.glob("*.log"))
        )


def have_redis_tools() -> str | None:
    """Why the cluster tests cannot run here, or ``None`` when they can."""
    for tool in ("redis-server", "redis-cli"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH (.ci/run installs redis-server and redis-tools)"
    return None


def same(actual: Outcome, expected: Outcome) -> list[str]:
    """What differs between two outcomes (empty when they are the same)."""
    problems = []
    for day in sorted(set(actual.days) | set(expected.days)):
        got_q, got_a = actual.days.get(day, ({}, {}))
        want_q, want_a = expected.days.get(day, ({}, {}))
        problems += _diff(f"queue counters {day}", got_q, want_q)
        problems += _diff(f"agent counters {day}", got_a, want_a)
    problems += _diff("live calls", actual.calls, expected.calls)
    problems += _diff("live agents", actual.agents, expected.agents)
    if actual.records != expected.records:
        extra = actual.records - expected.records
        missing = expected.records - actual.records
        problems.append(
            f"call records: {sum(extra.values())} extra, {sum(missing.values())} missing"
        )
    return problems


def _diff(what: str, got: Mapping[Any, Any], want: Mapping[Any, Any]) -> list[str]:
    wrong = [k for k in set(got) | set(want) if got.get(k) != want.get(k)]
    if not wrong:
        return []
    sample = ", ".join(f"{k}: {got.get(k)} != {want.get(k)}" for k in sorted(wrong, key=str)[:5])
    return [f"{what}: {len(wrong)} differ ({sample})"]


class Outage:
    """A TCP forwarder on loopback in front of a server, which can cut it off (every open
    connection reset, new ones refused) and bring it back: a database that goes away.

    Args:
        target: ``(host, port)`` of the real server, or the path of its Unix socket.
    """

    def __init__(self, target: tuple[str, int] | str) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        """Accept connections (again, on the same port)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Reset every connection and refuse new ones until :meth:`restore`."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (Linux)
            listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = self._connect()
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _connect(self) -> socket.socket:
        if isinstance(self.target, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.target)
            return sock
        return socket.create_connection(self.target, timeout=5)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
