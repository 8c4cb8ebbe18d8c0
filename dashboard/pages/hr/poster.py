"""``/hr/poster/<YYYY-MM>``: the wall poster (墙报) of a month: every agent's name with the stars
earned, bilingual, printable on A4 or A3 (``assets/hr.css`` has the print stylesheet) and as a
PDF. Everyone who logs in sees a published month; hr and admin also preview a draft (marked).
The big screen shows the newest published month with the ``poster`` tile (``/board/poster``)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from core.db import session_scope
from core.roles import HR_MANAGERS, HR_VIEWERS, USER_ROLES, allowed
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.hr import ids
from dashboard.shell import chrome
from dashboard.state import app_state
from qa.awards.poster import poster_data, poster_view
from qa.awards.schemas import Month

dash.register_page(
    __name__,
    path_template="/hr/poster/<month>",
    title=lambda month=None, **_: f"{month or ''} poster · Floorboard",
    name="Wall poster",
)  # type: ignore[no-untyped-call]

PAPERS = ("A4", "A3")


def _toolbar(month: Month, loc: str, *, back: bool, paper: str) -> html.Div:
    items: list[Any] = []
    if back:
        items.append(dcc.Link("← " + t("hr.title", loc), href=f"/hr?month={month}"))
    items += [
        html.Label(t("hr.poster.paper", loc)),
        dcc.RadioItems(
            id=ids.HR_POSTER_SIZE,
            options=list(PAPERS),
            value=paper,
            inline=True,
            className="hr-paper",
        ),
        html.Button(t("hr.poster.print", loc), id=ids.HR_POSTER_PRINT),
        html.A(
            t("hr.poster.pdf", loc),
            id=ids.HR_POSTER_PDF,
            href=f"/hr/export/{month}/poster.pdf?size={paper}",
            className="button secondary",
            target="_blank",
        ),
        html.A(t("hr.poster.board", loc), href="/board/poster", className="button secondary"),
    ]
    return html.Div(items, className="hr-poster-tools no-print")


@guard.page(*USER_ROLES)
def layout(month: str | None = None, size: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    try:
        wanted = Month.parse(month or "")
    except ValueError:
        text = t("hr.poster.bad_month", loc, month=month or "")
        return chrome(principal, t("hr.poster.page_title", loc), html.P(text))
    manager = allowed(principal, HR_MANAGERS)
    with session_scope(app_state().sessions) as session:
        data = poster_data(
            db_session=session, tz=app_state().settings.timezone, month=wanted, drafts=manager
        )
    if data is None:
        text = t("hr.poster.not_published", loc, month=str(wanted))
        return chrome(principal, t("hr.poster.page_title", loc), html.P(text))
    paper = (size or "A4").upper() if (size or "A4").upper() in PAPERS else "A4"
    body = html.Div(
        [
            dcc.Store(id=ids.HR_POSTER_MONTH, data=str(wanted)),
            dcc.Store(id=ids.HR_POSTER_PRINTED, data=None),
            _toolbar(wanted, loc, back=allowed(principal, HR_VIEWERS), paper=paper),
            html.Div(
                poster_view(data, translate=t, variant="page", locale=loc),
                id=ids.HR_POSTER_ROOT,
                className=f"poster-wrap paper-{paper.lower()}",
            ),
        ],
        className="hr-poster-body",
    )
    return chrome(principal, t("hr.poster.page_title", loc), body)


def register_callbacks(app: dash.Dash) -> None:
    # Both run in the browser (assets/hr.js): nothing on the server to guard beyond the layout.
    guard.clientside(
        app,
        "floorboard_hr.paper",
        Output(ids.HR_POSTER_ROOT, "className"),
        Output(ids.HR_POSTER_PDF, "href"),
        Input(ids.HR_POSTER_SIZE, "value"),
        State(ids.HR_POSTER_MONTH, "data"),
    )
    guard.clientside(
        app,
        "floorboard_hr.print",
        Output(ids.HR_POSTER_PRINTED, "data"),
        Input(ids.HR_POSTER_PRINT, "n_clicks"),
        prevent_initial_call=True,
    )
