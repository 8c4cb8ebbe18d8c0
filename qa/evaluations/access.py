"""Who may see and do what with evaluations: pure functions the web layer calls on every page,
callback and URL (roles and role sets from :mod:`core.roles`).

- supervisor, qa, admin: see every regular evaluation (drafts included); evaluate calls.
- hr: sees submitted regular evaluations (scores feed the monthly awards), never drafts,
  calibration work or recordings.
- agent: sees only submitted regular evaluations of their own calls (their account's
  ``agent_id``); acknowledges and disputes them.
- display and anyone else: nothing.
- Calibration and benchmark evaluations are blind: only their evaluator sees them while the
  session is open; after it is closed, supervisors, qa and admins see them all.
- Only the evaluator edits a draft; supervisors and admins decide disputes.
"""

from __future__ import annotations

from typing import Protocol

from core.roles import QA_DECIDERS, QA_STAFF, Role
from qa.evaluations.schemas import EvaluationStatus, Kind


class EvaluationLike(Protocol):
    """What the rules read from an evaluation (an ``Evaluation`` row or a view)."""

    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def agent_id(self) -> str: ...
    @property
    def evaluator(self) -> str: ...


def _own_agent(user_agent_id: str | None, evaluation: EvaluationLike) -> bool:
    return bool(user_agent_id) and user_agent_id == evaluation.agent_id


def can_view_evaluation(
    *,
    user_role: str | None,
    username: str,
    user_agent_id: str | None,
    evaluation: EvaluationLike,
    calibration_closed: bool = False,
) -> bool:
    """Whether this user may open this evaluation.

    Args:
        user_role: The user's role (``agent``, ``supervisor``, ``qa``, ``hr``, ``admin``...).
        username: The user's name (evaluators see their own calibration work).
        user_agent_id: The agent id linked to the user's account, if any.
        evaluation: The evaluation.
        calibration_closed: For calibration kinds, whether the session is closed.
    """
    if evaluation.kind != Kind.REGULAR:
        if username and username == evaluation.evaluator:
            return True
        return calibration_closed and user_role in QA_STAFF
    if user_role in QA_STAFF:
        return True
    if evaluation.status != EvaluationStatus.SUBMITTED:
        return False
    if user_role == Role.HR:
        return True
    return user_role == Role.AGENT and _own_agent(user_agent_id, evaluation)


def can_evaluate(user_role: str | None) -> bool:
    """Whether the role scores calls (work queue, evaluation form, calibration)."""
    return user_role in QA_STAFF


def can_edit_evaluation(*, username: str, evaluation: EvaluationLike) -> bool:
    """Only the evaluator edits, comments on, submits or discards a draft."""
    return (
        evaluation.status == EvaluationStatus.DRAFT
        and bool(username)
        and username == evaluation.evaluator
    )


def can_dispute(
    *, user_role: str | None, user_agent_id: str | None, evaluation: EvaluationLike
) -> bool:
    """Whether the user is the evaluated agent of a submitted regular evaluation (who may
    acknowledge and dispute it; the window is checked by the dispute service)."""
    return (
        user_role == Role.AGENT
        and evaluation.kind == Kind.REGULAR
        and evaluation.status == EvaluationStatus.SUBMITTED
        and _own_agent(user_agent_id, evaluation)
    )


def can_resolve_disputes(user_role: str | None) -> bool:
    """Whether the role decides disputes."""
    return user_role in QA_DECIDERS
