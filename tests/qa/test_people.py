"""Agents and teams on SQLite and PostgreSQL: upsert by agent id, listing filters, audit."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from core.migrate import upgrade
from dashboard.cli import main
from qa.audit.service import list_entries
from qa.csvio import CsvImportError
from qa.people.schemas import AgentIn, Employment, PeopleError
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


LONG_NAME, LONG_TEAM = "名" * 256, "T" * 129
TOO_LONG = [
    ("name", "name is 256 characters long; at most 255 fit"),
    ("team", "team is 129 characters long; at most 128 fit"),
]


def _long_agents(tmp_path: Path) -> Path:
    path = tmp_path / "agents.csv"
    path.write_text(
        f"agent_id,name,team,employment\nD1,Ok,North,regular\nD2,{LONG_NAME},North,regular\n"
        f"D3,Fine,{LONG_TEAM},regular\n",
        encoding="utf-8",
    )
    return path


def test_names_and_teams_longer_than_their_columns_are_refused(
    db_session: Session, tmp_path: Path
) -> None:
    path = _long_agents(tmp_path)
    with pytest.raises(CsvImportError) as caught:
        import_agents_csv(db_session=db_session, path=path, actor="hr")
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:3: {TOO_LONG[0][1]}",
        f"{path}:4: {TOO_LONG[1][1]}",
    ]
    assert list_agents(db_session=db_session) == []
    with pytest.raises(PeopleError, match=TOO_LONG[1][1]):
        upsert_agent(db_session=db_session, data=AgentIn("D3", "Fine", LONG_TEAM), actor="hr")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database built by the migrations, as ``floorboard`` uses it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fb.db'}"
    else:
        make = request.getfixturevalue("make_postgres_database")
        url = make(f"people_{uuid.uuid4().hex[:12]}")
    upgrade(url)
    return url


def test_agents_import_too_long_is_the_same_message_on_every_database(
    migrated_url: str, tmp_path: Path
) -> None:
    path = _long_agents(tmp_path)
    env = {"FLOORBOARD_DATABASE_URL": migrated_url}
    result = CliRunner().invoke(main, ["agents", "import", str(path)], env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and "DataError" not in result.output
    assert f"{path}:3: {TOO_LONG[0][1]}" in result.output
    assert f"{path}:4: {TOO_LONG[1][1]}" in result.output
    listed = CliRunner().invoke(main, ["agents", "list", "--json"], env=env)
    assert json.loads(listed.stdout) == []
