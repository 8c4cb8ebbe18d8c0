"""What the rules need from the database for one month: agents, ledger totals, answered calls
and QA averages (:class:`qa.awards.schemas.MonthInputs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectors.history.models import Call
from qa.awards.schemas import (
    AgentFacts,
    AnsweredCallsProvider,
    Month,
    MonthInputs,
    QaAverageProvider,
)
from qa.ledger.schemas import LedgerTotals
from qa.ledger.service import monthly_totals
from qa.people.models import Agent
from qa.people.service import list_agents

ANSWERED_OUTCOMES = ("answered", "transferred")


def no_qa_averages(
    *, db_session: Session, start: date, end: date, agent_ids: Sequence[str]
) -> Mapping[str, Decimal]:
    """A QA average provider for which nobody has evaluations, so the QA tie-break is skipped
    (policy ``missing: skip``): the service's default, for the engine's own tests and tools;
    the pages, the CLI and the demo use the QA console's (:func:`qa.awards.month.providers`)."""
    return {}


def _utc(day: date, tz: str) -> datetime:
    local = datetime.combine(day, time(), tzinfo=ZoneInfo(tz))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def history_calls(tz: str = "UTC") -> AnsweredCallsProvider:
    """An :class:`AnsweredCallsProvider` counting the call history table.

    A call counts for its agent when its outcome is answered or transferred and it ended in the
    period, whose days are local days in ``tz`` (the history stores naive UTC).

    Args:
        tz: The center's time zone (``FLOORBOARD_TIMEZONE``).
    """

    def answered_calls(
        *, db_session: Session, start: date, end: date, agent_ids: Sequence[str]
    ) -> Mapping[str, int]:
        query = (
            select(Call.agent, func.count())
            .where(
                Call.outcome.in_(ANSWERED_OUTCOMES),
                Call.ended_at >= _utc(start, tz),
                Call.ended_at < _utc(end, tz),
                Call.agent.in_(list(agent_ids)),
            )
            .group_by(Call.agent)
        )
        return {agent: int(count) for agent, count in db_session.execute(query).all()}

    return answered_calls


def _facts(
    agent: Agent, totals: LedgerTotals, qa: Decimal | float | None, calls: int
) -> AgentFacts:
    return AgentFacts(
        agent_id=agent.agent_id,
        name=agent.name,
        team=agent.team_name,
        employment=agent.employment,
        active=agent.active,
        deductions=dict(totals.deductions),
        bonuses=dict(totals.bonuses),
        entries=dict(totals.entries),
        qa_average=None if qa is None else Decimal(str(qa)),
        answered_calls=calls,
    )


def gather_inputs(
    *,
    db_session: Session,
    month: Month,
    qa_averages: QaAverageProvider = no_qa_averages,
    answered_calls: AnsweredCallsProvider | None = None,
    tz: str = "UTC",
) -> MonthInputs:
    """Collect the month's inputs: every active agent, plus inactive agents with ledger entries
    dated in the month.

    Args:
        db_session: The session.
        month: The month.
        qa_averages: Average QA score per agent (the QA console plugs in here).
        answered_calls: Answered calls per agent; the call history by default.
        tz: The center's time zone, for the default answered-calls count.
    """
    totals = monthly_totals(db_session=db_session, start=month.start, end=month.end)
    agents = [a for a in list_agents(db_session=db_session) if a.active or a.agent_id in totals]
    ids = [a.agent_id for a in agents]
    count = answered_calls or history_calls(tz)
    calls = count(db_session=db_session, start=month.start, end=month.end, agent_ids=ids)
    qa = qa_averages(db_session=db_session, start=month.start, end=month.end, agent_ids=ids)
    facts = tuple(
        _facts(a, totals.get(a.agent_id) or LedgerTotals(a.agent_id), qa.get(a.agent_id),
               int(calls.get(a.agent_id, 0)))
        for a in agents
    )  # fmt: skip
    return MonthInputs(month, facts)
