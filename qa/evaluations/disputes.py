"""Disputes: the evaluated agent disputes single items of a submitted evaluation within a window
and with a reason; a supervisor accepts, partly accepts or rejects; the score is recomputed, the
HR ledger corrected, and the dispute row keeps the before/after values and scores (history).

Rules: only items that lost points can be disputed; one dispute per item (a decision is
final); an optional cap per evaluation (:class:`DisputePolicy`).

Decisions: ``accept`` sets the item to full marks (``yes`` / scale maximum) or, when the
supervisor says so, to N/A (the item did not apply); ``partly_accept`` sets a scale value
between the disputed one and the maximum, or N/A; ``reject`` leaves it. A note is required
for partial acceptance and rejection.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_by_id
from qa.audit.service import record, utcnow
from qa.evaluations.models import Dispute, Evaluation
from qa.evaluations.schemas import (
    DISPUTE_STATUS,
    Decision,
    DecisionPreview,
    DisputePolicy,
    DisputeStatus,
    EvaluationError,
    Kind,
    Refusal,
)
from qa.evaluations.service import (
    answers_of,
    apply_result,
    require_evaluation,
    result_of,
    spec_for,
    sync_ledger,
)
from qa.limits import Field, check_length
from qa.scorecards.schemas import AnswerType, ItemSpec
from qa.scoring import NA, score


def dispute_deadline(evaluation: Evaluation, policy: DisputePolicy) -> datetime | None:
    """When the dispute window of a submitted regular evaluation closes (None otherwise)."""
    if evaluation.kind != Kind.REGULAR.value or evaluation.submitted_at is None:
        return None
    return evaluation.submitted_at + timedelta(days=policy.window_days)


def disputable_items(
    evaluation: Evaluation, policy: DisputePolicy, now: datetime | None = None
) -> tuple[str, ...]:
    """The item refs the agent may still dispute now (empty when the window is closed or the
    cap is reached)."""
    deadline = dispute_deadline(evaluation, policy)
    if deadline is None or (now or utcnow()) > deadline:
        return ()
    cap = policy.max_per_evaluation
    if cap is not None and len(evaluation.disputes) >= cap:
        return ()
    disputed = {d.item_ref for d in evaluation.disputes}
    return tuple(i.ref for i in result_of(evaluation).items if i.lost and i.ref not in disputed)


def _check_raise(evaluation: Evaluation, item_ref: str, policy: DisputePolicy,
                 now: datetime) -> None:  # fmt: skip
    deadline = dispute_deadline(evaluation, policy)
    if deadline is None:
        raise EvaluationError(f"{evaluation.ref} is not a submitted evaluation of an agent")
    if now > deadline:
        raise EvaluationError(
            f"the dispute window of {evaluation.ref} closed on "
            f"{deadline.isoformat(sep=' ', timespec='minutes')} UTC",
            refusal=Refusal.WINDOW_CLOSED,
        )
    earlier = next((d for d in evaluation.disputes if d.item_ref == item_ref), None)
    if earlier is not None:
        raise EvaluationError(
            f"item {item_ref} was already disputed (dispute {earlier.id}, {earlier.status})"
        )
    cap = policy.max_per_evaluation
    if cap is not None and len(evaluation.disputes) >= cap:
        raise EvaluationError(f"at most {cap} items of an evaluation may be disputed")
    if item_ref not in spec_for(evaluation).refs():
        raise EvaluationError(f"the scorecard has no item {item_ref!r}")
    if not result_of(evaluation).item(item_ref).lost:
        raise EvaluationError(f"item {item_ref} lost no points: only such items can be disputed")


def raise_dispute(
    *,
    db_session: Session,
    evaluation_id: int,
    item_ref: str,
    reason: str,
    agent_id: str,
    actor: str,
    policy: DisputePolicy | None = None,
    now: datetime | None = None,
) -> Dispute:
    """The evaluated agent disputes one item.

    Args:
        db_session: The session.
        evaluation_id: The submitted evaluation.
        item_ref: The item disputed.
        reason: Why (required).
        agent_id: The agent raising it (must be the evaluated agent).
        actor: The user raising it (audit log).
        policy: Window and cap; :class:`DisputePolicy` defaults when None.
        now: The time of the dispute (naive UTC); now by default.

    Raises:
        EvaluationError: Someone else's evaluation, window closed, item already disputed or
            lost no points, cap reached, or no reason.
    """
    evaluation = require_evaluation(db_session=db_session, evaluation_id=evaluation_id)
    if agent_id != evaluation.agent_id:
        raise EvaluationError(f"only agent {evaluation.agent_id} may dispute {evaluation.ref}")
    if not reason.strip():
        raise EvaluationError("a dispute needs a reason", refusal=Refusal.NEEDS_REASON)
    check_length(reason.strip(), Field.DISPUTE_REASON, error=EvaluationError)
    at = now or utcnow()
    _check_raise(evaluation, item_ref, policy or DisputePolicy(), at)
    dispute = Dispute(
        item_ref=item_ref, reason=reason.strip(), raised_by=actor, raised_at=at,
        status=DisputeStatus.OPEN,
        value_before=answers_of(evaluation)[item_ref], score_before=evaluation.score,
        decision_note="",
    )  # fmt: skip
    evaluation.disputes.append(dispute)
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action="evaluation.dispute", entity="evaluation",
        entity_id=str(evaluation.id),
        details={"dispute_id": dispute.id, "item_ref": item_ref, "reason": dispute.reason},
    )  # fmt: skip
    return dispute


def _earned(item: ItemSpec, value: str) -> float:
    if value == NA:
        return -1.0
    if item.answer_type is AnswerType.YES_NO:
        return 1.0 if value == "yes" else 0.0
    return float(int(value))


def _new_value(item: ItemSpec, before: str, decision: Decision, wanted: str | None) -> str:
    if decision is Decision.REJECT:
        return before
    if wanted == NA:
        if not item.na_allowed:
            raise EvaluationError("this item does not allow N/A")
        return NA
    if decision is Decision.ACCEPT:
        if wanted not in (None, item.full_value):
            raise EvaluationError(
                f"accepting sets full marks ({item.full_value}) or N/A, not {wanted!r}"
            )
        return item.full_value
    if wanted is None or wanted not in item.values():
        raise EvaluationError(
            "partly accepting needs the new answer: N/A or a scale value between the disputed "
            "one and the maximum"
        )
    if not _earned(item, before) < _earned(item, wanted) < _earned(item, item.full_value):
        raise EvaluationError(
            f"a partial acceptance must score between {before} and {item.full_value}, not {wanted}"
        )
    return wanted


def _chosen(decision: Decision | str | None) -> Decision:
    """The decision, refused when none was chosen: a final decision is never a default."""
    if decision is None or decision == "":
        raise EvaluationError("choose a decision first: accept, partly accept or reject")
    try:
        return Decision(decision)
    except ValueError:
        raise EvaluationError(
            f"unknown decision {decision!r}: accept, partly_accept or reject"
        ) from None


def _plan(
    db_session: Session,
    dispute_id: int,
    decision: Decision | str | None,
    note: str,
    new_value: str | None,
) -> tuple[Dispute, Decision, str]:
    """The open dispute, the decision and the item's new answer, or the reason why not."""
    dispute = get_by_id(db_session, Dispute, dispute_id)
    if dispute is None:
        raise EvaluationError(f"there is no dispute {dispute_id}")
    if dispute.status != DisputeStatus.OPEN:
        raise EvaluationError(f"dispute {dispute_id} is already {dispute.status}: it is final")
    chosen = _chosen(decision)
    if chosen is not Decision.ACCEPT and not note.strip():
        raise EvaluationError(f"to {chosen.value.replace('_', ' ')} a dispute, give a note")
    check_length(note.strip(), Field.DECISION_NOTE, error=EvaluationError)
    item = spec_for(dispute.evaluation).item(dispute.item_ref)
    return dispute, chosen, _new_value(item, dispute.value_before, chosen, new_value)


def preview_decision(
    *,
    db_session: Session,
    dispute_id: int,
    decision: Decision | str | None,
    note: str = "",
    new_value: str | None = None,
) -> DecisionPreview:
    """What :func:`resolve_dispute` would do with these arguments, without doing it (the same
    checks, so a confirmation is only offered for a decision that can be made).

    Raises:
        EvaluationError: As :func:`resolve_dispute`.
    """
    dispute, chosen, value = _plan(db_session, dispute_id, decision, note, new_value)
    evaluation = dispute.evaluation
    after = score(spec_for(evaluation), {**answers_of(evaluation), dispute.item_ref: value})
    return DecisionPreview(
        decision=chosen, item_ref=dispute.item_ref, value_before=dispute.value_before,
        value_after=value, score_before=evaluation.score, score_after=after.score,
    )  # fmt: skip


def resolve_dispute(
    *,
    db_session: Session,
    dispute_id: int,
    decision: Decision | str | None,
    actor: str,
    note: str = "",
    new_value: str | None = None,
    tz: str = "UTC",
    now: datetime | None = None,
) -> Dispute:
    """Decide an open dispute; the evaluation is rescored and the ledger corrected.

    Args:
        db_session: The session.
        dispute_id: The dispute.
        decision: accept, partly_accept or reject; None (nothing chosen) is refused.
        actor: The supervisor deciding (audit log).
        note: Why (required to partly accept or reject).
        new_value: The item's new answer (see the module docstring).
        tz: The center's time zone (ledger dates).
        now: Decision time (naive UTC); now by default.

    Raises:
        EvaluationError: No such dispute, already decided, no decision chosen, missing note
            or invalid value.
    """
    dispute, decision, value = _plan(db_session, dispute_id, decision, note, new_value)
    evaluation = dispute.evaluation
    if value != dispute.value_before:
        answer = next(a for a in evaluation.answers if a.item_ref == dispute.item_ref)
        answer.value = value
        apply_result(evaluation, score(spec_for(evaluation), answers_of(evaluation)))
        evaluation.revision += 1
    at = now or utcnow()
    evaluation.updated_at = at
    dispute.status, dispute.value_after = DISPUTE_STATUS[decision], value
    dispute.score_after, dispute.decision_note = evaluation.score, note.strip()
    dispute.resolved_by, dispute.resolved_at = actor, at
    db_session.flush()
    ledger = sync_ledger(db_session=db_session, evaluation=evaluation, actor=actor, tz=tz)
    record(
        db_session=db_session, actor=actor, action="evaluation.dispute_resolve",
        entity="evaluation", entity_id=str(evaluation.id),
        details={
            "dispute_id": dispute.id, "decision": decision.value, "item_ref": dispute.item_ref,
            "value_before": dispute.value_before, "value_after": value,
            "score_before": dispute.score_before, "score_after": dispute.score_after,
            "note": dispute.decision_note, "ledger_entries": ledger,
        },
    )  # fmt: skip
    return dispute


def list_disputes(
    *,
    db_session: Session,
    status: DisputeStatus | None = None,
    agent_id: str | None = None,
    evaluator: str | None = None,
) -> list[Dispute]:
    """Disputes, oldest first (a supervisor's inbox is ``status="open"``).

    Args:
        db_session: The session.
        status: Only ``open``, ``accepted``, ``partly_accepted`` or ``rejected`` ones.
        agent_id: Only disputes of this agent's evaluations.
        evaluator: Only disputes of this evaluator's evaluations.
    """
    query = select(Dispute).join(Evaluation).order_by(Dispute.raised_at, Dispute.id)
    if status is not None:
        query = query.where(Dispute.status == status)
    if agent_id is not None:
        query = query.where(Evaluation.agent_id == agent_id)
    if evaluator is not None:
        query = query.where(Evaluation.evaluator == evaluator)
    return list(db_session.scalars(query))
