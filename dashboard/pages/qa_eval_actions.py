"""What the evaluation page's callbacks do: the live score, save and submit, comments pinned to
a time, the agent's acknowledgement and disputes. Each one loads the evaluation through
:func:`load`, which applies :mod:`qa.evaluations.access` to the current user."""

from __future__ import annotations

import time
from typing import Any

from dash import ctx, no_update
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from dashboard import ids, inputs
from dashboard.auth import guard
from dashboard.auth.roles import Principal
from dashboard.forms import too_long_text
from dashboard.i18n import t
from dashboard.pages import qa_eval_player as player_ui
from dashboard.pages import qa_eval_view as view_ui
from dashboard.pages.qa_common import clicked, db, dispute_policy, message
from dashboard.state import app_state
from qa.calibration.schemas import CalibrationError
from qa.calibration.service import get_session
from qa.evaluations.access import can_dispute, can_edit_evaluation, can_view_evaluation
from qa.evaluations.disputes import raise_dispute
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import AnswerIn, EvaluationError
from qa.evaluations.service import (
    acknowledge,
    add_comment,
    delete_comment,
    get_evaluation,
    item_comments_of,
    save_draft,
    spec_for,
    submit_evaluation,
)
from qa.evaluations.views import evaluation_view
from qa.scorecards.schemas import ScorecardSpec
from qa.scoring import answer_problems, score


def calibration_closed(session: Session, evaluation: Evaluation) -> bool:
    """Whether the evaluation's calibration session (if any) is closed."""
    if evaluation.calibration_session_id is None:
        return False
    try:
        found = get_session(db_session=session, session_id=evaluation.calibration_session_id)
    except CalibrationError:
        return False
    return found.status == "closed"


def may_view(session: Session, evaluation: Evaluation, principal: Principal) -> bool:
    """The access rule of :func:`qa.evaluations.access.can_view_evaluation` for a principal."""
    return can_view_evaluation(
        user_role=principal.role,
        username=principal.name,
        user_agent_id=principal.agent_id,
        evaluation=evaluation,
        calibration_closed=calibration_closed(session, evaluation),
    )


def load(session: Session, evaluation_id: Any, *, edit: bool = False) -> Evaluation:
    """The evaluation named by a callback, if the current user may see (or edit) it.

    Raises:
        Forbidden: No such evaluation, or not this user's to see or edit.
    """
    principal = guard.current_principal()
    try:
        evaluation = get_evaluation(db_session=session, evaluation_id=int(evaluation_id))
    except (TypeError, ValueError):
        evaluation = None
    if evaluation is None or not may_view(session, evaluation, principal):
        raise Forbidden("not allowed")
    if edit and not can_edit_evaluation(username=principal.name, evaluation=evaluation):
        raise Forbidden("only the evaluator edits a draft")
    return evaluation


def _by_ref(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {str(e["id"]["index"]): e.get("value") for e in entries}


def _answers(spec: ScorecardSpec, values: dict[str, Any]) -> dict[str, str | None]:
    refs = set(spec.refs())
    return {
        ref: (str(v) if v not in (None, "") else None) for ref, v in values.items() if ref in refs
    }


def live(evaluation_id: Any) -> tuple[Any, ...]:
    """Score the answers on the page now (nothing is saved)."""
    if evaluation_id is None:
        return "", [], []
    loc = guard.current_principal().locale
    with db() as session:
        evaluation = load(session, evaluation_id)
        spec = spec_for(evaluation)
        editable = can_edit_evaluation(
            username=guard.current_principal().name, evaluation=evaluation
        )
        stored = {a.item_ref: a.value for a in evaluation.answers}
    answers = _answers(spec, _by_ref(ctx.inputs_list[0])) if editable else stored
    notes = _by_ref(ctx.inputs_list[1]) if editable else {}
    result = score(spec, answers)
    panel = view_ui.score_panel(spec, result, loc, draft=editable)
    states, classes = [], []
    for output in ctx.outputs_list[1]:
        ref = str(output["id"]["index"])
        text, state = view_ui.item_status(
            spec.item(ref), result.item(ref), notes.get(ref) or "", loc
        )
        states.append(text)
        classes.append(f"qa-item {state}")
    return panel, states, classes


def _problems(spec: ScorecardSpec, problems: list[str], loc: str) -> Any:
    labels = {ref: item.label(loc) for ref, _s, item in spec.items()}
    lines = []
    for problem in problems:
        ref, _, what = problem.partition(": ")
        lines.append(f"{labels.get(ref, ref)} — {t('qa.problem.' + _kind(what), loc)}")
    return [
        message(t("qa.cannot_submit", loc), error=True),
        *[message(x, error=True) for x in lines],
    ]


def _kind(what: str) -> str:
    if "comment" in what:
        return "comment"
    if "not answered" in what:
        return "unanswered"
    return "invalid"


def save(evaluation_id: Any, answer_states: list[Any], note_states: list[Any]) -> tuple[Any, Any]:
    """Save the draft; with the submit button, submit it too (then the page reloads)."""
    if evaluation_id is None or not clicked(ctx):
        return "", no_update
    principal = guard.current_principal()
    loc = principal.locale
    submit = ctx.triggered_id == ids.QA_E_SUBMIT
    with db() as session:
        evaluation = load(session, evaluation_id, edit=True)
        spec = spec_for(evaluation)
        values = _answers(spec, _by_ref(ctx.states_list[0]))
        notes = _by_ref(ctx.states_list[1])
        given = {ref: AnswerIn(values.get(ref), str(notes.get(ref) or "")) for ref in spec.refs()}
        try:
            save_draft(
                db_session=session, evaluation_id=evaluation.id, answers=given, actor=principal.name
            )
        except EvaluationError as exc:  # e.g. an item comment over its limit: nothing is saved
            return message(too_long_text(exc, loc) or str(exc), error=True), no_update
        if not submit:
            return message(t("qa.saved", loc, time=time.strftime("%H:%M:%S"))), no_update
        problems = answer_problems(spec, values, item_comments_of(evaluation))
        if problems:
            return _problems(spec, problems, loc), no_update
        submit_evaluation(
            db_session=session,
            evaluation_id=evaluation.id,
            actor=principal.name,
            tz=app_state().settings.timezone,
        )
    return message(t("qa.submitted", loc)), f"/qa/evaluation/{evaluation_id}?done=submitted"


def comment(
    evaluation_id: Any, pin: Any, text: str | None, item_ref: str | None
) -> tuple[Any, ...]:
    """Add a comment at the player's time, or delete one; then list them again."""
    if evaluation_id is None:
        return [], no_update, ""
    principal = guard.current_principal()
    loc = principal.locale
    outcome: Any = ""
    clear: Any = no_update
    with db() as session:
        evaluation = load(session, evaluation_id, edit=True)
        try:
            if isinstance(ctx.triggered_id, dict) and clicked(ctx):
                delete_comment(
                    db_session=session,
                    comment_id=inputs.record_id(ctx.triggered_id["index"], "comment") or 0,
                    actor=principal.name,
                )
            elif ctx.triggered_id == ids.QA_E_NOTE_AT and pin:
                at = inputs.number(pin.get("t") if isinstance(pin, dict) else None, "time")
                add_comment(
                    db_session=session,
                    evaluation_id=evaluation.id,
                    author=principal.name,
                    text=inputs.text(text, "comment"),
                    at_seconds=None if at is None else float(at),
                    item_ref=inputs.text(item_ref, "item") or None,
                )
                clear = ""
        except EvaluationError as exc:
            outcome = message(too_long_text(exc, loc) or t("qa.comments.empty", loc), error=True)
        view = evaluation_view(evaluation, policy=dispute_policy())
    return player_ui.comments(view.comments, view.spec, loc, editable=True), clear, outcome


def agent_act(evaluation_id: Any, reasons: list[Any]) -> tuple[Any, Any]:
    """The evaluated agent acknowledges the evaluation or disputes one item."""
    if evaluation_id is None or not clicked(ctx):
        return "", no_update
    principal = guard.current_principal()
    loc = principal.locale
    with db() as session:
        evaluation = load(session, evaluation_id)
        if not can_dispute(
            user_role=principal.role, user_agent_id=principal.agent_id, evaluation=evaluation
        ):
            raise Forbidden("only the evaluated agent acknowledges or disputes")
        agent = principal.agent_id or ""
        try:
            if isinstance(ctx.triggered_id, dict):
                ref = str(ctx.triggered_id["index"])
                reason = str(_by_ref(ctx.states_list[0]).get(ref) or "")
                raise_dispute(
                    db_session=session,
                    evaluation_id=evaluation.id,
                    item_ref=ref,
                    reason=reason,
                    agent_id=agent,
                    actor=principal.name,
                    policy=dispute_policy(),
                )
                done = "disputed"
            else:
                acknowledge(
                    db_session=session,
                    evaluation_id=evaluation.id,
                    agent_id=agent,
                    actor=principal.name,
                )
                done = "acknowledged"
        except EvaluationError as exc:
            why = too_long_text(exc, loc) or _dispute_problem(str(exc), loc)
            return message(why, error=True), no_update
    return "", f"/qa/evaluation/{evaluation_id}?done={done}&at={time.time():.0f}"


def _dispute_problem(text: str, loc: str) -> str:
    if "needs a reason" in text:
        return t("qa.dispute.need_reason", loc)
    if "window" in text:
        return t("qa.dispute.closed", loc)
    return t("qa.dispute.refused", loc, why=text)
