"""The serial pipeline (collector, then aggregator) measured in a fresh interpreter.

Each run starts with a clean heap, as a collector or an aggregator process does: a benchmark
process that has just generated a million events, and run the pipeline before, is ~15 % slower
and slower with every run. The pure-Python baseline runs the same way on a copy of
``collectors/`` without its C extensions (and ``-S``, so the editable install cannot hand them
out), on the same Redis.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time, uuid
from pathlib import Path
import redis
import collectors.aggregator.engine as engine
from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.memory import GarbagePolicy
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.report import ingest_queue_log
compiled = not engine.__file__.endswith(".py")
assert compiled == (sys.argv[4] == "compiled"), engine.__file__
GarbagePolicy().start()
client = redis.Redis.from_url(sys.argv[2], decode_responses=True)
keys = Keys(prefix="pure" + uuid.uuid4().hex[:6])
began = time.perf_counter()
ingest_queue_log(Path(sys.argv[1]), EventProducer(client, keys=keys, frame_size=1000))
ingested = time.perf_counter()
Aggregator(client, keys=keys, clock=lambda: float(sys.argv[3])).drain()
done = time.perf_counter()
applied = int(client.hget(keys.stats, "applied") or 0)
for key in client.scan_iter(match=keys.prefix + ":*", count=1000):
    client.delete(key)
print(json.dumps({"ingest_s": ingested - began, "aggregate_s": done - ingested,
                  "applied": applied}))
"""


def serial_in_child(
    path: Path, redis_url: str, clock: float, *, compiled: bool = True
) -> tuple[float, float, int]:
    """``(ingest seconds, aggregate seconds, events applied)`` of one run in a new interpreter,
    on the compiled modules or (``compiled=False``) on the pure-Python source."""
    args = [str(path), redis_url, str(clock), "compiled" if compiled else "pure"]
    if compiled:
        return _run([sys.executable, "-c", _CHILD, *args], env=dict(os.environ), cwd=ROOT)
    with tempfile.TemporaryDirectory(prefix="floorboard-pure-") as tmp:
        shutil.copytree(
            ROOT / "collectors", Path(tmp) / "collectors", ignore=shutil.ignore_patterns("*.so")
        )
        paths = [tmp, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        return _run([sys.executable, "-S", "-c", _CHILD, *args], env=env, cwd=Path(tmp))


def _run(command: list[str], *, env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    child = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if child.returncode != 0:
        raise RuntimeError(f"serial run failed: {child.stderr[-2000:]}")
    result = json.loads(child.stdout)
    return result["ingest_s"], result["aggregate_s"], result["applied"]
