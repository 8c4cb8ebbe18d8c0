"""``/qa/calibration``: calibration sessions. QA staff create one (a call, the evaluators, the
expert whose answers are the benchmark); each invited person scores the call blind with the
normal evaluation page; once the expert has submitted, the session is closed and its report
(``/qa/calibration/<id>``) compares everyone with the benchmark."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from collectors.history.schemas import CallFilter
from collectors.history.service import get_call, list_calls
from core.roles import QA_STAFF
from dashboard.auth import guard
from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import (
    badge,
    clicked,
    db,
    dropdown,
    duration,
    field,
    local,
    message,
    qa_page,
    staff_names,
    today,
)
from dashboard.state import app_state
from qa.calibration.models import CalibrationSession
from qa.calibration.schemas import CalibrationError, SessionStatus
from qa.calibration.service import close_session, create_session, list_sessions, start_calibration
from qa.evaluations.schemas import EvaluationStatus
from qa.evaluations.service import list_evaluations
from qa.limits import Field
from qa.sampling.service import local_to_utc
from qa.scorecards.schemas import ScorecardStatus
from qa.scorecards.service import list_scorecards

dash.register_page(
    __name__, path="/qa/calibration", title="Calibration · Floorboard", name="Calibration"
)  # type: ignore[no-untyped-call]

CALL_CHOICES = 300


def _progress(session: Any, row: CalibrationSession, me: str, loc: str) -> tuple[Any, Any]:
    """Who has submitted (never what they answered) and what this user can do."""
    done = {
        e.evaluator: e.status
        for e in list_evaluations(db_session=session, kinds=(), calibration_session_id=row.id)
    }
    people = [
        badge(
            f"{name}{' ★' if name == row.expert else ''}",
            "ok"
            if done.get(name) == EvaluationStatus.SUBMITTED
            else ("warn" if name in done else "neutral"),
            title=t(f"qa.c.person.{done.get(name, 'none')}", loc),
        )
        for name in [row.expert, *row.evaluators]
    ]
    return html.Span(people, className="qa-row"), _action(row, me, done, loc)


def _action(row: CalibrationSession, me: str, done: dict[str, str], loc: str) -> Any:
    if row.status == SessionStatus.CLOSED:
        return dcc.Link(
            t("qa.c.report", loc), href=f"/qa/calibration/{row.id}", className="qa-btn qa-small"
        )
    buttons: list[Any] = []
    if me in (row.expert, *row.evaluators) and done.get(me) != EvaluationStatus.SUBMITTED:
        label = "qa.c.continue" if me in done else "qa.c.score"
        buttons.append(
            html.Button(
                t(label, loc),
                id={"type": ids.QA_C_START, "index": row.id},
                className="qa-btn qa-small",
            )
        )
    if done.get(row.expert) == EvaluationStatus.SUBMITTED:
        buttons.append(
            html.Button(
                t("qa.c.close", loc),
                id={"type": ids.QA_C_CLOSE, "index": row.id},
                className="qa-btn-quiet qa-small",
            )
        )
    return html.Span(buttons or t("qa.c.waiting", loc), className="qa-row")


def listing(loc: str, me: str) -> Any:
    """Every session, newest first."""
    with db() as session:
        rows = []
        for row in list_sessions(db_session=session):
            call = get_call(db_session=session, call_pk=row.call_pk)
            people, action = _progress(session, row, me, loc)
            what = f"{call.agent} · {call.queue} · {local(call.enqueued_at)}" if call else "—"
            status = badge(
                t(f"qa.c.status.{row.status}", loc),
                "ok" if row.status == SessionStatus.CLOSED else "info",
            )
            rows.append(
                html.Tr(
                    [
                        html.Td(html.Strong(row.title)),
                        html.Td(what),
                        html.Td(people),
                        html.Td(status),
                        html.Td(action),
                    ]
                )
            )
    if not rows:
        return html.P(t("qa.c.none", loc), className="qa-empty")
    head = [t(k, loc) for k in ("qa.c.session", "qa.call", "qa.c.people", "qa.state", "")]
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], className="qa-table"
    )


def _call_options() -> list[dict[str, Any]]:
    tz = app_state().settings.timezone
    start = local_to_utc(today() - timedelta(days=7), tz)
    criteria = CallFilter(
        start=start, end=start + timedelta(days=9), outcomes=("answered",), min_talk=60
    )
    with db() as session:
        calls = [c for c in list_calls(db_session=session, criteria=criteria) if c.agent]
    return [
        {
            "label": f"{local(c.enqueued_at)} · {c.queue} · {c.agent} · {duration(c.talk)}",
            "value": c.id,
        }
        for c in reversed(calls[-CALL_CHOICES:])
    ]


def _form(loc: str, me: str) -> html.Div:
    with db() as session:
        staff = staff_names(session)
        cards = [
            c.key
            for c in list_scorecards(db_session=session)
            if c.status == ScorecardStatus.CURRENT
        ]
    default = "default" if "default" in cards else None
    fields = [
        field(t("qa.c.title_field", loc),
              limited(dcc.Input(id=ids.QA_C_TITLE, placeholder=t("qa.c.title_hint", loc)),
                      Field.CALIBRATION_TITLE, loc)),
        field(t("qa.call", loc), dropdown(ids.QA_C_CALL, _call_options()), wide=True),
        field(t("qa.c.evaluators", loc), dropdown(ids.QA_C_EVALUATORS, staff, multi=True)),
        field(t("qa.c.expert", loc), dropdown(ids.QA_C_EXPERT, staff, value=me)),
        field(t("qa.scorecard", loc),
              dropdown(ids.QA_C_SCORECARD, cards, value=default, clearable=False)),
    ]  # fmt: skip
    create = html.Button(t("qa.c.create", loc), id=ids.QA_C_CREATE, className="qa-btn")
    return html.Div(
        [
            html.H2(t("qa.c.new", loc)),
            html.P(t("qa.c.help", loc), className="qa-muted"),
            html.Div(fields, className="qa-form-grid"),
            html.Div(create, className="qa-row qa-actions-row"),
        ],
        className="qa-card",
    )


@guard.page(*QA_STAFF)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    body = html.Div(
        [
            dcc.Location(id=ids.QA_C_GO, refresh="callback-nav"),
            html.Div(
                [
                    html.H2(t("qa.c.sessions", loc)),
                    html.P(t("qa.c.blind", loc), className="qa-muted"),
                    html.Div(id=ids.QA_C_MSG),
                    html.Div(listing(loc, principal.name), id=ids.QA_C_LIST),
                ],
                className="qa-card",
            ),
            _form(loc, principal.name),
        ]
    )
    return qa_page(principal, t("qa.c.title", loc), "/qa/calibration", body)


def _create(form: tuple[Any, ...], me: str) -> str:
    title, call_pk, evaluators, expert, scorecard = form
    if not call_pk:
        raise CalibrationError("choose a call")
    with db() as session:
        created = create_session(
            db_session=session,
            call_pk=int(call_pk),
            evaluators=list(evaluators or []),
            expert=str(expert or ""),
            actor=me,
            title=str(title or ""),
            scorecard_key=str(scorecard or "default"),
        )
        return created.title


def act(*form: Any) -> tuple[Any, Any, Any]:
    """Create a session, start scoring one blind, or close one."""
    principal = guard.current_principal()
    loc, me = principal.locale, principal.name
    if not clicked(ctx):
        return "", no_update, no_update
    try:
        if ctx.triggered_id == ids.QA_C_CREATE:
            text = t("qa.c.created", loc, title=_create(form, me))
        elif ctx.triggered_id["type"] == ids.QA_C_START:
            with db() as session:
                evaluation = start_calibration(
                    db_session=session, evaluator=me, session_id=int(ctx.triggered_id["index"])
                )
                return "", f"/qa/evaluation/{evaluation.id}?at={time.time():.0f}", no_update
        else:
            with db() as session:
                close_session(
                    db_session=session, session_id=int(ctx.triggered_id["index"]), actor=me
                )
            text = t("qa.c.closed", loc)
    except CalibrationError as exc:
        return message(str(exc), error=True), no_update, no_update
    return message(text), no_update, listing(loc, me)


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_C_MSG, "children"),
        Output(ids.QA_C_GO, "href"),
        Output(ids.QA_C_LIST, "children"),
        Input(ids.QA_C_CREATE, "n_clicks"),
        Input({"type": ids.QA_C_START, "index": ALL}, "n_clicks"),
        Input({"type": ids.QA_C_CLOSE, "index": ALL}, "n_clicks"),
        State(ids.QA_C_TITLE, "value"),
        State(ids.QA_C_CALL, "value"),
        State(ids.QA_C_EVALUATORS, "value"),
        State(ids.QA_C_EXPERT, "value"),
        State(ids.QA_C_SCORECARD, "value"),
        prevent_initial_call=True,
    )(lambda _c, _s, _x, *form: act(*form))
