"""A board refresh through the server: the numbers in Redis, one GET and no SQL, and an honest
"stale" when the snapshot is old or Redis is gone."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
import redis
from sqlalchemy import event

from collectors.aggregator.snapshot_schema import SCHEMA_VERSION
from collectors.keys import Keys
from collectors.redis_server import free_port
from dashboard.app import create_app, dash_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.boards.layout import load_board
from dashboard.settings import Settings

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"


class CountingRedis(redis.Redis):
    """A real client that counts the commands it sends."""

    calls: list[str] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.calls.append(str(args[0]))
        return super().execute_command(*args, **options)


def refresh_body(app: flask.Flask, board_name: str) -> dict[str, Any]:
    board = load_board(LAYOUTS / f"{board_name}.yaml")
    key = next(k for k in dash_app(app).callback_map if "tile-graph" in k)
    charts = [t.index for t in board.tiles if t.kind == "chart"]
    return {
        "output": key,
        "outputs": [
            [
                {
                    "id": {"type": "tile", "board": board_name, "index": t.index},
                    "property": "children",
                }
                for t in board.tiles
                if t.kind not in ("ticker", "clock")
            ],
            [
                {
                    "id": {"type": "tile-graph", "board": board_name, "index": i},
                    "property": "figure",
                }
                for i in charts
            ],
            {"id": "board-chart-sig", "property": "data"},
            {"id": "board-status", "property": "data"},
        ],
        "inputs": [{"id": "board-refresh", "property": "n_intervals", "value": 1}],
        "state": [
            {"id": "board-name", "property": "data", "value": board_name},
            {"id": "board-chart-sig", "property": "data", "value": None},
            {"id": "board-screen", "property": "data", "value": {"w": 1920, "h": 1080}},
        ],
        "changedPropIds": ["board-refresh.n_intervals"],
    }


def display_client(app: flask.Flask, token: str, board: str) -> Any:
    client = app.test_client()
    app.extensions["floorboard"].displays.invalidate()
    assert client.get(f"/board/{board}?token={token}").status_code == 200
    return client


def refresh(client: Any, app: flask.Flask, board: str) -> dict[str, Any]:
    response = client.post(CALLBACK_ENDPOINT, json=refresh_body(app, board))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


@pytest.fixture
def counting_app(settings: Settings, sessions: Any) -> flask.Flask:
    url = settings.redis_url
    return create_app(
        settings, redis_factory=lambda: CountingRedis.from_url(url, decode_responses=True)
    )


def test_refresh_shows_the_snapshot_with_one_get_and_no_sql(
    counting_app: flask.Flask, make_display: Callable[..., str], snapshot: dict[str, Any]
) -> None:
    client = display_client(counting_app, make_display(("center",)), "center")
    statements: list[str] = []
    engine = counting_app.extensions["floorboard"].engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    CountingRedis.calls.clear()
    out = refresh(client, counting_app, "center")
    assert statements == []
    assert CountingRedis.calls == ["GET"]
    status = out["board-status"]["data"]
    assert status["live"] is True and status["reason"] == "ok"
    tiles = json.dumps(out)
    # calls waiting 1 (warn at >4 → ok), offered today 4, SL today 2 answered... see snapshot
    assert '"Calls waiting"' in tiles and '"Offered"' in tiles
    first = out["board-status"]
    assert first["data"]["level"] in ("ok", "warn", "alert")
    time.sleep(0.3)
    CountingRedis.calls.clear()
    refresh(client, counting_app, "center")
    assert CountingRedis.calls in ([], ["GET"])  # shared for 250 ms, then one GET


def tile_values(out: dict[str, Any]) -> list[str]:
    values = []
    tiles = {}
    for key, value in out.items():
        if key.startswith("{") and json.loads(key).get("type") == "tile":
            tiles[json.loads(key)["index"]] = value["children"]
    for _index, body in sorted(tiles.items()):
        if isinstance(body, dict) and isinstance(body["props"]["children"], list):
            for child in body["props"]["children"]:
                if isinstance(child, dict) and child["props"].get("className") == "tile-value":
                    values.append(child["props"]["children"])
    return values


def test_numbers_follow_redis(
    settings: Settings,
    sessions: Any,
    make_display: Callable[..., str],
    center: Any,
    redis_client: redis.Redis,
    keys: Keys,
) -> None:
    app = create_app(settings)
    app.extensions["floorboard"].snapshots.share_ms = 0
    client = display_client(app, make_display(("center",)), "center")
    center.standard()
    center.waiting("c4", "sales", 570)
    center.drain()
    values = tile_values(refresh(client, app, "center"))
    assert values[0] == "1"  # calls waiting
    center.waiting("c5", "support", 590)
    center.waiting("c6", "support", 595)
    center.drain()
    assert tile_values(refresh(client, app, "center"))[0] == "3"


def test_old_snapshot_and_lost_redis_are_stale(
    settings: Settings,
    sessions: Any,
    make_display: Callable[..., str],
    redis_client: redis.Redis,
    keys: Keys,
) -> None:
    app = create_app(settings)
    state = app.extensions["floorboard"]
    state.snapshots.share_ms = 0
    client = display_client(app, make_display(("center",)), "center")
    old = {
        "version": SCHEMA_VERSION,
        "generated_at": time.time() - 60,
        "queues": {"*": {"now": {"calls_waiting": 7}}},
    }
    redis_client.set(keys.snapshot, json.dumps(old))
    out = refresh(client, app, "center")
    assert out["board-status"]["data"]["reason"] == "stale"
    assert out["board-status"]["data"]["live"] is False
    assert "STALE" in json.dumps(out)
    dead = f"redis://127.0.0.1:{free_port()}/0"
    state.snapshots.client_factory = lambda: redis.Redis.from_url(dead, socket_connect_timeout=0.2)
    state.snapshots._client = None
    out = refresh(client, app, "center")
    assert out["board-status"]["data"]["reason"] == "unreachable"
    state.snapshots.client_factory = lambda: redis.Redis.from_url(
        settings.redis_url, decode_responses=True
    )
    redis_client.set(keys.snapshot, json.dumps({**old, "generated_at": time.time()}))
    assert refresh(client, app, "center")["board-status"]["data"]["reason"] == "ok"


def test_a_snapshot_of_another_version_reads_as_no_data(
    settings: Settings,
    sessions: Any,
    make_display: Callable[..., str],
    redis_client: redis.Redis,
    keys: Keys,
    snapshot: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(settings)
    state = app.extensions["floorboard"]
    state.snapshots.share_ms = 0
    client = display_client(app, make_display(("center",)), "center")
    newer = {**snapshot, "version": SCHEMA_VERSION + 1, "generated_at": time.time()}
    redis_client.set(keys.snapshot, json.dumps(newer))
    out = refresh(client, app, "center")
    assert out["board-status"]["data"]["reason"] == "no_data"
    assert out["board-status"]["data"]["live"] is False
    reading = state.snapshots.read()
    assert reading.snapshot is None
    assert reading.problem == f"snapshot version {SCHEMA_VERSION + 1}; this version reads 1"
    assert reading.problem in caplog.text
    redis_client.set(keys.snapshot, json.dumps({**snapshot, "generated_at": time.time()}))
    assert refresh(client, app, "center")["board-status"]["data"]["reason"] == "ok"


def test_every_shipped_board_renders(
    settings: Settings,
    sessions: Any,
    make_user: Callable[..., str],
    login: Callable[..., Any],
    snapshot: dict[str, Any],
) -> None:
    app = create_app(settings)
    client = login(app.test_client(), make_user("supervisor"))
    for board in ("center", "sales-team", "agents", "center-zh"):
        out = refresh(client, app, board)
        assert out["board-status"]["data"]["live"] is True, board
    zh = json.dumps(refresh(client, app, "center-zh"), ensure_ascii=False)
    assert "排队来电" in zh and "坐席状态" in zh
