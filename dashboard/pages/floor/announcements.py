"""``/announcements``: supervisors and admins post, schedule, expire and cancel the notices
that scroll on the boards' ticker (seed: outages, repairs)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from core.center_time import PATTERNS, center_time
from core.db import session_scope
from core.roles import ANNOUNCERS
from dashboard import inputs
from dashboard.announcements import service
from dashboard.auth import guard
from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.floor import ids
from dashboard.shell import chrome
from dashboard.state import app_state
from qa.limits import Field

dash.register_page(
    __name__, path="/announcements", title="Announcements · Floorboard", name="Announcements"
)  # type: ignore[no-untyped-call]

#: What the start and end fields read (center time, as the listing shows them).
TIME_FORMAT = PATTERNS["datetime"]


def _field(label: str, control: Any) -> html.Div:
    return html.Div([html.Label(label), control], className="form-row")


def _listing(loc: str) -> Any:
    state = app_state()
    with session_scope(state.sessions) as session:
        notices = service.current_and_scheduled(session)
    if not notices:
        return html.P(t("ann.none", loc))

    def local(moment: datetime | None) -> str:
        return center_time(moment, state.settings.timezone)

    rows = [
        html.Tr(
            [
                html.Td(t(f"level.{n.level}", loc)),
                html.Td(n.text),
                html.Td(", ".join(n.boards) or t("ann.all_boards", loc)),
                html.Td(local(n.starts_at)),
                html.Td(local(n.ends_at)),
                html.Td(n.created_by),
                html.Td(
                    html.Button(
                        t("ann.cancel", loc),
                        className="danger",
                        id={"type": ids.ANN_CANCEL, "index": n.id},
                    )
                ),
            ]
        )
        for n in notices
    ]
    return html.Table(html.Tbody(rows), className="table")


@guard.page(*ANNOUNCERS)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    boards = app_state().boards.names()
    form = html.Div(
        [
            _field(
                t("ann.text", loc),
                limited(
                    dcc.Textarea(id=ids.ANN_TEXT, style={"width": "100%", "height": "4em"}),
                    Field.ANNOUNCEMENT,
                    loc,
                ),
            ),
            _field(
                t("ann.boards", loc), dcc.Dropdown(id=ids.ANN_BOARDS, multi=True, options=boards)
            ),
            _field(
                t("ann.level", loc),
                dcc.RadioItems(
                    id=ids.ANN_LEVEL,
                    value="info",
                    inline=True,
                    options=[
                        {"label": t(f"level.{lv}", loc), "value": lv} for lv in service.LEVELS
                    ],
                ),
            ),
            _field(
                t("ann.starts", loc), dcc.Input(id=ids.ANN_STARTS, placeholder="2026-11-25 14:30")
            ),
            _field(t("ann.ends", loc), dcc.Input(id=ids.ANN_ENDS, placeholder="2026-11-25 18:00")),
            html.Button(t("ann.post", loc), id=ids.ANN_POST),
            html.Div(id=ids.ANN_MESSAGE, className="message"),
        ]
    )
    body = html.Div(
        [form, html.H2(t("ann.current", loc)), html.Div(_listing(loc), id=ids.ANN_LIST)]
    )
    return chrome(principal, t("ann.title", loc), body)


def _utc(text: str | None, tz: ZoneInfo) -> datetime | None:
    if not text or not text.strip():
        return None
    local = datetime.strptime(text.strip(), TIME_FORMAT).replace(tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def act(
    text: str | None, boards: list[str] | None, level: str, starts: str | None, ends: str | None
) -> tuple[Any, ...]:
    """Post or cancel, then list again."""
    state = app_state()
    principal = guard.current_principal()
    loc = principal.locale
    tz = ZoneInfo(state.settings.timezone)
    clear: Any = no_update
    try:
        text, chosen = inputs.text(text, "text"), inputs.texts(boards, "boards")
        level = inputs.choice(level, "level", service.LEVELS, default="info")
        starts, ends = inputs.text(starts, "starts"), inputs.text(ends, "ends")
        with session_scope(state.sessions) as session:
            if isinstance(ctx.triggered_id, dict):
                if not ctx.triggered[0].get("value"):
                    return no_update, no_update, no_update  # a re-rendered button, no click
                index = inputs.record_id(ctx.triggered_id["index"], "announcement")
                service.cancel(session, announcement_id=index or 0)
                message = t("ann.cancelled", loc)
            else:
                service.post(
                    session,
                    text=text,
                    created_by=principal.name,
                    boards=chosen,
                    level=level,
                    starts_at=_utc(starts, tz),
                    ends_at=_utc(ends, tz),
                )
                message, clear = t("ann.posted", loc), ""
    except ValueError as exc:
        text_ = t("ann.bad_time", loc) if "does not match format" in str(exc) else str(exc)
        return html.Span(text_, className="error"), no_update, no_update
    state.announcements.invalidate()
    return message, _listing(loc), clear


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        ANNOUNCERS,
        Output(ids.ANN_MESSAGE, "children"),
        Output(ids.ANN_LIST, "children"),
        Output(ids.ANN_TEXT, "value"),
        Input(ids.ANN_POST, "n_clicks"),
        Input({"type": ids.ANN_CANCEL, "index": ALL}, "n_clicks"),
        State(ids.ANN_TEXT, "value"),
        State(ids.ANN_BOARDS, "value"),
        State(ids.ANN_LEVEL, "value"),
        State(ids.ANN_STARTS, "value"),
        State(ids.ANN_ENDS, "value"),
        prevent_initial_call=True,
    )(
        lambda _post, _cancel, text, boards, level, starts, ends: act(
            text, boards, level, starts, ends
        )
    )
