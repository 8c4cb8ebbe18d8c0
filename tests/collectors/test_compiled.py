"""The compiled hot path (mypyc) and the pure-Python modules beside it count the same."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from collectors import compiled
from collectors.aggregator.engine import AggregatorConfig
from collectors.report import build_report
from collectors.simulator import default_center, generate
from collectors.simulator.queue_log_writer import QueueLogWriter

ROOT = Path(__file__).parents[2]
GOLDEN = ROOT / "tests" / "data" / "queue_log"


def test_a_stale_extension_is_recognised(tmp_path: Path) -> None:
    extension = tmp_path / "engine.cpython-311-x86_64-linux-gnu.so"
    source = tmp_path / "engine.py"
    source.write_text("")
    extension.write_bytes(b"")
    os.utime(source, (1_000, 1_000))
    assert compiled.module_state(extension, source_name="engine.py") == "compiled"
    os.utime(source, (2_000_000_000, 2_000_000_000))
    assert compiled.module_state(extension, source_name="engine.py") == "stale"
    assert compiled.module_state(source, source_name="engine.py") == "pure"
    assert compiled.module_state(None, source_name="engine.py") == "pure"
    # An installed wheel: its files' times are the install's, never "stale".
    assert compiled.module_state(extension, source_name="engine.py", checkout=False) == "compiled"


def test_every_hot_module_runs_compiled_where_a_compiler_is() -> None:
    if os.environ.get("FLOORBOARD_PURE_PYTHON") or not shutil.which("cc"):
        pytest.skip("installed without the compiled hot path")
    assert set(compiled.status().values()) == {"compiled"}, compiled.status()


def test_every_hot_module_has_its_source() -> None:
    for path in compiled.source_paths():
        assert (ROOT / path).is_file(), path


_CHILD = """
import json, sys
from pathlib import Path
import collectors.aggregator.engine, collectors.events
from collectors.aggregator.engine import AggregatorConfig
from collectors.report import build_report
assert collectors.events.__file__.endswith(".py"), collectors.events.__file__
assert collectors.aggregator.engine.__file__.endswith(".py")
paths = [Path(p) for p in sys.argv[1:]]
print(json.dumps(build_report(queue_logs=paths, config=AggregatorConfig()).records))
"""


def test_pure_python_counts_exactly_what_the_compiled_path_counts(tmp_path: Path) -> None:
    simulated = tmp_path / "simulated.log"
    writer = QueueLogWriter()
    events = generate(config=default_center(agents=60), seed=5, start=1_767_225_600.0)
    lines = [line for ev in itertools.islice(events, 20_000) if (line := writer.render(ev))]
    simulated.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = [*sorted(GOLDEN.glob("*.log")), simulated]
    pure = tmp_path / "pure"
    shutil.copytree(ROOT / "collectors", pure / "collectors", ignore=shutil.ignore_patterns("*.so"))
    # -S: no .pth files, so the editable install's finder cannot hand out the extensions;
    # the installed dependencies come through PYTHONPATH instead.
    paths = [str(pure), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    child = subprocess.run(
        [sys.executable, "-S", "-c", _CHILD, *map(str, inputs)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        cwd=tmp_path,  # not the checkout: `-c` puts the working directory first on the path
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    here = build_report(queue_logs=inputs, config=AggregatorConfig()).records
    assert json.loads(child.stdout) == json.loads(json.dumps(here))
    assert len(here) > 100
