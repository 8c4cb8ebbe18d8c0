"""Boards in headless Chromium: a TV opens a board with its display token, follows Redis,
turns "STALE / reconnecting" when Redis stops or the snapshot gets old, and recovers by itself.
Also saves a screenshot of every shipped board at 1920x1080 and 3840x2160 for people to look at
(``tests/output/screenshots/``)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from collectors.aggregator.consumer import Aggregator
from collectors.db import make_engine, session_factory, session_scope
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.redis_server import EmbeddedRedis
from collectors.simulator import default_center, generate
from dashboard.announcements import service as announcements
from dashboard.auth import service
from dashboard.cli.demo import demo_trunk_capacity
from dashboard.database import upgrade
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
    0.5 s, rides out a Redis restart, and stops writing while ``paused`` is set."""

    paused: threading.Event


@contextlib.contextmanager
def aggregating(site: Site) -> Iterator[Keeper]:
    """Keep the snapshot fresh, as the running aggregator does (a snapshot every 0.5 s)."""
    stop = threading.Event()
    keeper = Keeper(paused=threading.Event())
    aggregator = Aggregator(site.client(), keys=site.keys, config=aggregator_config(site.settings))
    aggregator.drain()

    def loop() -> None:
        while not stop.wait(0.5):
            if keeper.paused.is_set():
                continue
            with contextlib.suppress(redis.RedisError):  # Redis stopped: retry, as it does
                aggregator.drain()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield keeper
    finally:
        stop.set()
        thread.join(timeout=5)


def wait_for(condition: Any, timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def text_of(driver: Any, css: str) -> str:
    # The board replaces its tiles every second: an element found may be gone when read.
    for _ in range(5):
        found = driver.find_elements(By.CSS_SELECTOR, css)
        try:
            return found[0].text if found else ""
        except StaleElementReferenceException:
            continue
    return ""


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
        time.sleep(1)  # a write in flight lands first
        client = site.client()
        doc = json.loads(client.get(site.keys.snapshot))
        doc["generated_at"] = time.time() - 60
        client.set(site.keys.snapshot, json.dumps(doc))
        wait_for(lambda: "is-stale" in root_class(driver), what="stale snapshot")
        assert "no fresh data since" in text_of(driver, "#board-banner").lower()
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
    time.sleep(2.5)  # the chart and the ticker draw
    assert not driver.find_elements(By.CSS_SELECTOR, ".board-error")
    path = SHOTS / f"{board}-{size[0]}x{size[1]}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 20_000
