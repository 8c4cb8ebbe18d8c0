"""Tile bodies, rendered on every refresh from one :class:`~dashboard.boards.frame.Frame`.

Each body fills its tile: a head (label, window, freshness) and the figure. Threshold levels
become the CSS classes ``lvl-ok``, ``lvl-warn`` and ``lvl-alert``; the theme in
``assets/floorboard.css`` colours them.
"""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.boards import ids, presence, scope
from dashboard.boards.agents import agent_grid
from dashboard.boards.chart import graph
from dashboard.boards.frame import Frame
from dashboard.boards.layout import Board
from dashboard.boards.staffing import estimate
from dashboard.boards.tile_head import head
from dashboard.boards.tiles_schema import Column, Tile
from dashboard.i18n import fmt_duration, fmt_int, fmt_percent, fmt_value


def column_label(frame: Frame, column: Column) -> str:
    return column.label or frame.t(f"m.{column.metric}")


def _number(tile: Tile, frame: Frame) -> html.Div:
    fig = tile.figure
    assert fig is not None  # noqa: S101 - validated by the layout parser
    value = scope.value(frame.figs(tile.queues), fig.metric, fig.window)
    level = frame.level(fig.thresholds.level(value))
    label = tile.label or column_label(frame, fig)
    # The board's header names its scope; a tile only repeats it when it differs.
    sub = frame.scope_label(tile.queues) if tile.queues != frame.board_queues else ""
    if scope.not_available(frame.figs(tile.queues), fig.metric, fig.window):
        return _not_available(tile, frame, label)
    if fig.metric == "service_level":
        sub = frame.t(
            "board.sl_target",
            t=int(frame.sl_threshold(tile.queues)),
            target=fmt_percent(frame.sl_target()),
        )
    # A presence figure says how many agents it leaves out (no session data), on its own
    # line that may wrap (a one-line sub would cut it off on a small tile).
    note = presence.note(frame.figs(tile.queues), fig.metric, frame.t)
    extra = [html.Div(note, className="tile-sub presence-note")] if note else []
    return html.Div(
        [
            head(
                frame,
                label,
                frame.t(f"w.{fig.window}"),
                tooltip=frame.definition(fig.metric),
            ),
            html.Div(fmt_value(value, fig.fmt, frame.locale), className="tile-value"),
            html.Div(sub, className="tile-sub"),
            *extra,
        ],
        className=f"tile-body kind-number lvl-{level}",
    )


def _not_available(tile: Tile, frame: Frame, label: str) -> html.Div:
    """A figure the source cannot know (a CDR import: no queue wait, no talk time): said so,
    never shown as 0 nor as an empty "—" that reads like "no calls yet"."""
    fig = tile.figure
    assert fig is not None  # noqa: S101 - validated by the layout parser
    return html.Div(
        [
            head(frame, label, frame.t(f"w.{fig.window}"), tooltip=frame.definition(fig.metric)),
            html.Div(frame.t("board.na"), className="tile-value"),
            html.Div(frame.t("board.not_available", metric=label), className="tile-sub"),
        ],
        className="tile-body kind-number lvl-none is-unavailable",
    )


def _cell(frame: Frame, figs: dict[str, Any], column: Column) -> html.Td:
    if scope.not_available(figs, column.metric, column.window):
        label = column_label(frame, column)
        return html.Td(
            frame.t("board.na"),
            className="num lvl-none is-unavailable",
            title=frame.t("board.not_available", metric=label),
        )
    value = scope.value(figs, column.metric, column.window)
    level = frame.level(column.thresholds.level(value))
    text = fmt_value(value, column.fmt, frame.locale)
    note = presence.note(figs, column.metric, frame.t) if column.window == "now" else ""
    if note and presence.has_unknown(figs):
        # Marked, and explained in the table's footnote (a long note per cell would not fit).
        return html.Td(
            [text, html.Sup("*", className="presence-mark")],
            className=f"num lvl-{level}",
            title=note,
        )
    return html.Td(text, className=f"num lvl-{level}", title=note or None)


def _presence_footnote(tile: Tile, frame: Frame, total_scope: tuple[str, ...] | None) -> Any:
    """The table total's presence note, under the table ("" when no column needs one)."""
    metrics = [c.metric for c in tile.columns if c.window == "now"]
    chosen = next((m for m in metrics if m in presence.PRESENCE_METRICS), None)
    figs = frame.figs(total_scope)
    if chosen is None or not presence.has_unknown(figs):
        return ""
    label = frame.t("board.total")
    return f"* {label}: {frame.t(f'm.{chosen}')} {presence.note(figs, chosen, frame.t)}"


def _queue_table(tile: Tile, frame: Frame) -> html.Div:
    queues = list(tile.queues or scope.queue_names(frame.snapshot))
    head_row = [html.Th(frame.t("board.queue"))] + [
        html.Th(
            [column_label(frame, c), html.Small(frame.t(f"w.{c.window}"))],
            title=frame.definition(c.metric),
        )
        for c in tile.columns
    ]
    rows = [
        html.Tr(
            [html.Td(frame.queue_label(q), className="qname")]
            + [_cell(frame, frame.figs((q,)), c) for c in tile.columns]
        )
        for q in queues
    ]
    total_scope = tuple(tile.queues) if tile.queues else None
    rows.append(
        html.Tr(
            [html.Td(frame.t("board.total"), className="qname")]
            + [_cell(frame, frame.figs(total_scope), c) for c in tile.columns],
            className="total",
        )
    )
    return html.Div(
        [
            head(frame, tile.label or frame.t("live.queues"), frame.scope_label(tile.queues)),
            html.Table([html.Thead(html.Tr(head_row)), html.Tbody(rows)], className="qtable"),
            html.Div(_presence_footnote(tile, frame, total_scope), className="presence-foot"),
        ],
        className="tile-body kind-queues",
    )


def _staffing(tile: Tile, frame: Frame) -> html.Div:
    forecast = frame.forecast(day=frame.day, queues=tile.queues) or {}
    est = estimate(
        frame.figs(tile.queues),
        interval_minutes=frame.interval_minutes,
        sl_target=frame.sl_target(),
        sl_threshold=frame.sl_threshold(tile.queues),
        forecast=forecast.get(frame.interval_index),
    )
    if est.required is None:
        level, verdict = "none", frame.t("staff.no_data")
    elif est.short_by:
        level, verdict = "alert", frame.t("staff.short", n=est.short_by)
    else:
        level, verdict = "ok", frame.t("staff.ok")
    frame.level(level)
    basis = frame.t(
        "staff.basis",
        calls=fmt_int(est.calls),
        aht=fmt_duration(est.aht),
        sl=fmt_percent(est.target),
        t=int(est.threshold),
    )
    # "Staffed" counts logged-in agents only: say how many have no session data.
    note = presence.note(frame.figs(tile.queues), "agents_logged_in", frame.t)
    unknown = [html.Div(note, className="tile-sub presence-note")] if note else []
    pair = [
        html.Div(
            [
                html.Div(fmt_int(est.required), className="pair-value"),
                html.Div(frame.t("staff.required"), className="pair-label"),
            ]
        ),
        html.Div(
            [
                html.Div(fmt_int(est.staffed), className="pair-value"),
                html.Div(frame.t("staff.staffed"), className="pair-label"),
            ]
        ),
    ]
    return html.Div(
        [
            head(
                frame,
                tile.label or frame.t("staff.title"),
                frame.t("staff.erlang"),
                tooltip=frame.explain("def.staffing", "staffing-tile"),
            ),
            html.Div(pair, className="pair"),
            html.Div([html.Strong(verdict), " · ", basis], className="tile-sub"),
            *unknown,
        ],
        className=f"tile-body kind-staffing lvl-{level}",
    )


def _label_only(tile: Tile, frame: Frame, default: str, *, tooltip: str = "") -> html.Div:
    return head(frame, tile.label or default, "", tooltip=tooltip)


def _poster(tile: Tile, frame: Frame) -> html.Div:
    badge, body = frame.poster(frame.locale)
    label = tile.label or frame.t("hr.poster.tile")
    tooltip = frame.explain("def.poster", "stars-and-ties")
    return html.Div(
        [head(frame, label, badge, tooltip=tooltip), body], className="tile-body kind-poster"
    )


def has_body(tile: Tile) -> bool:
    """Whether the tile is filled by the refresh (the ticker and the clock have their own)."""
    return tile.kind not in ("ticker", "clock")


def render_body(tile: Tile, frame: Frame) -> Any:
    """The body of one tile for this refresh (chart, ticker and clock only get their head)."""
    if tile.kind == "number":
        return _number(tile, frame)
    if tile.kind == "queues":
        return _queue_table(tile, frame)
    if tile.kind == "agents":
        return agent_grid(tile, frame)
    if tile.kind == "staffing":
        return _staffing(tile, frame)
    if tile.kind == "chart":
        tooltip = frame.explain("def.chart", "intraday-chart")
        return _label_only(tile, frame, frame.t("chart.title"), tooltip=tooltip)
    if tile.kind == "poster":
        return _poster(tile, frame)
    return []


def tile_id(kind: str, board: Board, tile: Tile) -> dict[str, Any]:
    """The pattern-matching id of a tile's part (``ids.TILE``, ``ids.TILE_GRAPH``, ...)."""
    return {"type": kind, "board": board.name, "index": tile.index}


def tile_frame(board: Board, tile: Tile, *, body: Any = None, figure: Any = None) -> html.Div:
    """The container of a tile, placed on the grid once and filled on every refresh.

    Args:
        board: the board.
        tile: the tile.
        body: what the tile shows until its first refresh (its body, the ticker's track or
            the clock, from the frame rendered with the page), so that a board never appears
            empty or "STALE" while its first refresh is on its way.
        figure: the chart's figure from the same frame.
    """
    style = {"gridColumn": f"span {tile.w}", "gridRow": f"span {tile.h}"}
    parts: list[Any]
    if tile.kind == "ticker":
        parts = [html.Div(body, id=tile_id(ids.TILE_TICKER, board, tile), className="ticker")]
    elif tile.kind == "clock":
        parts = [html.Div(body, id=tile_id(ids.TILE_CLOCK, board, tile), className="clock")]
    else:
        parts = [html.Div(body, id=tile_id(ids.TILE, board, tile), className="tile-slot")]
    if tile.kind == "chart":
        parts.append(graph(tile_id(ids.TILE_GRAPH, board, tile), figure))
    return html.Div(parts, className=f"tile tile-{tile.kind}", style=style)
