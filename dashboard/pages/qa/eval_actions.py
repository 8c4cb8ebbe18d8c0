"""What the evaluation page's callbacks do: the live score, save and submit, autosave, comments
pinned to a time, the agent's acknowledgement and disputes. Each one loads the evaluation through
:func:`load`, which applies :mod:`qa.evaluations.access` to the current user."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dash import ctx, no_update
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from core.roles import Principal
from dashboard import inputs
from dashboard.auth import guard
from dashboard.forms import too_long_text
from dashboard.i18n import t
from dashboard.pages.qa import eval_player as player_ui
from dashboard.pages.qa import eval_view as view_ui
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import clicked, db, dispute_policy, local, message
from dashboard.state import app_state
from qa.calibration.schemas import CalibrationError
from qa.calibration.service import get_session
from qa.evaluations.access import can_dispute, can_edit_evaluation, can_view_evaluation
from qa.evaluations.disputes import raise_dispute
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import AnswerIn, EvaluationError
from qa.evaluations.service import (
    UNANSWERED,
    acknowledge,
    add_comment,
    answers_of,
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
        stored = answers_of(evaluation)
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


def saved_time(moment: datetime | None) -> str:
    """When a draft was last saved, as the evaluator reads it (every saved time on the page is
    formatted here)."""
    return local(moment, "time")


def _stored(evaluation: Evaluation) -> dict[str, AnswerIn]:
    """Item ref → the stored answer and item comment (answered or commented items)."""
    return {
        a.item_ref: AnswerIn(None if a.value == UNANSWERED else a.value, a.comment)
        for a in evaluation.answers
    }


def _given(
    evaluation: Evaluation, values: Mapping[str, Any], notes: Mapping[str, Any]
) -> dict[str, AnswerIn]:
    """The form as answers to store: items the form does not mention keep what is stored."""
    spec = spec_for(evaluation)
    answers = _answers(spec, dict(values))
    stored = _stored(evaluation)
    given = {}
    for ref in spec.refs():
        if ref not in answers and ref not in notes:
            continue
        before = stored.get(ref, AnswerIn(None))
        value = answers.get(ref, before.value)
        comment = str(notes.get(ref) or "") if ref in notes else before.comment
        given[ref] = AnswerIn(value, comment)
    return given


def _unchanged(evaluation: Evaluation, given: Mapping[str, AnswerIn]) -> bool:
    stored = _stored(evaluation)
    return all(stored.get(ref, AnswerIn(None)) == answer for ref, answer in given.items())


def store_draft(
    session: Session, evaluation: Evaluation, given: Mapping[str, AnswerIn], actor: str
) -> bool:
    """Save the form's answers and item comments (Save draft and autosave alike); False when
    they are what is stored already (nothing is written, nothing audited)."""
    if _unchanged(evaluation, given):
        return False
    save_draft(db_session=session, evaluation_id=evaluation.id, answers=given, actor=actor)
    return True


def post_note(
    session: Session, evaluation: Evaluation, text: str | None, item_ref: str | None, actor: str
) -> bool:
    """Post what is left in the Comments box as a comment without a time (Save draft, Submit,
    leaving the page): typed text is never dropped. False when the box is empty."""
    if not (text or "").strip():
        return False
    add_comment(
        db_session=session,
        evaluation_id=evaluation.id,
        author=actor,
        text=text or "",
        item_ref=item_ref or None,
    )
    return True


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
        if evaluation.status != "draft" and evaluation.evaluator == principal.name:
            return _done(evaluation_id, loc)
        evaluation = load(session, evaluation_id, edit=True)
        spec = spec_for(evaluation)
        given = _given(evaluation, _by_ref(ctx.states_list[0]), _by_ref(ctx.states_list[1]))
        try:
            store_draft(session, evaluation, given, principal.name)
            posted = post_note(session, evaluation, note_text, note_item, principal.name)
        except EvaluationError as exc:
            if evaluation.status != "draft":
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


@dataclass(frozen=True)
class Autosaved:
    """What an autosave did: the HTTP status, the indicator's text, whether the Comments box's
    text was posted."""

    status: int
    text: str
    posted: bool = False


def autosave(
    evaluation_id: int, answers: Mapping[str, Any], notes: Mapping[str, Any], note: str
) -> Autosaved:
    """Store the form as Save draft does (same access rule, same service, same validation).

    Args:
        evaluation_id: The draft.
        answers: Item ref → answer value as on the form (None: not answered).
        notes: Item ref → item comment as on the form.
        note: The Comments box's text (sent when leaving the page: posted, as by Save draft).

    Returns:
        200 and "Saved hh:mm:ss"; 409 when the evaluation is no longer a draft (a late autosave
        never changes a submitted evaluation); 400 with the reason when the input is refused.

    Raises:
        Forbidden: Not this user's draft (or evaluation) to see or edit.
    """
    principal = guard.current_principal()
    loc = principal.locale
    with db() as session:
        evaluation = load(session, evaluation_id)
        if evaluation.status != "draft":
            return Autosaved(409, t("qa.autosave.submitted", loc))
        evaluation = load(session, evaluation_id, edit=True)
        given = _given(evaluation, answers, notes)
        try:
            store_draft(session, evaluation, given, principal.name)
            posted = post_note(session, evaluation, note, None, principal.name)
        except EvaluationError as exc:
            if evaluation.status != "draft":
                return Autosaved(409, t("qa.autosave.submitted", loc))
            # Refused before writing; answers stored before a refused comment stay stored.
            return Autosaved(400, t("qa.not_saved", loc, why=str(exc)))
        return Autosaved(
            200, t("qa.autosave.saved", loc, time=saved_time(evaluation.updated_at)), posted
        )


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
