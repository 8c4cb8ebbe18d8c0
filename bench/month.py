"""Month benchmark: a simulated center's month of queue_log through the report's batch path.

The same 25-agent center is written twice from one simulator run: once as a center with
``queues.conf`` static members writes it (no AGENTLOGIN/AGENTLOGOFF/ADDMEMBER/REMOVEMEMBER line,
i.e. no canonical login/logout/member_add/member_remove event), and once with its session lines,
the baseline measured in the same run. Each file goes through ``floorboard report``'s engine
(the collector's decoder → Redis stream → aggregator → interval records, as in
:func:`collectors.report.build_report`, kept in-process here so the embedded Redis can be read
afterwards). Printed per input: lines, wall seconds, events/s, the agent counter hashes and
their fields left in Redis, the last full day's occupancy and the agents with session time at
03:00 of the last night; then the ratios static/baseline.

The first of the speed issue's month-long inputs (issue 14): :func:`write_month` and
:func:`run_report` are meant to be reused for its other shapes.

Run alone: ``python -m bench.month [days]`` (default 28).
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import write_section
from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.engine import AggregatorConfig
from collectors.aggregator.report import interval_records, read_days
from collectors.events import Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis
from collectors.report import ingest_queue_log
from collectors.simulator import default_center, generate
from collectors.simulator.queue_log_writer import QueueLogWriter

START = 1_767_225_600.0  # 2026-01-01 00:00 UTC (a Thursday)
AGENTS = 25
SEED = 14
# What a queues.conf-static center never writes: its members are in the queue from the start.
SESSION_KINDS = frozenset({Kind.LOGIN, Kind.LOGOUT, Kind.MEMBER_ADD, Kind.MEMBER_REMOVE})


@dataclass
class MonthRun:
    """One input through the report's engine."""

    lines: int
    events: int
    seconds: float
    agent_hashes: int
    agent_fields: int
    day_occupancy: float | None
    night_agents: int
    night_without_session: int


def write_month(static: Path, baseline: Path, *, days: int, agents: int = AGENTS) -> None:
    """The center's ``days`` of queue_log, without (``static``) and with (``baseline``) its
    session lines, from one simulator run so that every call line is the same."""
    writer = QueueLogWriter()
    end = START + days * 86_400
    with static.open("w", encoding="utf-8") as fs, baseline.open("w", encoding="utf-8") as fb:
        for event in generate(
            config=default_center(agents=agents), seed=SEED, start=START, end=end
        ):
            line = writer.render(event)
            if line is None:
                continue
            fb.write(line + "\n")
            if event.kind not in SESSION_KINDS:
                fs.write(line + "\n")


def run_report(path: Path, *, days: int) -> MonthRun:
    """``floorboard report``'s engine over one file, timed from the first read to the records."""
    lines = sum(1 for _ in path.open(encoding="utf-8"))
    with (
        tempfile.TemporaryDirectory(prefix="bench-month-") as tmp,
        EmbeddedRedis(Path(tmp), appendonly=False) as server,
    ):
        client = server.client()
        keys = Keys(prefix="report", center="report")
        config = AggregatorConfig()
        started = time.perf_counter()
        ingest_queue_log(path, EventProducer(client, keys=keys, frame_size=1000))
        aggregator = Aggregator(client, keys=keys, config=config, clock=lambda: 0.0)
        aggregator.drain()
        counters = read_days(client, keys)
        by_day = interval_records(counters, clock=aggregator.engine.clock, interval="day")
        by_hour = interval_records(counters, clock=aggregator.engine.clock, interval="1h")
        seconds = time.perf_counter() - started
        events = int(client.hget(keys.stats, "ingested") or 0)
        hashes = list(client.scan_iter(match=keys.agent_counters("*"), count=1000))
        fields = sum(int(client.hlen(key)) for key in hashes)
    last = (datetime.fromtimestamp(START, UTC) + timedelta(days=days - 1)).date().isoformat()
    day = _find(by_day, last)
    night = _find(by_hour, f"{last}T03:00")
    return MonthRun(
        lines=lines,
        events=events,
        seconds=seconds,
        agent_hashes=len(hashes),
        agent_fields=fields,
        day_occupancy=day.get("occupancy") if day else None,
        night_agents=int(night.get("occupancy_agents", 0)) if night else 0,
        night_without_session=int(night.get("agents_without_session", 0)) if night else 0,
    )


def _find(records: list[dict[str, Any]], start: str) -> dict[str, Any] | None:
    """The all-queues record whose interval starts with ``start``."""
    for record in records:
        if record["queue"] == "*" and str(record["interval_start"]).startswith(start):
            return record
    return None


def run(days: int = 28) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-month-") as tmp:
        static, baseline = Path(tmp) / "static.log", Path(tmp) / "baseline.log"
        write_month(static, baseline, days=days)
        results = {"static members": run_report(static, days=days),
                   "baseline (with session lines)": run_report(baseline, days=days)}  # fmt: skip
    return _table(results, days)


def _occ(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def _table(results: dict[str, MonthRun], days: int) -> str:
    rows = [
        f"{days} days of a simulated {AGENTS}-agent center (4 queues, seed {SEED}), one "
        "simulator run written twice; each file through `floorboard report`'s engine "
        "(decoder → Redis stream → aggregator → interval records) with an embedded Redis. "
        'Occupancy is the last full day\'s, all queues; "at 03:00" is the agents with '
        "session time in the last night's 03:00 hour (`occupancy_agents`) and those with "
        "calls but no session data (`agents_without_session`).",
        "",
        "| input | lines | events | wall s | events/s | agent counter hashes | agent counter "
        "fields | day occupancy | at 03:00: with session / without |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r.lines:,} | {r.events:,} | {r.seconds:.1f} | "
            f"{r.events / r.seconds:,.0f} | {r.agent_hashes} | {r.agent_fields:,} | "
            f"{_occ(r.day_occupancy)} | {r.night_agents} / {r.night_without_session} |"
        )
    s, b = results["static members"], results["baseline (with session lines)"]
    rows.append(
        f"| ratio static/baseline | {_ratio(s.lines, b.lines)} | {_ratio(s.events, b.events)} "
        f"| {_ratio(s.seconds, b.seconds)} | "
        f"{_ratio(s.events / s.seconds, b.events / b.seconds)} | "
        f"{_ratio(s.agent_hashes, b.agent_hashes)} | {_ratio(s.agent_fields, b.agent_fields)} "
        f"| | |"
    )
    return "\n".join(rows)


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 28
    section = run(days)
    write_section("Month of a static-member center", section,
                  command=f"python -m bench.month {days}")  # fmt: skip
    print(section)


if __name__ == "__main__":
    main()
