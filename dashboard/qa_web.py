"""What the QA console's pages and its routes share (neither imports the other): the
center's day and zone, dates from the URL or a picker, a call's recording under the app's
settings and the words for one that cannot be played, and loading an evaluation for the current
user and storing its form (the Save draft button and the autosave route alike)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from collectors.history.models import Call
from core.center_time import center_time
from core.db import session_scope
from core.roles import QA_STAFF, Principal
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.state import app_state, center_tz
from qa.calibration.schemas import CalibrationError, SessionStatus
from qa.calibration.service import get_session
from qa.evaluations.access import can_edit_evaluation, can_view_evaluation
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import AnswerIn, EvaluationError, EvaluationStatus
from qa.evaluations.service import (
    UNANSWERED,
    add_comment,
    get_evaluation,
    save_draft,
    spec_for,
)
from qa.recordings.service import RecordingError, RecordingInfo, find_recording
from qa.scorecards.schemas import ScorecardSpec


@contextmanager
def db() -> Iterator[Session]:
    """A session of the app's database, committed when the block succeeds."""
    with session_scope(app_state().sessions) as session:
        yield session


def zone() -> ZoneInfo:
    """The center's time zone."""
    return ZoneInfo(app_state().settings.timezone)


def today() -> date:
    """Today in the center's time zone."""
    return datetime.now(zone()).date()


def parse_day(text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` (or ISO datetime) string from a date picker, or None."""
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def locate(call: Call) -> RecordingInfo:
    """The call's playable recording under the app's settings.

    Raises:
        RecordingError: Why it cannot be played.
    """
    settings = app_state().settings
    return find_recording(call, pattern=settings.recording_pattern, base_dir=settings.data_dir)


def problem_text(error: RecordingError, principal: Principal) -> str:
    """What to tell this person about an unplayable recording: the reason in their language,
    and for QA staff the technical detail (paths are not shown to agents)."""
    text = t(f"qa.rec.{error.reason}", principal.locale)
    if principal.role in QA_STAFF:
        text = f"{text} ({error})"
    return text


def calibration_closed(session: Session, evaluation: Evaluation) -> bool:
    """Whether the evaluation's calibration session (if any) is closed."""
    if evaluation.calibration_session_id is None:
        return False
    try:
        found = get_session(db_session=session, session_id=evaluation.calibration_session_id)
    except CalibrationError:
        return False
    return found.status == SessionStatus.CLOSED


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


def form_answers(spec: ScorecardSpec, values: dict[str, Any]) -> dict[str, str | None]:
    """The scorecard's items on the form: item ref → answer value (None: not answered)."""
    refs = set(spec.refs())
    return {
        ref: (str(v) if v not in (None, "") else None) for ref, v in values.items() if ref in refs
    }


def saved_time(moment: datetime | None) -> str:
    """When a draft was last saved, as the evaluator reads it (every saved time on the page is
    formatted here)."""
    return center_time(moment, center_tz(), style="time")


def stored_answers(evaluation: Evaluation) -> dict[str, AnswerIn]:
    """Item ref → the stored answer and item comment (answered or commented items)."""
    return {
        a.item_ref: AnswerIn(None if a.value == UNANSWERED else a.value, a.comment)
        for a in evaluation.answers
    }


def given_answers(
    evaluation: Evaluation, values: Mapping[str, Any], notes: Mapping[str, Any]
) -> dict[str, AnswerIn]:
    """The form as answers to store: items the form does not mention keep what is stored."""
    spec = spec_for(evaluation)
    answers = form_answers(spec, dict(values))
    stored = stored_answers(evaluation)
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
    stored = stored_answers(evaluation)
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
        if evaluation.status != EvaluationStatus.DRAFT:
            return Autosaved(409, t("qa.autosave.submitted", loc))
        evaluation = load(session, evaluation_id, edit=True)
        given = given_answers(evaluation, answers, notes)
        try:
            store_draft(session, evaluation, given, principal.name)
            posted = post_note(session, evaluation, note, None, principal.name)
        except EvaluationError as exc:
            if evaluation.status != EvaluationStatus.DRAFT:
                return Autosaved(409, t("qa.autosave.submitted", loc))
            # Refused before writing; answers stored before a refused comment stay stored.
            return Autosaved(400, t("qa.not_saved", loc, why=str(exc)))
        return Autosaved(
            200, t("qa.autosave.saved", loc, time=saved_time(evaluation.updated_at)), posted
        )
