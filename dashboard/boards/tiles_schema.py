"""Tile definitions inside a board file, and the node-level checks that give file:line errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from core import safe_yaml
from dashboard.boards.metrics import CATALOGUE, FORMATS, Metric, valid_names
from dashboard.boards.thresholds import DIRECTIONS, NO_THRESHOLDS, Thresholds

KINDS = ("number", "agents", "queues", "chart", "staffing", "ticker", "clock", "poster")
COMMON = ("kind", "label", "w", "h")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "number": ("metric", "window", "queues", "format", "thresholds"),
    "agents": ("queues", "teams", "sort", "show_logged_off", "long_call_s", "long_pause_s"),
    "queues": ("queues", "columns"),
    "chart": ("queues",),
    "staffing": ("queues",),
    "ticker": (),
    "clock": ("seconds",),
    "poster": (),  # HR's wall poster of the newest published month (issue 5)
}
SORTS = ("state", "name", "time", "team")
DEFAULT_COLUMNS = (
    ("calls_waiting", "now"),
    ("longest_wait", "now"),
    ("agents_available", "now"),
    ("offered", "today"),
    ("answered", "today"),
    ("abandon_rate", "today"),
    ("service_level", "today"),
    ("asa", "today"),
    ("aht", "today"),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a layout file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Column:
    """One figure of a per-queue table (or a number tile's figure)."""

    metric: str
    window: str
    label: str | None = None
    fmt: str = "int"
    thresholds: Thresholds = NO_THRESHOLDS


@dataclass(frozen=True)
class Tile:
    """One tile. ``figure`` is set for number tiles, ``columns`` for queue tables; the other
    kind-specific settings are in ``options``."""

    kind: str
    index: int
    line: int
    label: str | None = None
    w: int = 3
    h: int = 2
    queues: tuple[str, ...] | None = None
    figure: Column | None = None
    columns: tuple[Column, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Ctx:
    """Collects problems while walking the YAML node tree."""

    path: Path
    loader: safe_yaml.BudgetLoader | None
    problems: list[Problem] = field(default_factory=list)

    def err(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1, message))

    def value(self, node: Node) -> Any:
        assert self.loader is not None  # noqa: S101 - set before any node is read
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: Node, allowed: Sequence[str], *, what: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self.err(node, f"{what} must be a mapping")
            return {}
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(self.value(key_node))
            if key in out:
                self.err(key_node, f"'{key}' is given twice")
            elif key not in allowed:
                self.err(key_node, f"unknown key '{key}' in {what}; allowed: {', '.join(allowed)}")
            out[key] = value_node
        return out

    def text(self, node: Node) -> str:
        val = self.value(node) if isinstance(node, ScalarNode) else None
        if not isinstance(val, str | int | float) or isinstance(val, bool) or val == "":
            self.err(node, "expected a text")
            return ""
        return str(val)

    def choice(self, node: Node, choices: Sequence[str], what: str) -> str:
        val = self.text(node)
        if val and val not in choices:
            self.err(node, f"unknown {what} '{val}'; valid: {', '.join(choices)}")
        return val if val in choices else choices[0]

    def number(self, node: Node, low: float, high: float) -> float:
        val = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(val, bool) or not isinstance(val, int | float) or not low <= val <= high:
            self.err(node, f"expected a number from {low:g} to {high:g}")
            return low
        return float(val)

    def integer(self, node: Node, low: int, high: int) -> int:
        val = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(val, bool) or not isinstance(val, int) or not low <= val <= high:
            self.err(node, f"expected a whole number from {low} to {high}")
            return low
        return val

    def boolean(self, node: Node) -> bool:
        val = self.value(node) if isinstance(node, ScalarNode) else None
        if not isinstance(val, bool):
            self.err(node, "expected true or false")
            return False
        return val

    def names(self, node: Node) -> tuple[str, ...]:
        """A name or a list of names (teams of an agent grid)."""
        if isinstance(node, ScalarNode) and self.value(node) not in (None, ""):
            return (self.text(node),)
        if isinstance(node, SequenceNode) and node.value:
            return tuple(self.text(n) for n in node.value)
        self.err(node, "expected a name or a list of names")
        return ()

    def queues(self, node: Node) -> tuple[str, ...] | None:
        if isinstance(node, ScalarNode):
            val = self.value(node)
            if val in ("all", "*"):
                return None
            if isinstance(val, str) and val:
                return (val,)
        if isinstance(node, SequenceNode) and node.value:
            names = tuple(self.text(n) for n in node.value)
            return None if "*" in names or "all" in names else names
        self.err(node, "queues: expected 'all', a queue name or a list of queue names")
        return None

    def limit(self, node: Node, fmt: str) -> float | None:
        val = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(val, str) and val.strip().endswith("%"):
            try:
                return float(val.strip()[:-1]) / 100.0
            except ValueError:
                pass
        elif val is None:
            return None
        elif isinstance(val, int | float) and not isinstance(val, bool):
            # "80" for a percentage means 80 %, as people write it
            return val / 100.0 if fmt == "percent" and val > 1 else float(val)
        self.err(node, "expected a number (seconds, a count or a percentage such as 80%)")
        return None


def thresholds(ctx: Ctx, node: Node, metric: Metric, fmt: str) -> Thresholds:
    if isinstance(node, ScalarNode) and ctx.value(node) in (None, False, "none"):
        return NO_THRESHOLDS
    spec = ctx.mapping(node, ("warn", "alert", "direction"), what="thresholds")
    direction = metric.thresholds.direction
    if "direction" in spec:
        direction = ctx.choice(spec["direction"], DIRECTIONS, "direction")
    warn = ctx.limit(spec["warn"], fmt) if "warn" in spec else None
    alert = ctx.limit(spec["alert"], fmt) if "alert" in spec else None
    try:
        return Thresholds(warn=warn, alert=alert, direction=direction)
    except ValueError as exc:
        ctx.err(node, str(exc))
        return NO_THRESHOLDS


def figure(ctx: Ctx, spec: Mapping[str, Node], anchor: Node, *, center: bool) -> Column | None:
    """The metric/window/format/thresholds of a number tile or a table column."""
    if "metric" not in spec:
        ctx.err(anchor, f"missing 'metric'; valid metrics: {valid_names()}")
        return None
    name = ctx.text(spec["metric"])
    metric = CATALOGUE.get(name)
    if metric is None:
        ctx.err(spec["metric"], f"unknown metric '{name}'; valid metrics: {valid_names()}")
        return None
    window = metric.default_window
    if "window" in spec:
        window = ctx.text(spec["window"])
        if window not in metric.windows:
            ctx.err(
                spec["window"],
                f"metric '{name}' has no window '{window}'; it has: {', '.join(metric.windows)}",
            )
            window = metric.default_window
    if metric.center_only and not center:
        ctx.err(anchor, f"metric '{name}' exists only for the whole center (queues: all)")
    fmt = ctx.choice(spec["format"], FORMATS, "format") if "format" in spec else metric.fmt
    limits = metric.thresholds
    if "thresholds" in spec:
        limits = thresholds(ctx, spec["thresholds"], metric, fmt)
    label = ctx.text(spec["label"]) if "label" in spec else None
    return Column(metric=name, window=window, label=label, fmt=fmt, thresholds=limits)


def _columns(ctx: Ctx, node: Node | None) -> tuple[Column, ...]:
    if node is None:
        cols = [
            figure(ctx, {"metric": _scalar(m), "window": _scalar(w)}, _scalar(m), center=False)
            for m, w in DEFAULT_COLUMNS
        ]
        return tuple(c for c in cols if c)
    if not isinstance(node, SequenceNode) or not node.value:
        ctx.err(node, "columns: expected a list of metrics")
        return ()
    out = []
    for item in node.value:
        spec = (
            {"metric": item}
            if isinstance(item, ScalarNode)
            else ctx.mapping(
                item, ("metric", "window", "label", "format", "thresholds"), what="column"
            )
        )
        col = figure(ctx, spec, item, center=False)
        if col is not None:
            out.append(col)
    return tuple(out)


def _scalar(text: str) -> ScalarNode:
    mark = yaml.Mark("default", 0, 0, 0, "", 0)
    return ScalarNode("tag:yaml.org,2002:str", text, mark, mark)


def _opt(spec: Mapping[str, Node], key: str, check: Any, default: Any) -> Any:
    return check(spec[key]) if key in spec else default


def _options(ctx: Ctx, kind: str, spec: Mapping[str, Node]) -> dict[str, Any]:
    if kind == "agents":
        return {
            "sort": _opt(spec, "sort", lambda n: ctx.choice(n, SORTS, "sort"), "state"),
            "show_logged_off": _opt(spec, "show_logged_off", ctx.boolean, False),
            "long_call_s": _opt(spec, "long_call_s", lambda n: ctx.number(n, 1, 86400), 600.0),
            "long_pause_s": _opt(spec, "long_pause_s", lambda n: ctx.number(n, 1, 86400), 900.0),
            "teams": _opt(spec, "teams", ctx.names, ()),
        }
    if kind == "clock":
        return {"seconds": _opt(spec, "seconds", ctx.boolean, True)}
    return {}


def tile(
    ctx: Ctx, node: Node, index: int, *, board_queues: tuple[str, ...] | None, columns: int
) -> Tile | None:
    """Validate one tile node."""
    if not isinstance(node, MappingNode):
        ctx.err(node, "a tile must be a mapping with a 'kind'")
        return None
    raw = {str(ctx.value(k)): v for k, v in node.value}
    if "kind" not in raw:
        ctx.err(node, f"tile without 'kind'; kinds: {', '.join(KINDS)}")
        return None
    kind = ctx.text(raw["kind"])
    if kind not in KINDS:
        ctx.err(raw["kind"], f"unknown tile kind '{kind}'; kinds: {', '.join(KINDS)}")
        return None
    spec = ctx.mapping(node, COMMON + KIND_KEYS[kind], what=f"a {kind} tile")
    queues = ctx.queues(spec["queues"]) if "queues" in spec else board_queues
    w = ctx.integer(spec["w"], 1, columns) if "w" in spec else min(3, columns)
    h = ctx.integer(spec["h"], 1, 48) if "h" in spec else 2
    fig = figure(ctx, spec, node, center=queues is None) if kind == "number" else None
    cols = _columns(ctx, spec.get("columns")) if kind == "queues" else ()
    label = ctx.text(spec["label"]) if "label" in spec else None
    return Tile(
        kind=kind,
        index=index,
        line=node.start_mark.line + 1,
        label=label,
        w=w,
        h=h,
        queues=queues,
        figure=fig,
        columns=cols,
        options=_options(ctx, kind, spec),
    )
