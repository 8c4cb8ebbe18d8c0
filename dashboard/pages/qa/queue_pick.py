"""The work queue's call picker: search one day of call history by agent, queue and outcome,
and assign any call handled by an agent to an evaluator."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from collectors.history.models import Call
from collectors.history.schemas import CallFilter
from collectors.history.service import list_calls
from core.roles import QA_STAFF, Principal
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import (
    choices,
    clicked,
    db,
    dropdown,
    duration,
    field,
    local,
    message,
    parse_day,
    staff_names,
    table,
    today,
    zone,
)
from dashboard.pages.qa.queue_sample import MAX_SHOWN, OUTCOMES, people
from dashboard.state import app_state
from qa.sampling.schemas import NotEvaluatorError, SamplingError
from qa.sampling.service import local_to_utc, pick_call


def pick_form(principal: Principal) -> html.Div:
    """Search fields, the evaluator to assign to, and the results."""
    loc = principal.locale
    queues, agents, evaluators, _cards = people(principal)
    every = t("qa.all", loc)
    fields = [
        field(t("qa.agent", loc), dropdown(ids.QA_P_AGENT, agents, placeholder=every)),
        field(t("qa.queue", loc), dropdown(ids.QA_P_QUEUE, queues, placeholder=every)),
        field(t("qa.p.day", loc), dcc.DatePickerSingle(
            id=ids.QA_P_DATE, date=(today() - timedelta(days=1)).isoformat(),
            display_format="YYYY-MM-DD", first_day_of_week=1)),
        field(t("qa.outcome", loc), dropdown(ids.QA_P_OUTCOME, choices("qa.outcome", OUTCOMES, loc),
                                             placeholder=every)),
        field(t("qa.p.assign_to", loc), dropdown(ids.QA_P_EVALUATOR, evaluators,
                                                 value=principal.name, clearable=False)),
    ]  # fmt: skip
    search_button = html.Button(t("qa.p.search", loc), id=ids.QA_P_SEARCH, className="qa-btn")
    return html.Div(
        [
            html.H2(t("qa.p.title", loc)),
            html.P(t("qa.p.help", loc), className="qa-muted"),
            html.Div(fields, className="qa-form-grid"),
            html.Div(search_button, className="qa-row qa-actions-row"),
            html.Div(id=ids.QA_P_MSG),
            html.Div(id=ids.QA_P_RESULTS),
        ],
        className="qa-card",
    )


def _day_bounds(day_text: Any) -> tuple[datetime, datetime]:
    day = parse_day(day_text) or today()
    tz = str(zone())
    return local_to_utc(day, tz), local_to_utc(day + timedelta(days=1), tz)


def _row(call: Call, loc: str, heard: bool) -> html.Tr:
    assign = html.Button(t("qa.p.assign", loc), id={"type": ids.QA_P_ASSIGN, "index": call.id},
                         className="qa-btn-quiet qa-small")  # fmt: skip
    return html.Tr(
        [
            html.Td(local(call.enqueued_at, "time"), className="qa-when"),
            html.Td(call.agent), html.Td(call.queue),
            html.Td(duration(call.talk), className="num"),
            html.Td(t(f"qa.outcome.{call.outcome}", loc)),
            html.Td("🎧" if heard or call.recording_ref else ""), html.Td(assign),
        ]
    )  # fmt: skip


def search(
    _clicks: Any, agent: str | None, queue: str | None, day: Any, outcome: str | None
) -> Any:
    """Calls of one local day matching the filters (handled by an agent), newest first."""
    loc = guard.current_principal().locale
    start, end = _day_bounds(day)
    criteria = CallFilter(start=start, end=end, queues=(queue,) if queue else (),
                          agents=(agent,) if agent else (),
                          outcomes=(outcome,) if outcome else OUTCOMES, limit=2000)  # fmt: skip
    pattern = bool(app_state().settings.recording_pattern)
    with db() as session:
        calls = [c for c in list_calls(db_session=session, criteria=criteria) if c.agent]
        rows = [_row(c, loc, pattern) for c in reversed(calls[-MAX_SHOWN:])]
    if not rows:
        return html.P(t("qa.p.none", loc), className="qa-empty")
    head = [t(k, loc) for k in ("qa.time", "qa.agent", "qa.queue", "qa.talk", "qa.outcome")]
    note = html.P(t("qa.p.found", loc, n=len(calls), shown=len(rows)), className="qa-muted")
    return [note, table([*head, "🎧", ""], rows, numeric=(3,))]


def assign(_clicks: Any, evaluator: str | None) -> tuple[Any, Any]:
    """Assign the call clicked to the chosen evaluator (due today)."""
    if not isinstance(ctx.triggered_id, dict) or not clicked(ctx):
        return "", no_update
    principal = guard.current_principal()
    who = evaluator or principal.name
    try:
        with db() as session:
            assignment = pick_call(db_session=session, call_pk=int(ctx.triggered_id["index"]),
                                   evaluator=who, actor=principal.name, due_on=today(),
                                   staff=staff_names(session))  # fmt: skip
            text = t("qa.p.assigned", principal.locale, who=who, id=assignment.id)
    except NotEvaluatorError as exc:
        return message(t("qa.p.not_staff", principal.locale, who=", ".join(exc.names)),
                       error=True), no_update  # fmt: skip
    except SamplingError as exc:
        return message(str(exc), error=True), no_update
    return message(text), time.time()


def register(app: dash.Dash) -> None:
    """The search and assign callbacks."""
    guard.callback(
        app, QA_STAFF,
        Output(ids.QA_P_RESULTS, "children"),
        Input(ids.QA_P_SEARCH, "n_clicks"),
        State(ids.QA_P_AGENT, "value"), State(ids.QA_P_QUEUE, "value"),
        State(ids.QA_P_DATE, "date"), State(ids.QA_P_OUTCOME, "value"),
        prevent_initial_call=True,
    )(search)  # fmt: skip
    guard.callback(
        app, QA_STAFF,
        Output(ids.QA_P_MSG, "children"), Output(ids.QA_P_DONE, "data"),
        Input({"type": ids.QA_P_ASSIGN, "index": ALL}, "n_clicks"),
        State(ids.QA_P_EVALUATOR, "value"),
        prevent_initial_call=True,
    )(assign)  # fmt: skip
