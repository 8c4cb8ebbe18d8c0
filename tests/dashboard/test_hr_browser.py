"""HR in headless Chromium on the demo's data: HR computes last month, resolves the tie that only
a manager can break, reviews and publishes it, downloads the payroll workbook, prints the wall
poster (A4 and A3 print layouts) and shows it on a big screen; an agent reads their history.
Screenshots at 1920x1080 and of the print layout: ``tests/output/screenshots/hr-*.png``."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hr_factories import simulate_last_month
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys as Key
from support.browser import text_of
from support.waiting import wait_for

from collectors.aggregator.consumer import Aggregator
from collectors.keys import Keys
from collectors.simulator import default_center
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread
from qa.awards.demo import DESK_AGENTS, seed_hr_demo
from qa.awards.month import previous_month

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "tests" / "output" / "screenshots"
PASSWORD = "amber-harbour-lantern-7"
MM = 96 / 25.4  # CSS pixels per millimetre


@dataclass
class Site:
    settings: Settings
    web: WebServerThread
    token: str
    month: str
    agent: str
    keys: Keys


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, redis_server: Any) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("hr-site")
    settings = load_settings({}, env="test", data_dir=root, redis_url=redis_server.url,
                             key_prefix="fbhr", timezone="Asia/Shanghai", port=0)  # fmt: skip
    upgrade(settings.sqlalchemy_url)
    sessions = session_factory(make_engine(settings.sqlalchemy_url))
    config = default_center(agents=36, timezone=settings.timezone)
    simulate_last_month(settings, sessions, config, days=2)
    assert seed_hr_demo(sessions=sessions, tz=settings.timezone, config=config, echo=lambda _: None)
    agent = config.agents[0].name
    with session_scope(sessions) as session:
        for name, role, link in (("hanna", "hr", None), ("mei", "supervisor", None),
                                 ("fang", "agent", agent)):  # fmt: skip
            service.create_user(session, username=name, password=PASSWORD, role=role,
                                display_name=name.title(), agent_id=link)  # fmt: skip
        token = service.create_display(session, name="wall", boards=("poster",),
                                       created_by="t").token  # fmt: skip
    web = serve_in_thread(settings, host="127.0.0.1", port=0)
    month = str(previous_month(tz=settings.timezone))
    yield Site(settings, web, token, month, agent, Keys(prefix="fbhr", center=settings.center))
    web.stop()


def viewport(driver: Any, width: int, height: int) -> None:
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if inner != [width, height]:
        driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def shoot(driver: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"hr-{name}.png"
    time.sleep(0.4)  # let transitions settle
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 15_000
    return path


def sign_in(driver: Any, base: str, username: str) -> None:
    driver.get(f"{base}/logout")
    driver.get(f"{base}/login")
    wait_for(lambda: driver.find_elements(By.ID, "username"), what="login form")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD + Key.ENTER)
    wait_for(lambda: text_of(driver, ".nav-user"), what=f"{username} signed in")


def click(driver: Any, css: str) -> None:
    wait_for(lambda: driver.find_element(By.CSS_SELECTOR, css).is_enabled(), what=f"{css} enabled")
    driver.find_element(By.CSS_SELECTOR, css).click()


def status(driver: Any) -> str:
    return text_of(driver, "#hr-status")


def test_hr_closes_the_month_from_the_ranking_page(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    viewport(driver, 1920, 1080)
    sign_in(driver, base, "hanna")
    driver.get(f"{base}/hr?month={site.month}")
    wait_for(lambda: "Not computed" in status(driver), what="an empty month")
    click(driver, "#hr-compute")
    wait_for(lambda: "Draft" in status(driver), what="the draft")
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#hr-table tbody tr")) > 30,
             what="the ranking")  # fmt: skip
    assert "Needs a decision" in status(driver)
    cards = text_of(driver, ".hr-star-card")
    assert "Awarded by the rules" in cards and "Tie: a manager decides" in cards
    shoot(driver, "ranking-draft-1920x1080")
    # the Model Star: the email desk is tied, no rule can break it
    form = driver.find_element(By.CSS_SELECTOR, ".hr-star-card.star-model .hr-tie-form")
    form.find_elements(By.CSS_SELECTOR, "input[type=radio]")[1].click()
    form.find_element(By.TAG_NAME, "textarea").send_keys("Answered the most customer emails")
    form.find_element(By.TAG_NAME, "button").click()
    wait_for(lambda: "Decided by a manager" in text_of(driver, ".star-model"), what="decision")
    assert "Needs a decision" not in status(driver)
    winner = text_of(driver, ".star-model .hr-star-winner")
    assert winner in DESK_AGENTS
    # how a figure was reached: click the winner's row
    cell = driver.find_element(By.XPATH, f"//div[@id='hr-table']//td[.//div[text()='{winner}']]")
    cell.click()
    wait_for(lambda: "coefficient = base" in text_of(driver, "#hr-detail"), what="explanation")
    driver.execute_script("document.getElementById('hr-detail').scrollIntoView()")
    shoot(driver, "ranking-detail-1920x1080")
    click(driver, "#hr-review")
    wait_for(lambda: "Reviewed" in status(driver), what="reviewed")
    click(driver, "#hr-publish")
    wait_for(lambda: "revision r1?" in text_of(driver, "#hr-publish-ask"), what="confirmation")
    assert "Reviewed" in status(driver)  # asking published nothing
    shoot(driver, "ranking-publish-confirm-1920x1080")
    click(driver, "#hr-publish-confirm")
    wait_for(lambda: "Published" in status(driver), what="published")
    driver.execute_script("window.scrollTo(0, 0)")
    wait_for(lambda: driver.find_elements(By.ID, "hr-export-xlsx"), what="export links")
    shoot(driver, "ranking-published-1920x1080")
    fetched = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"fetch('/hr/export/{site.month}.xlsx').then(r => r.arrayBuffer().then("
        "b => done([r.status, r.headers.get('content-type'), b.byteLength])));"
    )
    assert fetched[0] == 200 and "spreadsheetml" in fetched[1] and fetched[2] > 4000


def test_the_wall_poster_on_screen_on_paper_and_on_a_big_screen(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    sign_in(driver, base, "mei")
    if "Published" not in _month_status(driver, base, site.month):
        pytest.skip("needs the month published by the test above")
    viewport(driver, 1920, 1080)
    driver.get(f"{base}/hr/poster/{site.month}")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".poster-sheet .roll-agent"),
             what="the poster")  # fmt: skip
    names = text_of(driver, ".roll")
    assert all(name in names for name in DESK_AGENTS) and site.agent in names
    _fits(driver)
    shoot(driver, "poster-1920x1080")
    try:
        for paper, size in (("A4", (297, 210)), ("A3", (420, 297))):
            if paper == "A3":  # the paper switch is on screen only
                _media(driver, "")
                driver.find_elements(By.CSS_SELECTOR, ".hr-paper input")[1].click()
                wait_for(
                    lambda: (
                        "paper-a3"
                        in driver.find_element(By.ID, "hr-poster-root").get_attribute("class")
                    ),
                    what="A3",
                )
            _media(driver, "print")
            viewport(driver, round(size[0] * MM), round(size[1] * MM))
            assert not driver.find_element(By.CSS_SELECTOR, ".nav").is_displayed()
            _fits(driver)
            shoot(driver, f"poster-print-{paper.lower()}")
            pdf = _print_pdf(driver, size)
            assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, paper  # one sheet, no spill
    finally:
        _media(driver, "")
    assert "A3" in driver.find_element(By.ID, "hr-poster-pdf").get_attribute("href")
    with _aggregating(site):
        viewport(driver, 1920, 1080)
        driver.get(f"{base}/board/poster?token={site.token}")
        wait_for(lambda: "is-live" in driver.find_element(By.ID, "board-root")
                 .get_attribute("class"), what="live board")  # fmt: skip
        # the tile's first frame may come before the poster's roll: wait for every name
        wait_for(
            lambda: all(name in text_of(driver, ".kind-poster") for name in DESK_AGENTS),
            what=f"the poster tile naming {', '.join(DESK_AGENTS)}",
        )
        shoot(driver, "poster-board-1920x1080")


def test_an_agent_reads_their_history(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    viewport(driver, 1920, 1080)
    sign_in(driver, base, "fang")
    driver.get(f"{base}/hr/agent/me")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".hr-history tbody tr"),
             what="the history")  # fmt: skip
    assert site.agent in text_of(driver, ".hr-detail-head")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".hr-chart .main-svg"), what="chart")
    shoot(driver, "agent-history-1920x1080")
    driver.get(f"{base}/hr/agent/{DESK_AGENTS[1]}")
    wait_for(lambda: text_of(driver, ".denied"), what="someone else's history refused")


def test_supervisors_see_the_incident_ledger(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    viewport(driver, 1920, 1080)
    sign_in(driver, base, "mei")
    driver.get(f"{base}/hr/incidents?month={site.month}")
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, ".hr-ledger tbody tr")) > 20,
             what="the ledger")  # fmt: skip
    assert "Correction" in text_of(driver, ".hr-ledger")
    shoot(driver, "incidents-1920x1080")


def _media(driver: Any, media: str) -> None:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})


def _month_status(driver: Any, base: str, month: str) -> str:
    driver.get(f"{base}/hr?month={month}")
    wait_for(lambda: status(driver), what="the month's status")
    return status(driver)


def _fits(driver: Any) -> None:
    """The whole roll is on the sheet (nothing cut off at the bottom or the right)."""
    clipped = driver.execute_script(
        "const s = document.querySelector('.poster-sheet').getBoundingClientRect();"
        "return [...document.querySelectorAll('.roll-agent')].filter(e => {"
        "  const r = e.getBoundingClientRect();"
        "  return r.bottom > s.bottom + 1 || r.right > s.right + 1; }).length;"
    )
    assert clipped == 0


def _print_pdf(driver: Any, size: tuple[int, int]) -> bytes:
    printed = driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    data = base64.b64decode(printed["data"])
    (SHOTS / f"hr-poster-print-{size[0]}x{size[1]}mm.pdf").write_bytes(data)
    return data


class _aggregating:  # noqa: N801 - used as a context manager
    """Keep the live snapshot fresh while the board is open (the board greys out without it)."""

    def __init__(self, site: Site) -> None:
        self.aggregator = Aggregator(_redis(site), keys=site.keys)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.wait(0.5):
            self.aggregator.write_snapshot()

    def __enter__(self) -> None:
        self.aggregator.drain()
        self.aggregator.write_snapshot()
        self.thread.start()

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def _redis(site: Site) -> Any:
    import redis  # noqa: PLC0415

    return redis.Redis.from_url(site.settings.redis_url, decode_responses=True)
