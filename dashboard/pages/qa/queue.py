"""``/qa``: the QA work queue. Each evaluator sees what is due, in progress and overdue and
starts evaluations; QA staff draw a sample of call history by policy (N calls per agent,
minimum talk time, queues, outcomes, period, seed) and pick any call by hand."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, ctx, dcc, html, no_update

from core.roles import QA_STAFF
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa import queue_pick as qa_queue_pick
from dashboard.pages.qa import queue_sample as qa_queue_sample
from dashboard.pages.qa.common import (
    badge,
    clicked,
    db,
    duration,
    local,
    message,
    qa_page,
    table,
    today,
)
from qa.calibration.schemas import SessionStatus
from qa.calibration.service import list_sessions
from qa.evaluations.schemas import EvaluationError
from qa.sampling.schemas import SamplingError, WorkItem, WorkStatus
from qa.sampling.service import start_assignment, work_queue

dash.register_page(__name__, path="/qa", title="QA work queue · Floorboard", name="QA")  # type: ignore[no-untyped-call]


def _status(item: WorkItem, loc: str) -> Any:
    if item.overdue:
        return badge(t("qa.q.overdue", loc), "fail")
    kind = {WorkStatus.DUE: "info", WorkStatus.IN_PROGRESS: "warn", WorkStatus.DONE: "ok"}[
        item.status
    ]
    return badge(t(f"qa.q.{item.status}", loc), kind)


def _mine_row(i: WorkItem, loc: str) -> html.Tr:
    label = t("qa.q.continue" if i.status == "in_progress" else "qa.q.start", loc)
    start = html.Button(label, id={"type": ids.QA_Q_START, "index": i.assignment_id},
                        className="qa-btn qa-small")  # fmt: skip
    return html.Tr(
        [html.Td(str(i.due_on or "—"), className="qa-when"), html.Td(_status(i, loc)),
         html.Td(i.agent_id), html.Td(i.queue), html.Td(local(i.call_at), className="qa-when"),
         html.Td(duration(i.talk), className="num"), html.Td(i.scorecard_key), html.Td(start)],
        className="is-overdue" if i.overdue else "",
    )  # fmt: skip


def _mine(items: list[WorkItem], loc: str) -> Any:
    if not items:
        return html.P(t("qa.q.nothing", loc), className="qa-empty")
    keys = ("qa.q.due_on", "qa.state", "qa.agent", "qa.queue", "qa.call_time", "qa.talk",
            "qa.scorecard")  # fmt: skip
    return table([*(t(k, loc) for k in keys), ""], [_mine_row(i, loc) for i in items],
                 numeric=(5,))  # fmt: skip


def _team(items: list[WorkItem], loc: str) -> Any:
    """Per evaluator: due, in progress, overdue; every item below, folded."""
    if not items:
        return html.P(t("qa.q.team_nothing", loc), className="qa-empty")
    counts: dict[str, list[int]] = {}
    for i in items:
        tally = counts.setdefault(i.evaluator, [0, 0, 0])
        tally[0 if i.status is WorkStatus.DUE else 1] += 1
        tally[2] += int(i.overdue)
    head = [t(k, loc) for k in ("qa.evaluator", "qa.q.due", "qa.q.in_progress", "qa.q.overdue")]
    rows = [
        html.Tr([html.Td(name), *(html.Td(str(n), className="num") for n in tally)],
                className="is-overdue" if tally[2] else "")
        for name, tally in sorted(counts.items())
    ]  # fmt: skip
    detail = [
        html.Tr([html.Td(i.evaluator), html.Td(str(i.due_on or "—"), className="qa-when"),
                 html.Td(_status(i, loc)), html.Td(i.agent_id), html.Td(i.queue),
                 html.Td(local(i.call_at), className="qa-when")])
        for i in items
    ]  # fmt: skip
    folded = html.Details([html.Summary(t("qa.q.every_item", loc, n=len(items))),
                           html.Table(html.Tbody(detail), className="qa-table")])  # fmt: skip
    return html.Div([table(head, rows, numeric=(1, 2, 3)), folded])


def _tables(loc: str, me: str) -> tuple[Any, Any]:
    with db() as session:
        mine = work_queue(db_session=session, evaluator=me, today=today())
        team = work_queue(db_session=session, today=today())
    return _mine(mine, loc), _team(team, loc)


def _tiles(loc: str, me: str) -> html.Div:
    with db() as session:
        mine = work_queue(db_session=session, evaluator=me, today=today())
        waiting = list_sessions(db_session=session, status=SessionStatus.OPEN, participant=me)
    values = (
        (sum(1 for i in mine if i.status is WorkStatus.DUE), "qa.q.due"),
        (sum(1 for i in mine if i.status == "in_progress"), "qa.q.in_progress"),
        (sum(1 for i in mine if i.overdue), "qa.q.overdue"),
        (len(waiting), "qa.q.calibrations"),
    )
    return html.Div(
        [
            html.Div(
                [
                    html.Div(str(v), className="qa-tile-value"),
                    html.Div(t(k, loc), className="qa-tile-label"),
                ],
                className="qa-tile",
            )
            for v, k in values
        ],
        className="qa-tiles",
    )


@guard.page(*QA_STAFF)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    mine, team = _tables(loc, principal.name)
    body = html.Div(
        [
            dcc.Location(id=ids.QA_Q_GO, refresh="callback-nav"),
            dcc.Store(id=ids.QA_S_DONE),
            dcc.Store(id=ids.QA_P_DONE),
            _tiles(loc, principal.name),
            html.Div(
                [
                    html.H2(t("qa.q.mine", loc)),
                    html.Div(mine, id=ids.QA_Q_MINE),
                    html.Div(id=ids.QA_Q_MSG),
                ],
                className="qa-card",
            ),
            html.Div(
                [html.H2(t("qa.q.team", loc)), html.Div(team, id=ids.QA_Q_TEAM)],
                className="qa-card",
            ),
            html.Div(
                [qa_queue_sample.sample_form(principal), qa_queue_pick.pick_form(principal)],
                className="qa-grid2",
            ),
        ]
    )
    return qa_page(principal, t("qa.q.title", loc), "/qa", body)


def start(_clicks: Any) -> tuple[Any, Any]:
    """Open the draft of the assignment clicked (only its evaluator may)."""
    if not isinstance(ctx.triggered_id, dict) or not clicked(ctx):
        return no_update, ""
    principal = guard.current_principal()
    try:
        with db() as session:
            evaluation = start_assignment(
                db_session=session,
                actor=principal.name,
                assignment_id=int(ctx.triggered_id["index"]),
            )
            target = f"/qa/evaluation/{evaluation.id}"
    except (SamplingError, EvaluationError, ValueError) as exc:
        return no_update, message(str(exc), error=True)
    return target, ""


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_Q_GO, "href"),
        Output(ids.QA_Q_MSG, "children"),
        Input({"type": ids.QA_Q_START, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )(start)
    guard.callback(
        app,
        QA_STAFF,
        Output(ids.QA_Q_MINE, "children"),
        Output(ids.QA_Q_TEAM, "children"),
        Input(ids.QA_S_DONE, "data"),
        Input(ids.QA_P_DONE, "data"),
        prevent_initial_call=True,
    )(lambda _s, _p: _tables(guard.current_principal().locale, guard.current_principal().name))
    qa_queue_sample.register(app)
    qa_queue_pick.register(app)
