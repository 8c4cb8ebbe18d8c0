"""Team filters: agent → team from ``qa.people`` kept in memory (no SQL on a refresh), the
agent grid's ``teams:`` and ``sort: team``, and the live view's team filter."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker
from support.dash_requests import router_body

from core.db import session_scope
from dashboard.app import create_app, dash_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.boards.layout import LayoutError, parse_board
from dashboard.boards.teams import TeamDirectory, team_filter
from dashboard.settings import Settings
from qa.people.schemas import AgentIn
from qa.people.service import upsert_agent

# The standard center (conftest): Alice and Bob in sales, Chen in support, Dana in vip+sales.
TEAMS = {"Alice": "Blue", "Bob": "Red", "Chen": "Blue", "Dana": "Red"}


def add_people(sessions: sessionmaker[Session], teams: dict[str, str]) -> None:
    with session_scope(sessions) as db:
        for agent, team in teams.items():
            upsert_agent(db_session=db, data=AgentIn(agent, agent.title(), team), actor="t")


@pytest.fixture
def people(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    add_people(sessions, TEAMS)
    return sessions


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def statements_of(sessions: sessionmaker[Session]) -> list[str]:
    """Every SQL statement sent through the factory's engine from now on."""
    seen: list[str] = []
    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_directory_reads_sql_once_then_serves_from_memory(
    people: sessionmaker[Session],
) -> None:
    clock = Clock()
    directory = TeamDirectory(people, ttl_s=60, clock=clock)
    directory.ensure()
    assert directory.mapping() == TEAMS
    assert directory.names() == ["Blue", "Red"]
    seen = statements_of(people)
    for _ in range(50):
        directory.mapping()
    assert seen == []


def test_an_old_table_is_reloaded_in_the_background(people: sessionmaker[Session]) -> None:
    clock = Clock()
    directory = TeamDirectory(people, ttl_s=60, clock=clock)
    directory.ensure()
    add_people(people, {"Eve": "Green"})
    clock.now += 30
    assert "Eve" not in directory.mapping()  # still fresh: no reload
    clock.now += 31
    directory.mapping()  # old: answers at once, reloads behind
    wait_until(lambda: directory.mapping().get("Eve") == "Green")
    assert directory.names() == ["Blue", "Green", "Red"]


def test_a_database_failure_keeps_the_last_table(people: sessionmaker[Session]) -> None:
    clock = Clock()
    directory = TeamDirectory(people, ttl_s=60, clock=clock)
    directory.ensure()
    with session_scope(people) as db:
        db.execute(text("ALTER TABLE agents RENAME TO agents_gone"))
    clock.now += 61
    directory.mapping()
    wait_until(lambda: not directory._table.loading)
    assert directory.mapping() == TEAMS


def test_team_filter_keeps_only_the_chosen_teams() -> None:
    agents = [{"agent": name} for name in ("Alice", "Bob", "Zed")]
    assert team_filter(agents, (), TEAMS) == agents
    assert [a["agent"] for a in team_filter(agents, ("Blue",), TEAMS)] == ["Alice"]
    assert team_filter(agents, ("Nobody",), TEAMS) == []


def test_layouts_accept_teams_and_sort_by_team() -> None:
    board = parse_board(
        "title: T\ntiles:\n  - {kind: agents, teams: [Blue, Red], sort: team}\n"
        "  - {kind: agents, teams: Blue}\n",
        name="t",
        path=Path("layouts/t.yaml"),
    )
    assert board.tiles[0].options["teams"] == ("Blue", "Red")
    assert board.tiles[0].options["sort"] == "team"
    assert board.tiles[1].options["teams"] == ("Blue",)
    with pytest.raises(LayoutError) as info:
        parse_board(
            "title: T\ntiles:\n  - kind: agents\n    teams: {a: 1}\n    sort: crew\n",
            name="t",
            path=Path("layouts/t.yaml"),
        )
    found = [str(p) for p in info.value.problems]
    assert "layouts/t.yaml:4: expected a name or a list of names" in found
    assert any(p.startswith("layouts/t.yaml:5: unknown sort 'crew'") for p in found)


# -- through the server ------------------------------------------------------------------


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "boards"
    folder.mkdir()
    (folder / "blue.yaml").write_text(
        "title: Blue team\ntiles:\n  - {kind: agents, teams: [Blue], w: 12, h: 6}\n"
    )
    (folder / "by-team.yaml").write_text(
        "title: By team\ntiles:\n  - {kind: agents, sort: team, w: 12, h: 6}\n"
    )
    return folder


@pytest.fixture
def app(settings: Settings, people: Any, layouts: Path) -> flask.Flask:
    return create_app(settings, layouts_dir=layouts)


def open_page(client: Any, path: str, search: str = "") -> None:
    """What a browser does to show a page: GET it, then ask Dash's router for its layout."""
    assert client.get(path + search).status_code == 200
    response = client.post(CALLBACK_ENDPOINT, json=router_body(path, search))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


@pytest.fixture
def display(app: flask.Flask, make_display: Callable[..., str]) -> Iterator[Any]:
    client = app.test_client()
    token = make_display(("blue", "by-team"))
    app.extensions["floorboard"].displays.invalidate()
    open_page(client, "/board/blue", f"?token={token}")
    yield client


def board_body(app: flask.Flask, board: str) -> dict[str, Any]:
    key = next(k for k in dash_app(app).callback_map if "tile-graph" in k)
    return {
        "output": key,
        "outputs": [
            [{"id": {"type": "tile", "board": board, "index": 0}, "property": "children"}],
            [],
            {"id": "board-chart-sig", "property": "data"},
            {"id": "board-status", "property": "data"},
        ],
        "inputs": [{"id": "board-refresh", "property": "n_intervals", "value": 1}],
        "state": [
            {"id": "board-name", "property": "data", "value": board},
            {"id": "board-chart-sig", "property": "data", "value": None},
            {"id": "board-screen", "property": "data", "value": {"w": 1920, "h": 1080}},
        ],
        "changedPropIds": ["board-refresh.n_intervals"],
    }


def _names(doc: Any) -> list[str]:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if props.get("className") == "a-name":
                out.append(props["children"])
            for value in (props or node).values():
                walk(value)

    walk(doc)
    return out


def test_a_board_tile_of_one_team_shows_its_agents_without_sql(
    app: flask.Flask, snapshot: dict[str, Any], display: Any, people: sessionmaker[Session]
) -> None:
    # the snapshot first: the page is rendered with a frame read from it
    engine = app.extensions["floorboard"].engine
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    response = display.post(CALLBACK_ENDPOINT, json=board_body(app, "blue"))
    assert sorted(_names(response.get_json())) == ["Alice", "Chen"]
    assert seen == []  # the page load read the teams; the refresh reads memory only


def test_sort_by_team_groups_the_cells(app: flask.Flask, snapshot: Any, display: Any) -> None:
    open_page(display, "/board/by-team")
    response = display.post(CALLBACK_ENDPOINT, json=board_body(app, "by-team"))
    names = _names(response.get_json())
    assert [TEAMS[n] for n in names] == ["Blue", "Blue", "Red", "Red"]


def test_the_live_view_filters_agents_by_team(
    app: flask.Flask,
    make_user: Callable[..., str],
    login: Callable[..., Any],
    snapshot: dict[str, Any],
) -> None:
    client = login(app.test_client(), make_user("supervisor"))
    assert client.get("/live").status_code == 200
    key = next(k for k in dash_app(app).callback_map if "live-agent-table" in k)

    def rows(teams: list[str] | None) -> list[dict[str, Any]]:
        body = {
            "output": key,
            "outputs": [
                {"id": i, "property": p}
                for i, p in (
                    ("live-queue-table", "data"),
                    ("live-agent-table", "data"),
                    ("live-status", "children"),
                    ("live-status", "className"),
                    ("live-queues-filter", "options"),
                )
            ],
            "inputs": [
                {"id": "live-refresh", "property": "n_intervals", "value": 1},
                {"id": "live-queues-filter", "property": "value", "value": None},
                {"id": "live-teams-filter", "property": "value", "value": teams},
            ],
            "changedPropIds": ["live-teams-filter.value"],
        }
        response = client.post(CALLBACK_ENDPOINT, json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        data: list[dict[str, Any]] = response.get_json()["response"]["live-agent-table"]["data"]
        return data

    everyone = rows(None)
    assert {r["agent"]: r["team"] for r in everyone} == TEAMS
    red = rows(["Red"])
    assert sorted(r["agent"] for r in red) == ["Bob", "Dana"]
    assert {r["team"] for r in red} == {"Red"}
