"""A tile's head (label, window, freshness), the same on every kind of tile."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.boards.frame import Frame


def _fresh_props(frame: Frame) -> dict[str, Any]:
    return {
        "children": frame.freshness(),
        "className": "fresh " + ("is-live" if frame.live else "is-old"),
        "data-stale": frame.t("board.stale"),
    }


def head(frame: Frame, label: str, badge: str, *, tooltip: str = "") -> html.Div:
    """A tile's head: what it shows, which window, and how fresh it is."""
    return html.Div(
        [
            html.Span(label, className="tile-label"),
            html.Span(badge, className="tile-badge"),
            html.Span(**_fresh_props(frame)),
        ],
        className="tile-head",
        title=tooltip,
    )
