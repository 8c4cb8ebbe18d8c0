"""Reading what a board renders, for tests: the strings of a component tree."""

from __future__ import annotations

from typing import Any


def rendered_texts(node: Any) -> list[str]:
    """Every string in a rendered tree (components or the grid's plain JSON), titles included,
    in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [t for child in node for t in rendered_texts(child)]
    if hasattr(node, "to_plotly_json"):
        props = node.to_plotly_json()["props"]
    elif isinstance(node, dict):
        props = node.get("props") or {}
    else:
        return []
    out = [props["title"]] if isinstance(props.get("title"), str) and props["title"] else []
    return out + rendered_texts(props.get("children") or [])
