"""Managers' decisions on a month that is not yet published: resolving a tie and overriding a
coefficient, each with a written reason. Both re-apply the stored policy to the stored inputs,
so nothing else in the month moves; a reviewed month goes back to draft."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from qa.audit.service import utcnow
from qa.awards.engine import number
from qa.awards.models import AwardMonth, CoefficientOverrideRow, TieDecisionRow
from qa.awards.schemas import Month
from qa.awards.service import AwardsError, audit_month, open_revision, reevaluate, reopen
from qa.limits import Field, check_length

MAX_COEFFICIENT = Decimal("999.999")  # NUMERIC(6, 3)


def _tied(row: AwardMonth, star: str) -> list[str]:
    stars: dict[str, Any] = row.result["stars"]
    if star not in stars:
        raise AwardsError(f"unknown star {star!r}: one of {', '.join(stars)}")
    tied: list[str] = stars[star].get("tied") or []
    if not tied:
        status = stars[star]["status"]
        raise AwardsError(f"{row.month}: the {star} star has no tie to resolve ({status})")
    return tied


def resolve_tie(
    *, db_session: Session, month: Month, star: str, agent_id: str, reason: str, actor: str
) -> AwardMonth:
    """Pick the winner of a tied star among the tied candidates, with a written reason (a new
    pick replaces an earlier one).

    Args:
        db_session: The session (the caller commits).
        month: The month.
        star: The star key (e.g. ``service``).
        agent_id: The winner picked.
        reason: Why (required).
        actor: The manager (audit log).

    Raises:
        AwardsError: Published month, unknown star, no tie on that star, the agent is not one
            of the tied candidates, or no reason.
    """
    row = open_revision(db_session=db_session, month=month)
    tied = _tied(row, star)
    if agent_id not in tied:
        raise AwardsError(f"{agent_id} is not among the tied candidates {', '.join(tied)}")
    if not reason.strip():
        raise AwardsError("a tie decision needs a written reason")
    check_length(reason.strip(), Field.AWARDS_REASON, error=AwardsError)
    previous = next((d for d in row.decisions if d.star == star), None)
    if previous is not None:
        row.decisions.remove(previous)
        db_session.flush()
    decision = TieDecisionRow(
        star=star, agent_id=agent_id, reason=reason.strip(), decided_by=actor, decided_at=utcnow()
    )
    row.decisions.append(decision)
    reopened = reopen(row=row)
    reevaluate(row=row)
    db_session.flush()
    details = {
        "star": star,
        "agent_id": agent_id,
        "reason": decision.reason,
        "tied": tied,
        "previous": previous.agent_id if previous else None,
        "reopened": reopened,
    }
    audit_month(
        db_session=db_session, row=row, actor=actor, action="awards.resolve_tie", details=details
    )
    return row


def _check_coefficient(value: Decimal) -> None:
    exact = value.is_finite() and value == value.quantize(Decimal("0.001"))
    if not exact or not Decimal(0) <= value <= MAX_COEFFICIENT:
        raise AwardsError(
            f"coefficient {value} must be between 0 and {MAX_COEFFICIENT} with at most 3 decimals"
        )


def override_coefficient(
    *,
    db_session: Session,
    month: Month,
    agent_id: str,
    coefficient: Decimal | None,
    reason: str,
    actor: str,
) -> AwardMonth:
    """Set an agent's final coefficient, replacing the computed one, with a written reason.
    Only hr and admin may do this (the caller checks the role).

    Args:
        db_session: The session (the caller commits).
        month: The month.
        agent_id: The agent.
        coefficient: The final coefficient; None removes an earlier override.
        reason: Why (required).
        actor: The manager (audit log).

    Raises:
        AwardsError: Published month, agent not in the month, bad value, or no reason.
    """
    row = open_revision(db_session=db_session, month=month)
    if agent_id not in {a["agent_id"] for a in row.result["agents"]}:
        raise AwardsError(f"{agent_id} is not in the {month} results")
    if not reason.strip():
        raise AwardsError("a coefficient override needs a written reason")
    check_length(reason.strip(), Field.AWARDS_REASON, error=AwardsError)
    if coefficient is not None:
        _check_coefficient(coefficient)
    previous = next((o for o in row.overrides if o.agent_id == agent_id), None)
    if previous is not None:
        row.overrides.remove(previous)
        db_session.flush()
    if coefficient is not None:
        row.overrides.append(
            CoefficientOverrideRow(
                agent_id=agent_id, coefficient=coefficient, reason=reason.strip(),
                decided_by=actor, decided_at=utcnow(),
            )
        )  # fmt: skip
    reopened = reopen(row=row)
    reevaluate(row=row)
    db_session.flush()
    details = {
        "agent_id": agent_id,
        "coefficient": None if coefficient is None else number(coefficient),
        "previous": number(previous.coefficient) if previous else None,
        "reason": reason.strip(),
        "reopened": reopened,
    }
    audit_month(
        db_session=db_session, row=row, actor=actor, action="awards.override", details=details
    )
    return row
