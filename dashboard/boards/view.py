"""The static part of a board page: header, tile grid, stores and timers.

The same machinery (stores, timers, banner) is on the error and "no such board" views, so a
board whose file is fixed, created or changed reloads by itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboard import ids
from dashboard.auth.guard import current_principal
from dashboard.boards.layout import Board, LayoutError
from dashboard.boards.render import tile_frame
from dashboard.i18n import t
from dashboard.state import AppState

_CLIENT_TEXTS = (
    "board.stale",
    "board.reconnecting",
    "board.no_data",
    "board.redis_down",
    "board.server_down",
    "board.stale_since",
    "board.updated",
    "board.live",
)


def _rotation(
    name: str, state: AppState, query: dict[str, Any], default: int | None
) -> dict[str, Any]:
    """Where and when kiosk rotation goes next (``?rotate=30&boards=a,b``)."""
    try:
        every = int(query.get("rotate") or default or 0)
    except ValueError:
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
    keep = {k: v for k, v in query.items() if k in ("token", "rotate", "boards", "sound") and v}
    keep["rotate"] = str(every)
    return {"every_ms": max(5, every) * 1000, "next": f"/board/{following}?{urlencode(keep)}"}


def _machinery(
    name: str,
    version: str,
    state: AppState,
    *,
    locale: str,
    refresh_s: float,
    extra: dict[str, Any],
) -> list[Any]:
    config = {
        "version": version,
        "stale_ms": int(state.settings.stale_after_s * 1000),
        "locale": locale,
        "tz": state.settings.timezone,
        "texts": {key.split(".", 1)[1]: t(key, locale) for key in _CLIENT_TEXTS},
        **extra,
    }
    rotate = extra.get("rotate", {})
    return [
        dcc.Store(id=ids.BOARD_NAME, data=name),
        dcc.Store(id=ids.BOARD_CONFIG, data=config),
        dcc.Store(id=ids.BOARD_STATUS, data={"version": version, "live": False, "reason": "init"}),
        dcc.Store(id=ids.BOARD_RECEIVED, data=None),
        dcc.Store(id=ids.BOARD_SCREEN, data=None),
        dcc.Store(id=ids.BOARD_CHART_SIG, data=None),
        dcc.Store(id=ids.BOARD_TICKER_SIG, data=None),
        dcc.Interval(id=ids.BOARD_REFRESH, interval=int(refresh_s * 1000)),
        dcc.Interval(id=ids.BOARD_TICK, interval=1000),
        dcc.Interval(id=ids.BOARD_TICKER_REFRESH, interval=3000),
        dcc.Interval(
            id=ids.BOARD_ROTATE,
            interval=rotate.get("every_ms") or 60_000,
            disabled=not rotate.get("every_ms"),
        ),
        html.Div(id=ids.BOARD_ROTATE_TARGET, hidden=True),
    ]


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


def board_view(board: Board, state: AppState, query: dict[str, Any]) -> html.Div:
    """A valid board."""
    sound = str(query.get("sound", "")) in ("1", "true", "on") or board.sound
    extra = {"rotate": _rotation(board.name, state, query, board.rotate_s), "sound": sound}
    grid = html.Div(
        [tile_frame(board, tile) for tile in board.tiles],
        className="board-grid",
        style={
            "gridTemplateColumns": f"repeat({board.columns}, minmax(0, 1fr))",
            "gridTemplateRows": f"repeat({board.rows}, minmax(0, 1fr))",
        },
    )
    subtitle = t("board.center", board.locale) if not board.queues else ", ".join(board.queues)
    return html.Div(
        [
            *_machinery(
                board.name,
                board.version,
                state,
                locale=board.locale,
                refresh_s=board.refresh_s,
                extra=extra,
            ),
            _header(board.title, subtitle),
            grid,
        ],
        id=ids.BOARD_ROOT,
        className=f"board lang-{board.locale} is-stale",
    )


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
                name, state.boards.version(name), state, locale="en", refresh_s=2, extra={}
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
        [*_machinery(name, "", state, locale="en", refresh_s=5, extra={}), _header(name, ""), body],
        id=ids.BOARD_ROOT,
        className="board",
    )
