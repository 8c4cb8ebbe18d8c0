"""The envelope of a callback request, checked before Dash reads it.

dash-renderer sends ``{"output", "outputs", "inputs", "state", "changedPropIds"}`` with each
input as ``{"id", "property", "value"}`` (a list of them for pattern inputs). A crafted request
may send anything; Dash (and its page router) then fails with a 500. Properties whose type
never varies are checked here, once for every callback; each callback checks the shape of its
``value`` and ``data`` inputs itself (:mod:`dashboard.inputs`).
"""

from __future__ import annotations

from typing import Any

# Click and timer counters: whole numbers >= 0 (browsers count far below 2**53).
COUNTS = frozenset({"n_clicks", "n_intervals", "n_submit", "n_blur"})
# Always text (or not yet set).
TEXTS = frozenset(
    {"contents", "filename", "search", "hash", "href", "start_date", "end_date", "date"}
)
# Always text: the page router needs a path.
REQUIRED_TEXTS = frozenset({"pathname"})
_MAX_COUNT = 2**53


def _value_problem(prop: str, value: Any) -> str | None:
    if prop in COUNTS:
        ok = value is None or (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_COUNT
        )
        return None if ok else f"{prop} must be a count"
    if prop in TEXTS and value is not None and not isinstance(value, str):
        return f"{prop} must be text"
    if prop in REQUIRED_TEXTS and not isinstance(value, str):
        return f"{prop} must be text"
    return None


def _item_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "each input must be an object"
    prop, ident = item.get("property"), item.get("id")
    if not isinstance(prop, str) or not isinstance(ident, str | dict):
        return "each input needs an id and a property"
    problem = _value_problem(prop, item.get("value"))
    if problem is None:
        return None
    return f"{ident if isinstance(ident, str) else ident.get('type')}: {problem}"


def _dependency_problem(dependency: Any) -> str | None:
    items = dependency if isinstance(dependency, list) else [dependency]
    for item in items:
        problem = _item_problem(item)
        if problem:
            return problem
    return None


def check_callback_body(body: Any) -> str | None:
    """What is wrong with a callback request's envelope (``None``: nothing)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return "a callback request must be an object naming its output"
    if not isinstance(body.get("outputs"), dict | list):
        return "outputs must be an object or a list"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of text"
    for part in ("inputs", "state"):
        dependencies = body.get(part, [])
        if not isinstance(dependencies, list):
            return f"{part} must be a list"
        for dependency in dependencies:
            problem = _dependency_problem(dependency)
            if problem:
                return problem
    return None
