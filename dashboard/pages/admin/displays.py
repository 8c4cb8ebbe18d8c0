"""``/admin/displays``: admins create display tokens for TVs (scoped to boards) and revoke them."""

from __future__ import annotations

from typing import Any

import dash
import flask
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from core.center_time import center_time
from core.db import session_scope
from core.roles import ADMINS
from dashboard import inputs
from dashboard.auth import guard, service
from dashboard.auth.schemas import AuthError, DisplayInfo
from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.admin import ids
from dashboard.pages.admin.displays_urls import board_url
from dashboard.shell import chrome
from dashboard.state import app_state
from qa.limits import Field

dash.register_page(__name__, path="/admin/displays", title="Displays · Floorboard", name="Displays")  # type: ignore[no-untyped-call]


def _state(d: DisplayInfo, loc: str) -> str:
    if d.active:
        return t("disp.active", loc)
    return t("disp.revoked_state" if d.revoked_at is not None else "disp.expired_state", loc)


def _listing(loc: str) -> Any:
    state = app_state()
    with session_scope(state.sessions) as session:
        displays = service.list_displays(session)
    head = html.Tr(
        [
            html.Th(t("disp.name", loc)),
            html.Th(t("disp.boards", loc)),
            html.Th(t("disp.status", loc)),
            html.Th(t("disp.last_seen", loc)),
            html.Th(""),
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(d.name),
                html.Td(", ".join(d.boards)),
                html.Td(_state(d, loc)),
                html.Td(center_time(d.last_seen, state.settings.timezone)),
                html.Td(
                    html.Button(
                        t("disp.revoke", loc),
                        className="danger",
                        id={"type": ids.DISP_REVOKE, "index": d.name},
                    )
                    if d.active
                    else ""
                ),
            ]
        )
        for d in displays
    ]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table")


@guard.page(*ADMINS)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    boards = app_state().boards.names()
    form = html.Div(
        [
            html.Div(
                [
                    html.Label(t("disp.name", loc)),
                    limited(
                        dcc.Input(id=ids.DISP_NAME, placeholder="floor-tv-1"),
                        Field.SCREEN_NAME,
                        loc,
                    ),
                ],
                className="form-row",
            ),
            html.Div(
                [
                    html.Label(t("disp.boards", loc)),
                    dcc.Dropdown(id=ids.DISP_BOARDS, options=boards, multi=True),
                ],
                className="form-row",
            ),
            html.Button(t("disp.create", loc), id=ids.DISP_CREATE),
            html.Div(id=ids.DISP_MESSAGE, className="message"),
        ]
    )
    body = html.Div(
        [form, html.H2(t("disp.title", loc)), html.Div(_listing(loc), id=ids.DISP_LIST)]
    )
    return chrome(principal, t("disp.title", loc), body)


def act(name: str | None, boards: list[str] | None) -> tuple[Any, ...]:
    """Create or revoke a token, then list again."""
    state = app_state()
    principal = guard.current_principal()
    loc = principal.locale
    name, boards = inputs.text(name, "name"), inputs.texts(boards, "boards")
    try:
        with session_scope(state.sessions) as session:
            if isinstance(ctx.triggered_id, dict):
                if not ctx.triggered[0].get("value"):
                    return no_update, no_update
                service.revoke_display(
                    session, name=str(ctx.triggered_id["index"]), actor=principal.name
                )
                message: Any = t("disp.revoked", loc)
            else:
                known = set(state.boards.names())
                unknown = sorted(set(boards or ()) - known)
                if unknown:
                    raise AuthError(f"unknown board(s): {', '.join(unknown)}")
                new = service.create_display(
                    session,
                    name=(name or "").strip(),
                    boards=boards or (),
                    created_by=principal.name,
                )
                base = flask.request.host_url
                links = [
                    html.Code(board_url(base, b, new.token), className="token-url")
                    for b in new.info.boards
                ]
                message = html.Div([html.P(t("disp.created", loc)), *links])
    except AuthError as exc:
        return html.Span(str(exc), className="error"), no_update
    state.displays.invalidate()
    return message, _listing(loc)


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        ADMINS,
        Output(ids.DISP_MESSAGE, "children"),
        Output(ids.DISP_LIST, "children"),
        Input(ids.DISP_CREATE, "n_clicks"),
        Input({"type": ids.DISP_REVOKE, "index": ALL}, "n_clicks"),
        State(ids.DISP_NAME, "value"),
        State(ids.DISP_BOARDS, "value"),
        prevent_initial_call=True,
    )(lambda _create, _revoke, name, boards: act(name, boards))
