"""The intraday chart: offered, answered and abandoned per interval today, the service level
line against its target, and the forecast line when a forecast provider is configured.

A group of queues gets the service level line only when the snapshot's chart points carry the
raw counts it needs (answered within T, abandoned after T); it is never averaged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from dash import dcc

from collectors.aggregator.snapshot_schema import ChartPoint, Snapshot
from dashboard.boards.frame import Frame
from dashboard.boards.tiles_schema import Tile

COLORS = {
    "offered": "#5b7fa6",
    "answered": "#2ecc71",
    "abandoned": "#ff4d4f",
    "sl": "#ffd23f",
    "forecast": "#c9d1d9",
}
_COUNTS: tuple[str, ...] = ("offered", "answered", "abandoned", "answered_within_t")
_COUNTS += ("abandoned_after_t", "answered_wait_unknown")  # the latter: waits a CDR lacks


EMPTY = {"data": [], "layout": {"paper_bgcolor": "rgba(0,0,0,0)"}}


def graph(id_: dict[str, Any], figure: Mapping[str, Any] | None = None) -> dcc.Graph:
    """The chart of a tile (``figure``: the one rendered with the page, else empty)."""
    return dcc.Graph(
        id=id_,
        className="tile-graph",
        config={"displayModeBar": False, "responsive": True, "staticPlot": True},
        figure=figure or EMPTY,
    )


def _intervals(snapshot: Snapshot | None, queue: str) -> dict[str, ChartPoint]:
    block = snapshot.get("queues", {}).get(queue) if snapshot else None
    return block.get("intervals", {}) if block else {}


def points(snapshot: Snapshot | None, queues: tuple[str, ...] | None) -> dict[int, dict[str, Any]]:
    """Today's chart points (interval index → counts and service level) for the queues."""
    names = list(queues) if queues else ["*"]
    if len(names) == 1:
        return {int(i): dict(p) for i, p in _intervals(snapshot, names[0]).items()}
    merged: dict[int, dict[str, Any]] = {}
    exact = True
    for name in names:
        for i, point in _intervals(snapshot, name).items():
            target = merged.setdefault(int(i), {})
            exact = exact and "answered_within_t" in point
            counts: Mapping[str, Any] = point
            for key in _COUNTS:
                target[key] = target.get(key, 0) + counts.get(key, 0)
    for summed in merged.values():
        timed = summed["answered"] - summed.get("answered_wait_unknown", 0)
        den = timed + summed.get("abandoned_after_t", 0)
        known = timed > 0 or not summed["answered"]
        summed["service_level"] = (
            summed["answered_within_t"] / den if exact and den and known else None
        )
    return merged


def _label(index: int, minutes: int) -> str:
    total = index * minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def figure(tile: Tile, frame: Frame, screen_height: float | None) -> dict[str, Any]:
    """The Plotly figure (a plain dict: cheaper than building ``go.Figure`` objects)."""
    minutes = frame.interval_minutes
    current = frame.interval_index
    data = points(frame.snapshot, tile.queues)
    forecast = frame.forecast(day=frame.day, queues=tile.queues) or {}
    known = list(data) + list(forecast) + [current]
    first, last = max(0, min(known) - 1), min(24 * 60 // minutes - 1, max(known) + 2)
    idx = list(range(first, last + 1))
    x = [_label(i, minutes) for i in idx]
    scale = max(0.6, (screen_height or 1080) / 1080)
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": frame.t(f"chart.{k}"),
            "x": x,
            "marker": {"color": COLORS[k]},
            "y": [data.get(i, {}).get(k, 0) if i <= current else None for i in idx],
        }
        for k in ("offered", "answered", "abandoned")
    ]
    if forecast:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": frame.t("chart.forecast"),
                "x": x,
                "y": [getattr(forecast.get(i), "offered", None) for i in idx],
                "line": {"color": COLORS["forecast"], "dash": "dot", "width": 3 * scale},
            }
        )
    sl = [data.get(i, {}).get("service_level") for i in idx]
    if any(v is not None for v in sl):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": frame.t("chart.sl"),
                "x": x,
                "y": [v * 100 if v is not None else None for v in sl],
                "yaxis": "y2",
                "connectgaps": True,
                "line": {"color": COLORS["sl"], "width": 4 * scale},
                "marker": {"size": 7 * scale},
            }
        )
    return {"data": traces, "layout": _layout(frame, scale, x)}


def _layout(frame: Frame, scale: float, x: list[str]) -> dict[str, Any]:
    target = frame.sl_target() * 100
    font = {"color": "#e6edf3", "size": 15 * scale, "family": "Inter, Noto Sans SC, sans-serif"}
    return {
        "barmode": "group",
        "bargap": 0.15,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": font,
        "margin": {"l": 48 * scale, "r": 56 * scale, "t": 8 * scale, "b": 44 * scale},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "xaxis": {"gridcolor": "#222a33", "tickangle": 0, "nticks": 12},
        "yaxis": {"gridcolor": "#222a33", "rangemode": "tozero"},
        "yaxis2": {
            "overlaying": "y",
            "side": "right",
            "range": [0, 105],
            "tickvals": [0, 25, 50, 75, 100],
            "ticksuffix": "%",
            "showgrid": False,
        },
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y2",
                "y0": target,
                "y1": target,
                "line": {"color": COLORS["sl"], "dash": "dash", "width": 1.5 * scale},
            }
        ],
        "uirevision": "keep",
    }


def signature(fig: Mapping[str, Any]) -> str:
    """A short hash: the figure is only sent again when it changed."""
    return hashlib.sha1(  # noqa: S324 - a change detector, not security
        json.dumps(fig, sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
