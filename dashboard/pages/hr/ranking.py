"""``/hr``: the monthly star awards. Pick a month; HR computes a draft, resolves ties, overrides
coefficients (each with a written reason), marks it reviewed and publishes it; a published month
is corrected by a new revision that keeps the old one. Supervisors and QA see everything
read-only; only hr and admin act (every action goes through the guard on the server).

The figures are the ones ``floorboard awards compute`` gives: both compute through
:func:`qa.awards.month.compute` (same QA averages, answered calls and time zone).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dash_table, dcc, html, no_update

from core.db import session_scope
from core.roles import HR_MANAGERS, HR_VIEWERS, Principal, allowed
from dashboard import inputs
from dashboard.auth import guard
from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.hr import ids
from dashboard.pages.hr import ranking_actions as actions
from dashboard.pages.hr import ranking_parts as parts
from dashboard.pages.hr.ranking_detail import detail
from dashboard.shell import chrome, followable
from dashboard.state import app_state
from qa.awards.month import (
    load_view,
    month_choices,
    previous_month,
    revision_list,
    team_names,
)
from qa.awards.schemas import AwardStatus, Month, MonthView
from qa.awards.service import AwardsError
from qa.limits import Field

dash.register_page(__name__, path="/hr", title="Star awards · Floorboard", name="Star awards")  # type: ignore[no-untyped-call]

FONT = 'Inter, "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", system-ui, sans-serif'
_TABLE_STYLE = {
    "style_header": {
        "backgroundColor": "#0d131a",
        "color": "#8b9aab",
        "fontWeight": "600",
        "whiteSpace": "normal",
        "height": "auto",
        "border": "1px solid #1f2a36",
        "textAlign": "center",
    },
    "style_cell": {
        "backgroundColor": "#0f151c",
        "color": "#f2f5f8",
        "border": "1px solid #1f2a36",
        "fontFamily": FONT,
        "fontVariantNumeric": "tabular-nums",
        "padding": "5px 8px",
        "minWidth": "56px",
        "whiteSpace": "normal",
        "height": "auto",
    },
    "style_cell_conditional": [
        {"if": {"column_id": c}, "textAlign": "left"}
        for c in ("agent_id", "name", "team", "employment", "stars", "override")
    ]
    + [
        {"if": {"column_id": c}, "textAlign": "center"}
        for c in ("e_etiquette", "e_service", "e_model")
    ],
    "style_table": {"overflowX": "auto"},
    "tooltip_delay": 200,
    "tooltip_duration": None,
}


def _month(text: str | None) -> Month | None:
    try:
        return Month.parse(text or "")
    except ValueError:
        return None


def _button(label: str, ident: str, manager: bool, extra: str = "") -> html.Button:
    return html.Button(label, id=ident, className=extra, hidden=not manager, disabled=True)


def _pick(loc: str, chosen: Month, months: list[Month]) -> list[Any]:
    return [
        html.Label(t("hr.month", loc)),
        dcc.Dropdown(
            id=ids.HR_MONTH,
            options=[str(m) for m in months],
            value=str(chosen),
            clearable=False,
            className="hr-month",
        ),
        html.Label(t("hr.team", loc)),
        dcc.Dropdown(
            id=ids.HR_TEAM, options=[], placeholder=t("hr.all_teams", loc), className="hr-team"
        ),
        html.Label(t("hr.revision", loc)),
        dcc.Dropdown(
            id=ids.HR_REVISION, options=[], placeholder=t("hr.latest", loc), className="hr-rev"
        ),
        html.Div(id=ids.HR_STATUS, className="hr-status"),
    ]


def _toolbar(principal: Principal, chosen: Month, months: list[Month]) -> html.Div:
    loc = principal.locale
    manager = allowed(principal, HR_MANAGERS)
    actions = [
        _button(t("hr.compute", loc), ids.HR_COMPUTE, manager),
        _button(t("hr.review", loc), ids.HR_REVIEW, manager),
        _button(t("hr.publish", loc), ids.HR_PUBLISH, manager, "publish"),
        html.Div(
            [
                limited(
                    dcc.Input(
                        id=ids.HR_REVISE_REASON,
                        placeholder=t("hr.revise_reason", loc),
                        className="hr-revise-reason",
                    ),
                    Field.AWARDS_REASON,
                    loc,
                    counter=False,
                ),
                html.Button(t("hr.revise", loc), id=ids.HR_REVISE, className="secondary"),
            ],
            id=ids.HR_REVISE_BOX,
            className="hr-inline",
            hidden=True,
        ),
    ]
    if not manager:
        actions.append(html.Span(t("hr.read_only", loc), className="hr-hint"))
    return html.Div(
        [
            html.Div(_pick(loc, chosen, months), className="hr-pick"),
            html.Div(actions, className="hr-actions"),
            _publish_ask(loc),
        ],
        className="hr-toolbar",
    )


def _publish_ask(loc: str) -> html.Div:
    """The confirmation of Publish (hidden until asked; issue 11.17): it names the month and
    revision, and only its Confirm button publishes."""
    return html.Div(
        [
            html.P(id=ids.HR_PUBLISH_ASK_TEXT),
            html.P(t("hr.publish_final", loc), className="hr-ask-final"),
            dcc.Store(id=ids.HR_PUBLISH_PENDING, data=None),
            html.Button(t("hr.publish", loc), id=ids.HR_PUBLISH_CONFIRM, className="publish"),
            html.Button(
                t("hr.publish_cancel", loc), id=ids.HR_PUBLISH_CANCEL, className="secondary"
            ),
        ],
        id=ids.HR_PUBLISH_ASK,
        className="hr-ask",
        hidden=True,
    )


@guard.page(*HR_VIEWERS)
def layout(month: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    state = app_state()
    tz = state.settings.timezone
    with session_scope(state.sessions) as session:
        months = month_choices(db_session=session, tz=tz)
    chosen = _month(month) or previous_month(tz=tz)
    if chosen not in months:
        months = sorted({*months, chosen}, reverse=True)
    body = html.Div(
        [
            dcc.Store(id=ids.HR_SIGNAL, data=0),
            _toolbar(principal, chosen, months),
            html.Div(id=ids.HR_MESSAGE, className="message"),
            html.Div(id=ids.HR_NOTICE, className="hr-notice"),
            html.Div(id=ids.HR_LINKS, className="hr-links"),
            html.H2(t("hr.stars", loc)),
            html.Div(id=ids.HR_STARS, className="hr-stars"),
            html.H2(t("hr.ranking", loc)),
            dash_table.DataTable(  # type: ignore[attr-defined]
                id=ids.HR_TABLE,
                columns=parts.columns(None, loc),
                data=[],
                sort_action="native",
                sort_mode="multi",
                merge_duplicate_headers=True,
                page_action="none",
                style_data_conditional=parts.table_styles(),
                cell_selectable=True,
                **_TABLE_STYLE,
            ),
            html.Div(id=ids.HR_DETAIL, className="hr-detail"),
            html.H2(t("hr.revisions", loc)),
            html.Div(id=ids.HR_REVISIONS),
        ],
        className="hr-page",
    )
    return chrome(principal, t("hr.title", loc), body)


def _notice(view: MonthView | None, latest: MonthView | None, month: Month, loc: str) -> Any:
    if latest is None:
        return html.P(t("hr.not_computed", loc, month=str(month)))
    if view is not None and view["revision"] != latest["revision"]:
        return html.P(
            t("hr.viewing_old", loc, revision=view["revision"], latest=latest["revision"]),
            className="hr-old",
        )
    if view is not None and view["reason"]:
        return html.P(t("hr.reason", loc, reason=view["reason"]))
    return ""


def _buttons(latest: MonthView | None, viewing_latest: bool) -> tuple[bool, ...]:
    """Disabled flags of compute, review, publish, and whether the revise box is hidden."""
    status = latest["status"] if latest else None
    waiting = bool(latest and latest["needs_decision"])
    live = viewing_latest
    return (
        status == AwardStatus.PUBLISHED or not live,
        status != AwardStatus.DRAFT or not live,
        status != AwardStatus.REVIEWED or waiting or not live,
        status != AwardStatus.PUBLISHED or not live,
    )


def render(month_text: str | None, revision: int | None, team: str | None) -> tuple[Any, ...]:
    """Everything on the page for the chosen month, revision and team."""
    principal = guard.current_principal()
    loc = principal.locale
    month = _month(month_text) or previous_month(tz=app_state().settings.timezone)
    revision = inputs.integer(revision, "revision")
    team = inputs.optional_text(team, "team")
    with session_scope(app_state().sessions) as session:
        latest = load_view(db_session=session, month=month)
        view = load_view(db_session=session, month=month, revision=revision) or latest
        infos = revision_list(db_session=session, month=month, tz=app_state().settings.timezone)
        teams = team_names(db_session=session)
    manager = allowed(principal, HR_MANAGERS)
    viewing_latest = view is None or latest is None or view["revision"] == latest["revision"]
    editable = (
        manager and viewing_latest and view is not None and view["status"] != AwardStatus.PUBLISHED
    )
    rows, tips = parts.table(view, team, loc)
    return (
        parts.status_badge(view, loc),
        _notice(view, latest, month, loc),
        parts.star_cards(view, loc, decide=editable) if view else [],
        parts.columns(view, loc),
        rows,
        tips,
        parts.revisions(infos, view["revision"] if view else None, loc),
        [
            {"label": f"r{i.revision} · {t(f'hr.status.{i.status}', loc)}", "value": i.revision}
            for i in infos
        ],
        teams,
        followable(principal, parts.links(view, str(month), loc, exports=manager)),
        *_buttons(latest, viewing_latest),
    )


def show_detail(active: dict[str, Any] | None, month_text: str | None, revision: int | None) -> Any:
    """The explanation panel of the agent whose row was clicked."""
    principal = guard.current_principal()
    month = _month(month_text)
    revision = inputs.integer(revision, "revision")
    agent_id = inputs.mapping(active, "active_cell").get("row_id")
    if month is None or not agent_id:
        return detail(None, None, principal.locale, override=False)
    with session_scope(app_state().sessions) as session:
        latest = load_view(db_session=session, month=month)
        view = load_view(db_session=session, month=month, revision=revision) or latest
    editable = (
        allowed(principal, HR_MANAGERS)
        and view is not None
        and latest is not None
        and view["revision"] == latest["revision"]
        and view["status"] != AwardStatus.PUBLISHED
    )
    return detail(view, str(agent_id), principal.locale, override=editable)


def ask_publish(month_text: str | None) -> tuple[Any, ...]:
    """Publish pressed: show what publishing this month's latest revision does, with Confirm;
    anything else on the page (another month, revision, a change, Cancel) hides it again.

    Returns: the box's ``hidden``, its text, the pending publication, the confirm label.
    """
    principal = guard.current_principal()
    loc = principal.locale
    closed = (True, "", None, no_update)
    month = _month(month_text)
    pressed = ctx.triggered_id == ids.HR_PUBLISH and ctx.triggered[0].get("value")
    if not pressed or month is None or not allowed(principal, HR_MANAGERS):
        return closed
    with session_scope(app_state().sessions) as session:
        latest = load_view(db_session=session, month=month)
    if latest is None:
        return closed
    pending = {"month": str(month), "revision": latest["revision"]}
    text = t("hr.publish_ask", loc, month=str(month), revision=latest["revision"])
    return False, text, pending, t("hr.publish_confirm", loc, month=str(month))


def act(
    month_text: str | None, revise_reason: str | None, signal: int | None, pending: Any = None
) -> tuple[Any, ...]:
    """An HR action (compute, review, publish, revise, resolve a tie, override)."""
    trigger = ctx.triggered_id
    if trigger is None:
        return "", no_update
    if isinstance(trigger, dict) and not ctx.triggered[0].get("value"):
        return no_update, no_update  # a button re-rendered, not clicked
    principal = guard.current_principal()
    month = _month(month_text)
    if month is None:
        return html.Span(t("hr.pick_month", principal.locale), className="error"), no_update
    revise_reason = inputs.text(revise_reason, "revise reason")
    signal = inputs.integer(signal, "signal")
    try:
        message = actions.dispatch(trigger, month, revise_reason, principal, pending)
    except AwardsError as exc:
        return html.Span(str(exc), className="error"), no_update
    app_state().poster.invalidate()
    return message, (signal or 0) + 1


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        HR_VIEWERS,
        Output(ids.HR_STATUS, "children"),
        Output(ids.HR_NOTICE, "children"),
        Output(ids.HR_STARS, "children"),
        Output(ids.HR_TABLE, "columns"),
        Output(ids.HR_TABLE, "data"),
        Output(ids.HR_TABLE, "tooltip_data"),
        Output(ids.HR_REVISIONS, "children"),
        Output(ids.HR_REVISION, "options"),
        Output(ids.HR_TEAM, "options"),
        Output(ids.HR_LINKS, "children"),
        Output(ids.HR_COMPUTE, "disabled"),
        Output(ids.HR_REVIEW, "disabled"),
        Output(ids.HR_PUBLISH, "disabled"),
        Output(ids.HR_REVISE_BOX, "hidden"),
        Input(ids.HR_MONTH, "value"),
        Input(ids.HR_REVISION, "value"),
        Input(ids.HR_TEAM, "value"),
        Input(ids.HR_SIGNAL, "data"),
    )(lambda month, revision, team, _signal: render(month, revision, team))
    _register_actions(app)


def _register_actions(app: dash.Dash) -> None:
    guard.callback(
        app,
        HR_VIEWERS,
        Output(ids.HR_REVISION, "value"),
        Input(ids.HR_MONTH, "value"),
        prevent_initial_call=True,
    )(lambda _month: None)
    guard.callback(
        app,
        HR_VIEWERS,
        Output(ids.HR_DETAIL, "children"),
        Input(ids.HR_TABLE, "active_cell"),
        Input(ids.HR_SIGNAL, "data"),
        State(ids.HR_MONTH, "value"),
        State(ids.HR_REVISION, "value"),
    )(lambda active, _signal, month, revision: show_detail(active, month, revision))
    guard.callback(
        app,
        HR_MANAGERS,
        Output(ids.HR_MESSAGE, "children"),
        Output(ids.HR_SIGNAL, "data"),
        Input(ids.HR_COMPUTE, "n_clicks"),
        Input(ids.HR_REVIEW, "n_clicks"),
        Input(ids.HR_PUBLISH_CONFIRM, "n_clicks"),
        Input(ids.HR_REVISE, "n_clicks"),
        Input({"type": ids.HR_TIE_RESOLVE, "index": ALL}, "n_clicks"),
        Input({"type": ids.HR_OVR_APPLY, "index": ALL}, "n_clicks"),
        Input({"type": ids.HR_OVR_CLEAR, "index": ALL}, "n_clicks"),
        State(ids.HR_MONTH, "value"),
        State(ids.HR_REVISE_REASON, "value"),
        State(ids.HR_SIGNAL, "data"),
        State({"type": ids.HR_TIE_PICK, "index": ALL}, "value"),
        State({"type": ids.HR_TIE_REASON, "index": ALL}, "value"),
        State({"type": ids.HR_OVR_VALUE, "index": ALL}, "value"),
        State({"type": ids.HR_OVR_REASON, "index": ALL}, "value"),
        State(ids.HR_PUBLISH_PENDING, "data"),
        prevent_initial_call=True,
    )(lambda *a: act(a[7], a[8], a[9], a[14]))
    # Viewers may trigger it (a month change closes the question); only managers are asked.
    guard.callback(
        app,
        HR_VIEWERS,
        Output(ids.HR_PUBLISH_ASK, "hidden"),
        Output(ids.HR_PUBLISH_ASK_TEXT, "children"),
        Output(ids.HR_PUBLISH_PENDING, "data"),
        Output(ids.HR_PUBLISH_CONFIRM, "children"),
        Input(ids.HR_PUBLISH, "n_clicks"),
        Input(ids.HR_PUBLISH_CANCEL, "n_clicks"),
        Input(ids.HR_MONTH, "value"),
        Input(ids.HR_REVISION, "value"),
        Input(ids.HR_SIGNAL, "data"),
        State(ids.HR_MONTH, "value"),
        prevent_initial_call=True,
    )(lambda *a: ask_publish(a[5]))
