"""The floor's screens in headless Chromium, on a simulated 36-agent morning kept fresh by a
running aggregator: the supervisor's live view (numbers from Redis, filtered by team), an
announcement posted by a supervisor reaching a TV's ticker, an admin creating a display token
and revoking it (the TV stops), and kiosk rotation between boards. Screenshots:
``tests/output/screenshots/floor-*.png``."""

from __future__ import annotations

import contextlib
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
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys as Key
from support.browser import text_of
from support.waiting import wait_for

from collectors.aggregator.consumer import Aggregator
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.simulator import default_center, generate
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.cli.demo import business_hours_zone, demo_trunk_capacity
from dashboard.runtime import aggregator_config
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread
from qa.people.schemas import AgentIn
from qa.people.service import upsert_agent

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "tests" / "output" / "screenshots"
PASSWORD = "granite-orchard-compass-4"
PREFIX = "fbfloor"


@dataclass
class Site:
    """A running Floorboard with a live center, people in teams, accounts and a TV token."""

    settings: Settings
    web: WebServerThread
    token: str
    snapshot: dict[str, Any]
    teams: dict[str, str]

    def board_url(self, board: str, **extra: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"token": self.token, **extra}.items())
        return f"{self.web.url}/board/{board}?{query}"


def _morning(client: Any, keys: Keys, zone: str, config: Any) -> None:
    now = time.time()
    start = datetime.fromtimestamp(now, ZoneInfo(zone)).replace(hour=0, minute=0, second=0)
    events = list(generate(config=config, seed=5, start=start.timestamp(), end=now))
    producer = EventProducer(client, keys=keys)
    for first in range(0, len(events), 5000):
        producer.publish(events[first : first + 5000])


@contextlib.contextmanager
def aggregating(client: Any, keys: Keys, settings: Settings) -> Iterator[Aggregator]:
    """The running aggregator: a fresh snapshot every 0.5 s."""
    stop = threading.Event()
    aggregator = Aggregator(client, keys=keys, config=aggregator_config(settings))
    aggregator.drain()

    def loop() -> None:
        while not stop.wait(0.5):
            aggregator.drain()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield aggregator
    finally:
        stop.set()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, redis_server: Any) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("floor")
    zone = business_hours_zone(datetime.now().astimezone())
    settings = load_settings(
        {}, env="test", data_dir=root, redis_url=redis_server.url, key_prefix=PREFIX,
        timezone=zone, stale_after_s=4.0, port=0, trunk_capacity=demo_trunk_capacity(36),
    )  # fmt: skip
    upgrade(settings.sqlalchemy_url)
    sessions = session_factory(make_engine(settings.sqlalchemy_url))
    config = default_center(agents=36, timezone=zone)
    with session_scope(sessions) as db:
        for member in config.agents:
            upsert_agent(db_session=db, data=AgentIn(member.name, member.name, member.team),
                         actor="test")  # fmt: skip
        for name, role in (("mei", "supervisor"), ("ada", "admin")):
            service.create_user(db, username=name, password=PASSWORD, role=role,
                                display_name=name.title())  # fmt: skip
        token = service.create_display(db, name="floor-tv", boards=("center", "agents"),
                                       created_by="test").token  # fmt: skip
    client = redis_server.client()
    keys = Keys(prefix=PREFIX, center=settings.center)
    _morning(client, keys, zone, config)
    web = serve_in_thread(settings, host="127.0.0.1", port=0)
    with aggregating(client, keys, settings) as aggregator:
        snapshot = aggregator.write_snapshot()
        teams = {a.name: a.team for a in config.agents}
        yield Site(settings, web, token, snapshot, teams)
    web.stop()
    stale = list(client.scan_iter(match=f"{PREFIX}:*", count=1000))
    if stale:
        client.delete(*stale)


@pytest.fixture
def tv() -> Iterator[Any]:
    """A second browser: the TV on the wall (the test's own browser is the person)."""
    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    yield driver
    driver.quit()


def root_class(driver: Any) -> str:
    found = driver.find_elements(By.ID, "board-root")
    return str(found[0].get_attribute("class")) if found else ""


def sign_in(driver: Any, base: str, username: str) -> None:
    driver.get(f"{base}/logout")
    driver.get(f"{base}/login")
    wait_for(lambda: driver.find_elements(By.ID, "username"), what="login form")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD + Key.ENTER)
    wait_for(lambda: text_of(driver, ".nav-user"), what=f"{username} signed in")


def choose(driver: Any, dropdown_id: str, label: str) -> None:
    """Pick ``label`` in a Dash 4 dropdown (a listbox popover)."""
    driver.find_element(By.ID, dropdown_id).click()
    option = wait_for(
        lambda: [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]")
                 if o.text == label],
        what=f"option {label}",
    )[0]  # fmt: skip
    option.click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Key.ESCAPE)


def shoot(driver: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"floor-{name}.png"
    time.sleep(0.5)
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 15_000
    return path


def column(driver: Any, table: str, col: str) -> list[str]:
    cells = driver.find_elements(By.CSS_SELECTOR, f"#{table} td[data-dash-column='{col}']")
    return [c.text for c in cells]


def test_the_live_view_shows_redis_and_filters_by_team(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    driver.set_window_size(1920, 1080)
    sign_in(driver, base, "mei")
    driver.get(f"{base}/live")
    queues = sorted(q for q in site.snapshot["queues"] if q != "*")
    wait_for(lambda: column(driver, "live-queue-table", "queue")[: len(queues)] == queues,
             what="one row per queue")  # fmt: skip
    offered = site.snapshot["queues"]["*"]["today"]["offered"]
    # the total row: offered today as counted by the aggregator (it only grows meanwhile)
    total = wait_for(lambda: column(driver, "live-queue-table", "offered:today")[-1],
                     what="the total row")  # fmt: skip
    assert int(total.replace(",", "")) >= offered
    everyone = len(site.snapshot["agents"])
    wait_for(lambda: len(column(driver, "live-agent-table", "agent")) == everyone,
             what=f"{everyone} agents")  # fmt: skip
    team = "Early 1"
    members = {a["agent"] for a in site.snapshot["agents"] if site.teams[a["agent"]] == team}
    choose(driver, "live-teams-filter", team)
    wait_for(lambda: set(column(driver, "live-agent-table", "agent")) == members,
             what=f"only the agents of {team}")  # fmt: skip
    assert set(column(driver, "live-agent-table", "team")) == {team}
    assert "is-stale" not in str(driver.find_element(By.ID, "live-status").get_attribute("class"))
    shoot(driver, "live-team-1920x1080")


def test_an_announcement_reaches_a_tv_within_seconds(site: Site, dash_br: Any, tv: Any) -> None:
    tv.get(site.board_url("center"))
    wait_for(lambda: "is-live" in root_class(tv), what="the TV live")
    driver, base = dash_br.driver, site.web.url
    sign_in(driver, base, "mei")
    driver.get(f"{base}/announcements")
    wait_for(lambda: driver.find_elements(By.ID, "ann-text"), what="the form")
    text = "Water supply cut at the Riverside site 14:00-16:00 · 滨江片区14:00至16:00停水抢修"
    driver.find_element(By.ID, "ann-text").send_keys(text)
    choose(driver, "ann-boards", "center")
    driver.find_element(By.ID, "ann-post").click()
    posted = time.monotonic()
    wait_for(lambda: "Riverside" in text_of(driver, "#ann-list"), what="the listing")
    wait_for(lambda: "Riverside" in tv.find_element(By.CSS_SELECTOR, ".ticker").get_attribute(
        "textContent"), timeout=10, what="the notice on the TV's ticker")  # fmt: skip
    assert time.monotonic() - posted < 10
    shoot(tv, "ticker-1600x900")


def test_an_admin_creates_a_token_and_revoking_it_stops_the_tv(
    site: Site, dash_br: Any, tv: Any
) -> None:
    driver, base = dash_br.driver, site.web.url
    driver.set_window_size(1400, 900)
    sign_in(driver, base, "ada")
    driver.get(f"{base}/admin/displays")
    wait_for(lambda: driver.find_elements(By.ID, "disp-name"), what="the form")
    driver.find_element(By.ID, "disp-name").send_keys("canteen-tv")
    choose(driver, "disp-boards", "agents")
    driver.find_element(By.ID, "disp-create").click()
    url = wait_for(lambda: text_of(driver, "#disp-message .token-url"), what="the new link")
    assert "/board/agents?token=" in url
    shoot(driver, "displays-created")

    tv.get(url)
    wait_for(lambda: "is-live" in root_class(tv), what="the new TV live")
    assert not tv.find_elements(By.CSS_SELECTOR, "nav, .nav-user")  # kiosk: no chrome
    tv.get(site.board_url("center").replace(site.token, urlsplit(url).query[6:]))
    assert "not allowed" in tv.page_source.lower() or "forbidden" in tv.page_source.lower()
    tv.get(url)
    wait_for(lambda: "is-live" in root_class(tv), what="back on its own board")

    row = wait_for(
        lambda: [r for r in driver.find_elements(By.CSS_SELECTOR, "#disp-list tr")
                 if "canteen-tv" in r.text],
        what="the new display listed",
    )[0]  # fmt: skip
    row.find_element(By.CSS_SELECTOR, "button.danger").click()
    wait_for(lambda: "Revoked" in text_of(driver, "#disp-message"), what="revoked")
    # The open board stops getting data (its callbacks are refused) and says so.
    wait_for(lambda: "is-stale" in root_class(tv), timeout=15, what="the revoked TV stale")
    tv.get(url)
    assert "board-root" not in tv.page_source
    assert "not valid" in tv.page_source


def test_kiosk_rotation_goes_round_the_boards(site: Site, tv: Any) -> None:
    tv.get(site.board_url("center", rotate="8", boards="center,agents"))
    loaded = time.monotonic()
    wait_for(lambda: text_of(tv, ".board-title") == "Contact center", what="the center board")
    wait_for(lambda: urlsplit(tv.current_url).path == "/board/agents", timeout=20,
             what="rotation to the agents board")  # fmt: skip
    assert time.monotonic() - loaded >= 6  # not before its time (8 s)
    wait_for(lambda: text_of(tv, ".board-title") == "Agents", what="the agents board")
    wait_for(lambda: "is-live" in root_class(tv), what="the agents board live")
    assert "rotate=8" in tv.current_url and "token=" in tv.current_url
    wait_for(lambda: urlsplit(tv.current_url).path == "/board/center", timeout=20,
             what="rotation back to the center board")  # fmt: skip
