"""The board page as the router sends it (issue 11.14): it arrives with its first frame (tiles,
chart, ticker and a live status), so a board is never shown empty or "STALE" while its first
refresh is on its way; kiosk rotation names the next board of the display's own boards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import flask
import pytest
from support.dash_requests import router_body

from dashboard.app import create_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.boards import ids as tile_ids
from dashboard.pages.floor import ids
from dashboard.settings import Settings


@pytest.fixture
def app(settings: Settings, sessions: Any) -> flask.Flask:
    return create_app(settings)


def page(client: Any, path: str, search: str = "") -> dict[str, Any]:
    """The layout Dash's router sends a browser for ``path`` (what it shows first)."""
    assert client.get(path + search).status_code == 200
    response = client.post(CALLBACK_ENDPOINT, json=router_body(path, search))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    content: dict[str, Any] = response.get_json()["response"]["_pages_content"]["children"]
    return content


def components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component of a layout, depth first."""
    if isinstance(node, list):
        for item in node:
            yield from components(item)
    elif isinstance(node, dict) and "props" in node:
        yield node
        for value in node["props"].values():
            yield from components(value)


def by_id(layout: Any, id_: Any) -> dict[str, Any]:
    return next(c["props"] for c in components(layout) if c["props"].get("id") == id_)


@pytest.fixture
def display(app: flask.Flask, make_display: Callable[..., str]) -> tuple[Any, str]:
    token = make_display(("center", "agents"))
    app.extensions["floorboard"].displays.invalidate()
    return app.test_client(), token


def test_the_page_arrives_with_its_first_frame(
    snapshot: dict[str, Any], display: tuple[Any, str]
) -> None:
    client, token = display
    layout = page(client, "/board/center", f"?token={token}")
    root = by_id(layout, ids.BOARD_ROOT)
    assert "is-live" in root["className"] and "is-stale" not in root["className"]
    status = by_id(layout, ids.BOARD_STATUS)["data"]
    assert status["board"] == "center" and status["live"] is True and status["reason"] == "ok"
    assert status["read_at"] > 0 and 0 <= status["age"] < 60
    assert by_id(layout, ids.BOARD_CONFIG)["data"]["board"] == "center"
    # every tile is filled: numbers, their freshness, the chart with its bars
    waiting = snapshot["queues"]["*"]["now"]["calls_waiting"]
    tile0 = by_id(layout, {"type": tile_ids.TILE, "board": "center", "index": 0})
    values = [c["props"]["children"] for c in components(tile0["children"])
              if c["props"].get("className") == "tile-value"]  # fmt: skip
    assert values == [str(waiting)]
    slots = [c for c in components(layout) if c["props"].get("className") == "tile-slot"]
    assert slots and all(s["props"].get("children") for s in slots)
    fresh = [c["props"]["className"] for c in components(layout)
             if str(c["props"].get("className", "")).startswith("fresh")]  # fmt: skip
    assert fresh and all("is-live" in f for f in fresh)
    graphs = [c["props"] for c in components(layout) if c["type"] == "Graph"]
    charts = [g for g in graphs if isinstance(g["id"], dict)]
    assert charts and all(g["figure"]["data"] for g in charts)
    # the first refresh does not send the same figure again
    assert by_id(layout, ids.BOARD_CHART_SIG)["data"]


def test_rotation_goes_round_the_displays_own_boards_only(display: tuple[Any, str]) -> None:
    client, token = display
    rotate = "&rotate=5&boards=center,sales-team,agents"
    config = by_id(page(client, "/board/center", f"?token={token}{rotate}"), ids.BOARD_CONFIG)
    following = config["data"]["rotate"]["next"]
    assert following.startswith("/board/agents?") and "sales-team" not in following.split("?")[0]
    assert f"token={token}" in following and "rotate=5" in following
    config = by_id(page(client, "/board/agents", f"?token={token}{rotate}"), ids.BOARD_CONFIG)
    assert config["data"]["rotate"]["next"].startswith("/board/center?")
    # a rotation of one board is no rotation (it would swap the board for itself)
    alone = by_id(page(client, "/board/center", f"?token={token}&rotate=5&boards=center"),
                  ids.BOARD_CONFIG)  # fmt: skip
    assert alone["data"]["rotate"] == {"every_ms": 0, "next": ""}


@pytest.mark.parametrize(("screen_h", "font"), [("2160", 30), ("abc", 15), ("999999", 15)])
def test_a_rotation_draws_the_chart_for_the_screen_it_comes_from(
    snapshot: dict[str, Any], display: tuple[Any, str], screen_h: str, font: int
) -> None:
    client, token = display
    layout = page(client, "/board/center", f"?token={token}&rotate=5&screen_h={screen_h}")
    chart = next(c["props"] for c in components(layout)
                 if c["type"] == "Graph" and isinstance(c["props"]["id"], dict))  # fmt: skip
    assert chart["figure"]["layout"]["font"]["size"] == font  # an implausible height is ignored


def test_a_missing_board_page_is_not_stale(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., Any]
) -> None:
    client = login(app.test_client(), make_user("supervisor"))
    layout = page(client, "/board/nowhere")
    status = by_id(layout, ids.BOARD_STATUS)["data"]
    assert status["reason"] == "init" and status["board"] == "nowhere"
    assert json.dumps(layout).count("is-stale") == 0
