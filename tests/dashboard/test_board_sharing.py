"""One render per snapshot reading, shared by every screen of the process; plain JSON that
matches what Dash would send; boards from ``FLOORBOARD_LAYOUTS_DIR``; a board opened before the
first snapshot refreshes without an error."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from dash import html
from flask.testing import FlaskClient
from plotly.io.json import to_json_plotly

from dashboard.app import create_app, dash_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.boards.shared import SharedRenders, plain
from dashboard.settings import Settings, SettingsError, load_settings
from dashboard.webserver import forecast_for


def test_screens_asking_at_once_share_one_render() -> None:
    shared = SharedRenders()
    renders: list[int] = []
    gate = threading.Event()

    def render() -> str:
        gate.wait(1)
        renders.append(1)
        return "tiles"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(shared.get(1.0, ("center",), render)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert results == ["tiles"] * 20
    assert len(renders) == 1


def test_a_new_reading_renders_again_and_drops_the_old_one() -> None:
    shared = SharedRenders()
    calls: list[str] = []

    def render(tag: str) -> Callable[[], str]:
        return lambda: calls.append(tag) or tag  # type: ignore[func-returns-value]

    assert shared.get(1.0, "k", render("a")) == "a"
    assert shared.get(1.0, "k", render("b")) == "a"
    assert shared.get(2.0, "k", render("c")) == "c"
    # a thread still holding an older reading gets its own render, never a newer one
    assert shared.get(1.0, "k", render("d")) == "d"
    assert shared.get(2.0, "k", render("e")) == "c"
    assert shared.get(2.0, "other", render("f")) == "f"
    assert calls == ["a", "c", "d", "f"]


def test_plain_is_what_dash_would_send() -> None:
    tree = html.Div(
        [html.Span("王芳", className="a-name", title="x"), {"props": {"children": "kept"},
         "type": "Div", "namespace": "dash_html_components"}, "text", 3],
        className="tile-body", style={"gridRow": "span 2"},
    )  # fmt: skip
    assert plain(tree) == json.loads(to_json_plotly(tree))
    assert plain([tree, None]) == json.loads(to_json_plotly([tree, None]))


def refresh_body(app: flask.Flask, board: str) -> dict[str, Any]:
    key = next(k for k in dash_app(app).callback_map if "tile-graph" in k)
    return {
        "output": key,
        "outputs": [
            [
                {"id": {"type": "tile", "board": board, "index": i}, "property": "children"}
                for i in (0, 1)
            ],
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


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    boards = tmp_path / "my-boards"
    boards.mkdir()
    (boards / "lobby.yaml").write_text(
        "title: Lobby\ntiles:\n  - {kind: number, metric: calls_waiting, w: 6}\n"
        "  - {kind: staffing, w: 6}\n"
    )
    return boards


def test_boards_come_from_floorboard_layouts_dir(
    settings: Settings,
    sessions: Any,
    folder: Path,
    make_display: Callable[..., str],
    snapshot: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"FLOORBOARD_LAYOUTS_DIR": str(folder)}
    configured = load_settings(env, **{k: getattr(settings, k) for k in
                                      ("env", "data_dir", "redis_url", "key_prefix")})  # fmt: skip
    assert configured.layouts_dir == folder
    app = create_app(configured)
    client = app.test_client()
    token = make_display(("lobby",))
    assert client.get(f"/board/lobby?token={token}").status_code == 200
    from dashboard.pages.floor import board as board_page  # noqa: PLC0415 - registered by the app

    screens: list[int] = []
    monkeypatch.setattr(board_page, "_render", _counting(board_page._render, screens))
    for _ in range(5):
        response = client.post(CALLBACK_ENDPOINT, json=refresh_body(app, "lobby"))
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.get_json()["response"]["board-status"]["data"]["live"] is True
    assert len(screens) == 1  # five screens within one reading: one render
    assert "Calls waiting" in json.dumps(response.get_json())


def _counting(fn: Callable[..., Any], calls: list[int]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return fn(*args, **kwargs)

    return wrapped


def test_a_missing_layouts_dir_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="FLOORBOARD_LAYOUTS_DIR: .*nowhere is not a folder"):
        load_settings({"FLOORBOARD_LAYOUTS_DIR": str(tmp_path / "nowhere")})
    assert load_settings({"FLOORBOARD_LAYOUTS_DIR": ""}).layouts_dir is None


def test_a_board_opened_before_any_snapshot_refreshes_without_error(
    settings: Settings, sessions: Any, folder: Path, make_display: Callable[..., str]
) -> None:
    app = create_app(settings, layouts_dir=folder, forecast=forecast_for(settings))
    client = app.test_client()
    token = make_display(("lobby",))
    assert client.get(f"/board/lobby?token={token}").status_code == 200
    response = client.post(CALLBACK_ENDPOINT, json=refresh_body(app, "lobby"))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    status = response.get_json()["response"]["board-status"]["data"]
    assert status == {**status, "live": False, "reason": "no_data"}
    assert forecast_for(settings)(day="", queues=None) is None


def test_a_kept_answer_is_still_checked_for_every_screen(
    settings: Settings,
    sessions: Any,
    folder: Path,
    make_display: Callable[..., str],
    snapshot: dict[str, Any],
) -> None:
    (folder / "other.yaml").write_text("title: Other\ntiles: [{kind: clock}]\n")
    app = create_app(settings, layouts_dir=folder)
    state = app.extensions["floorboard"]
    state.snapshots.share_ms = 60_000  # one reading for the whole test
    screens = []
    for i, boards in enumerate((("lobby",), ("lobby",), ("other",))):
        client = app.test_client()
        token = make_display(boards, name=f"screen-{i}")
        state.displays.invalidate()
        assert client.get(f"/board/{boards[0]}?token={token}").status_code == 200
        screens.append((client, token))
    body = refresh_body(app, "lobby")
    first = screens[0][0].post(CALLBACK_ENDPOINT, json=body)
    second = screens[1][0].post(CALLBACK_ENDPOINT, json=body)
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()  # the same bytes, kept
    # a display of another board, nobody, and a request without the CSRF header: refused
    assert screens[2][0].post(CALLBACK_ENDPOINT, json=body).status_code == 403
    assert app.test_client().post(CALLBACK_ENDPOINT, json=body).status_code in (302, 403)
    plain_client = FlaskClient(app, use_cookies=True)
    plain_client.set_cookie("session", screens[1][0].get_cookie("session").value)
    assert plain_client.post(CALLBACK_ENDPOINT, json=body).status_code == 403
    # a revoked token stops at once, kept answer or not
    from core.db import session_scope  # noqa: PLC0415
    from dashboard.auth import service  # noqa: PLC0415

    with session_scope(sessions) as db:
        service.revoke_display(db, name="screen-1", actor="t")
    state.displays.invalidate()
    assert screens[1][0].post(CALLBACK_ENDPOINT, json=body).status_code == 403
    assert screens[0][0].post(CALLBACK_ENDPOINT, json=body).get_data() == first.get_data()
