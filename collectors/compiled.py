"""The hot path that mypyc may compile, and what is running compiled here.

``setup.py`` compiles these modules into C extensions when it can (see its docstring); the
Python source next to each one is the same code and is used wherever the extension is
missing. An extension older than its source would run old code, so tests and ``floorboard
aggregate`` check for that.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HOT_MODULES = (
    "collectors.events",
    "collectors.queue_log.verbs",
    "collectors.queue_log.parser",
    "collectors.queue_log.decoder",
    "collectors.aggregator.clock",
    "collectors.aggregator.metrics",
    "collectors.aggregator.state",
    "collectors.aggregator.counting",
    "collectors.aggregator.agent_rules",
    "collectors.aggregator.call_rules",
    "collectors.aggregator.handoff_rules",
    "collectors.aggregator.engine",
    "collectors.aggregator.partition",
    "collectors.aggregator.counters",
)


def source_paths() -> list[str]:
    """The hot modules' source files, relative to the project root (for ``setup.py``)."""
    return [str(Path(*name.split(".")).with_suffix(".py")) for name in HOT_MODULES]


def status() -> dict[str, str]:
    """Per hot module: ``compiled``, ``pure`` (Python source), or ``stale`` (an extension
    older than the source beside it)."""
    # Only a source checkout (``setup.py`` beside the package) can hold an extension built
    # before its source was edited; an installed wheel's files come from one build (and their
    # times are those of the install, in no useful order).
    checkout = (Path(__file__).resolve().parents[1] / "setup.py").is_file()
    out: dict[str, str] = {}
    for name in HOT_MODULES:
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        source_name = name.rsplit(".", 1)[-1] + ".py"
        out[name] = module_state(origin, source_name=source_name, checkout=checkout)
    return out


def module_state(origin: Path | None, *, source_name: str, checkout: bool = True) -> str:
    """``pure``, ``compiled`` or ``stale`` for a module loaded from ``origin``."""
    if origin is None or origin.suffix == ".py":
        return "pure"
    if not checkout:
        return "compiled"
    source = origin.parent / source_name
    stale = source.exists() and source.stat().st_mtime > origin.stat().st_mtime
    return "stale" if stale else "compiled"


def stale_modules() -> list[str]:
    return [name for name, state in status().items() if state == "stale"]
