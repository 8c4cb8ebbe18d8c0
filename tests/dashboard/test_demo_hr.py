"""The HR demo data: a simulated center's last month comes out with a three-way Service Star tie
that the rules break and a Model Star tie that waits for HR; earlier months are published."""

from __future__ import annotations

from typing import Any

import pytest
from hr_factories import simulate_last_month
from sqlalchemy.orm import Session, sessionmaker

from collectors.simulator import default_center
from core.db import session_scope
from dashboard.settings import Settings
from qa.awards.demo import DESK_AGENTS, import_roster, seed_hr_demo
from qa.awards.month import compute, previous_month
from qa.awards.service import agent_history, list_months
from qa.ledger.service import list_entries
from qa.people.service import list_agents


@pytest.fixture
def config(settings: Settings) -> Any:
    return default_center(agents=14, timezone=settings.timezone)


def test_last_month_has_the_tie_cases_and_earlier_months_are_published(
    settings: Settings, sessions: sessionmaker[Session], config: Any
) -> None:
    simulate_last_month(settings, sessions, config, days=2)
    said: list[str] = []
    assert (
        seed_hr_demo(
            sessions=sessions, tz=settings.timezone, config=config, seed=5, echo=said.append
        )
        is True
    )
    assert "3-way tie" in said[0]
    month = previous_month(tz=settings.timezone)
    with session_scope(sessions) as db:
        agents = list_agents(db_session=db)
        assert len(agents) == 16 and {a.employment for a in agents} == {"regular", "probation"}
        entries = list_entries(db_session=db, start=month.start, end=month.end)
        kinds = {e.kind for e in entries}
        assert kinds == {"incident", "bonus", "correction"}
        assert {e.reporter for e in entries} == {"supervisor"}
        earlier = [r for r in list_months(db_session=db) if r.month < str(month)]
        assert len(earlier) == 2 and {r.status for r in earlier} == {"published"}
        assert agent_history(db_session=db, agent_id=DESK_AGENTS[0])
        row = compute(db_session=db, month=month, actor="hr", tz=settings.timezone)
        stars = row.result["stars"]
    service = stars["service"]
    assert service["status"] == "awarded"
    assert any(line.startswith("tie-break answered_calls") for line in service["explanation"])
    tied = service["explanation"][0].split("(")[1]  # "...fewest service deductions: 0.00 (A, B, C)"
    assert tied.count(",") == 2
    assert stars["etiquette"]["status"] == "awarded"
    assert stars["model"]["status"] == "needs_decision"
    assert sorted(stars["model"]["tied"]) == sorted(DESK_AGENTS)
    assert row.result["needs_decision"] == ["model"]


def test_it_runs_once_per_data_directory(
    settings: Settings, sessions: sessionmaker[Session], config: Any
) -> None:
    simulate_last_month(settings, sessions, config, days=1)
    assert (
        seed_hr_demo(sessions=sessions, tz=settings.timezone, config=config, echo=lambda _: None)
        is True
    )
    with session_scope(sessions) as db:
        before = len(list_entries(db_session=db))
    assert (
        seed_hr_demo(sessions=sessions, tz=settings.timezone, config=config, echo=lambda _: None)
        is False
    )
    with session_scope(sessions) as db:
        assert len(list_entries(db_session=db)) == before


def test_without_calls_it_still_gives_a_month_to_close(
    settings: Settings, sessions: sessionmaker[Session], config: Any
) -> None:
    said: list[str] = []
    assert (
        seed_hr_demo(sessions=sessions, tz=settings.timezone, config=config, echo=said.append)
        is True
    )
    assert "too few agents or calls" in said[0]
    month = previous_month(tz=settings.timezone)
    with session_scope(sessions) as db:
        assert list_entries(db_session=db, start=month.start, end=month.end)


def test_the_agent_linked_to_the_demo_account_is_never_on_probation(
    settings: Settings, sessions: sessionmaker[Session], config: Any
) -> None:
    on_probation = config.agents[8].name  # every 9th agent of the roster is on probation
    accounts = {"agent": on_probation, "hr": None}
    assert seed_hr_demo(
        sessions=sessions, tz=settings.timezone, config=config, echo=lambda _: None,
        accounts=accounts,
    )  # fmt: skip
    with session_scope(sessions) as db:
        employment = {a.agent_id: a.employment for a in list_agents(db_session=db)}
    assert employment[on_probation] == "regular"
    with session_scope(sessions) as db:  # without the link, the roster puts them on probation
        import_roster(db, config)
        employment = {a.agent_id: a.employment for a in list_agents(db_session=db)}
    assert employment[on_probation] == "probation"
