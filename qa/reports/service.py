"""QA reports over submitted regular evaluations (calibration work never counts).

Periods are local days ``[start, end)`` in the center's time zone and an evaluation belongs to
the period of its call. The QA average for the monthly awards is
:func:`qa_average_provider` (pass it to :func:`qa.awards.service.compute_month`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa.awards.schemas import QaAverageProvider
from qa.evaluations.models import Dispute, Evaluation
from qa.evaluations.schemas import DisputeStatus, EvaluationStatus, Kind
from qa.people.models import Agent
from qa.reports.schemas import EvaluatorRow, GroupBy, ItemFailureRow, QualityRow
from qa.sampling.models import Assignment
from qa.sampling.schemas import Period
from qa.sampling.service import local_date, local_to_utc
from qa.scorecards.models import Scorecard
from qa.scorecards.schemas import ScorecardSpec
from qa.scorecards.service import spec_of
from qa.scoring import score


def submitted_evaluations(
    *,
    db_session: Session,
    start: date,
    end: date,
    tz: str = "UTC",
    agent_ids: Sequence[str] | None = None,
    scorecard_key: str | None = None,
) -> list[Evaluation]:
    """Submitted regular evaluations of calls on local days ``[start, end)``, by call time."""
    query = (
        select(Evaluation)
        .where(
            Evaluation.kind == Kind.REGULAR.value,
            Evaluation.status == EvaluationStatus.SUBMITTED,
            Evaluation.call_at >= local_to_utc(start, tz),
            Evaluation.call_at < local_to_utc(end, tz),
        )
        .order_by(Evaluation.call_at, Evaluation.id)
    )
    if agent_ids is not None:
        query = query.where(Evaluation.agent_id.in_(list(agent_ids)))
    if scorecard_key is not None:
        query = query.join(Scorecard).where(Scorecard.key == scorecard_key)
    return list(db_session.scalars(query))


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def quality_averages(
    *, db_session: Session, start: date, end: date, agent_ids: Sequence[str], tz: str = "UTC"
) -> dict[str, Decimal]:
    """Each agent's mean evaluation score (percent, 2 decimals) for calls on local days
    ``[start, end)``; agents without a scored evaluation are left out."""
    scores: dict[str, list[float]] = defaultdict(list)
    for e in submitted_evaluations(
        db_session=db_session, start=start, end=end, tz=tz, agent_ids=agent_ids
    ):
        if e.score is not None:
            scores[e.agent_id].append(e.score)
    return {
        agent: Decimal(str(round(statistics.fmean(values), 2))).quantize(Decimal("0.01"))
        for agent, values in scores.items()
    }


def qa_average_provider(tz: str = "UTC") -> QaAverageProvider:
    """The awards' :class:`~qa.awards.schemas.QaAverageProvider` backed by evaluations.

    Args:
        tz: The center's time zone (``FLOORBOARD_TIMEZONE``), for month boundaries.
    """

    def qa_averages(
        *, db_session: Session, start: date, end: date, agent_ids: Sequence[str]
    ) -> Mapping[str, Decimal]:
        return quality_averages(
            db_session=db_session, start=start, end=end, agent_ids=agent_ids, tz=tz
        )

    return qa_averages


def _teams(db_session: Session) -> dict[str, str]:
    return {a.agent_id: a.team_name for a in db_session.scalars(select(Agent))}


def quality_scores(
    *,
    db_session: Session,
    start: date,
    end: date,
    by: GroupBy = GroupBy.AGENT,
    period: Period | None = None,
    tz: str = "UTC",
    scorecard_key: str | None = None,
) -> list[QualityRow]:
    """Quality score per agent, team, queue or the whole center, per period.

    Args:
        db_session: The session.
        start: First local day.
        end: Day after the last.
        by: The grouping (team: the agent's current team, ``-`` for none).
        period: Split by day, week or month (None: one row per group for the whole range).
        tz: The center's time zone.
        scorecard_key: Only evaluations on this scorecard.
    """
    teams = _teams(db_session) if by is GroupBy.TEAM else {}
    groups: dict[tuple[date | None, str], list[Evaluation]] = defaultdict(list)
    for e in submitted_evaluations(
        db_session=db_session, start=start, end=end, tz=tz, scorecard_key=scorecard_key
    ):
        key = {
            GroupBy.AGENT: e.agent_id, GroupBy.QUEUE: e.queue,
            GroupBy.TEAM: teams.get(e.agent_id) or "-", GroupBy.CENTER: "all",
        }[by]  # fmt: skip
        when = period.start_of(local_date(e.call_at, tz)) if period else None
        groups[(when, key)].append(e)
    rows = []
    for (when, key), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0] or start, kv[0][1])
    ):
        scored = [m for m in members if m.score is not None]
        rows.append(
            QualityRow(
                when, key, len(members), _mean([m.score for m in scored if m.score is not None]),
                _mean([m.raw_score for m in scored if m.raw_score is not None]),
                round(sum(1 for m in members if m.passed) / len(members), 4),
            )
        )  # fmt: skip
    return rows


def item_failure_rates(
    *,
    db_session: Session,
    start: date,
    end: date,
    tz: str = "UTC",
    scorecard_key: str | None = None,
    agent_ids: Sequence[str] | None = None,
) -> list[ItemFailureRow]:
    """Failure rate of every item answered in the period, most broken first. Items are matched
    across scorecard versions by scorecard key and item ref (text from the newest version)."""
    specs: dict[int, ScorecardSpec] = {}
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    latest: dict[tuple[str, str], tuple[int, ScorecardSpec]] = {}
    for e in submitted_evaluations(
        db_session=db_session, start=start, end=end, tz=tz, agent_ids=agent_ids,
        scorecard_key=scorecard_key,
    ):  # fmt: skip
        spec = specs.setdefault(e.scorecard_id, spec_of(e.scorecard))
        for result in score(spec, {a.item_ref: a.value for a in e.answers}).items:
            key = (spec.key, result.ref)
            tally = counts[key]
            tally[0] += int(result.applicable)
            tally[1] += int(result.failed)
            tally[2] += int(result.value == "na")
            if key not in latest or latest[key][0] < e.scorecard.version:
                latest[key] = (e.scorecard.version, spec)
    rows = []
    for (card, ref), (applicable, failed, na) in counts.items():
        item = latest[(card, ref)][1].item(ref)
        rate = round(failed / applicable, 4) if applicable else None
        rows.append(
            ItemFailureRow(card, ref, item.text, item.text_zh, item.category.value, applicable,
                           failed, na, rate)
        )  # fmt: skip
    return sorted(rows, key=lambda r: (-(r.failure_rate or 0.0), -r.failed, r.scorecard_key,
                                       r.item_ref))  # fmt: skip


def evaluator_workload(
    *, db_session: Session, start: date, end: date, tz: str = "UTC", today: date | None = None
) -> list[EvaluatorRow]:
    """Per evaluator: submissions in local days ``[start, end)`` (by submission time) with
    their mean score, current drafts and open assignments, disputes raised in the period.

    Args:
        db_session: The session.
        start: First local day.
        end: Day after the last.
        tz: The center's time zone.
        today: What ``overdue`` is judged against (the period's last day by default).
    """
    low, high = local_to_utc(start, tz), local_to_utc(end, tz)
    regular = select(Evaluation).where(Evaluation.kind == Kind.REGULAR.value)
    evaluations = list(db_session.scalars(regular))
    submitted: dict[str, list[Evaluation]] = defaultdict(list)
    drafts: dict[str, int] = defaultdict(int)
    for e in evaluations:
        if e.status == EvaluationStatus.DRAFT:
            drafts[e.evaluator] += 1
        elif e.submitted_at is not None and low <= e.submitted_at < high:
            submitted[e.evaluator].append(e)
    done = {
        e.assignment_id
        for e in evaluations
        if e.status == EvaluationStatus.SUBMITTED and e.assignment_id
    }
    open_by: dict[str, list[Assignment]] = defaultdict(list)
    for a in db_session.scalars(select(Assignment).where(Assignment.cancelled_at.is_(None))):
        if a.id not in done:
            open_by[a.evaluator].append(a)
    disputes: dict[str, list[Dispute]] = defaultdict(list)
    for d in db_session.scalars(
        select(Dispute).where(Dispute.raised_at >= low, Dispute.raised_at < high)
    ):
        disputes[d.evaluation.evaluator].append(d)
    cutoff = today or date.fromordinal(end.toordinal() - 1)
    names = sorted(set(submitted) | set(drafts) | set(open_by) | set(disputes))
    return [
        EvaluatorRow(
            name, len(submitted[name]),
            _mean([e.score for e in submitted[name] if e.score is not None]), drafts[name],
            len(open_by[name]), sum(1 for a in open_by[name] if a.due_on and a.due_on < cutoff),
            len(disputes[name]),
            sum(1 for d in disputes[name] if DisputeStatus(d.status).upheld),
        )
        for name in names
    ]  # fmt: skip
