"""The judging and the printing of a soak run: one row per sample, the growth of each memory
series, the verdict (bounded or not) and the section written to docs/PERFORMANCE.md."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.common import write_section

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
    measures: tuple[tuple[str, Callable[[Sample], int]], ...] = (
        ("stream length", lambda s: s.stream),
        ("lag", lambda s: s.ingested - s.events),
    )
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
