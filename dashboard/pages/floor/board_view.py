"""The static part of a board page: header, tile grid, stores and timers.

The same machinery (stores, timers, banner) is on the error and "no such board" views, so a
board whose file is fixed, created or changed reloads by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboard.auth.guard import current_principal
from dashboard.boards.chart import EMPTY
from dashboard.boards.layout import Board, LayoutError
from dashboard.boards.render import has_body, tile_frame
from dashboard.i18n import t
from dashboard.pages.floor import ids
from dashboard.state import AppState

_CLIENT_TEXTS = (
    "board.stale",
    "board.reconnecting",
    "board.no_data",
    "board.redis_down",
    "board.no_update",
    "board.secs",
    "board.mins",
    "board.hours",
    "board.updated",
    "board.live",
)
SCREEN_H = "screen_h"  # query: the viewport height a rotation comes from (chart fonts)


@dataclass(frozen=True)
class FirstFrame:
    """A board's frame rendered with its page: the page shows it at once (and a rotation
    keeps the previous board until it arrives) instead of empty tiles waiting for a refresh.

    Args:
        bodies: the tile bodies, in the order of the tiles that have one.
        figures: the chart figures, in the order of the chart tiles.
        chart_sig: the figures' signature (the first refresh does not send them again).
        status: the refresh status of this frame (its board, age and read time).
        ticker: the ticker's track.
        ticker_sig: the ticker's signature (the first ticker refresh does not resend it).
        clock: the clock's time and date (the browser's clock takes over at once).
    """

    bodies: list[Any]
    figures: list[Any]
    chart_sig: str
    status: dict[str, Any]
    ticker: Any = None
    ticker_sig: dict[str, Any] = field(default_factory=dict)
    clock: Any = None


def screen_height(query: dict[str, Any]) -> int | None:
    """The viewport height a rotation passed on (``?screen_h=2160``), if it is plausible."""
    raw = query.get(SCREEN_H)
    if not isinstance(raw, str) or not raw.isdigit():
        return None
    height = int(raw)
    return height if 100 <= height <= 20_000 else None


def _rotation(
    name: str, state: AppState, query: dict[str, Any], default: int | None
) -> dict[str, Any]:
    """Where and when kiosk rotation goes next (``?rotate=30&boards=a,b``)."""
    try:
        every = int(query.get("rotate") or default or 0)
    except (TypeError, ValueError):
        every = 0
    if every <= 0:
        return {"every_ms": 0, "next": ""}
    principal = current_principal()
    names = [b for b in str(query.get("boards") or "").split(",") if b] or state.boards.names()
    if principal.boards is not None:
        names = [b for b in names if b in principal.boards]
    if name not in names:
        names.append(name)
    following = names[(names.index(name) + 1) % len(names)]
    if following == name:
        return {"every_ms": 0, "next": ""}
    keep = {k: v for k, v in query.items() if k in ("token", "rotate", "boards", "sound") and v}
    keep["rotate"] = str(every)
    return {"every_ms": max(5, every) * 1000, "next": f"/board/{following}?{urlencode(keep)}"}


def _machinery(
    name: str,
    state: AppState,
    *,
    locale: str,
    refresh_s: float,
    status: dict[str, Any],
    extra: dict[str, Any],
    first: FirstFrame | None = None,
) -> list[Any]:
    refresh_ms = int(refresh_s * 1000)
    config = {
        "board": name,
        "version": status.get("version", ""),
        "stale_ms": int(state.settings.stale_after_s * 1000),
        # A refresh not answered by then is given up and asked again: a slow answer is never
        # dropped for a newer request (Dash keeps only the newest answer of a callback, so
        # requests that overtake each other would starve a slow board of every answer).
        "retry_ms": max(10_000, 3 * refresh_ms),
        "locale": locale,
        "tz": state.settings.timezone,
        "texts": {key.split(".", 1)[1]: t(key, locale) for key in _CLIENT_TEXTS},
        **extra,
    }
    rotate = extra.get("rotate", {})
    parts: list[Any] = [
        dcc.Store(id=ids.BOARD_NAME, data=name),
        dcc.Store(id=ids.BOARD_CONFIG, data=config),
        dcc.Store(id=ids.BOARD_STATUS, data=status),
        dcc.Store(id=ids.BOARD_SCREEN, data=None),
        dcc.Store(id=ids.BOARD_CHART_SIG, data=first.chart_sig if first else None),
        dcc.Store(id=ids.BOARD_TICKER_SIG, data=first.ticker_sig if first else None),
        # One refresh at a time: the interval stops after each tick (max_intervals) and the
        # watchdog lets it tick again when the answer is in (see floorboard.js).
        dcc.Interval(id=ids.BOARD_REFRESH, interval=refresh_ms, max_intervals=1),
        dcc.Interval(id=ids.BOARD_TICK, interval=1000),
        dcc.Interval(id=ids.BOARD_TICKER_REFRESH, interval=3000, max_intervals=1),
        dcc.Interval(
            id=ids.BOARD_ROTATE,
            interval=rotate.get("every_ms") or 60_000,
            disabled=not rotate.get("every_ms"),
        ),
        dcc.Location(id=ids.BOARD_GO, refresh="callback-nav"),
    ]
    if rotate.get("every_ms"):
        # A board without a chart rotating to one with a chart: the chart library is loaded
        # already, so the chart is drawn with the board instead of after a download.
        parts.append(
            html.Div(
                dcc.Graph(id=ids.BOARD_PRELOAD, figure=EMPTY, config={"staticPlot": True}),
                style={
                    "position": "fixed",
                    "width": "1px",
                    "height": "1px",
                    "overflow": "hidden",
                    "opacity": 0,
                    "pointerEvents": "none",
                },
            )  # fmt: skip
        )
    return parts


def _header(title: str, subtitle: str) -> html.Header:
    return html.Header(
        [
            html.Div(
                [
                    html.Span(title, className="board-title"),
                    html.Span(subtitle, className="board-subtitle"),
                ]
            ),
            html.Div(id=ids.BOARD_BANNER, className="board-banner"),
            html.Div(id=ids.BOARD_STAMP, className="board-stamp"),
        ],
        className="board-header",
    )


def _tiles(board: Board, first: FirstFrame) -> list[html.Div]:
    bodies, figures = iter(first.bodies), iter(first.figures)
    placed = []
    for tile in board.tiles:
        body = {"ticker": first.ticker, "clock": first.clock}.get(tile.kind)
        if has_body(tile):
            body = next(bodies, None)
        figure = next(figures, None) if tile.kind == "chart" else None
        placed.append(tile_frame(board, tile, body=body, figure=figure))
    return placed


def board_view(board: Board, state: AppState, query: dict[str, Any], first: FirstFrame) -> html.Div:
    """A valid board, showing ``first`` (its frame rendered with the page) at once."""
    sound = str(query.get("sound", "")) in ("1", "true", "on") or board.sound
    extra = {"rotate": _rotation(board.name, state, query, board.rotate_s), "sound": sound}
    grid = html.Div(
        _tiles(board, first),
        className="board-grid",
        style={
            "gridTemplateColumns": f"repeat({board.columns}, minmax(0, 1fr))",
            "gridTemplateRows": f"repeat({board.rows}, minmax(0, 1fr))",
        },
    )
    subtitle = t("board.center", board.locale) if not board.queues else ", ".join(board.queues)
    live = bool(first.status.get("live"))
    return html.Div(
        [
            *_machinery(
                board.name,
                state,
                locale=board.locale,
                refresh_s=board.refresh_s,
                status=first.status,
                extra=extra,
                first=first,
            ),
            _header(board.title, subtitle),
            grid,
        ],
        id=ids.BOARD_ROOT,
        className=f"board lang-{board.locale} " + ("is-live" if live else "is-stale"),
    )


def _waiting(name: str, version: str) -> dict[str, Any]:
    """The status of a page without a frame (no such board, or errors): nothing is stale."""
    return {"board": name, "version": version, "live": False, "reason": "init", "read_at": 0}


def error_view(name: str, error: LayoutError, state: AppState) -> html.Div:
    """A board whose file has errors: each problem with its line; reloads once fixed."""
    problems = html.Ul([html.Li(str(p)) for p in error.problems], className="problems")
    body = html.Div(
        [html.H2(t("board.error")), problems, html.P(t("board.error_hint"))],
        className="board-error",
    )
    return html.Div(
        [
            *_machinery(
                name,
                state,
                locale="en",
                refresh_s=2,
                status=_waiting(name, state.boards.version(name)),
                extra={},
            ),
            _header(name, ""),
            body,
        ],
        id=ids.BOARD_ROOT,
        className="board",
    )


def missing_view(name: str, state: AppState) -> html.Div:
    """No such board (yet): says so, and reloads when the file appears."""
    body = html.Div([html.H2(t("board.not_found", name=name))], className="board-error")
    return html.Div(
        [
            *_machinery(name, state, locale="en", refresh_s=5, status=_waiting(name, ""), extra={}),
            _header(name, ""),
            body,
        ],
        id=ids.BOARD_ROOT,
        className="board",
    )
