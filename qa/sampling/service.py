"""Sampling and assignment: draw calls from the call history by policy, share them evenly
between evaluators, pick calls by hand, and show each evaluator what is due.

Determinism: for the same call history, policy, period and seed the same calls are drawn and
the same evaluators get them. Each (agent, period) has its own random stream derived from the
seed, so adding an agent does not change anyone else's sample. Calls that already have an
assignment (not cancelled) or a regular evaluation are never drawn again.

Assignment: with n calls and k evaluators, everyone gets n // k; the n % k left over go to
evaluators chosen at random; which call goes to whom is shuffled too.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.history.models import Call
from core.db import get_by_id
from qa.audit.service import record, utcnow
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import EvaluationStatus, Kind
from qa.evaluations.service import start_evaluation
from qa.sampling.models import Assignment, SamplingRun
from qa.sampling.schemas import (
    Drawn,
    NotEvaluatorError,
    SampleResult,
    SamplingError,
    SamplingPolicy,
    WorkItem,
    WorkStatus,
    check_policy,
)
from qa.scorecards.schemas import ScorecardError
from qa.scorecards.service import get_current


def local_to_utc(day: date, tz: str) -> datetime:
    """Local midnight of ``day`` in ``tz`` as naive UTC (how the history stores times)."""
    local = datetime.combine(day, time(), tzinfo=ZoneInfo(tz))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def local_date(moment: datetime, tz: str) -> date:
    """The local date in ``tz`` of a naive UTC time."""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz)).date()


def candidate_calls(
    *, db_session: Session, policy: SamplingPolicy, start: date, end: date, tz: str = "UTC"
) -> list[Call]:
    """Calls that qualify under ``policy`` and entered a queue on local days ``[start, end)``,
    handled by an agent, not yet assigned or evaluated; ordered by agent, time and id."""
    taken = select(Assignment.call_pk).where(Assignment.cancelled_at.is_(None))
    evaluated = select(Evaluation.call_pk).where(Evaluation.kind == Kind.REGULAR.value)
    query = select(Call).where(
        Call.enqueued_at >= local_to_utc(start, tz),
        Call.enqueued_at < local_to_utc(end, tz),
        Call.agent != "",
        Call.outcome.in_(policy.outcomes),
        Call.id.not_in(taken),
        Call.id.not_in(evaluated),
    )
    if policy.min_talk > 0:
        query = query.where(Call.talk >= policy.min_talk)
    if policy.max_talk is not None:
        query = query.where(Call.talk <= policy.max_talk)
    if policy.queues:
        query = query.where(Call.queue.in_(policy.queues))
    if policy.agents:
        query = query.where(Call.agent.in_(policy.agents))
    return list(db_session.scalars(query.order_by(Call.agent, Call.enqueued_at, Call.id)))


def _pick(calls: list[Call], n: int, spread: bool, rng: random.Random) -> list[Call]:
    if len(calls) <= n:
        return calls
    if spread:
        size = len(calls)
        return [rng.choice(calls[i * size // n : (i + 1) * size // n]) for i in range(n)]
    chosen = set(rng.sample(range(len(calls)), n))
    return [c for i, c in enumerate(calls) if i in chosen]


def draw(
    calls: Sequence[Call], *, policy: SamplingPolicy, seed: int, tz: str = "UTC"
) -> tuple[list[tuple[Call, date]], list[tuple[str, date, int]]]:
    """Draw up to ``policy.per_agent`` calls per agent per period from ``calls``.

    Returns:
        The drawn calls with their period's first day, and the (agent, period, calls found)
        that had fewer than ``per_agent`` qualifying calls.
    """
    groups: dict[tuple[str, date], list[Call]] = defaultdict(list)
    for call in sorted(calls, key=lambda c: (c.agent, c.enqueued_at, c.id)):
        period = policy.period.start_of(local_date(call.enqueued_at, tz))
        groups[(call.agent, period)].append(call)
    drawn: list[tuple[Call, date]] = []
    short: list[tuple[str, date, int]] = []
    for (agent, period), members in sorted(groups.items()):
        rng = random.Random(f"{seed}:{agent}:{period.isoformat()}")  # noqa: S311 - reproducible
        drawn.extend((c, period) for c in _pick(members, policy.per_agent, policy.spread, rng))
        if len(members) < policy.per_agent:
            short.append((agent, period, len(members)))
    return drawn, short


def deal(count: int, evaluators: Sequence[str], *, seed: int) -> list[str]:
    """The evaluator of each of ``count`` items: everyone gets ``count // k``, the remainder
    goes to evaluators chosen at random, and the order is shuffled."""
    if not evaluators:
        raise SamplingError("no evaluators to assign to")
    rng = random.Random(f"{seed}:assign")  # noqa: S311 - reproducible, not secret
    base, extra = divmod(count, len(evaluators))
    lucky = set(rng.sample(list(evaluators), extra))
    owners = [e for e in evaluators for _ in range(base + (1 if e in lucky else 0))]
    rng.shuffle(owners)
    return owners


def check_evaluators(evaluators: Iterable[str], staff: Collection[str]) -> None:
    """Refuse anyone who may not evaluate: ``staff`` names the active users with a QA role
    (accounts live in the web shell, which ``qa`` does not import, so callers pass them).

    Raises:
        NotEvaluatorError: Names every evaluator who is not in ``staff``.
    """
    strangers = [e for e in evaluators if e not in staff]
    if strangers:
        raise NotEvaluatorError(strangers)


def run_sampling(
    *,
    db_session: Session,
    policy: SamplingPolicy,
    start: date,
    end: date,
    seed: int,
    actor: str,
    tz: str = "UTC",
    dry_run: bool = False,
    staff: Collection[str] | None = None,
) -> SampleResult:
    """Draw a sample for local days ``[start, end)`` and assign it.

    Args:
        db_session: The session.
        policy: What to draw and who evaluates.
        start: First day of the period (local).
        end: Day after the last (local).
        seed: The random seed (same seed, same history → same sample).
        actor: Who runs it (audit log).
        tz: The center's time zone.
        dry_run: Compute the sample without storing anything.
        staff: Who may evaluate (:func:`check_evaluators`); None skips the check (the
            command line, run by an operator).

    Raises:
        SamplingError: Invalid policy, empty period, unusable scorecard, or an evaluator
            who is not in ``staff``.
    """
    check_policy(policy)
    if staff is not None:
        check_evaluators(policy.evaluators, staff)
    if end <= start:
        raise SamplingError(f"the period {start} to {end} is empty")
    try:
        get_current(db_session=db_session, key=policy.scorecard)
    except ScorecardError as exc:
        raise SamplingError(str(exc)) from exc
    calls = candidate_calls(db_session=db_session, policy=policy, start=start, end=end, tz=tz)
    picked, short = draw(calls, policy=policy, seed=seed, tz=tz)
    owners = deal(len(picked), policy.evaluators, seed=seed)
    drawn = tuple(
        Drawn(c.id, c.call_id, c.agent, c.queue, c.enqueued_at, period, owner)
        for (c, period), owner in zip(picked, owners, strict=True)
    )
    counts = {e: sum(1 for d in drawn if d.evaluator == e) for e in policy.evaluators}
    run_id = None
    if not dry_run:
        run_id = _store(db_session, policy, start, end, seed, actor, drawn)
    return SampleResult(run_id, drawn, counts, tuple(short))


def _store(
    db_session: Session, policy: SamplingPolicy, start: date, end: date, seed: int, actor: str,
    drawn: Sequence[Drawn],
) -> int:  # fmt: skip
    now = utcnow()
    run = SamplingRun(
        name=policy.name, policy=policy.to_dict(), seed=seed, period_start=start,
        period_end=end, assigned=len(drawn), created_by=actor, created_at=now,
    )  # fmt: skip
    due = end + timedelta(days=policy.due_days)
    run.assignments = [
        Assignment(
            call_pk=d.call_pk, agent_id=d.agent_id, evaluator=d.evaluator,
            scorecard_key=policy.scorecard, due_on=due, created_by=actor, created_at=now,
        )
        for d in drawn
    ]  # fmt: skip
    db_session.add(run)
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action="qa.sample", entity="sampling_run",
        entity_id=str(run.id),
        details={"policy": policy.to_dict(), "seed": seed, "start": start, "end": end,
                 "assigned": len(drawn)},
    )  # fmt: skip
    return run.id


def pick_call(
    *,
    db_session: Session,
    call_pk: int,
    evaluator: str,
    actor: str,
    staff: Collection[str],
    scorecard_key: str = "default",
    due_on: date | None = None,
) -> Assignment:
    """Assign one call by hand (a supervisor may pick any call handled by an agent).

    Args:
        staff: Who may evaluate (:func:`check_evaluators`): the evaluator must be one.

    Raises:
        SamplingError: No such call, no agent, already assigned to that evaluator, or the
            evaluator is not in ``staff``.
    """
    check_evaluators([evaluator], staff)
    call = get_by_id(db_session, Call, call_pk)
    if call is None or not call.agent:
        raise SamplingError(f"call {call_pk} does not exist or was not handled by an agent")
    existing = db_session.scalars(
        select(Assignment).where(
            Assignment.call_pk == call_pk, Assignment.evaluator == evaluator,
            Assignment.cancelled_at.is_(None),
        )
    ).first()  # fmt: skip
    if existing is not None:
        raise SamplingError(f"call {call.call_id} is already assigned to {evaluator}")
    assignment = Assignment(
        call_pk=call.id, agent_id=call.agent, evaluator=evaluator, scorecard_key=scorecard_key,
        due_on=due_on, created_by=actor, created_at=utcnow(),
    )  # fmt: skip
    db_session.add(assignment)
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action="qa.assign", entity="assignment",
        entity_id=str(assignment.id),
        details={"call_id": call.call_id, "evaluator": evaluator, "scorecard": scorecard_key},
    )  # fmt: skip
    return assignment


def cancel_assignment(*, db_session: Session, assignment_id: int, actor: str) -> Assignment:
    """Take an assignment off the work queue (its call may then be drawn again).

    Raises:
        SamplingError: No such assignment, or it is already cancelled or done.
    """
    assignment = get_by_id(db_session, Assignment, assignment_id)
    if assignment is None or assignment.cancelled_at is not None:
        raise SamplingError(f"there is no open assignment {assignment_id}")
    if _evaluation_of(db_session, assignment.id) is not None:
        raise SamplingError(f"assignment {assignment_id} has an evaluation: discard it first")
    assignment.cancelled_at, assignment.cancelled_by = utcnow(), actor
    db_session.flush()
    record(
        db_session=db_session, actor=actor, action="qa.unassign", entity="assignment",
        entity_id=str(assignment.id),
    )  # fmt: skip
    return assignment


def _evaluation_of(db_session: Session, assignment_id: int) -> Evaluation | None:
    query = select(Evaluation).where(Evaluation.assignment_id == assignment_id)
    return db_session.scalars(query).first()


def start_assignment(*, db_session: Session, assignment_id: int, actor: str) -> Evaluation:
    """Open (or reopen) the draft evaluation of an assignment; only its evaluator may.

    Raises:
        SamplingError: No open assignment, or it is someone else's.
    """
    assignment = get_by_id(db_session, Assignment, assignment_id)
    if assignment is None or assignment.cancelled_at is not None:
        raise SamplingError(f"there is no open assignment {assignment_id}")
    if actor != assignment.evaluator:
        raise SamplingError(f"assignment {assignment_id} is {assignment.evaluator}'s")
    existing = _evaluation_of(db_session, assignment.id)
    if existing is not None:
        return existing
    return start_evaluation(
        db_session=db_session, call_pk=assignment.call_pk, evaluator=actor,
        scorecard_key=assignment.scorecard_key, assignment_id=assignment.id,
    )  # fmt: skip


def work_queue(
    *,
    db_session: Session,
    evaluator: str | None = None,
    include_done: bool = False,
    today: date | None = None,
) -> list[WorkItem]:
    """What is due: open assignments with their progress, oldest due date first.

    Args:
        db_session: The session.
        evaluator: Only this evaluator's (None: everyone's, for supervisors).
        include_done: Also list assignments whose evaluation is submitted.
        today: The date ``overdue`` is judged against (UTC today by default).
    """
    query = (
        select(Assignment, Call, Evaluation)
        .join(Call, Call.id == Assignment.call_pk)
        .outerjoin(Evaluation, Evaluation.assignment_id == Assignment.id)
        .where(Assignment.cancelled_at.is_(None))
    )
    if evaluator is not None:
        query = query.where(Assignment.evaluator == evaluator)
    today = today or utcnow().date()
    items = []
    for assignment, call, evaluation in db_session.execute(query).all():
        status = WorkStatus.DUE if evaluation is None else WorkStatus.IN_PROGRESS
        if evaluation is not None and evaluation.status == EvaluationStatus.SUBMITTED:
            status = WorkStatus.DONE
        if status is WorkStatus.DONE and not include_done:
            continue
        overdue = (
            status is not WorkStatus.DONE
            and assignment.due_on is not None
            and assignment.due_on < today
        )
        items.append(
            WorkItem(
                assignment.id, call.id, call.call_id, call.queue, assignment.agent_id,
                call.enqueued_at, call.talk, assignment.scorecard_key, assignment.evaluator,
                assignment.due_on, status, overdue, evaluation.id if evaluation else None,
            )
        )  # fmt: skip
    return sorted(items, key=lambda w: (w.due_on or date.max, w.call_at, w.assignment_id))
