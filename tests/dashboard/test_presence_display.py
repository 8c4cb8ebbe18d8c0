"""Presence on the boards (issue 18, points 3 and 4): static queue members, seen through their
calls only, are never shown as "available"; every presence figure says how many agents have no
session data, and estimates from call activity are labelled as such.

The snapshot imitates the aggregator's presence contract for a small mixed floor: 4 agents who
logged in (session), 2 static members present by a recent call (calls: one on a call, one
idle), 1 static member not seen for an hour (unknown). An older snapshot (without the presence
keys) must still render, as "all known".
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from support.render import rendered_texts

from dashboard.boards.frame import Frame
from dashboard.boards.layout import parse_board
from dashboard.boards.render import render_body
from dashboard.boards.source import Reading
from dashboard.cli.demo import status_line
from dashboard.pages.floor import live_tables
from dashboard.settings import Settings

NOW = 1_765_000_000.0


def _agent(name: str, state: str, presence: str | None, queue: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {
        "agent": name,
        "state": state,
        "since": NOW - 95,
        "queues": ["sales"],
        "queue": queue,
    }
    if presence is not None:
        row["presence"] = presence
    return row


AGENTS = [
    _agent("Alice", "on_call", "session", "sales"),
    _agent("Bob", "available", "session"),
    _agent("Carol", "available", "session"),
    _agent("Dan", "paused", "session"),
    _agent("Erin", "on_call", "calls", "sales"),  # static member in a call
    _agent("Frank", "no_session", "calls"),  # static member, last call 10 min ago
    _agent("Grace", "no_session", "unknown"),  # static member, not seen for an hour
    _agent("Heidi", "logged_off", "unknown"),  # logged off (stated): not "no session data"
]

NOW_BLOCK = {
    "calls_waiting": 1,
    "longest_wait": 12.0,
    "connected": 2,
    "waiting_over_t": 0,
    "agents_logged_in": 4,
    "agents": {"on_call": 1, "available": 2, "paused": 1},
    "occupancy": 1 / 3,
    "occupancy_agents": 3,
    "agents_estimated": 2,
    "agents_presence_unknown": 1,
}

SNAPSHOT: dict[str, Any] = {
    "generated_at": NOW,
    "day": "2025-12-06",
    "interval_minutes": 15,
    "interval_index": 40,
    "pipeline": {"applied": 10},
    "config": {},
    "queues": {
        "*": {"now": NOW_BLOCK, "today": {"offered": 20, "answered": 18, "abandoned": 2}},
        "sales": {"now": NOW_BLOCK, "today": {"offered": 20, "answered": 18, "abandoned": 2}},
        "support": {"now": {"agents_logged_in": 0}, "today": {}},
    },
    "agents": AGENTS,
}

BOARD = """
title: Presence
locale: {locale}
columns: 12
rows: 6
tiles:
  - {{kind: number, metric: occupancy, w: 3, h: 2}}
  - {{kind: number, metric: agents_logged_in, w: 3, h: 2}}
  - {{kind: number, metric: agents_available, w: 3, h: 2}}
  - {{kind: number, metric: agents_estimated, w: 3, h: 2}}
  - {{kind: number, metric: occupancy, queues: [sales, support], w: 3, h: 2}}
  - {{kind: number, metric: offered, window: today, w: 3, h: 2}}
  - {{kind: agents, w: 6, h: 2}}
  - kind: queues
    w: 12
    h: 2
    columns:
      - {{metric: agents_logged_in}}
      - {{metric: occupancy}}
"""


def _bodies(snapshot: dict[str, Any], settings: Settings, locale: str = "en") -> list[Any]:
    board = parse_board(BOARD.format(locale=locale), name="p", path=Path("p.yaml"))
    frame = Frame(
        reading=Reading(status="ok", snapshot=snapshot, age=1.0, read_at=NOW),
        locale=locale,
        now=NOW,
        settings=settings,
    )
    return [render_body(tile, frame) for tile in board.tiles]


def _cells(grid: Any) -> list[dict[str, Any]]:
    """The agent cells of a rendered agent tile (plain JSON dicts)."""
    inner = grid.children[-1]
    return [c for c in inner.children if "agent" in c["props"]["className"].split()]


def _class_of(grid: Any, name: str) -> str:
    for cell in _cells(grid):
        if name in rendered_texts(cell):
            return str(cell["props"]["className"])
    raise AssertionError(f"no cell for {name}")


def test_number_tiles_say_how_many_agents_have_no_session_data(settings: Settings) -> None:
    occ, logged, available, estimated, group, offered, *_ = _bodies(SNAPSHOT, settings)
    assert "over 3 agents; 3 without session data (incl. 2 estimated from calls)" in rendered_texts(
        occ
    )
    assert "3 without session data (incl. 2 estimated from calls)" in rendered_texts(logged)
    assert "3 without session data (incl. 2 estimated from calls)" in rendered_texts(available)
    # The estimate tile says it is an estimate.
    assert "2" in rendered_texts(estimated)
    assert "estimate from call activity; 3 without session data" in rendered_texts(estimated)
    # A figure that does not depend on presence carries no note.
    assert not any("session" in text for text in rendered_texts(offered))


def test_a_queue_group_counts_only_agents_with_session_data(settings: Settings) -> None:
    """Built from the agent list: Erin's call is not in occupancy, Frank and Grace not in it."""
    group = _bodies(SNAPSHOT, settings)[4]
    texts = rendered_texts(group)
    # Session agents: Alice on call, Bob and Carol available (Dan paused): 1 / 3.
    assert "33.3%" in texts or "33%" in texts
    assert any("over 3 agents; 3 without session data" in t for t in texts)


def test_static_members_never_show_as_available_in_the_grid(settings: Settings) -> None:
    grid = _bodies(SNAPSHOT, settings)[6]
    assert "st-available" in _class_of(grid, "Bob")
    assert "no-session" not in _class_of(grid, "Bob")
    erin, frank, grace = (_class_of(grid, n) for n in ("Erin", "Frank", "Grace"))
    assert "st-on_call" in erin and "no-session" in erin
    assert "st-no_session" in frank and "no-session" in frank
    assert "st-no_session" in grace
    assert "Heidi" not in rendered_texts(grid)  # logged off, hidden as before
    texts = rendered_texts(grid)
    assert "no session · On call · sales" in texts
    assert texts.count("No session data") == 2  # Frank and Grace
    assert "No session data 3" in texts  # the legend counts every agent without session data
    assert "Available 2" in texts
    assert "On call 1" in texts  # Alice; Erin is under "No session data" (entries add up)


def test_an_older_aggregator_writing_available_is_overruled(settings: Settings) -> None:
    """A call-only agent written as "available" still shows as "no session data"."""
    snapshot = copy.deepcopy(SNAPSHOT)
    snapshot["agents"][5]["state"] = "available"
    grid = _bodies(snapshot, settings)[6]
    assert "st-available" not in _class_of(grid, "Frank")
    assert "Available 2" in rendered_texts(grid)


def test_queue_table_marks_cells_and_explains_the_total(settings: Settings) -> None:
    table = _bodies(SNAPSHOT, settings)[7]
    texts = rendered_texts(table)
    assert texts.count("*") >= 2  # sales and total (support has no unknown agents)
    assert (
        "* Total: Agents logged in 3 without session data (incl. 2 estimated from calls)" in texts
    )


def test_chinese_board(settings: Settings) -> None:
    occ, *_, grid, _table = _bodies(SNAPSHOT, settings, "zh")
    assert "基于 3 名坐席；3 名无签入数据（含 2 名按通话估算）" in rendered_texts(occ)
    assert "无签入 · 通话中 · sales" in rendered_texts(grid)


def test_a_snapshot_without_presence_keys_renders_as_all_known(settings: Settings) -> None:
    snapshot = copy.deepcopy(SNAPSHOT)
    for block in snapshot["queues"].values():
        for key in ("occupancy_agents", "agents_estimated", "agents_presence_unknown"):
            block["now"].pop(key, None)
    for agent in snapshot["agents"]:
        agent.pop("presence")
    snapshot["agents"] = snapshot["agents"][:4] + snapshot["agents"][7:]
    occ, logged, *_, grid, table = _bodies(snapshot, settings)
    everything = rendered_texts([occ, logged, grid, table])
    # (the tooltips' definitions mention session data; no figure counts agents without it)
    assert not any(re.search(r"\d without session|no session", text) for text in everything)
    assert "over 3 agents" not in everything  # no occupancy_agents: not guessed
    assert "*" not in everything
    assert not any("no-session" in c["props"]["className"] for c in _cells(grid))


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_live_view_rows(locale: str) -> None:
    rows = live_tables.agent_rows(SNAPSHOT, [], locale, NOW)
    by_name = {r["agent"]: r for r in rows}
    assert by_name["Frank"]["state_key"] == "no_session"
    assert by_name["Bob"]["state_key"] == "available"
    assert by_name["Heidi"]["state_key"] == "logged_off"
    if locale == "en":
        assert by_name["Erin"]["state"] == "no session · On call"
        assert by_name["Grace"]["state"] == "No session data"
    queues = live_tables.queue_rows(SNAPSHOT, ["sales"], locale)
    assert queues[0]["agents_estimated:now"] == 2
    assert queues[0]["agents_presence_unknown:now"] == 1
    assert "agents_estimated:now" in {c["id"] for c in live_tables.queue_columns(locale)}


def test_demo_status_line_counts_agents_without_session_data(redis_client: Any) -> None:
    redis_client.set("snap", json.dumps({**SNAPSHOT, "queues": _with_sl(SNAPSHOT)}))
    line = status_line(redis_client, "snap", "UTC")
    assert "agents 4 (on call 1, paused 1; 3 without session data, incl. 2 estimated" in line


def _with_sl(snapshot: dict[str, Any]) -> dict[str, Any]:
    queues: dict[str, Any] = copy.deepcopy(snapshot["queues"])
    queues["*"]["today"]["service_level"] = 0.9
    return queues
