"""What the evaluation page's callbacks do: the live score, save and submit, comments pinned to
a time, the agent's acknowledgement and disputes. Each one loads the evaluation through
:func:`dashboard.qa_web.load`, which applies :mod:`qa.evaluations.access` to the current user
(the autosave route stores the form through the same module)."""

from __future__ import annotations

import time
from typing import Any

from dash import ctx, no_update
from werkzeug.exceptions import Forbidden

from dashboard import inputs
from dashboard.auth import guard
from dashboard.forms import too_long_text
from dashboard.i18n import t
from dashboard.pages.qa import eval_player as player_ui
from dashboard.pages.qa import eval_view as view_ui
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import clicked, db, dispute_policy, message
from dashboard.qa_web import (
    form_answers,
    given_answers,
    load,
    post_note,
    saved_time,
    store_draft,
)
from dashboard.state import app_state
from qa.evaluations.access import can_dispute, can_edit_evaluation
from qa.evaluations.disputes import raise_dispute
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import EvaluationError, EvaluationStatus, Refusal
from qa.evaluations.service import (
    acknowledge,
    add_comment,
    answers_of,
    delete_comment,
    item_comments_of,
    spec_for,
    submit_evaluation,
)
from qa.evaluations.views import evaluation_view
from qa.scorecards.schemas import ScorecardSpec
from qa.scoring import Problem, ProblemKind, answer_problems, score


def _by_ref(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {str(e["id"]["index"]): e.get("value") for e in entries}


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
        stored = answers_of(evaluation)
    answers = form_answers(spec, _by_ref(ctx.inputs_list[0])) if editable else stored
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


#: The message (``qa.problem.<key>``) for each kind of problem; any other kind: ``invalid``.
PROBLEM_TEXT = {ProblemKind.COMMENT_REQUIRED: "comment", ProblemKind.UNANSWERED: "unanswered"}


def _problems(spec: ScorecardSpec, problems: list[Problem], loc: str) -> Any:
    labels = {ref: item.label(loc) for ref, _s, item in spec.items()}
    lines = [
        f"{labels.get(p.item_ref, p.item_ref)} — "
        f"{t('qa.problem.' + PROBLEM_TEXT.get(p.kind, 'invalid'), loc)}"
        for p in problems
    ]
    return [
        message(t("qa.cannot_submit", loc), error=True),
        *[message(x, error=True) for x in lines],
    ]


def _comment_list(evaluation: Evaluation, loc: str) -> list[Any]:
    view = evaluation_view(evaluation, policy=dispute_policy())
    return player_ui.comments(view.comments, view.spec, loc, editable=True)


def _done(evaluation_id: Any, loc: str) -> tuple[Any, ...]:
    """The answer to Save or Submit on an evaluation already submitted by this user (a second
    click, a late request): nothing changes; the page shows the submitted evaluation."""
    href = f"/qa/evaluation/{evaluation_id}?done=submitted"
    return message(t("qa.submitted", loc)), href, no_update, no_update, no_update


def save(evaluation_id: Any, note_text: str | None, note_item: str | None) -> tuple[Any, ...]:
    """Save the draft and post the Comments box's text; with the submit button, submit it too
    (then the page reloads). Outputs: message, location, comment list, Comments box, saved."""
    if evaluation_id is None or not clicked(ctx):
        return "", no_update, no_update, no_update, no_update
    principal = guard.current_principal()
    loc = principal.locale
    submit = ctx.triggered_id == ids.QA_E_SUBMIT
    with db() as session:
        evaluation = load(session, evaluation_id)
        if evaluation.status != EvaluationStatus.DRAFT and evaluation.evaluator == principal.name:
            return _done(evaluation_id, loc)
        evaluation = load(session, evaluation_id, edit=True)
        spec = spec_for(evaluation)
        given = given_answers(evaluation, _by_ref(ctx.states_list[0]), _by_ref(ctx.states_list[1]))
        try:
            store_draft(session, evaluation, given, principal.name)
            posted = post_note(session, evaluation, note_text, note_item, principal.name)
        except EvaluationError as exc:
            if evaluation.status != EvaluationStatus.DRAFT:
                return _done(evaluation_id, loc)
            why = too_long_text(exc, loc) or str(exc)  # e.g. an item comment over its limit
            error = message(t("qa.not_saved", loc, why=why), error=True)
            return error, no_update, no_update, no_update, no_update
        comments = _comment_list(evaluation, loc) if posted else no_update
        cleared = "" if posted else no_update
        # The draft is saved now (even when the submission is refused below).
        saved = {"text": t("qa.autosave.saved", loc, time=saved_time(evaluation.updated_at))}
        if not submit:
            note = message(t("qa.saved", loc, time=saved_time(evaluation.updated_at)))
            return note, no_update, comments, cleared, saved
        answers = {ref: a.value for ref, a in given.items()}
        problems = answer_problems(spec, answers, item_comments_of(evaluation))
        if problems:
            return _problems(spec, problems, loc), no_update, comments, cleared, saved
        submit_evaluation(
            db_session=session,
            evaluation_id=evaluation.id,
            actor=principal.name,
            tz=app_state().settings.timezone,
        )
    return _done(evaluation_id, loc)


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
            why = too_long_text(exc, loc) or _dispute_problem(exc, loc)
            return message(why, error=True), no_update
    return "", f"/qa/evaluation/{evaluation_id}?done={done}&at={time.time():.0f}"


def _dispute_problem(exc: EvaluationError, loc: str) -> str:
    if exc.refusal is Refusal.NEEDS_REASON:
        return t("qa.dispute.need_reason", loc)
    if exc.refusal is Refusal.WINDOW_CLOSED:
        return t("qa.dispute.closed", loc)
    return t("qa.dispute.refused", loc, why=str(exc))
