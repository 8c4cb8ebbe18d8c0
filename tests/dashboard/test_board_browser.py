"""Boards in headless Chromium: a TV opens a board with its display token, follows Redis,
turns "STALE" when Redis stops or the snapshot gets old ("No update for N s"), and recovers by
itself; kiosk rotation swaps boards in the page without a STALE or empty frame; a server slower
than the refresh interval keeps a board live.
Also saves a screenshot of every shipped board at 1920x1080 and 3840x2160 for people to look at
(``tests/output/screenshots/``)."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import redis
from selenium.webdriver.common.by import By
from support.browser import text_of
from support.waiting import wait_for

from collectors.aggregator.consumer import Aggregator
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis
from collectors.simulator import default_center, generate
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.announcements import service as announcements
from dashboard.auth import service
from dashboard.cli.demo import demo_trunk_capacity
from dashboard.runtime import aggregator_config
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "tests" / "output" / "screenshots"
BOARDS = ("center", "sales-team", "agents", "center-zh")
ZONES = (
    "Asia/Shanghai",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Dubai",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
)


def busy_zone() -> str:
    """A zone where it is late morning now, so that the simulated floor is fully staffed."""
    now = datetime.now().astimezone()

    def distance(zone: str) -> float:
        local = now.astimezone(ZoneInfo(zone))
        return abs(local.hour + local.minute / 60 - 11.5)

    return min(ZONES, key=distance)


@dataclass
class Site:
    """A running Floorboard: Redis we can stop, the web server, a display token."""

    redis: EmbeddedRedis
    settings: Settings
    web: WebServerThread
    token: str
    keys: Keys

    def client(self) -> redis.Redis:
        return self.redis.client()

    def board_url(self, board: str, **extra: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"token": self.token, **extra}.items())
        return f"{self.web.url}/board/{board}?{query}"

    def drain(self) -> dict[str, Any]:
        config = aggregator_config(self.settings)
        aggregator = Aggregator(self.client(), keys=self.keys, config=config)
        aggregator.drain()
        return aggregator.write_snapshot()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    server = EmbeddedRedis(root / "redis", appendonly=True).start()
    zone = busy_zone()
    settings = load_settings(
        {},
        env="test",
        data_dir=root,
        redis_url=server.url,
        timezone=zone,
        key_prefix="fbweb",
        stale_after_s=4.0,
        port=0,
        trunk_capacity=demo_trunk_capacity(110),  # "lines in use" of the largest center here
    )
    upgrade(settings.sqlalchemy_url)
    sessions = session_factory(make_engine(settings.sqlalchemy_url))
    with session_scope(sessions) as session:
        token = service.create_display(session, name="wall", boards=BOARDS, created_by="t").token
        announcements.post(
            session,
            text="Scheduled maintenance of the billing line tonight "
            "22:00–23:00 · 今晚22:00至23:00计费线路维护",
            created_by="t",
            level="warning",
        )
    web = serve_in_thread(settings, host="127.0.0.1", port=0)
    site = Site(server, settings, web, token, Keys(prefix="fbweb", center=settings.center))
    yield site
    web.stop()
    server.stop()


def simulate_today(site: Site, agents: int) -> dict[str, Any]:
    """A realistic morning from the simulator, through the real producer and aggregator."""
    tz = ZoneInfo(site.settings.timezone)
    now = time.time()
    start = datetime.fromtimestamp(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    config = default_center(agents=agents, timezone=site.settings.timezone)
    client = site.client()
    client.delete(*client.keys(f"{site.keys.prefix}:*") or ["none"])
    events = list(generate(config=config, seed=11, start=start.timestamp(), end=now))
    EventProducer(client, keys=site.keys).publish(events)
    return site.drain()


@dataclass
class Keeper:
    """The running aggregator of a test: applies new events and rewrites the snapshot every
    0.5 s, rides out a Redis restart, and stops writing while ``paused`` is set (``resting``
    says it has stopped: no write is in flight)."""

    paused: threading.Event
    resting: threading.Event


@contextlib.contextmanager
def aggregating(site: Site) -> Iterator[Keeper]:
    """Keep the snapshot fresh, as the running aggregator does (a snapshot every 0.5 s)."""
    stop = threading.Event()
    keeper = Keeper(paused=threading.Event(), resting=threading.Event())
    aggregator = Aggregator(site.client(), keys=site.keys, config=aggregator_config(site.settings))
    aggregator.drain()

    def loop() -> None:
        while not stop.wait(0.5):
            if keeper.paused.is_set():
                keeper.resting.set()
                continue
            keeper.resting.clear()
            with contextlib.suppress(redis.RedisError):  # Redis stopped: retry, as it does
                aggregator.drain()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield keeper
    finally:
        stop.set()
        thread.join(timeout=5)


# Every chart has its bars, drawn for this screen (chart.figure scales its fonts by the height),
# the ticker its track and the clock its time: the board as a viewer sees it.
DRAWN = """
const scale = Math.max(0.6, window.innerHeight / 1080);
const all = (css, ok) => Array.from(document.querySelectorAll(css)).every(ok);
const plotted = (tile) => tile.querySelector('.js-plotly-plot');
return all('.tile-chart', (tile) => plotted(tile) !== null
    && plotted(tile).querySelector('.main-svg .trace') !== null
    && plotted(tile).layout.font.size === 15 * scale)
  && all('.tile-ticker .ticker', (t) => t.querySelector('.ticker-track') !== null)
  && all('.tile-clock .clock', (c) => c.textContent.trim() !== '');
"""

# Watches the page on every frame the browser paints (requestAnimationFrame) and notes what a
# viewer would have seen wrong: a board or a tile "STALE", a banner, an empty tile or chart.
# It lives in ``window``: a page reload would lose it (and ``__fbKept``).
RECORDER = """
window.__fbKept = 'kept';
const rec = window.__fbRecord = {titles: [], stamps: [], bad: [], frames: 0};
let changed = performance.now();
function look() {
  const root = document.getElementById('board-root');
  const text = (css) => ((document.querySelector(css) || {}).textContent || '').trim();
  const title = text('.board-title');
  if (rec.titles[rec.titles.length - 1] !== title) {
    rec.titles.push(title);
    changed = performance.now();
  }
  const stamp = text('.board-stamp');
  if (stamp && rec.stamps[rec.stamps.length - 1] !== stamp) { rec.stamps.push(stamp); }
  const seen = [];
  if (!root || /is-stale/.test(root.className)) { seen.push('board stale'); }
  if (text('#board-banner')) { seen.push('banner: ' + text('#board-banner')); }
  if (document.querySelector('.fresh.is-old')) { seen.push('tile stale'); }
  document.querySelectorAll('.tile-slot, .tile-clock .clock').forEach((slot) => {
    if (!slot.firstChild) { seen.push('empty tile'); }
  });
  document.querySelectorAll('.tile-chart').forEach((tile) => {
    if (!tile.querySelector('.main-svg .trace')) {
      const graph = tile.querySelector('.dash-graph');
      const plot = tile.querySelector('.js-plotly-plot');
      seen.push('empty chart (' + (graph ? graph.className : 'no graph') + ', plot ' + !!plot +
                ', Plotly ' + typeof window.Plotly + ')');
    }
  });
  rec.frames += 1;
  if (seen.length && rec.bad.length < 50) {
    const after = Math.round(performance.now() - changed);
    rec.bad.push(title + ' (' + after + ' ms after it came): ' + seen.join(', '));
  }
  requestAnimationFrame(look);
}
requestAnimationFrame(look);
"""


def record(driver: Any) -> dict[str, Any]:
    return driver.execute_script("return window.__fbRecord || null") or {}


def no_update_for(banner: str) -> int:
    """N in the banner's "No update for N s" (-1 without one)."""
    found = re.search(r"No update for (\d+) s", banner)
    return int(found.group(1)) if found else -1


@contextlib.contextmanager
def slow_server(site: Site, delay_s: float) -> Iterator[None]:
    """Every callback of the web server answers ``delay_s`` late (a slow but alive server:
    the delay is longer than a board's refresh interval)."""
    app = site.web.app
    inner = app.wsgi_app

    def slow(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_dash-update-component":
            threading.Event().wait(delay_s)
        return inner(environ, start_response)

    app.wsgi_app = slow  # type: ignore[method-assign]
    try:
        yield
    finally:
        app.wsgi_app = inner  # type: ignore[method-assign]


def root_class(driver: Any) -> str:
    found = driver.find_elements(By.ID, "board-root")
    return found[0].get_attribute("class") if found else ""


def first_value(driver: Any) -> str:
    return text_of(driver, ".board-grid > .tile:nth-of-type(1) .tile-value")


def test_a_display_follows_redis_goes_stale_and_recovers(site: Site, dash_br: Any) -> None:
    snap = simulate_today(site, agents=36)
    waiting = snap["queues"]["*"]["now"]["calls_waiting"]
    driver = dash_br.driver
    driver.set_window_size(1600, 900)
    with aggregating(site) as keeper:
        driver.get(site.board_url("center"))
        wait_for(lambda: first_value(driver) == str(waiting), what=f"calls waiting = {waiting}")
        wait_for(lambda: "is-live" in root_class(driver), what="live board")
        assert "Contact center" in text_of(driver, ".board-title")

        # more calls arrive: the board follows
        producer = EventProducer(site.client(), keys=site.keys)
        now = time.time()
        producer.publish(
            [
                Event(
                    kind=Kind.ENQUEUE.value,
                    ts=now,
                    source="t",
                    event_id=f"x{i}",
                    call_id=f"extra-{i}",
                    queue="support",
                )
                for i in range(5)
            ]
        )
        wait_for(lambda: first_value(driver) == str(waiting + 5), what="calls waiting + 5")

        # Redis stops: stale, reconnecting, numbers dimmed
        site.redis.stop()
        wait_for(lambda: "is-stale" in root_class(driver), what="stale after Redis stopped")
        assert "unreachable" in text_of(driver, "#board-banner").lower()
        site.redis.start()
        wait_for(lambda: "is-live" in root_class(driver), timeout=20, what="recovery")
        wait_for(lambda: text_of(driver, "#board-banner") == "", what="banner gone")
        assert first_value(driver) == str(waiting + 5)  # nothing lost over the restart

        # the aggregator stops writing: the snapshot ages past stale_after_s
        keeper.paused.set()
        keeper.resting.wait(timeout=10)  # a write in flight lands first
        client = site.client()
        doc = json.loads(client.get(site.keys.snapshot))
        doc["generated_at"] = time.time() - 60
        client.set(site.keys.snapshot, json.dumps(doc))
        wait_for(lambda: "is-stale" in root_class(driver), what="stale snapshot")
        assert no_update_for(text_of(driver, "#board-banner")) >= 60
        keeper.paused.clear()
        wait_for(lambda: "is-live" in root_class(driver), what="fresh again")


def test_the_token_opens_nothing_else(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.get(site.board_url("center"))
    wait_for(lambda: root_class(driver), what="board")
    driver.get(f"{site.web.url}/live")
    assert "board-root" not in driver.page_source
    assert "Forbidden" in driver.page_source or "not allowed" in driver.page_source.lower()


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_screenshots_of_every_shipped_board(
    site: Site, dash_br: Any, size: tuple[int, int]
) -> None:
    simulate_today(site, agents=110)
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = dash_br.driver
    with aggregating(site):
        for board in BOARDS:
            shoot(driver, site, board, size)


def shoot(driver: Any, site: Site, board: str, size: tuple[int, int]) -> None:
    """One screenshot of ``board`` with an exact viewport of ``size``."""
    driver.set_window_size(*size)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    # headless Chromium's window includes no chrome, but make sure the viewport is exact
    if inner != list(size):
        driver.set_window_size(2 * size[0] - inner[0], 2 * size[1] - inner[1])
    driver.get(site.board_url(board))
    wait_for(lambda: "is-live" in root_class(driver), what=f"{board} live")
    wait_for(lambda: driver.execute_script(DRAWN), what=f"{board} drawn for {size}")
    assert not driver.find_elements(By.CSS_SELECTOR, ".board-error")
    path = SHOTS / f"{board}-{size[0]}x{size[1]}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 20_000


def test_rotation_swaps_the_board_in_the_page_never_stale_or_empty(
    site: Site, dash_br: Any
) -> None:
    """Kiosk rotation (issue 11.14): agents (no chart) → center → center-zh → agents. The
    page is not reloaded, and on no painted frame is a tile STALE or empty or a chart blank."""
    simulate_today(site, agents=36)
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = dash_br.driver
    driver.set_window_size(1600, 900)
    tour = ["Agents", "Contact center", "客服中心实时大屏", "Agents"]
    with aggregating(site):
        driver.get(site.board_url("agents", rotate="5", boards="agents,center,center-zh"))
        wait_for(lambda: "is-live" in root_class(driver), what="the agents board live")
        wait_for(lambda: text_of(driver, ".board-title") == "Agents", what="the agents board")
        driver.execute_script(RECORDER)
        driver.save_screenshot(str(SHOTS / "rotate-1-before.png"))
        wait_for(
            lambda: text_of(driver, ".board-title") == "Contact center",
            timeout=30,
            what="rotation to the center board",
        )
        driver.save_screenshot(str(SHOTS / "rotate-2-after.png"))
        try:
            wait_for(
                lambda: record(driver).get("titles", [])[: len(tour)] == tour,
                timeout=60,
                what=f"the rotation {' → '.join(tour)}",
            )
        except AssertionError as exc:  # say which boards were seen, and in what order
            raise AssertionError(f"{exc}; titles seen: {record(driver).get('titles')}") from exc
        seen = record(driver)
    assert driver.execute_script("return window.__fbKept") == "kept"  # never reloaded
    assert seen["titles"][: len(tour)] == tour  # no frame without a board in between
    assert seen["bad"] == [], seen["bad"][:5]
    assert seen["frames"] > 10
    assert urlsplit(driver.current_url).path == "/board/agents"
    assert "token=" in driver.current_url and "rotate=5" in driver.current_url


def test_a_slow_server_keeps_the_board_live_and_old_data_says_no_update(
    site: Site, dash_br: Any
) -> None:
    """Answers slower than the refresh interval are not dropped (the board stays live, no
    banner); data that really is old says "No update for N s" and blames no server."""
    simulate_today(site, agents=36)
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = dash_br.driver
    driver.set_window_size(1600, 900)
    with aggregating(site) as keeper, slow_server(site, delay_s=1.5):
        driver.get(site.board_url("center"))  # refreshes every 1 s; each answer takes 1.5 s
        wait_for(lambda: "is-live" in root_class(driver), what="the board live")
        # a page opened afresh draws its chart once the chart library has loaded
        wait_for(lambda: driver.execute_script(DRAWN), timeout=30, what="the board drawn")
        driver.execute_script(RECORDER)
        wait_for(
            lambda: len(record(driver).get("stamps", [])) >= 5,
            timeout=40,
            what="four refreshes answered by the slow server",
        )
        seen = record(driver)
        assert seen["bad"] == [], seen["bad"][:5]

        keeper.paused.set()
        keeper.resting.wait(timeout=10)
        client = site.client()
        doc = json.loads(client.get(site.keys.snapshot))
        doc["generated_at"] = time.time() - 90
        client.set(site.keys.snapshot, json.dumps(doc))
        wait_for(lambda: "is-stale" in root_class(driver), what="stale snapshot")
        banner = wait_for(lambda: text_of(driver, "#board-banner"), what="the banner")
        assert 90 <= no_update_for(banner) < 120, banner
        assert "unreachable" not in banner.lower() and "server" not in banner.lower()
        driver.save_screenshot(str(SHOTS / "board-no-update-1600x900.png"))
        keeper.paused.clear()
        wait_for(lambda: "is-live" in root_class(driver), what="fresh again")
        wait_for(lambda: text_of(driver, "#board-banner") == "", what="banner gone")
