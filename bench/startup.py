"""Start-up benchmark: the wall time of light ``floorboard`` commands, each in a fresh
interpreter, beside ``python -c pass`` (the interpreter's own start) as the baseline.

Each command runs ``RUNS`` times; the median is printed with its ratio to the baseline's median.
Target (issue 13.11): ``--help``, ``staffing`` and ``report`` on a small file under 0.3 s.

Run alone: ``python -m bench.startup [runs] [source root]`` (the root defaults to this tree;
another checkout's root measures it with the same interpreter, e.g. for a before/after).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median, write_section

ROOT = Path(__file__).resolve().parent.parent
SMALL_LOG = ROOT / "tests" / "data" / "queue_log" / "asterisk_13.log"
RUNS = 7
TARGET_S = 0.3

COMMANDS: dict[str, list[str]] = {
    "floorboard --help": ["--help"],
    "floorboard staffing --calls 100 --interval-minutes 15 --aht 180 --max-asa 20": [
        "staffing", "--calls", "100", "--interval-minutes", "15", "--aht", "180", "--max-asa", "20",
    ],
    f"floorboard report {SMALL_LOG.name} ({sum(1 for _ in SMALL_LOG.open())} lines)": [
        "report", str(SMALL_LOG),
    ],
    "floorboard users --help": ["users", "--help"],
}  # fmt: skip


def _time(argv: list[str], *, root: Path, cwd: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(root), "FLOORBOARD_CONFIG": ""}
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(runs: int = RUNS, root: Path = ROOT) -> dict[str, float]:
    """Median wall seconds per command, the baseline first."""
    cli = [sys.executable, "-c", "from dashboard.cli import main; main()"]
    argvs = {"python -c pass (baseline)": [sys.executable, "-c", "pass"]}
    argvs |= {name: [*cli, *args] for name, args in COMMANDS.items()}
    times: dict[str, list[float]] = {name: [] for name in argvs}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as cwd:
        for _ in range(runs):  # interleaved: a busy moment of the machine hits every command
            for name, argv in argvs.items():
                times[name].append(_time(argv, root=root, cwd=cwd))
    return {name: median(values) for name, values in times.items()}


def run(runs: int = RUNS, root: Path = ROOT) -> str:
    medians = measure(runs, root)
    base = next(iter(medians.values()))
    rows = [
        f"| `{name}` | {seconds:.3f} s | {seconds / base:.1f}× |"
        for name, seconds in medians.items()
    ]
    return "\n".join(
        [
            f"Median of {runs} runs, each in a fresh interpreter (`sys.executable`), interleaved.",
            "",
            "| command | wall time | × baseline |",
            "|---|---|---|",
            *rows,
            "",
            f"Target (issue 13.11): `--help`, `staffing` and `report` on a small file under "
            f"{TARGET_S} s. `report` starts a throw-away Redis server, included.",
        ]
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    root = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else ROOT
    section = run(runs, root)
    if root == ROOT:
        write_section("Start-up of commands", section, command="python -m bench.startup")
    print(section)


if __name__ == "__main__":
    main()
