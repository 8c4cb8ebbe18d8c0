"""Agents and teams: look-up, listing, upsert and CSV import (all or nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa.audit.service import record, utcnow
from qa.csvio import CsvImportError, RowError, read_rows
from qa.people.models import Agent, Team
from qa.people.schemas import AgentImportReport, AgentIn, AgentOut, Employment, PeopleError

AGENT_COLUMNS = ("agent_id", "name", "team", "employment")


def _length(column: Any) -> int:
    length: int = column.property.columns[0].type.length
    return length


# The columns' own lengths: SQLite would store a longer value and PostgreSQL refuse it with a
# DataError; both are told the same thing first.
MAX_LENGTHS = {"agent_id": _length(Agent.agent_id), "name": _length(Agent.name),
               "team": _length(Team.name)}  # fmt: skip


def get_agent(*, db_session: Session, agent_id: str) -> Agent | None:
    """The agent with this telephony agent code, or None."""
    return db_session.scalars(select(Agent).where(Agent.agent_id == agent_id)).first()


def list_agents(
    *,
    db_session: Session,
    team: str | None = None,
    employment: Employment | None = None,
    active_only: bool = False,
) -> list[Agent]:
    """Agents ordered by agent id.

    Args:
        db_session: The session.
        team: Only agents of the team with this name.
        employment: Only agents with this employment status.
        active_only: Leave out agents marked inactive (left the center).
    """
    query = select(Agent).order_by(Agent.agent_id)
    if team is not None:
        query = query.join(Team).where(Team.name == team)
    if employment is not None:
        query = query.where(Agent.employment == employment.value)
    if active_only:
        query = query.where(Agent.active.is_(True))
    return list(db_session.scalars(query))


def agent_out(agent: Agent) -> AgentOut:
    """The public view of an agent."""
    return AgentOut(agent.agent_id, agent.name, agent.team_name, agent.employment, agent.active)


def get_or_create_team(*, db_session: Session, name: str) -> Team:
    """The team with this name, created if new."""
    team = db_session.scalars(select(Team).where(Team.name == name)).first()
    if team is None:
        team = Team(name=name, created_at=utcnow())
        db_session.add(team)
        db_session.flush()
    return team


def upsert_agent(*, db_session: Session, data: AgentIn, actor: str) -> tuple[Agent, str]:
    """Create the agent or update its name, team, employment and active flag.

    Args:
        db_session: The session.
        data: The agent's values.
        actor: Who made the change (audit log).

    Returns:
        The agent and what happened: ``created``, ``updated`` or ``unchanged``.

    Raises:
        PeopleError: A value does not fit its column (see :func:`length_problems`).
    """
    problems = length_problems({"agent_id": data.agent_id, "name": data.name, "team": data.team})
    if problems:
        raise PeopleError(f"agent {data.agent_id[:64]!r}: {'; '.join(problems)}")
    team = get_or_create_team(db_session=db_session, name=data.team) if data.team else None
    agent = get_agent(db_session=db_session, agent_id=data.agent_id)
    values = {
        "name": data.name,
        "team": team.name if team else "",
        "employment": data.employment.value,
        "active": data.active,
    }
    if agent is None:
        now = utcnow()
        agent = Agent(agent_id=data.agent_id, created_at=now, updated_at=now, team=team)
        agent.name, agent.employment, agent.active = data.name, data.employment.value, data.active
        db_session.add(agent)
        change, before = "created", None
    else:
        before = {k: v for k, v in _values(agent).items() if values[k] != v}
        if not before:
            return agent, "unchanged"
        agent.name, agent.employment, agent.active = data.name, data.employment.value, data.active
        agent.team, agent.updated_at = team, utcnow()
        change = "updated"
    db_session.flush()
    details = {"values": values} if before is None else {"before": before, "values": values}
    record(
        db_session=db_session,
        actor=actor,
        action="agent.create" if change == "created" else "agent.update",
        entity="agent",
        entity_id=data.agent_id,
        details=details,
    )
    return agent, change


def _values(agent: Agent) -> dict[str, object]:
    return {
        "name": agent.name,
        "team": agent.team_name,
        "employment": agent.employment,
        "active": agent.active,
    }


def parse_agents_csv(path: Path) -> list[AgentIn]:
    """Read an agents file (columns ``agent_id,name,team,employment``).

    Raises:
        CsvImportError: Every bad row, each naming the file and line.
    """
    agents: list[AgentIn] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row in read_rows(path, required=AGENT_COLUMNS):
        problems = [row.error] if row.error else agent_problems(row.values)
        agent_id = row.values.get("agent_id", "")
        if agent_id in seen:
            problems.append(f"agent_id {agent_id!r} repeats line {seen[agent_id]}")
        if problems:
            errors.extend(RowError(str(path), row.line, p) for p in problems)
            continue
        seen[agent_id] = row.line
        v = row.values
        agents.append(AgentIn(agent_id, v["name"], v["team"], Employment(v["employment"])))
    if errors:
        raise CsvImportError(errors)
    return agents


def length_problems(values: dict[str, str]) -> list[str]:
    """Values longer than their column (:data:`MAX_LENGTHS`), each naming the column."""
    return [
        f"{column} is {len(value)} characters long; at most {MAX_LENGTHS[column]} fit"
        for column, value in values.items()
        if len(value) > MAX_LENGTHS[column]
    ]


def agent_problems(values: dict[str, str]) -> list[str]:
    """What is wrong with a row of an agents file (``agent_id``, ``name``, ``team``,
    ``employment``), each naming the column; empty when they are fine."""
    problems = []
    agent_id = values["agent_id"]
    if not agent_id:
        problems.append("agent_id is empty")
    elif len(agent_id) > MAX_LENGTHS["agent_id"] or any(c.isspace() for c in agent_id):
        problems.append(
            f"agent_id {agent_id[:80]!r} must be 1-{MAX_LENGTHS['agent_id']} characters "
            "without spaces"
        )
    if not values["name"]:
        problems.append("name is empty")
    problems += length_problems({k: values[k] for k in ("name", "team")})
    if values["employment"] not in {e.value for e in Employment}:
        problems.append(f"employment {values['employment']!r} must be 'regular' or 'probation'")
    return problems


def import_agents(
    *, db_session: Session, agents: Sequence[AgentIn], actor: str
) -> AgentImportReport:
    """Upsert agents by agent id. Agents not in ``agents`` are left as they are.

    Args:
        db_session: The session (the caller commits; on error it rolls back everything).
        agents: The agents to create or update.
        actor: Who imports (audit log).
    """
    outcome: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for data in agents:
        _agent, change = upsert_agent(db_session=db_session, data=data, actor=actor)
        outcome[change].append(data.agent_id)
    return AgentImportReport(
        tuple(outcome["created"]), tuple(outcome["updated"]), tuple(outcome["unchanged"])
    )


def import_agents_csv(*, db_session: Session, path: Path, actor: str) -> AgentImportReport:
    """Read and import an agents CSV file; a bad row means nothing is imported.

    Raises:
        CsvImportError: Every bad row, each naming the file and line.
    """
    agents = parse_agents_csv(path)
    return import_agents(db_session=db_session, agents=agents, actor=actor)
