"""Evaluations: start, save drafts (scored live), comments pinned to a time, submit
(immutable afterwards except through :mod:`qa.evaluations.disputes`), acknowledge, list.

On submission a regular evaluation feeds the HR ledger: every failed item with a deduction
becomes a ``scorecard`` entry (:func:`qa.ledger.service.record_scorecard_deductions`) dated on
the call's local date. Calibration and benchmark evaluations never do. Every change is written
to the audit log (entity ``evaluation``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from collectors.history.models import Call
from core.db import get_by_id
from qa.audit.service import record, utcnow
from qa.evaluations.models import Evaluation, EvaluationAnswer, EvaluationComment
from qa.evaluations.schemas import AnswerIn, EvaluationError, EvaluationStatus, Kind
from qa.ledger.schemas import ScorecardDeduction
from qa.ledger.service import record_scorecard_deductions
from qa.limits import Field, check_length
from qa.people.service import get_agent
from qa.scorecards.models import Scorecard
from qa.scorecards.schemas import ScorecardError, ScorecardSpec
from qa.scorecards.service import get_current, spec_of
from qa.scoring import Problem, ProblemKind, ScoreResult, answer_problems, score, unknown_item


def get_evaluation(*, db_session: Session, evaluation_id: int) -> Evaluation | None:
    """The evaluation with this id, or None."""
    return get_by_id(db_session, Evaluation, evaluation_id)


def require_evaluation(*, db_session: Session, evaluation_id: int) -> Evaluation:
    """The evaluation with this id.

    Raises:
        EvaluationError: There is none.
    """
    evaluation = get_by_id(db_session, Evaluation, evaluation_id)
    if evaluation is None:
        raise EvaluationError(f"there is no evaluation {evaluation_id}")
    return evaluation


def spec_for(evaluation: Evaluation) -> ScorecardSpec:
    """The definition of the scorecard version the evaluation uses."""
    return spec_of(evaluation.scorecard)


#: The stored value of a draft item that has a comment but no answer yet (the comment is kept).
UNANSWERED = ""


def answers_of(evaluation: Evaluation) -> dict[str, str]:
    """Item ref → answer value (items not answered yet are left out)."""
    return {a.item_ref: a.value for a in evaluation.answers if a.value != UNANSWERED}


def item_comments_of(evaluation: Evaluation) -> dict[str, str]:
    """Item ref → the evaluator's comment on that item (non-empty ones)."""
    return {a.item_ref: a.comment for a in evaluation.answers if a.comment}


def result_of(evaluation: Evaluation) -> ScoreResult:
    """The evaluation's score breakdown for its current answers."""
    return score(spec_for(evaluation), answers_of(evaluation))


def apply_result(evaluation: Evaluation, result: ScoreResult) -> None:
    """Store a result's score, raw score and pass/fail on the evaluation."""
    evaluation.score, evaluation.raw_score = result.score, result.raw_score
    evaluation.passed = result.passed


def call_date(evaluation: Evaluation, tz: str = "UTC") -> date:
    """The call's local date in ``tz`` (the history stores naive UTC)."""
    aware = evaluation.call_at.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(ZoneInfo(tz)).date()


def _call(db_session: Session, call_pk: int) -> Call:
    call = get_by_id(db_session, Call, call_pk)
    if call is None:
        raise EvaluationError(f"there is no call {call_pk} in the call history")
    return call


def start_evaluation(
    *,
    db_session: Session,
    call_pk: int,
    evaluator: str,
    scorecard_key: str = "default",
    scorecard: Scorecard | None = None,
    kind: Kind = Kind.REGULAR,
    assignment_id: int | None = None,
    calibration_session_id: int | None = None,
) -> Evaluation:
    """Open a draft evaluation of a call, or return the evaluator's draft of it if one exists.

    Args:
        db_session: The session.
        call_pk: The call (``calls.id``).
        evaluator: Who evaluates (user name; audit log).
        scorecard_key: The scorecard whose current version is used...
        scorecard: ...unless this version is given (calibration sessions fix one).
        kind: ``regular`` unless created by a calibration session.
        assignment_id: The work-queue assignment this evaluation completes, if any.
        calibration_session_id: The calibration session, for calibration kinds.

    Raises:
        EvaluationError: Unknown call, a call without an agent, a scorecard that cannot be
            used, or the evaluator already submitted a regular evaluation of this call.
    """
    call = _call(db_session, call_pk)
    if not call.agent:
        raise EvaluationError(f"call {call.call_id} was not handled by an agent")
    if kind is Kind.REGULAR:
        existing = db_session.scalars(
            select(Evaluation).where(
                Evaluation.call_pk == call_pk, Evaluation.evaluator == evaluator,
                Evaluation.kind == Kind.REGULAR.value,
            )
        ).first()  # fmt: skip
        if existing is not None and existing.status == EvaluationStatus.DRAFT:
            return existing
        if existing is not None:
            raise EvaluationError(f"{evaluator} already evaluated this call ({existing.ref})")
    try:
        version = scorecard or get_current(db_session=db_session, key=scorecard_key)
    except ScorecardError as exc:
        raise EvaluationError(str(exc)) from exc
    now = utcnow()
    evaluation = Evaluation(
        kind=kind.value, status=EvaluationStatus.DRAFT, scorecard=version, call_pk=call.id,
        call_id=call.call_id, queue=call.queue, agent_id=call.agent,
        call_at=call.answered_at or call.enqueued_at, evaluator=evaluator,
        assignment_id=assignment_id, calibration_session_id=calibration_session_id,
        revision=0, created_at=now, updated_at=now,
    )  # fmt: skip
    db_session.add(evaluation)
    db_session.flush()
    _audit(db_session, evaluation, evaluator, "evaluation.start", {"kind": kind.value})
    return evaluation


def _audit(
    db_session: Session, evaluation: Evaluation, actor: str, action: str,
    details: Mapping[str, object] | None = None,
) -> None:  # fmt: skip
    record(
        db_session=db_session, actor=actor, action=action, entity="evaluation",
        entity_id=str(evaluation.id), details=details or {},
    )  # fmt: skip


def _editable(evaluation: Evaluation, actor: str) -> None:
    if evaluation.status != EvaluationStatus.DRAFT:
        raise EvaluationError(f"{evaluation.ref} is submitted: it changes only through a dispute")
    if actor != evaluation.evaluator:
        raise EvaluationError(f"{evaluation.ref} is {evaluation.evaluator}'s draft")


def _claim_draft(db_session: Session, evaluation: Evaluation, actor: str) -> None:
    """Check the draft is editable, then take it for this transaction.

    The status was read before: a submission committed since then (a double click, a late
    autosave racing the Submit button) must not be overwritten. The conditional UPDATE is the
    transaction's first write: it waits for a concurrent writer's commit and then matches no
    row if the evaluation is no longer a draft (PostgreSQL re-checks the condition on the new
    row version; SQLite lets one writer in at a time). The evaluation is then read again, under
    that lock, before anything is changed.

    Raises:
        EvaluationError: Not a draft (any more), or not the actor's.
    """
    _editable(evaluation, actor)
    taken = db_session.execute(
        update(Evaluation)
        .where(Evaluation.id == evaluation.id, Evaluation.status == EvaluationStatus.DRAFT)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    try:
        db_session.refresh(evaluation)
    except InvalidRequestError as exc:  # deleted meanwhile (discarded in another tab)
        raise EvaluationError(f"{evaluation.ref} no longer exists") from exc
    if getattr(taken, "rowcount", 1) != 1:
        _editable(evaluation, actor)
        raise EvaluationError(f"{evaluation.ref} is no longer a draft")


def save_draft(
    *, db_session: Session, evaluation_id: int, answers: Mapping[str, AnswerIn], actor: str
) -> ScoreResult:
    """Set (or clear, with value None) some answers of a draft and rescore it.

    An item cleared (or not answered yet) keeps its comment if it has one: a comment may be
    written before the answer is chosen, and autosave stores whatever is on the form.

    Args:
        db_session: The session.
        evaluation_id: The draft.
        answers: Item ref → answer; items not given keep their answer.
        actor: The evaluator (only they edit their draft).

    Returns:
        The live score of the draft (unanswered items count as N/A until submission).

    Raises:
        EvaluationError: Not a draft, not the evaluator, unknown item or invalid value (its
            ``problems`` name them).
    """
    evaluation = require_evaluation(db_session=db_session, evaluation_id=evaluation_id)
    _editable(evaluation, actor)
    spec = spec_for(evaluation)
    problems = draft_problems(spec, answers)
    if problems:
        raise EvaluationError("; ".join(map(str, problems)), problems=problems)
    for ref, answer in answers.items():
        check_length(answer.comment, Field.ITEM_COMMENT, error=EvaluationError, where=f"item {ref}")
    _claim_draft(db_session, evaluation, actor)
    rows = {a.item_ref: a for a in evaluation.answers}
    for ref, answer in answers.items():
        _store_answer(evaluation, rows.get(ref), ref, answer)
    result = score(spec, answers_of(evaluation))
    apply_result(evaluation, result)
    evaluation.updated_at = utcnow()
    db_session.flush()
    changed = {ref: a.value for ref, a in answers.items()}
    _audit(db_session, evaluation, actor, "evaluation.save", {"answers": changed})
    return result


def draft_problems(spec: ScorecardSpec, answers: Mapping[str, AnswerIn]) -> list[Problem]:
    """What stops these answers from being stored in a draft: unknown items and invalid
    values. A missing answer or a missing required comment is fine until submission."""
    given = {ref: a.value for ref, a in answers.items() if a.value is not None}
    problems = answer_problems(spec, given, complete=False)
    cleared = set(answers) - set(given) - set(spec.refs())
    problems += [unknown_item(ref) for ref in sorted(cleared)]
    return [p for p in problems if p.kind is not ProblemKind.COMMENT_REQUIRED]


def _store_answer(
    evaluation: Evaluation, row: EvaluationAnswer | None, ref: str, answer: AnswerIn
) -> None:
    value = UNANSWERED if answer.value is None else answer.value
    if answer.value is None and not answer.comment.strip():
        if row is not None:
            evaluation.answers.remove(row)
    elif row is None:
        evaluation.answers.append(
            EvaluationAnswer(item_ref=ref, value=value, comment=answer.comment)
        )
    else:
        row.value, row.comment = value, answer.comment


def add_comment(
    *,
    db_session: Session,
    evaluation_id: int,
    author: str,
    text: str,
    at_seconds: float | None = None,
    item_ref: str | None = None,
) -> EvaluationComment:
    """Add a comment to a draft, optionally pinned to a time in the recording and an item.

    Raises:
        EvaluationError: Not a draft, not the evaluator, empty text, negative time or
            unknown item.
    """
    evaluation = require_evaluation(db_session=db_session, evaluation_id=evaluation_id)
    _editable(evaluation, author)
    if not text.strip():
        raise EvaluationError("a comment needs some text")
    check_length(text.strip(), Field.COMMENT, error=EvaluationError)
    if at_seconds is not None and at_seconds < 0:
        raise EvaluationError(f"comment time {at_seconds} s must not be negative")
    if item_ref is not None and item_ref not in spec_for(evaluation).refs():
        raise EvaluationError(f"the scorecard has no item {item_ref!r}")
    _claim_draft(db_session, evaluation, author)
    comment = EvaluationComment(
        author=author, text=text.strip(), at_seconds=at_seconds, item_ref=item_ref,
        created_at=utcnow(),
    )  # fmt: skip
    evaluation.comments.append(comment)
    db_session.flush()
    details = {"comment_id": comment.id, "at_seconds": at_seconds, "item_ref": item_ref}
    _audit(db_session, evaluation, author, "evaluation.comment", details)
    return comment


def delete_comment(*, db_session: Session, comment_id: int, actor: str) -> None:
    """Delete a comment of a draft (only its evaluator may).

    Raises:
        EvaluationError: No such comment, or the evaluation is submitted or someone else's.
    """
    comment = get_by_id(db_session, EvaluationComment, comment_id)
    if comment is None:
        raise EvaluationError(f"there is no comment {comment_id}")
    evaluation = comment.evaluation
    _claim_draft(db_session, evaluation, actor)
    evaluation.comments.remove(comment)
    db_session.flush()
    _audit(db_session, evaluation, actor, "evaluation.uncomment", {"comment_id": comment_id})


def discard_draft(*, db_session: Session, evaluation_id: int, actor: str) -> None:
    """Delete a draft and everything in it (the work-queue item becomes due again).

    Raises:
        EvaluationError: Not a draft, or not the evaluator's.
    """
    evaluation = require_evaluation(db_session=db_session, evaluation_id=evaluation_id)
    _claim_draft(db_session, evaluation, actor)
    _audit(db_session, evaluation, actor, "evaluation.discard", {"call_id": evaluation.call_id})
    db_session.delete(evaluation)
    db_session.flush()


def sync_ledger(*, db_session: Session, evaluation: Evaluation, actor: str, tz: str = "UTC") -> int:
    """Make the HR ledger reflect the failed items of a submitted regular evaluation.

    Agents unknown to HR (not in ``agents``) have no ledger: nothing is written for them.

    Returns:
        The number of ledger entries written (0 when nothing changed).
    """
    if evaluation.kind != Kind.REGULAR.value or evaluation.status != EvaluationStatus.SUBMITTED:
        return 0
    if get_agent(db_session=db_session, agent_id=evaluation.agent_id) is None:
        return 0
    spec = spec_for(evaluation)
    result = score(spec, answers_of(evaluation))
    items = []
    for ref in result.failed_refs:
        item = spec.item(ref)
        if item.deduction > 0:
            note = f"{spec.key} v{evaluation.scorecard.version}: {item.label()}"[:500]
            items.append(ScorecardDeduction(ref, item.category, -item.deduction, note))
    written = record_scorecard_deductions(
        db_session=db_session, evaluation_ref=evaluation.ref, agent_id=evaluation.agent_id,
        on=call_date(evaluation, tz), items=items, actor=actor,
    )  # fmt: skip
    return len(written)


def submit_evaluation(
    *, db_session: Session, evaluation_id: int, actor: str, tz: str = "UTC",
    now: datetime | None = None,
) -> Evaluation:  # fmt: skip
    """Submit a complete draft: it is scored, frozen and (regular ones) fed to the ledger.

    Submitting again what its evaluator already submitted changes nothing and returns it (a
    double click on Submit is harmless); nothing else may submit it again.

    Args:
        db_session: The session.
        evaluation_id: The draft.
        actor: The evaluator.
        tz: The center's time zone (the date the ledger deductions count on).
        now: Submission time (naive UTC); now by default.

    Raises:
        EvaluationError: Not a draft, not the evaluator, or answers missing, invalid or
            lacking a required comment (every problem is listed).
    """
    evaluation = require_evaluation(db_session=db_session, evaluation_id=evaluation_id)
    if _already_submitted(db_session, evaluation, actor):
        return evaluation
    spec = spec_for(evaluation)
    answers = answers_of(evaluation)
    problems = answer_problems(spec, answers, item_comments_of(evaluation))
    if problems:
        text = "; ".join(map(str, problems))
        raise EvaluationError(f"{evaluation.ref} cannot be submitted: {text}", problems=problems)
    result = score(spec, answers)
    apply_result(evaluation, result)
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = now or utcnow()
    evaluation.updated_at = evaluation.submitted_at
    db_session.flush()
    ledger = sync_ledger(db_session=db_session, evaluation=evaluation, actor=actor, tz=tz)
    details = {
        "score": result.score, "raw_score": result.raw_score, "passed": result.passed,
        "answers": answers, "ledger_entries": ledger,
    }  # fmt: skip
    _audit(db_session, evaluation, actor, "evaluation.submit", details)
    return evaluation


def _already_submitted(db_session: Session, evaluation: Evaluation, actor: str) -> bool:
    """Whether the actor already submitted this evaluation; if not, take the draft.

    Raises:
        EvaluationError: Someone else's evaluation, or submitted by someone else.
    """
    if evaluation.status == EvaluationStatus.DRAFT:
        try:
            _claim_draft(db_session, evaluation, actor)
        except EvaluationError:
            if evaluation.status == EvaluationStatus.DRAFT:
                raise
        else:
            return False
    if actor != evaluation.evaluator:
        _editable(evaluation, actor)
    return True


def acknowledge(
    *, db_session: Session, evaluation_id: int, agent_id: str, actor: str,
    now: datetime | None = None,
) -> Evaluation:  # fmt: skip
    """The evaluated agent acknowledges having seen a submitted evaluation (once).

    Raises:
        EvaluationError: Not submitted, not regular, or not this agent's evaluation.
    """
    evaluation = require_evaluation(db_session=db_session, evaluation_id=evaluation_id)
    if evaluation.kind != Kind.REGULAR.value or evaluation.status != EvaluationStatus.SUBMITTED:
        raise EvaluationError(f"{evaluation.ref} is not a submitted evaluation of an agent")
    if agent_id != evaluation.agent_id:
        raise EvaluationError(f"{evaluation.ref} is not an evaluation of agent {agent_id}")
    if evaluation.acknowledged_at is None:
        evaluation.acknowledged_at = now or utcnow()
        db_session.flush()
        _audit(db_session, evaluation, actor, "evaluation.acknowledge")
    return evaluation


def list_evaluations(
    *,
    db_session: Session,
    agent_id: str | None = None,
    evaluator: str | None = None,
    status: EvaluationStatus | None = None,
    kinds: Sequence[Kind] = (Kind.REGULAR,),
    start: datetime | None = None,
    end: datetime | None = None,
    calibration_session_id: int | None = None,
) -> list[Evaluation]:
    """Evaluations by call time (newest first).

    Args:
        db_session: The session.
        agent_id: Only evaluations of this agent.
        evaluator: Only this evaluator's.
        status: Only ``draft`` or ``submitted`` ones.
        kinds: Only these kinds (regular only by default; empty: all).
        start: Only calls at or after this time (naive UTC).
        end: Only calls before this time (naive UTC).
        calibration_session_id: Only this calibration session's.
    """
    query = select(Evaluation).order_by(Evaluation.call_at.desc(), Evaluation.id.desc())
    if agent_id is not None:
        query = query.where(Evaluation.agent_id == agent_id)
    if evaluator is not None:
        query = query.where(Evaluation.evaluator == evaluator)
    if status is not None:
        query = query.where(Evaluation.status == status)
    if start is not None:
        query = query.where(Evaluation.call_at >= start)
    if end is not None:
        query = query.where(Evaluation.call_at < end)
    if calibration_session_id is not None:
        query = query.where(Evaluation.calibration_session_id == calibration_session_id)
    if kinds:
        query = query.where(Evaluation.kind.in_([k.value for k in kinds]))
    return list(db_session.scalars(query))
