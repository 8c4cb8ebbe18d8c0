"""``/``: the boards this user may open, and the pages of their role."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from core.roles import USER_ROLES, allowed
from dashboard.auth import guard
from dashboard.boards.layout import Board
from dashboard.i18n import t
from dashboard.shell import NAV, chrome
from dashboard.state import app_state

dash.register_page(__name__, path="/", title="Floorboard", name="Home", order=0)  # type: ignore[no-untyped-call]


@guard.page(*USER_ROLES)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    state = app_state()
    cards = []
    for name in state.boards.names():
        board = state.boards.get(name)
        title = board.title if isinstance(board, Board) else name
        cards.append(
            html.Div(
                [
                    html.Strong(title),
                    html.Br(),
                    html.Small(f"/board/{name}"),
                    html.Br(),
                    html.A(t("home.open", loc), href=f"/board/{name}", id=f"open-{name}"),
                ],
                className="card",
            )
        )
    pages = [
        dcc.Link(t(key, loc), href=path, className="button")
        for path, key, roles in NAV[1:]
        if allowed(principal, roles)
    ]
    hello = t("home.hello", loc, name=principal.display_name, role=principal.role or "")
    body = html.Div(
        [
            html.P(hello),
            html.Div(pages, className="filters"),
            html.H2(t("home.title", loc)),
            html.Div(cards, className="card-list"),
        ]
    )
    return chrome(principal, t("app.name", loc), body)
