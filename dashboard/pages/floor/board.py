"""``/board/<name>``: a wallboard, full screen, no navigation, refreshed from the snapshot.

The page arrives with its first frame rendered (tiles, chart, ticker and status from one
snapshot read), so a board is never shown empty or "STALE" while its first refresh is on its way.
One server callback refreshes every tile from ONE snapshot read (no SQL); the ticker has its
own slow callback reading the announcement cache. Client-side callbacks keep the clock
ticking, ask for one refresh at a time, turn the board "STALE" when its data has not been
updated for ``stale_after_s`` (the snapshot's own age, whatever the cause), reload the page when
its layout file changed, rotate between boards (in the page: the next board's page replaces
this one when it arrives, without a reload) and beep on alert in kiosk mode.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
from dash import ALL, Input, Output, State, callback_context, html, no_update

from core.roles import BOARD_VIEWERS
from dashboard import inputs
from dashboard.auth import guard
from dashboard.boards import chart
from dashboard.boards import ids as tile_ids
from dashboard.boards.agents import uses_teams
from dashboard.boards.frame import Frame
from dashboard.boards.layout import Board, LayoutError
from dashboard.boards.render import has_body, render_body
from dashboard.boards.shared import plain
from dashboard.boards.source import Reading
from dashboard.boards.thresholds import worst
from dashboard.i18n import fmt_date, fmt_time, t
from dashboard.pages.floor import ids
from dashboard.pages.floor.board_answers import install_shared_answers, refresh_output
from dashboard.pages.floor.board_view import (
    FirstFrame,
    board_view,
    error_view,
    missing_view,
    screen_height,
)
from dashboard.state import app_state
from qa.awards.poster import poster_view

dash.register_page(
    __name__,
    path_template="/board/<name>",
    title=lambda name=None, **_: f"{name or 'Board'} · Floorboard",
    name="Board",
)  # type: ignore[no-untyped-call]


@guard.page(*BOARD_VIEWERS, board_param="name")
def layout(name: str | None = None, **query: Any) -> Any:
    """The board ``name`` with its first frame, its layout errors, or "no such board"."""
    state = app_state()
    result = state.boards.get(name or "")
    if result is None:
        return missing_view(name or "", state)
    if isinstance(result, LayoutError):
        return error_view(name or "", result, state)
    if state.teams is not None and any(uses_teams(tile) for tile in result.tiles):
        state.teams.ensure()  # loaded with the page, so that refreshes find it in memory
    if any(tile.kind == "poster" for tile in result.tiles):
        state.poster.get()  # the same: the poster tile reads it on every refresh
    return board_view(result, state, query, first_frame(result, screen_height(query)))


def first_frame(board: Board, height: int | None) -> FirstFrame:
    """The frame ``board`` shows as soon as its page arrives (the refresh's own render)."""
    screen = {"h": height} if height else None
    bodies, figures, sig, status = refresh(board.name, None, screen)
    track, ticker_sig = _ticker_track(board.name)
    return FirstFrame(
        bodies=list(bodies),
        figures=list(figures),
        chart_sig=sig,
        status=status,
        ticker=track,
        ticker_sig={"sig": ticker_sig, "n": 0},
        clock=_clock(board.locale),
    )


def _clock(locale: str) -> list[html.Div]:
    """The clock tile's time and date in the center's zone, as the browser's clock shows it."""
    now = datetime.now(ZoneInfo(app_state().settings.timezone))
    return [
        html.Div(fmt_time(now, locale), className="clock-time"),
        html.Div(fmt_date(now, locale), className="clock-date"),
    ]


def _poster_tile(locale: str) -> tuple[str, Any]:
    """The poster tile's badge and body: HR's wall poster (issue 5), from its in-memory cache,
    so a refresh runs no SQL."""
    data = app_state().poster.get()
    badge = f"{data.month_zh()} · {data.month_en()}" if data else ""
    return badge, poster_view(data, translate=t, variant="tile", locale=locale)


def _status(name: str, frame: Frame | None, version: str) -> dict[str, Any]:
    # "board" and "read_at": the browser takes a status only for the board it shows, and
    # times the data's age from the arrival of each new read.
    if frame is None:
        return {
            "board": name,
            "version": version,
            "live": False,
            "reason": "error",
            "read_at": time.time(),
        }
    reading = frame.reading
    stamp = ""
    if reading.snapshot:
        tz = ZoneInfo(frame.settings.timezone)
        made = datetime.fromtimestamp(reading.snapshot["generated_at"], tz)
        stamp = fmt_time(made, frame.locale)
    return {
        "board": name,
        "version": version,
        "live": reading.live,
        "reason": reading.status,
        "age": reading.age,
        "read_at": reading.read_at,
        "stamp": stamp,
        "level": worst(frame.levels),
    }


def refresh(name: str, chart_sig: str | None, screen: dict[str, Any] | None) -> tuple[Any, ...]:
    """Every tile of board ``name`` from one snapshot read (rendered once per read and shared
    by every screen showing the board)."""
    state = app_state()
    board = state.boards.get(name)
    version = state.boards.version(name)
    if not isinstance(board, Board):
        return [], [], no_update, _status(name, None, version)
    reading = state.snapshots.read()
    chart_sig = inputs.optional_text(chart_sig, "chart signature")
    height = inputs.number(inputs.mapping(screen, "screen").get("h"), "screen height")
    shared: tuple[Any, ...] = state.renders.get(
        reading.read_at,
        (name, version, chart_sig, height),
        lambda: _render(board, reading, chart_sig, height, version),
    )
    return shared


def _render(
    board: Board, reading: Reading, chart_sig: str | None, height: Any, version: str
) -> tuple[Any, ...]:
    state = app_state()
    frame = Frame(
        reading=reading,
        locale=board.locale,
        now=time.time(),
        settings=state.settings,
        forecast=state.forecast,
        grid=(board.columns, board.rows),
        board_queues=board.queues,
        teams=state.teams.mapping if state.teams is not None else dict,
        poster=_poster_tile,
    )
    bodies = [render_body(tile, frame) for tile in board.tiles if has_body(tile)]
    charts = [tile for tile in board.tiles if tile.kind == "chart"]
    figures = [chart.figure(tile, frame, height) for tile in charts]
    sig = chart.signature({"f": figures}) if figures else ""
    send = figures if sig != chart_sig else [no_update] * len(figures)
    return plain(bodies), send, sig, _status(board.name, frame, version)


def _ticker_track(name: str) -> tuple[html.Div, str]:
    """The ticker of board ``name`` and its signature (which notices, at which level)."""
    state = app_state()
    board = state.boards.get(name)
    locale = board.locale if isinstance(board, Board) else "en"
    notices = state.announcements.for_board(name)
    sig = "|".join(f"{n.id}:{n.level}" for n in notices)
    items: list[Any] = []
    for n in notices:
        items += [
            html.Span(t(f"level.{n.level}", locale), className=f"tick-level lvl-{n.level}"),
            html.Span(n.text, className="tick-text"),
        ]
    length = sum(len(n.text) + 12 for n in notices)
    track = html.Div(
        items,
        className="ticker-track" + (" is-empty" if not notices else ""),
        style={"animationDuration": f"{max(12, length // 6)}s"},
    )
    return track, sig


def ticker(name: str, old: Any, n: Any) -> tuple[Any, ...]:
    """The announcements of board ``name``, sent only when they changed (the scroll keeps
    going); the signature store always answers, with the refresh ``n`` it answers."""
    track, sig = _ticker_track(name)
    count = len(callback_context.outputs_list[0])
    old_sig = old.get("sig") if isinstance(old, dict) else old
    answer = {"sig": sig, "n": n if isinstance(n, int) else 0}
    if sig == old_sig:
        return [no_update] * count, answer
    return [track] * count, answer


def register_callbacks(app: dash.Dash) -> None:
    """Attach this page's callbacks to ``app`` (called by the app factory)."""
    guard.callback(
        app,
        BOARD_VIEWERS,
        Output({"type": tile_ids.TILE, "board": ALL, "index": ALL}, "children"),
        Output({"type": tile_ids.TILE_GRAPH, "board": ALL, "index": ALL}, "figure"),
        Output(ids.BOARD_CHART_SIG, "data"),
        Output(ids.BOARD_STATUS, "data"),
        Input(ids.BOARD_REFRESH, "n_intervals"),
        State(ids.BOARD_NAME, "data"),
        State(ids.BOARD_CHART_SIG, "data"),
        State(ids.BOARD_SCREEN, "data"),
        board_state=ids.BOARD_NAME,
        prevent_initial_call=True,  # the page came with its first frame
    )(lambda _n, name, sig, screen: refresh(name, sig, screen))
    install_shared_answers(app, output=refresh_output(app))
    guard.callback(
        app,
        BOARD_VIEWERS,
        Output({"type": tile_ids.TILE_TICKER, "board": ALL, "index": ALL}, "children"),
        Output(ids.BOARD_TICKER_SIG, "data"),
        Input(ids.BOARD_TICKER_REFRESH, "n_intervals"),
        State(ids.BOARD_NAME, "data"),
        State(ids.BOARD_TICKER_SIG, "data"),
        board_state=ids.BOARD_NAME,
        prevent_initial_call=True,
    )(lambda n, name, old: ticker(name, old, n))
    guard.clientside(
        app,
        "floorboard.watchdog",
        Output(ids.BOARD_ROOT, "className"),
        Output(ids.BOARD_BANNER, "children"),
        Output(ids.BOARD_STAMP, "children"),
        Output({"type": tile_ids.TILE_CLOCK, "board": ALL, "index": ALL}, "children"),
        Output(ids.BOARD_SCREEN, "data"),
        Output(ids.BOARD_REFRESH, "max_intervals"),
        Input(ids.BOARD_TICK, "n_intervals"),
        Input(ids.BOARD_STATUS, "data"),
        State(ids.BOARD_REFRESH, "n_intervals"),
        State(ids.BOARD_REFRESH, "max_intervals"),
        State(ids.BOARD_CONFIG, "data"),
        State(ids.BOARD_SCREEN, "data"),
    )
    guard.clientside(
        app,
        "floorboard.tickerGate",
        Output(ids.BOARD_TICKER_REFRESH, "max_intervals"),
        Input(ids.BOARD_TICK, "n_intervals"),
        Input(ids.BOARD_TICKER_SIG, "data"),
        State(ids.BOARD_TICKER_REFRESH, "n_intervals"),
        State(ids.BOARD_TICKER_REFRESH, "max_intervals"),
        State(ids.BOARD_CONFIG, "data"),
    )
    guard.clientside(
        app,
        "floorboard.rotate",
        Output(ids.BOARD_GO, "href"),
        Input(ids.BOARD_ROTATE, "n_intervals"),
        State(ids.BOARD_CONFIG, "data"),
        prevent_initial_call=True,
    )
