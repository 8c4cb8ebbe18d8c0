"""``/qa/disputes``: supervisors decide agents' disputes (accept, partly accept with a new
answer, or reject with a note); the evaluation is rescored and the decision is final. Below the
open ones, the decided disputes with before/after answers and scores (the history)."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.auth import guard
from dashboard.forms import limited, too_long_text
from dashboard.i18n import t
from dashboard.pages.qa_common import (
    QA_DECIDERS,
    agent_label,
    answer_label,
    badge,
    choices,
    clicked,
    db,
    dropdown,
    local,
    message,
    qa_page,
    score_text,
    table,
)
from dashboard.state import app_state
from qa.evaluations.access import can_resolve_disputes
from qa.evaluations.disputes import list_disputes, resolve_dispute
from qa.evaluations.models import Dispute
from qa.evaluations.schemas import Decision, EvaluationError
from qa.evaluations.service import spec_for
from qa.limits import Field
from qa.scorecards.schemas import AnswerType, ItemSpec
from qa.scoring import NA

dash.register_page(__name__, path="/qa/disputes", title="Disputes · Floorboard", name="Disputes")  # type: ignore[no-untyped-call]

HISTORY_ROWS = 50


def _new_values(item: ItemSpec, before: str, loc: str) -> list[dict[str, str]]:
    """Answers a partial acceptance may set: scale values between, or N/A."""
    values: list[str] = []
    if item.answer_type is AnswerType.SCALE and before != NA:
        values = [str(v) for v in range(int(before) + 1, item.scale_max)]
    if item.na_allowed:
        values.append(NA)
    return [{"label": answer_label(item, v, loc), "value": v} for v in values]


def _facts(dispute: Dispute, session: Any, item: ItemSpec, loc: str) -> html.Div:
    evaluation = dispute.evaluation
    answered = t(
        "qa.d.answered",
        loc,
        value=answer_label(item, dispute.value_before, loc),
        who=evaluation.evaluator,
        score=score_text(dispute.score_before),
    )
    raised = t("qa.dispute.raised", loc, who=dispute.raised_by, when=local(dispute.raised_at))
    when = f"{evaluation.queue} · {local(evaluation.call_at)}"
    return html.Div([
        html.H3([agent_label(session, evaluation.agent_id), html.Span(when, className="qa-muted")]),
        html.P([html.Strong(item.label(loc)), " ",
                html.Span(t("qa.points", loc, n=f"{item.points:g}"), className="qa-muted")]),
        html.P(answered),
        html.Blockquote(dispute.reason, className="qa-item-comment"),
        html.P(raised, className="qa-muted"),
        dcc.Link(t("qa.d.open_evaluation", loc), href=f"/qa/evaluation/{evaluation.id}",
                 className="qa-link"),
    ])  # fmt: skip


def _decide_form(dispute: Dispute, item: ItemSpec, loc: str) -> html.Div:
    def key(kind: str) -> dict[str, Any]:
        return {"type": kind, "index": dispute.id}

    return html.Div([
        dcc.RadioItems(id=key(ids.QA_D_DECISION), value=Decision.ACCEPT.value,
                       options=choices("qa.decision", [d.value for d in Decision], loc)),
        dropdown(key(ids.QA_D_VALUE), _new_values(item, dispute.value_before, loc),
                 placeholder=t("qa.d.new_value", loc)),
        limited(dcc.Textarea(id=key(ids.QA_D_NOTE), className="qa-textarea",
                             placeholder=t("qa.d.note", loc)), Field.DECISION_NOTE, loc),
        html.Button(t("qa.d.decide", loc), id=key(ids.QA_D_DECIDE), className="qa-btn"),
    ], className="qa-decide")  # fmt: skip


def _open_card(dispute: Dispute, session: Any, loc: str) -> html.Div:
    item = spec_for(dispute.evaluation).item(dispute.item_ref)
    return html.Div(
        [_facts(dispute, session, item, loc), _decide_form(dispute, item, loc)],
        className="qa-card qa-dispute-card",
    )


def _history_row(d: Dispute, session: Any, loc: str) -> html.Tr:
    item = spec_for(d.evaluation).item(d.item_ref)
    kind = "fail" if d.status == "rejected" else "ok"
    change = f"{answer_label(item, d.value_before, loc)} → {answer_label(item, d.value_after, loc)}"
    return html.Tr([
        html.Td(local(d.resolved_at), className="qa-when"),
        html.Td(agent_label(session, d.evaluation.agent_id)),
        html.Td(dcc.Link(item.label(loc), href=f"/qa/evaluation/{d.evaluation_id}")),
        html.Td(badge(t(f"qa.dispute.{d.status}", loc), kind)),
        html.Td(change),
        html.Td(f"{score_text(d.score_before)} → {score_text(d.score_after)}", className="num"),
        html.Td(d.decision_note or "—"),
        html.Td(d.resolved_by or ""),
    ])  # fmt: skip


def _history(decided: list[Dispute], session: Any, loc: str) -> Any:
    if not decided:
        return html.P(t("qa.d.no_history", loc), className="qa-empty")
    rows = [_history_row(d, session, loc) for d in decided[-HISTORY_ROWS:][::-1]]
    keys = ("qa.d.when", "qa.agent", "qa.d.item", "qa.d.decision", "qa.d.answer", "qa.score",
            "qa.d.note_short", "qa.d.by")  # fmt: skip
    return table([t(k, loc) for k in keys], rows, numeric=(5,))


def listing(loc: str) -> list[Any]:
    """The open disputes (oldest first) and the decided ones (newest first)."""
    with db() as session:
        disputes = list_disputes(db_session=session)
        pending: list[Any] = [_open_card(d, session, loc) for d in disputes if d.status == "open"]
        history = _history([d for d in disputes if d.status != "open"], session, loc)
    return [
        html.H2(t("qa.d.open", loc, n=len(pending))),
        *(pending or [html.P(t("qa.d.none", loc), className="qa-empty")]),
        html.Div([html.H2(t("qa.d.history", loc)), history], className="qa-card"),
    ]


@guard.page(*QA_DECIDERS)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    body = html.Div(
        [
            html.P(t("qa.d.intro", loc), className="qa-muted"),
            html.Div(id=ids.QA_D_MSG),
            html.Div(listing(loc), id=ids.QA_D_LIST),
        ]
    )
    return qa_page(principal, t("qa.d.title", loc), "/qa/disputes", body)


def _state_of(position: int, dispute_id: int) -> Any:
    return next(
        (e.get("value") for e in ctx.states_list[position] if e["id"]["index"] == dispute_id), None
    )


def decide(_clicks: Any) -> tuple[Any, Any]:
    """Apply the decision of the dispute whose button was clicked."""
    principal = guard.current_principal()
    loc = principal.locale
    if not isinstance(ctx.triggered_id, dict) or not clicked(ctx):
        return "", no_update
    if not can_resolve_disputes(principal.role):
        return message(t("qa.d.not_yours", loc), error=True), no_update
    dispute_id = int(ctx.triggered_id["index"])
    try:
        decision = Decision(_state_of(0, dispute_id) or Decision.ACCEPT.value)
        with db() as session:
            resolve_dispute(
                db_session=session,
                dispute_id=dispute_id,
                decision=decision,
                actor=principal.name,
                note=str(_state_of(2, dispute_id) or ""),
                new_value=_state_of(1, dispute_id) or None,
                tz=app_state().settings.timezone,
            )
    except (EvaluationError, ValueError) as exc:
        return message(too_long_text(exc, loc) or _why(str(exc), loc), error=True), no_update
    return message(t("qa.d.done", loc)), listing(loc)


def _why(text: str, loc: str) -> str:
    if "give a note" in text:
        return t("qa.d.need_note", loc)
    if "needs the new answer" in text or "must score between" in text:
        return t("qa.d.need_value", loc)
    return text


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        QA_DECIDERS,
        Output(ids.QA_D_MSG, "children"),
        Output(ids.QA_D_LIST, "children"),
        Input({"type": ids.QA_D_DECIDE, "index": ALL}, "n_clicks"),
        State({"type": ids.QA_D_DECISION, "index": ALL}, "value"),
        State({"type": ids.QA_D_VALUE, "index": ALL}, "value"),
        State({"type": ids.QA_D_NOTE, "index": ALL}, "value"),
        prevent_initial_call=True,
    )(lambda clicks, _d, _v, _n: decide(clicks))
