"""Shared helpers of the benchmarks: machine description, timing, the results file."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", text)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def redis_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip().split(" sha=")[0]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_section(title: str, body: str, *, command: str) -> None:
    """Replace (or add) the section ``title`` of docs/PERFORMANCE.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = f"_Measured {stamp} on {machine()}; command: `{command}`._"
    section = f"## {title}\n\n{where}\n\n{body.strip()}\n"
    text = RESULTS.read_text() if RESULTS.exists() else _HEADER
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    text = (
        pattern.sub(lambda _m: section + "\n", text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section)
    )
    RESULTS.write_text(text)


_HEADER = """# Performance

Every figure here is printed by `make bench` (the `bench/` package) on the machine named with it,
together with a baseline measured in the same run: Redis's own ceiling for the operations used,
or a naive implementation. Benchmarks are never timed tests: nothing in `make test` depends on
the speed of the machine.
"""
