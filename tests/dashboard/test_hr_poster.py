"""The wall poster page and the ``poster`` wallboard tile: every name with its stars, drafts only
for HR, and a board refresh that stays one Redis GET and no SQL (the poster is cached)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
import redis
from flask.testing import FlaskClient
from hr_factories import AGENTS, MONTH, seed_month
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from support.dash_requests import call, page

from core.db import session_scope
from dashboard.app import create_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.boards import ids as tile_ids
from dashboard.boards.layout import load_board
from dashboard.i18n import t
from dashboard.pages.floor import ids as floor_ids
from dashboard.pages.hr import ids as hr_ids
from dashboard.settings import Settings
from dashboard.state import app_state
from qa.awards.decisions import resolve_tie
from qa.awards.month import compute
from qa.awards.poster import PosterCache
from qa.awards.service import publish_month, review_month

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"


class CountingRedis(redis.Redis):
    """A real client that counts the commands it sends."""

    calls: list[str] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.calls.append(str(args[0]))
        return super().execute_command(*args, **options)


def publish(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as db:
        resolve_tie(db_session=db, month=MONTH, star="model", agent_id="A6", reason="r",
                    actor="hr")  # fmt: skip
        review_month(db_session=db, month=MONTH, actor="hr")
        publish_month(db_session=db, month=MONTH, actor="hr")


@pytest.fixture
def app(settings: Settings, sessions: sessionmaker[Session]) -> flask.Flask:
    with session_scope(sessions) as db:
        seed_month(db)
        compute(db_session=db, month=MONTH, actor="hr", tz="UTC")
    url = settings.redis_url
    return create_app(
        settings, redis_factory=lambda: CountingRedis.from_url(url, decode_responses=True)
    )


@pytest.fixture
def client_of(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> Callable[[str], FlaskClient]:
    return lambda role: login(app.test_client(), make_user(role))


def test_the_poster_page_shows_everyone_once_published(
    app: flask.Flask, client_of: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    agent, hr = client_of("agent"), client_of("hr")
    path = f"/hr/poster/{MONTH}"
    assert t("hr.poster.not_published", month=str(MONTH)) in page(agent, path)
    draft = page(hr, path)
    assert "poster-watermark" in draft and t("hr.poster.draft_mark", "zh") in draft
    publish(sessions)
    shown = page(agent, path)
    assert "denied" not in shown and "poster-watermark" not in shown
    for agent_in in AGENTS:
        assert agent_in.name in shown
    assert "服务之星" in shown and "Wang Wei" in shown and "2026年1月 · January 2026" in shown
    assert "badge-model" in shown  # 孙丽's Model Star next to her name
    assert f"/hr/export/{MONTH}/poster.pdf?size=A3" in page(agent, path + "?size=A3")
    assert t("hr.poster.bad_month", month="2026-1x") in page(agent, "/hr/poster/2026-1x")


def refresh_body(board: str) -> dict[str, Any]:
    spec = load_board(LAYOUTS / f"{board}.yaml")
    return {
        "output": None,
        "outputs": [
            [{"id": {"type": tile_ids.TILE, "board": board, "index": tile.index},
              "property": "children"}
             for tile in spec.tiles if tile.kind not in ("ticker", "clock")],
            [],
            {"id": floor_ids.BOARD_CHART_SIG, "property": "data"},
            {"id": floor_ids.BOARD_STATUS, "property": "data"},
        ],
        "inputs": [{"id": floor_ids.BOARD_REFRESH, "property": "n_intervals", "value": 1}],
        "state": [
            {"id": floor_ids.BOARD_NAME, "property": "data", "value": board},
            {"id": floor_ids.BOARD_CHART_SIG, "property": "data", "value": None},
            {"id": floor_ids.BOARD_SCREEN, "property": "data", "value": {"w": 1920, "h": 1080}},
        ],
        "changedPropIds": [f"{floor_ids.BOARD_REFRESH}.n_intervals"],
    }  # fmt: skip


def refresh(client: FlaskClient, app: flask.Flask) -> str:
    from dashboard.app import dash_app  # noqa: PLC0415

    body = refresh_body("poster")
    body["output"] = next(k for k in dash_app(app).callback_map if "tile-graph" in k)
    response = client.post(CALLBACK_ENDPOINT, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_the_poster_tile_refreshes_from_memory(
    app: flask.Flask,
    sessions: sessionmaker[Session],
    make_display: Callable[..., str],
    snapshot: dict[str, Any],
) -> None:
    publish(sessions)
    client = app.test_client()
    app.extensions["floorboard"].displays.invalidate()
    assert client.get(f"/board/poster?token={make_display(('poster',))}").status_code == 200
    page(client, "/board/poster")  # the layout loads the poster (SQL is fine there)
    statements: list[str] = []
    engine = app.extensions["floorboard"].engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    time.sleep(0.3)  # past the snapshot's sharing window: the refresh reads Redis once
    CountingRedis.calls.clear()
    shown = refresh(client, app)
    assert statements == [] and CountingRedis.calls == ["GET"]
    for agent_in in AGENTS:
        assert agent_in.name in shown
    assert "光荣榜" in shown and "kind-poster" in shown and "2026年1月" in shown


def test_the_cache_reloads_after_its_ttl_or_a_publication(
    app: flask.Flask, sessions: sessionmaker[Session], client_of: Callable[[str], FlaskClient]
) -> None:
    now = [0.0]
    cache = PosterCache(sessions, ttl_s=60, clock=lambda: now[0])
    assert cache.get() is None  # nothing published yet
    publish(sessions)
    assert cache.get() is None  # cached
    now[0] = 61.0
    data = cache.get()
    assert data is not None and data.month == str(MONTH) and data.published
    with app.test_request_context():
        shared = app_state().poster
        assert shared is app_state().poster and shared.get() is not None
    hr = client_of("hr")  # a page action of this process invalidates the app's cache at once
    with app.test_request_context():
        app_state().poster._poster.loaded_at = 1e18  # would otherwise stay fresh "forever"
    values = {f"{hr_ids.HR_MONTH}.value": "2026-02", f"{hr_ids.HR_COMPUTE}.n_clicks": 1}
    call(hr, app, (f"{hr_ids.HR_MESSAGE}.children", f"{hr_ids.HR_SIGNAL}.data"), values,
             trigger=f"{hr_ids.HR_COMPUTE}.n_clicks")  # fmt: skip
    with app.test_request_context():
        assert app_state().poster._poster.loaded_at == float("-inf")


def test_the_shipped_poster_board_is_valid_and_fills_its_grid() -> None:
    board = load_board(LAYOUTS / "poster.yaml")
    assert [t.kind for t in board.tiles][0] == "poster"
    assert sum(t.w * t.h for t in board.tiles) == board.columns * board.rows


def test_an_empty_poster_tile_says_so(
    app: flask.Flask, make_display: Callable[..., str], snapshot: dict[str, Any]
) -> None:
    client = app.test_client()  # the month is only a draft: the floor sees nothing yet
    assert client.get(f"/board/poster?token={make_display(('poster',))}").status_code == 200
    shown = refresh(client, app)
    assert t("hr.poster.none", "zh") in shown and "Wang Wei" not in shown
