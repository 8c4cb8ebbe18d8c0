"""Read models for the pages: one evaluation with everything it shows, and its change history."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qa.audit.models import AuditEntry
from qa.audit.service import list_entries
from qa.evaluations.disputes import dispute_deadline
from qa.evaluations.models import Dispute, Evaluation
from qa.evaluations.schemas import (
    CommentOut,
    DisputeOut,
    DisputePolicy,
    DisputeStatus,
    EvaluationStatus,
    EvaluationView,
    Kind,
)
from qa.evaluations.service import answers_of, item_comments_of, spec_for
from qa.scoring import score


def dispute_out(dispute: Dispute) -> DisputeOut:
    """The public view of a dispute."""
    return DisputeOut(
        id=dispute.id, evaluation_id=dispute.evaluation_id, item_ref=dispute.item_ref,
        reason=dispute.reason, raised_by=dispute.raised_by, raised_at=dispute.raised_at,
        status=DisputeStatus(dispute.status), value_before=dispute.value_before,
        value_after=dispute.value_after, score_before=dispute.score_before,
        score_after=dispute.score_after, decision_note=dispute.decision_note,
        resolved_by=dispute.resolved_by, resolved_at=dispute.resolved_at,
    )  # fmt: skip


def evaluation_view(
    evaluation: Evaluation, *, policy: DisputePolicy | None = None
) -> EvaluationView:
    """Everything the evaluation page shows about ``evaluation``.

    Args:
        evaluation: The evaluation (check access first: :mod:`qa.evaluations.access`).
        policy: The dispute policy, for ``dispute_deadline``.
    """
    spec = spec_for(evaluation)
    answers = answers_of(evaluation)
    return EvaluationView(
        id=evaluation.id, kind=Kind(evaluation.kind), status=EvaluationStatus(evaluation.status),
        scorecard_id=evaluation.scorecard_id, scorecard_key=evaluation.scorecard.key,
        scorecard_version=evaluation.scorecard.version, call_pk=evaluation.call_pk,
        call_id=evaluation.call_id, queue=evaluation.queue, agent_id=evaluation.agent_id,
        call_at=evaluation.call_at, evaluator=evaluation.evaluator, score=evaluation.score,
        raw_score=evaluation.raw_score, passed=evaluation.passed, revision=evaluation.revision,
        created_at=evaluation.created_at, submitted_at=evaluation.submitted_at,
        acknowledged_at=evaluation.acknowledged_at,
        dispute_deadline=dispute_deadline(evaluation, policy or DisputePolicy()),
        answers=answers, item_comments=item_comments_of(evaluation),
        comments=tuple(
            CommentOut(c.id, c.author, c.at_seconds, c.item_ref, c.text, c.created_at)
            for c in sorted(
                evaluation.comments,
                key=lambda c: (c.at_seconds is None, c.at_seconds or 0.0, c.id),
            )
        ),
        disputes=tuple(dispute_out(d) for d in evaluation.disputes),
        spec=spec, result=score(spec, answers),
    )  # fmt: skip


def evaluation_history(*, db_session: Session, evaluation_id: int) -> list[AuditEntry]:
    """Every recorded action on the evaluation, oldest first (start, saves, comments,
    submission, acknowledgement, disputes and decisions)."""
    return list_entries(db_session=db_session, entity="evaluation", entity_id=str(evaluation_id))
