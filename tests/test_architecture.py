"""The import rules of the four packages, read from the source with ``ast`` (issue 13).

    core  <-  collectors  <-  qa  <-  dashboard

A package imports only the packages to its left: ``core`` imports no domain (nor the CLI or
web frameworks), ``collectors`` and ``qa`` never import ``dashboard``, ``collectors`` never
imports ``qa``; so the packages never import each other in a loop. Inside each package no
modules import each other in a loop either. Every import counts: those inside functions (a
deferred import hides a loop, it does not remove it) and those under ``TYPE_CHECKING`` (the
modules still depend on each other).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "collectors", "qa", "dashboard")
#: What each package may import besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "collectors": frozenset({"core"}),
    "qa": frozenset({"core", "collectors"}),
    "dashboard": frozenset({"core", "collectors", "qa"}),
}
#: Third-party packages core must not need: it is no CLI and no web app.
CORE_FORBIDDEN = frozenset({"click", "flask", "flask_login", "dash", "plotly", "redis"})
#: Packages whose modules must not import each other in a loop.
ACYCLIC = PACKAGES


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether it only runs for type checkers."""

    path: str  # relative to the repository, e.g. "qa/awards/poster.py"
    line: int
    source: str  # the importing module, e.g. "qa.awards.poster"
    target: str  # the imported module (or package), e.g. "dashboard.state"
    typing_only: bool

    def __str__(self) -> str:
        where = " (under TYPE_CHECKING)" if self.typing_only else ""
        return f"{self.path}:{self.line} imports {self.target}{where}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _files() -> dict[str, Path]:
    """Every module of the four packages by its dotted name."""
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST, typing_only: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement under ``tree`` (in functions too), and whether it sits in an
    ``if TYPE_CHECKING:`` block."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, typing_only
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _statements(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _statements(ast.Module(body=[child], type_ignores=[]), typing_only)
        else:
            yield from _statements(node, typing_only)


def _targets(node: ast.stmt, source: str, is_package: bool) -> Iterator[str]:
    """The modules an import statement loads: ``from a.b import c`` is ``a.b.c`` when that is a
    module, else ``a.b`` (a name defined there)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    assert isinstance(node, ast.ImportFrom)
    base = node.module or ""
    if node.level:
        package = source.split(".") if is_package else source.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        yield candidate if candidate in _files() else base


@cache
def imports() -> tuple[Import, ...]:
    """Every import in the four packages (once per statement and module imported)."""
    found: dict[Import, None] = {}
    for source, path in _files().items():
        code = path.read_text(encoding="utf-8")
        found.update(dict.fromkeys(_imports_in(code, path.relative_to(ROOT).as_posix(), source)))
    return tuple(found)


def _imports_in(code: str, path: str, source: str) -> list[Import]:
    """The imports of one module's source text."""
    is_package = path.endswith("__init__.py")
    return [
        Import(path, node.lineno, source, target, typing_only)
        for node, typing_only in _statements(ast.parse(code, filename=path))
        for target in _targets(node, source, is_package)
    ]


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def breaks_the_layers(imp: Import) -> bool:
    """Whether ``imp`` imports a package its own package may not import."""
    here, there = _top(imp.source), _top(imp.target)
    if there in PACKAGES:
        return there != here and there not in ALLOWED[here]
    return here == "core" and there in CORE_FORBIDDEN


def breaches() -> list[Import]:
    """The imports of the four packages that break the layers."""
    return [imp for imp in imports() if breaks_the_layers(imp)]


def _explain(imp: Import) -> str:
    here = _top(imp.source)
    allowed = ", ".join(sorted(ALLOWED[here])) or "no other package of ours"
    return f"{imp}: {here} may import {allowed} (tests/test_architecture.py)"


def _graph(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """The nodes reachable from ``start`` by one edge or more."""
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The sets of nodes that reach each other (strongly connected, more than one node): each
    holds one import loop or more. The graphs are small: a search from every node will do."""
    reach = {node: _reachable(graph, node) for node in graph}
    found: list[frozenset[str]] = []
    placed: set[str] = set()
    for node in sorted(graph):
        if node in placed:
            continue
        group = {other for other in reach[node] if node in reach[other]} | {node}
        placed |= group
        if len(group) > 1:
            found.append(frozenset(group))
    return found


def module_cycles() -> list[frozenset[str]]:
    """Loops between modules of one package."""
    edges = [
        (imp.source, imp.target)
        for imp in imports()
        if _top(imp.source) in ACYCLIC
        and _top(imp.target) == _top(imp.source)
        and imp.target != imp.source
    ]
    return cycles(_graph(edges))


def _evidence(cycle: frozenset[str]) -> list[str]:
    """The imports that make a loop, for the failure message."""
    return sorted(str(imp) for imp in imports() if imp.source in cycle and imp.target in cycle)


def test_the_scan_sees_every_package_and_every_kind_of_import() -> None:
    # Guards the guard: a parser that missed deferred imports would pass everything.
    assert {_top(name) for name in _files()} == set(PACKAGES)
    assert len(_files()) > 200
    code = (
        "from typing import TYPE_CHECKING\n"
        "import collectors.events\n"
        "from . import ids\n"
        "from ..boards import render\n"
        "if TYPE_CHECKING:\n"
        "    from dashboard.settings import Settings\n"
        "def f():\n"
        "    from core.migrate import upgrade\n"
    )
    found = _imports_in(code, "dashboard/pages/floor/live.py", "dashboard.pages.floor.live")
    assert [(imp.line, imp.target, imp.typing_only) for imp in found] == [
        (1, "typing", False),
        (2, "collectors.events", False),
        (3, "dashboard.pages.floor.ids", False),
        (4, "dashboard.pages.boards", False),
        (6, "dashboard.settings", True),
        (8, "core.migrate", False),
    ]


def test_each_package_imports_only_the_layers_below_it() -> None:
    found = [_explain(imp) for imp in breaches()]
    assert found == [], "\n".join(
        ["imports across the layers core <- collectors <- qa <- dashboard:", *found]
    )


def test_no_import_cycle_between_packages() -> None:
    edges = [
        (_top(imp.source), _top(imp.target))
        for imp in imports()
        if _top(imp.target) in PACKAGES and _top(imp.target) != _top(imp.source)
    ]
    loops = cycles(_graph(edges))
    upward = [str(imp) for imp in breaches()]
    assert loops == [], "\n  ".join(
        [f"packages importing each other: {[sorted(loop) for loop in loops]}", *upward]
    )


def test_no_import_cycle_between_modules() -> None:
    new = module_cycles()
    message = [
        f"modules importing each other in a loop: {sorted(cycle)}\n  "
        + "\n  ".join(_evidence(cycle))
        for cycle in new
    ]
    assert new == [], "\n".join(message)


def test_the_rules_catch_a_breach_and_a_loop() -> None:
    # The checks themselves, on a made-up graph and import.
    assert cycles(_graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])) == [
        frozenset({"a", "b", "c"})
    ]
    assert cycles(_graph([("a", "b"), ("b", "c")])) == []
    wrong = Import("qa/x.py", 3, "qa.x", "dashboard.state", typing_only=True)
    assert breaks_the_layers(wrong)
    assert _explain(wrong) == (
        "qa/x.py:3 imports dashboard.state (under TYPE_CHECKING): qa may import collectors, core"
        " (tests/test_architecture.py)"
    )
    for source, target in [
        ("collectors.a", "qa.b"),
        ("core.a", "collectors.b"),
        ("core.a", "click"),
    ]:
        assert breaks_the_layers(Import("x.py", 1, source, target, typing_only=False)), target
    for source, target in [("qa.a", "collectors.b"), ("dashboard.a", "qa.b"), ("core.a", "yaml")]:
        assert not breaks_the_layers(Import("x.py", 1, source, target, typing_only=False)), target
