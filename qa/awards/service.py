"""The monthly workflow: compute a draft, resolve ties, override coefficients, review, publish,
and revise a published month. Every step is written to the audit log.

States of a revision: ``draft`` → ``reviewed`` → ``published``. A draft or reviewed revision is
recomputed in place (a change after review sends it back to draft); a published one is frozen
and a correction makes a new revision that keeps the old one and says why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa.audit.service import record, utcnow
from qa.awards.engine import evaluate
from qa.awards.inputs import gather_inputs, no_qa_averages
from qa.awards.models import AwardMonth, CoefficientOverrideRow, TieDecisionRow
from qa.awards.policy import Policy, load_policy, parse_policy
from qa.awards.report import month_view
from qa.awards.schemas import (
    AgentMonth,
    AnsweredCallsProvider,
    AwardStatus,
    CoefficientOverride,
    Month,
    MonthInputs,
    QaAverageProvider,
    TieDecision,
)
from qa.limits import Field, check_length


class AwardsError(ValueError):
    """A workflow step is not allowed in the month's current state; the message says why and
    what to do instead."""


def get_month(
    *, db_session: Session, month: Month, revision: int | None = None
) -> AwardMonth | None:
    """A revision of the month (the latest when ``revision`` is None), or None."""
    query = select(AwardMonth).where(AwardMonth.month == str(month))
    if revision is not None:
        return db_session.scalars(query.where(AwardMonth.revision == revision)).first()
    return db_session.scalars(query.order_by(AwardMonth.revision.desc()).limit(1)).first()


def get_published(*, db_session: Session, month: Month) -> AwardMonth | None:
    """The month's newest published revision (what the wall poster and payroll use), or None."""
    query = (
        select(AwardMonth)
        .where(AwardMonth.month == str(month), AwardMonth.status == AwardStatus.PUBLISHED)
        .order_by(AwardMonth.revision.desc())
    )
    return db_session.scalars(query.limit(1)).first()


def list_revisions(*, db_session: Session, month: Month) -> list[AwardMonth]:
    """Every revision of the month, oldest first."""
    query = select(AwardMonth).where(AwardMonth.month == str(month)).order_by(AwardMonth.revision)
    return list(db_session.scalars(query))


def list_months(*, db_session: Session) -> list[AwardMonth]:
    """The latest revision of every computed month, newest month first."""
    newest = (
        select(AwardMonth.month, func.max(AwardMonth.revision).label("revision"))
        .group_by(AwardMonth.month)
        .subquery()
    )
    query = select(AwardMonth).join(
        newest,
        (AwardMonth.month == newest.c.month) & (AwardMonth.revision == newest.c.revision),
    )
    return list(db_session.scalars(query.order_by(AwardMonth.month.desc())))


def agent_history(
    *, db_session: Session, agent_id: str, published_only: bool = True
) -> list[AgentMonth]:
    """An agent's figures month by month, newest first: ``month``, ``revision``, ``status`` and
    the agent's entry of that revision (``stars``, ``deductions``, ``coefficient``...).

    Args:
        db_session: The session.
        agent_id: The agent.
        published_only: Only published figures (the newest published revision of each month);
            otherwise the latest revision of each month, whatever its state.
    """
    if published_only:
        query = select(AwardMonth).where(AwardMonth.status == AwardStatus.PUBLISHED)
        rows: dict[str, AwardMonth] = {}
        for row in db_session.scalars(query.order_by(AwardMonth.revision.desc())):
            rows.setdefault(row.month, row)
        months = sorted(rows.values(), key=lambda r: r.month, reverse=True)
    else:
        months = list_months(db_session=db_session)
    history: list[AgentMonth] = []
    for row in months:
        entry = next((a for a in month_view(row)["agents"] if a["agent_id"] == agent_id), None)
        if entry is not None:
            status = AwardStatus(row.status)
            history.append(AgentMonth(month=row.month, revision=row.revision, status=status,
                                      **entry))  # fmt: skip
    return history


def stored_policy(row: AwardMonth) -> Policy:
    """The policy a revision was computed with."""
    return parse_policy(row.policy, origin=f"policy stored with {row.month} r{row.revision}")


def reevaluate(*, row: AwardMonth) -> None:
    """Re-apply the revision's stored policy to its stored inputs with its current decisions
    and overrides (nothing is read from the ledger)."""
    decisions = {
        d.star: TieDecision(d.star, d.agent_id, d.reason, d.decided_by) for d in row.decisions
    }
    overrides = {
        o.agent_id: CoefficientOverride(o.agent_id, o.coefficient, o.reason, o.decided_by)
        for o in row.overrides
    }
    inputs = MonthInputs.from_dict(row.inputs)
    outcome = evaluate(
        inputs=inputs, policy=stored_policy(row), decisions=decisions, overrides=overrides
    )
    row.result = outcome.to_dict()


def _set_policy(row: AwardMonth, policy: Policy) -> None:
    row.policy, row.policy_digest = policy.to_dict(), policy.digest
    row.policy_name, row.policy_version = policy.name, policy.version


def _carry_over(row: AwardMonth, previous: AwardMonth) -> None:
    # Managers' decisions carry over to a new revision; the engine ignores one that no longer
    # fits (e.g. the tie it resolved is gone) and says so.
    now = utcnow()
    row.decisions = [
        TieDecisionRow(
            star=d.star, agent_id=d.agent_id, reason=d.reason, decided_by=d.decided_by,
            decided_at=now,
        )
        for d in previous.decisions
    ]  # fmt: skip
    row.overrides = [
        CoefficientOverrideRow(
            agent_id=o.agent_id, coefficient=o.coefficient, reason=o.reason,
            decided_by=o.decided_by, decided_at=now,
        )
        for o in previous.overrides
    ]  # fmt: skip


def _new_revision(
    db_session: Session, month: Month, previous: AwardMonth | None, reason: str, actor: str
) -> AwardMonth:
    row = AwardMonth(
        month=str(month),
        revision=previous.revision + 1 if previous else 1,
        status=AwardStatus.DRAFT,
        reason=reason,
        supersedes=previous,
        computed_at=utcnow(),
        computed_by=actor,
    )
    if previous is not None:
        _carry_over(row, previous)
    db_session.add(row)
    return row


def reopen(*, row: AwardMonth) -> bool:
    """Send a changed revision back to draft; True when it had been reviewed."""
    was_reviewed = row.status == AwardStatus.REVIEWED
    row.status, row.reviewed_at, row.reviewed_by = AwardStatus.DRAFT, None, None
    return was_reviewed


def compute_month(
    *,
    db_session: Session,
    month: Month,
    actor: str,
    policy: Policy | None = None,
    reason: str | None = None,
    qa_averages: QaAverageProvider = no_qa_averages,
    answered_calls: AnsweredCallsProvider | None = None,
    tz: str = "UTC",
) -> AwardMonth:
    """Compute the month from the current ledger, call history and QA scores.

    A new month becomes revision 1 (draft). A draft or reviewed revision is recomputed in place
    (back to draft). A published month needs ``reason`` and gets a new draft revision.

    Args:
        db_session: The session (the caller commits).
        month: The month.
        actor: Who computes (audit log).
        policy: The rules; by default the policy stored with the month, or the default policy
            for a month never computed (so old months keep their policy).
        reason: Why a published month is recomputed (required then).
        qa_averages: Average QA score per agent (the pages and the CLI pass the QA console's,
            :func:`qa.awards.month.providers`).
        answered_calls: Answered calls per agent; the call history by default.
        tz: The center's time zone (month boundaries for the call history).

    Raises:
        AwardsError: The month is published and no reason was given.
    """
    # Inputs first: creating the revision row before these queries would autoflush it half-made.
    inputs = gather_inputs(
        db_session=db_session,
        month=month,
        qa_averages=qa_averages,
        answered_calls=answered_calls,
        tz=tz,
    )
    check_length((reason or "").strip(), Field.AWARDS_REASON, error=AwardsError)
    row = get_month(db_session=db_session, month=month)
    reopened = False
    if row is None or row.status == AwardStatus.PUBLISHED:
        if row is not None and not (reason or "").strip():
            raise AwardsError(
                f"{month} revision {row.revision} is published and frozen; "
                "give a reason to compute a corrected revision"
            )
        policy = policy or (stored_policy(row) if row else load_policy())
        row = _new_revision(db_session, month, row, (reason or "").strip(), actor)
    else:
        policy = policy or stored_policy(row)
        reopened = reopen(row=row)
        row.computed_at, row.computed_by = utcnow(), actor
        if reason:
            row.reason = reason.strip()
    row.inputs = inputs.to_dict()
    _set_policy(row, policy)
    reevaluate(row=row)
    db_session.flush()
    details = {"reopened": reopened, "policy_version": policy.version, "reason": row.reason}
    audit_month(
        db_session=db_session, row=row, actor=actor, action="awards.compute", details=details
    )
    return row


def revise_month(
    *,
    db_session: Session,
    month: Month,
    reason: str,
    actor: str,
    policy: Policy | None = None,
    qa_averages: QaAverageProvider = no_qa_averages,
    answered_calls: AnsweredCallsProvider | None = None,
    tz: str = "UTC",
) -> AwardMonth:
    """Start a corrected revision of a published month (see :func:`compute_month`).

    Raises:
        AwardsError: The month is not published, or no reason was given.
    """
    row = get_month(db_session=db_session, month=month)
    if row is None or row.status != AwardStatus.PUBLISHED:
        state = "not computed" if row is None else f"revision {row.revision} is a {row.status}"
        raise AwardsError(f"{month} is {state}: only a published month is revised; use compute")
    if not reason.strip():
        raise AwardsError("a revision needs a reason")
    return compute_month(
        db_session=db_session,
        month=month,
        actor=actor,
        policy=policy,
        reason=reason,
        qa_averages=qa_averages,
        answered_calls=answered_calls,
        tz=tz,
    )


def open_revision(*, db_session: Session, month: Month) -> AwardMonth:
    """The month's latest revision, which must not be published (it is about to change).

    Raises:
        AwardsError: Not computed, or published.
    """
    row = get_month(db_session=db_session, month=month)
    if row is None:
        raise AwardsError(f"{month} has not been computed yet")
    if row.status == AwardStatus.PUBLISHED:
        raise AwardsError(
            f"{month} revision {row.revision} is published and frozen; revise it first"
        )
    return row


def review_month(*, db_session: Session, month: Month, actor: str) -> AwardMonth:
    """Mark the month's draft as reviewed.

    Raises:
        AwardsError: Not computed, or not a draft.
    """
    row = open_revision(db_session=db_session, month=month)
    if row.status != AwardStatus.DRAFT:
        raise AwardsError(f"{month} revision {row.revision} is already {row.status}")
    row.status, row.reviewed_at, row.reviewed_by = AwardStatus.REVIEWED, utcnow(), actor
    db_session.flush()
    audit_month(db_session=db_session, row=row, actor=actor, action="awards.review", details={})
    return row


def publish_month(*, db_session: Session, month: Month, actor: str) -> AwardMonth:
    """Publish (freeze) the reviewed revision. Only hr and admin may (checked by the caller).

    Raises:
        AwardsError: Not reviewed yet, or a star still waits for a manager's decision.
    """
    row = open_revision(db_session=db_session, month=month)
    if row.status != AwardStatus.REVIEWED:
        raise AwardsError(f"{month} revision {row.revision} is a {row.status}: review it first")
    waiting = row.result.get("needs_decision") or []
    if waiting:
        raise AwardsError(f"{month}: star(s) {', '.join(waiting)} need a manager's decision first")
    row.status, row.published_at, row.published_by = AwardStatus.PUBLISHED, utcnow(), actor
    db_session.flush()
    audit_month(db_session=db_session, row=row, actor=actor, action="awards.publish", details={})
    return row


def audit_month(
    *, db_session: Session, row: AwardMonth, actor: str, action: str, details: dict[str, Any]
) -> None:
    """Write an audit entry for a step on a month, with the winners after the step."""
    stars = row.result.get("stars", {})
    winners = {k: v.get("winner") for k, v in stars.items()}
    record(
        db_session=db_session,
        actor=actor,
        action=action,
        entity="award_month",
        entity_id=row.month,
        details={"revision": row.revision, "status": row.status, "winners": winners, **details},
    )
