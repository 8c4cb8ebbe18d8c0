"""Agents and teams on SQLite and PostgreSQL: upsert by agent id, listing filters, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qa.audit.service import list_entries
from qa.csvio import CsvImportError
from qa.people.schemas import AgentIn, Employment
from qa.people.service import get_agent, import_agents_csv, list_agents, upsert_agent


def test_upsert_creates_updates_and_audits(db_session: Session) -> None:
    data = AgentIn("A1", "Li Na", "North", Employment.PROBATION)
    agent, change = upsert_agent(db_session=db_session, data=data, actor="hr1")
    assert (change, agent.team_name, agent.employment) == ("created", "North", "probation")
    assert upsert_agent(db_session=db_session, data=data, actor="hr1")[1] == "unchanged"
    promoted = AgentIn("A1", "Li Na", "South", Employment.REGULAR)
    assert upsert_agent(db_session=db_session, data=promoted, actor="hr2")[1] == "updated"
    found = get_agent(db_session=db_session, agent_id="A1")
    assert found is not None and (found.team_name, found.employment) == ("South", "regular")
    audit = list_entries(db_session=db_session, entity="agent", entity_id="A1")
    assert [(a.actor, a.action) for a in audit] == [
        ("hr1", "agent.create"),
        ("hr2", "agent.update"),
    ]
    assert audit[1].details["before"] == {"team": "North", "employment": "probation"}


def test_list_filters(db_session: Session) -> None:
    for agent_id, team, employment, active in [
        ("B2", "North", Employment.REGULAR, True),
        ("B1", "North", Employment.PROBATION, True),
        ("B3", "", Employment.REGULAR, False),
    ]:
        data = AgentIn(agent_id, agent_id, team, employment, active)
        upsert_agent(db_session=db_session, data=data, actor="hr")
    ids = lambda agents: [a.agent_id for a in agents]  # noqa: E731
    assert ids(list_agents(db_session=db_session)) == ["B1", "B2", "B3"]
    assert ids(list_agents(db_session=db_session, team="North")) == ["B1", "B2"]
    assert ids(list_agents(db_session=db_session, employment=Employment.REGULAR)) == ["B2", "B3"]
    assert ids(list_agents(db_session=db_session, active_only=True)) == ["B1", "B2"]


def test_import_is_all_or_nothing(db_session: Session, tmp_path: Path) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(
        "agent_id,name,team,employment\nC1,Ok,,regular\nC 2,Space,,regular\nC3,,,regular\n"
        "C4,Extra,,regular,surplus\n",
        encoding="utf-8",
    )
    with pytest.raises(CsvImportError) as caught:
        import_agents_csv(db_session=db_session, path=path, actor="hr")
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:3: agent_id 'C 2' must be 1-64 characters without spaces",
        f"{path}:4: name is empty",
        f"{path}:5: 5 cells but the header has 4 columns",
    ]
    assert list_agents(db_session=db_session) == []
