"""The same serial pipeline run on the pure-Python modules, as a baseline for the compiled path.

A child interpreter gets a copy of ``collectors/`` without its C extensions (and ``-S``, so the
editable install cannot hand them out) and measures ingest and aggregation on the same Redis.
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
assert engine.__file__.endswith(".py"), engine.__file__
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


def pure_python_serial(path: Path, redis_url: str, clock: float) -> tuple[float, float, int]:
    """``(ingest seconds, aggregate seconds, events applied)`` without compiled modules."""
    with tempfile.TemporaryDirectory(prefix="floorboard-pure-") as tmp:
        shutil.copytree(
            ROOT / "collectors", Path(tmp) / "collectors", ignore=shutil.ignore_patterns("*.so")
        )
        paths = [tmp, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
        child = subprocess.run(
            [sys.executable, "-S", "-c", _CHILD, str(path), redis_url, str(clock)],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
            cwd=tmp,
            capture_output=True,
            text=True,
            check=False,
        )
    if child.returncode != 0:
        raise RuntimeError(f"pure-Python run failed: {child.stderr[-2000:]}")
    result = json.loads(child.stdout)
    return result["ingest_s"], result["aggregate_s"], result["applied"]
