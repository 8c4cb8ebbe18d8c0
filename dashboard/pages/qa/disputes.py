"""``/qa/disputes``: supervisors decide agents' disputes (accept, partly accept with a new
answer, or reject with a note); the evaluation is rescored and the decision is final. Below the
open ones, the decided disputes with before/after answers and scores (the history).

Because a decision is final, nothing is chosen for the supervisor: Decide stays disabled until a
decision is picked, and it only asks: it shows what will happen (the item's new answer and the
new score, from :func:`qa.evaluations.disputes.preview_decision`) with a Confirm button. Only
Confirm decides, and only the decision that was shown; the server refuses anything else."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from core.roles import QA_DECIDERS
from dashboard.auth import guard
from dashboard.forms import limited, too_long_text
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import (
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
from qa.evaluations.disputes import list_disputes, preview_decision, resolve_dispute
from qa.evaluations.models import Dispute
from qa.evaluations.schemas import Decision, DecisionPreview, DisputeStatus, EvaluationError
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

    # No value: a final decision is never preselected (issue 11.17).
    return html.Div([
        dcc.RadioItems(id=key(ids.QA_D_DECISION), value=None,
                       options=choices("qa.decision", [d.value for d in Decision], loc)),
        dropdown(key(ids.QA_D_VALUE), _new_values(item, dispute.value_before, loc),
                 placeholder=t("qa.d.new_value", loc)),
        limited(dcc.Textarea(id=key(ids.QA_D_NOTE), className="qa-textarea",
                             placeholder=t("qa.d.note", loc)), Field.DECISION_NOTE, loc),
        html.Button(t("qa.d.decide", loc), id=key(ids.QA_D_DECIDE), className="qa-btn",
                    disabled=True),
        html.Div(id=key(ids.QA_D_HINT)),
        _ask_box(key, loc),
    ], className="qa-decide")  # fmt: skip


def _ask_box(key: Any, loc: str) -> html.Div:
    """The confirmation, hidden until Decide is pressed (always present, so that its buttons
    can be callback inputs)."""
    return html.Div([
        html.P(id=key(ids.QA_D_ASK_TEXT)),
        html.P(t("qa.d.ask.final", loc), className="qa-ask-final"),
        dcc.Store(id=key(ids.QA_D_PENDING), data=None),
        html.Button(t("qa.d.confirm.accept", loc), id=key(ids.QA_D_CONFIRM),
                    className="qa-btn-warn"),
        html.Button(t("qa.d.cancel", loc), id=key(ids.QA_D_CANCEL), className="qa-btn-quiet"),
    ], id=key(ids.QA_D_ASK), className="qa-ask", hidden=True)  # fmt: skip


def _open_card(dispute: Dispute, session: Any, loc: str) -> html.Div:
    item = spec_for(dispute.evaluation).item(dispute.item_ref)
    return html.Div(
        [_facts(dispute, session, item, loc), _decide_form(dispute, item, loc)],
        className="qa-card qa-dispute-card",
    )


def _history_row(d: Dispute, session: Any, loc: str) -> html.Tr:
    item = spec_for(d.evaluation).item(d.item_ref)
    kind = "fail" if d.status == DisputeStatus.REJECTED else "ok"
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
        pending: list[Any] = [
            _open_card(d, session, loc) for d in disputes if d.status == DisputeStatus.OPEN
        ]
        history = _history([d for d in disputes if d.status != DisputeStatus.OPEN], session, loc)
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


def _choice(decision: Any, value: Any, note: Any) -> dict[str, Any]:
    """The decision as the form holds it (what a confirmation is bound to)."""
    return {"decision": decision or None, "value": value or None, "note": str(note or "")}


def _ask_text(session: Any, dispute_id: int, preview: DecisionPreview, loc: str) -> str:
    dispute = session.get(Dispute, dispute_id)
    item = spec_for(dispute.evaluation).item(preview.item_ref)
    return t(
        f"qa.d.ask.{preview.decision.value}",
        loc,
        item=item.label(loc),
        before=answer_label(item, preview.value_before, loc),
        after=answer_label(item, preview.value_after, loc),
        score_before=score_text(preview.score_before),
        score_after=score_text(preview.score_after),
    )


def _one(group: Any, dispute_id: Any) -> Any:
    """The value of dispute ``dispute_id`` in a pattern-matched (ALL) input or state."""
    items = group if isinstance(group, list) else []
    return next((e.get("value") for e in items if e["id"]["index"] == dispute_id), None)


def ask_all(*_values: Any) -> tuple[list[Any], ...]:
    """:func:`ask` for the dispute whose control fired; the other cards are left as they are."""
    cards = [o["id"]["index"] for o in ctx.outputs_list[0]]
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or trigger.get("index") not in cards:
        return tuple([no_update] * len(cards) for _ in ctx.outputs_list)
    index = trigger["index"]
    if not isinstance(index, int):
        return tuple([no_update] * len(cards) for _ in ctx.outputs_list)
    decision, value = (_one(ctx.inputs_list[k], index) for k in (2, 3))
    result = ask(index, decision, value, _one(ctx.states_list[0], index))
    return tuple([part if i == index else no_update for i in cards] for part in result)


def ask(dispute_id: int, decision: Any, value: Any, note: Any) -> tuple[Any, ...]:
    """Decide pressed: check the decision and show what it will do, with Confirm; any other
    change (a new choice, Cancel) hides the question again.

    Returns: Decide's ``disabled``, the box's ``hidden``, its text, the pending decision, the
    hint, and the confirm button's label (it names the decision).
    """
    loc = guard.current_principal().locale
    closed = (decision is None, True, "", None, "", no_update)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or trigger.get("type") != ids.QA_D_DECIDE or not clicked(ctx):
        return closed
    choice = _choice(decision, value, note)
    try:
        with db() as session:
            preview = preview_decision(
                db_session=session, dispute_id=dispute_id, decision=choice["decision"],
                note=choice["note"], new_value=choice["value"],
            )  # fmt: skip
            text = _ask_text(session, dispute_id, preview, loc)
    except EvaluationError as exc:
        hint = message(_why(str(exc), loc), error=True)
        return (decision is None, True, "", None, hint, no_update)
    return (True, False, text, choice, "", _confirm_label(choice, loc))


def _confirm_label(pending: Any, loc: str) -> str:
    """The confirm button names the decision it makes."""
    decision = (pending or {}).get("decision")
    return t(f"qa.d.confirm.{decision}", loc) if decision in set(Decision) else ""


def decide(_clicks: Any) -> tuple[Any, Any]:
    """Confirm pressed: make the decision that was shown, if the form still says so."""
    principal = guard.current_principal()
    loc = principal.locale
    if not isinstance(ctx.triggered_id, dict) or not clicked(ctx):
        return "", no_update
    if not can_resolve_disputes(principal.role):
        return message(t("qa.d.not_yours", loc), error=True), no_update
    dispute_id = int(ctx.triggered_id["index"])
    pending = _state_of(3, dispute_id)
    if not isinstance(pending, dict) or not pending.get("decision"):
        return message(t("qa.d.unconfirmed", loc), error=True), no_update
    now = _choice(_state_of(0, dispute_id), _state_of(1, dispute_id), _state_of(2, dispute_id))
    if now != _choice(pending.get("decision"), pending.get("value"), pending.get("note")):
        return message(t("qa.d.changed", loc), error=True), no_update
    try:
        with db() as session:
            resolve_dispute(
                db_session=session,
                dispute_id=dispute_id,
                decision=now["decision"],
                actor=principal.name,
                note=now["note"],
                new_value=now["value"],
                tz=app_state().settings.timezone,
            )
    except (EvaluationError, ValueError) as exc:
        return message(too_long_text(exc, loc) or _why(str(exc), loc), error=True), no_update
    return message(t("qa.d.done", loc)), listing(loc)


def _why(text: str, loc: str) -> str:
    if "choose a decision" in text:
        return t("qa.d.need_choice", loc)
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
        Input({"type": ids.QA_D_CONFIRM, "index": ALL}, "n_clicks"),
        State({"type": ids.QA_D_DECISION, "index": ALL}, "value"),
        State({"type": ids.QA_D_VALUE, "index": ALL}, "value"),
        State({"type": ids.QA_D_NOTE, "index": ALL}, "value"),
        State({"type": ids.QA_D_PENDING, "index": ALL}, "data"),
        prevent_initial_call=True,
    )(lambda clicks, _d, _v, _n, _p: decide(clicks))
    # ALL, not MATCH: one card's controls fire it, the others get no_update.
    guard.callback(
        app,
        QA_DECIDERS,
        Output({"type": ids.QA_D_DECIDE, "index": ALL}, "disabled"),
        Output({"type": ids.QA_D_ASK, "index": ALL}, "hidden"),
        Output({"type": ids.QA_D_ASK_TEXT, "index": ALL}, "children"),
        Output({"type": ids.QA_D_PENDING, "index": ALL}, "data"),
        Output({"type": ids.QA_D_HINT, "index": ALL}, "children"),
        Output({"type": ids.QA_D_CONFIRM, "index": ALL}, "children"),
        Input({"type": ids.QA_D_DECIDE, "index": ALL}, "n_clicks"),
        Input({"type": ids.QA_D_CANCEL, "index": ALL}, "n_clicks"),
        Input({"type": ids.QA_D_DECISION, "index": ALL}, "value"),
        Input({"type": ids.QA_D_VALUE, "index": ALL}, "value"),
        State({"type": ids.QA_D_NOTE, "index": ALL}, "value"),
        prevent_initial_call=True,
    )(ask_all)
