"""Build script for the optional compiled hot path; everything else is in pyproject.toml.

mypyc compiles the modules every event goes through (``collectors/compiled.py`` lists them:
the queue_log parser, the event codec and the aggregator's counting engine) into C
extensions: the same source, about twice as fast. The Python modules stay next to them and are
used wherever the extensions are missing: when no C compiler is installed (each extension is
optional, so a failed compile is skipped) or when ``FLOORBOARD_PURE_PYTHON=1`` is set at
install time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent


def compiled_extensions() -> list[object]:
    if os.environ.get("FLOORBOARD_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # no mypy where this is built: pure Python
        return []
    sys.path.insert(0, str(ROOT))
    from collectors.compiled import source_paths

    # The build may run in an isolated environment without the runtime dependencies: their
    # types are not needed to compile the project's own code.
    options = ["--config-file", os.devnull, "--ignore-missing-imports", "--python-version", "3.11"]
    extensions = mypycify([*options, *source_paths()], opt_level="3", debug_level="0")
    for extension in extensions:
        extension.optional = True
    return extensions


setup(ext_modules=compiled_extensions())
