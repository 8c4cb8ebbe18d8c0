"""``/live``: the supervisor's live view: every queue with every metric (docs/METRICS.md; now
and today) and every agent, filtered by queue and team, sortable, coloured with the boards'
thresholds."""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import Input, Output, dash_table, dcc, html

from core.roles import FLOOR_LEADS
from dashboard import inputs
from dashboard.auth import guard
from dashboard.boards import scope
from dashboard.i18n import t
from dashboard.pages.floor import ids
from dashboard.pages.floor import live_tables as tables
from dashboard.shell import chrome
from dashboard.state import app_state

dash.register_page(__name__, path="/live", title="Live view · Floorboard", name="Live view")  # type: ignore[no-untyped-call]

_TABLE_STYLE = {
    "style_header": {
        "backgroundColor": "#0d131a",
        "color": "#8b9aab",
        "fontWeight": "600",
        "whiteSpace": "normal",
        "height": "auto",
        "border": "1px solid #1f2a36",
    },
    "style_cell": {
        "backgroundColor": "#0f151c",
        "color": "#f2f5f8",
        "border": "1px solid #1f2a36",
        "fontFamily": "inherit",
        "padding": "4px 8px",
        "minWidth": "64px",
    },
    # minWidth: with a fixed first column DataTable otherwise shrinks to a few columns
    "style_table": {"overflowX": "auto", "minWidth": "100%"},
}
# Names and lists read left to right; numbers stay right-aligned.
_TEXT_COLUMNS = ("queue", "agent", "team", "reason", "current_queue", "member_of")
_ALIGN = [{"if": {"column_id": c}, "textAlign": "left"} for c in _TEXT_COLUMNS] + [
    {"if": {"column_id": "state"}, "textAlign": "center"}
]


def _table(
    table_id: str, columns: list[dict[str, Any]], styles: list[dict[str, Any]], **extra: Any
) -> Any:
    return dash_table.DataTable(  # type: ignore[attr-defined]
        id=table_id,
        columns=columns,
        data=[],
        sort_action="native",
        sort_mode="multi",
        merge_duplicate_headers=True,
        style_data_conditional=styles,
        style_cell_conditional=_ALIGN,
        **_TABLE_STYLE,
        **extra,
    )


@guard.page(*FLOOR_LEADS)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    state = app_state()
    snapshot = state.snapshots.read().snapshot
    options = [{"label": q, "value": q} for q in scope.queue_names(snapshot)]
    teams = state.teams.names() if state.teams is not None else []
    body = html.Div(
        [
            dcc.Interval(id=ids.LIVE_REFRESH, interval=2000),
            html.Div(
                [
                    html.Label(t("live.filter", loc)),
                    dcc.Dropdown(
                        id=ids.LIVE_QUEUES,
                        options=options,
                        multi=True,
                        placeholder=t("live.all", loc),
                    ),
                    html.Label(t("live.teams", loc)),
                    dcc.Dropdown(
                        id=ids.LIVE_TEAMS,
                        options=[{"label": n, "value": n} for n in teams],
                        multi=True,
                        placeholder=t("live.all_teams", loc),
                    ),
                ],
                className="filters",
            ),
            html.Div(id=ids.LIVE_STATUS, className="status-line"),
            html.H2(t("live.queues", loc)),
            _table(
                ids.LIVE_QUEUE_TABLE,
                tables.queue_columns(loc),
                tables.queue_styles(),
                fixed_columns={"headers": True, "data": 1},
            ),
            html.H2(t("live.agents", loc)),
            _table(
                ids.LIVE_AGENT_TABLE,
                tables.agent_columns(loc),
                tables.agent_styles(),
                filter_action="native",
                page_action="none",
            ),
        ]
    )
    return chrome(principal, t("live.title", loc), body)


def refresh(queues: list[str] | None, teams: list[str] | None = None) -> tuple[Any, ...]:
    """Both tables from one snapshot read; teams from memory (no SQL)."""
    state = app_state()
    loc = guard.current_principal().locale
    reading = state.snapshots.read()
    snapshot = reading.snapshot
    chosen = inputs.texts(queues, "queues")
    teams = inputs.texts(teams, "teams")
    if reading.live:
        status = t("board.live", loc) + " · " + t("board.age", loc, age=int(reading.age or 0))
    else:
        status = t("board.stale", loc) + " · " + t(f"board.{_reason(reading.status)}", loc)
    options = [{"label": q, "value": q} for q in scope.queue_names(snapshot)]
    return (
        tables.queue_rows(snapshot, chosen, loc),
        tables.agent_rows(
            snapshot,
            chosen,
            loc,
            time.time(),
            teams=teams,
            table=state.teams.mapping() if state.teams is not None else {},
        ),
        status,
        "status-line" + ("" if reading.live else " is-stale"),
        options,
    )


def _reason(status: str) -> str:
    return {"unreachable": "redis_down", "no_data": "no_data"}.get(status, "reconnecting")


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        FLOOR_LEADS,
        Output(ids.LIVE_QUEUE_TABLE, "data"),
        Output(ids.LIVE_AGENT_TABLE, "data"),
        Output(ids.LIVE_STATUS, "children"),
        Output(ids.LIVE_STATUS, "className"),
        Output(ids.LIVE_QUEUES, "options"),
        Input(ids.LIVE_REFRESH, "n_intervals"),
        Input(ids.LIVE_QUEUES, "value"),
        Input(ids.LIVE_TEAMS, "value"),
    )(lambda _n, queues, teams: refresh(queues, teams))
