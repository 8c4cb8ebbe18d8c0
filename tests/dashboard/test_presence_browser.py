"""The shipped agents and center boards in headless Chromium on a floor with static queue
members (issue 18, points 3 and 4): agents seen through their calls only are hatched "no
session data" cards (never the green of "available"), and the presence tiles say how many agents
have no session data, in English and Chinese. Saves
``tests/output/screenshots/presence-{board}.png``.

The snapshot imitates the aggregator's presence contract for the issue's example: 18 agents who
logged in, 7 static members without session data (3 present by a recent call, 4 unknown).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from support.browser import tile_text
from support.waiting import wait_for

from collectors.aggregator.snapshot_schema import SCHEMA_VERSION
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "output" / "screenshots"
PREFIX = "fbpres"


def _floor(now: float) -> list[dict[str, Any]]:
    """18 logged-in agents in every state, then 7 static members without session data."""
    states = ["on_call"] * 8 + ["available"] * 5 + ["wrap_up"] * 2 + ["paused"] * 2 + ["ringing"]
    agents = [
        {
            "agent": f"Agent {i + 1:02d}",
            "state": state,
            "presence": "session",
            "since": now - 30 * (i + 1),
            "queues": ["sales"],
            "queue": "sales" if state in ("on_call", "ringing", "wrap_up") else "",
            "reason": "lunch" if state == "paused" else "",
        }
        for i, state in enumerate(states)
    ]
    static = [("on_call", "calls"), ("wrap_up", "calls"), ("no_session", "calls")]
    static += [("no_session", "unknown")] * 4
    agents += [
        {
            "agent": f"Static {i + 1}",
            "state": state,
            "presence": how,
            "since": now - 200 - 60 * i,
            "queues": ["sales"],
            "queue": "sales" if state != "no_session" else "",
        }
        for i, (state, how) in enumerate(static)
    ]
    return agents


def _snapshot(now: float) -> dict[str, Any]:
    block = {
        "now": {
            "calls_waiting": 2,
            "longest_wait": 14.0,
            "connected": 10,
            "waiting_over_t": 0,
            "agents_logged_in": 18,
            "agents": {"on_call": 8, "available": 5, "wrap_up": 2, "paused": 2, "ringing": 1},
            "occupancy": 10 / 16,
            "occupancy_agents": 16,
            "agents_estimated": 3,
            "agents_presence_unknown": 4,
            "service_level": 0.9,
        },
        "today": {"offered": 400, "answered": 380, "abandoned": 12, "service_level": 0.88},
    }
    return {
        "version": SCHEMA_VERSION,
        "generated_at": now,
        "day": time.strftime("%Y-%m-%d", time.gmtime(now)),
        "interval_minutes": 15,
        "interval_index": 40,
        "pipeline": {"applied": 1000},
        "config": {},
        "queues": {"*": block, "sales": block},
        "agents": _floor(now),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, EmbeddedRedis]]:
    root = tmp_path_factory.mktemp("presence")
    server = EmbeddedRedis(root / "redis").start()
    settings: Settings = load_settings(
        {},
        env="test",
        data_dir=root,
        redis_url=server.url,
        key_prefix=PREFIX,
        stale_after_s=3600.0,
        port=0,
    )
    upgrade(settings.sqlalchemy_url)
    with session_scope(session_factory(make_engine(settings.sqlalchemy_url))) as session:
        token = service.create_display(
            session, name="wall", boards=("agents", "center", "center-zh"), created_by="t"
        ).token
    key = Keys(prefix=PREFIX, center=settings.center).snapshot
    server.client().set(key, json.dumps(_snapshot(time.time())))
    web: WebServerThread = serve_in_thread(settings, host="127.0.0.1", port=0)
    yield web.url, token, server
    web.stop()
    server.stop()


_CARDS_JS = """
return Array.from(document.querySelectorAll('.agent')).map(function (el) {
  var style = getComputedStyle(el);
  return {cls: el.className, text: el.innerText.replace(/\\s+/g, ' ').trim(),
          bg: style.backgroundColor, image: style.backgroundImage};
});
"""


def _cards(driver: Any) -> list[dict[str, str]]:
    """Every agent card's class, text and computed background, read in one go (the board
    re-renders its cells on every refresh, so element handles go stale)."""
    return list(driver.execute_script(_CARDS_JS))


def test_agents_board_shows_static_members_as_no_session_data(
    site: tuple[str, str, EmbeddedRedis], dash_br: Any
) -> None:
    url, token, _server = site
    driver = dash_br.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{url}/board/agents?token={token}")
    cards = wait_for(lambda: len(_cards(driver)) == 25 and _cards(driver), "25 agent cards")
    static = [c for c in cards if "no-session" in c["cls"].split()]
    assert [c["text"].split(" ")[1] for c in static] and len(static) == 7
    assert all(c["text"].startswith("Static") for c in static)
    assert not any("st-available" in c["cls"] for c in static)
    # Idle static members: grey hatched, not green; in a call: the call state, hatched.
    green = next(c["bg"] for c in cards if "st-available" in c["cls"])
    idle = [c for c in static if "st-no_session" in c["cls"]]
    assert len(idle) == 5
    for card in static:
        assert card["bg"] != green
        assert "repeating-linear-gradient" in card["image"]
    assert all(c["text"].endswith("No session data") for c in idle)
    assert any(c["text"].endswith("no session · On call · sales") for c in static)
    legend = driver.find_element(By.CSS_SELECTOR, ".legend-row").text
    assert "No session data 7" in legend and "Available 5" in legend
    assert "On call 8" in legend  # as the "Agents on call" tile: agents with session data
    assert "7 without session data" in tile_text(driver, "Agents on call")
    logged = tile_text(driver, "Agents logged in")
    assert "18" in logged and "7 without session data (incl. 3 estimated from calls)" in logged
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "presence-agents.png"))


def test_center_board_occupancy_says_over_how_many_agents(
    site: tuple[str, str, EmbeddedRedis], dash_br: Any
) -> None:
    url, token, _server = site
    driver = dash_br.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{url}/board/center?token={token}")
    sentence = "over 16 agents; 7 without session data (incl. 3 estimated from calls)"
    wait_for(lambda: sentence in tile_text(driver, "Occupancy"), what=sentence)
    assert "62%" in tile_text(driver, "Occupancy")
    staffing = tile_text(driver, "Staffing now")
    assert "7 without session data" in staffing
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "presence-center.png"))


def test_chinese_center_board(site: tuple[str, str, EmbeddedRedis], dash_br: Any) -> None:
    url, token, _server = site
    driver = dash_br.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{url}/board/center-zh?token={token}")
    sentence = "基于 16 名坐席；7 名无签入数据（含 3 名按通话估算）"
    wait_for(lambda: sentence in tile_text(driver, "坐席占有率"), what=sentence)
    cards = _cards(driver)
    static = [c for c in cards if "no-session" in c["cls"].split()]
    assert len(static) == 7
    assert sum(c["text"].endswith("无签入数据") for c in static) == 5
    assert any("无签入 · 通话中" in c["text"] for c in static)
    assert "无签入数据 7" in driver.find_element(By.CSS_SELECTOR, ".legend-row").text
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / "presence-center-zh.png"))
