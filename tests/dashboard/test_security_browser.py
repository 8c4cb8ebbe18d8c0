"""The hardened app in headless Chromium: signing in through the form, pages and a
state-changing callback under the Content-Security-Policy and the CSRF check (dash-renderer
sends the header by itself), a display board, logging out with the POST button, and the lockout
message. The browser console must show no CSP violation and no refused request.
Screenshots: ``tests/output/screenshots/security-*.png``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys as Key
from support.browser import text_of
from support.waiting import wait_for

from collectors.aggregator.consumer import Aggregator
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "tests" / "output" / "screenshots"
PASSWORD = "amber-harbour-lantern-7"


@dataclass
class Site:
    settings: Settings
    web: WebServerThread
    token: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, redis_server: Any) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("secure-site")
    settings = load_settings(
        {}, env="test", data_dir=root, redis_url=redis_server.url, key_prefix="fbsec", port=0
    )
    upgrade(settings.sqlalchemy_url)
    with session_scope(session_factory(make_engine(settings.sqlalchemy_url))) as session:
        service.create_user(session, username="mei", password=PASSWORD, role="supervisor")
        service.create_user(session, username="root", password=PASSWORD, role="admin")
        token = service.create_display(
            session, name="wall", boards=("center",), created_by="t"
        ).token
    web = serve_in_thread(settings, host="127.0.0.1", port=0)
    yield Site(settings, web, token)
    web.stop()


def problems(dash_br: Any) -> list[str]:
    """Console errors that mean the hardening broke something."""
    bad = ("Content Security Policy", "Content-Security-Policy", "403", "CSRF")
    return [e["message"] for e in dash_br.get_logs() if any(b in e["message"] for b in bad)]


def sign_in(driver: Any, base: str, username: str, password: str) -> None:
    driver.get(f"{base}/login")
    wait_for(lambda: driver.find_elements(By.ID, "username"), what="login form")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password + Key.ENTER)


def shoot(driver: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"security-{name}.png"))


def test_pages_and_a_posting_callback_work_under_csp_and_csrf(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    driver.set_window_size(1400, 900)
    sign_in(driver, base, "mei", PASSWORD)
    wait_for(lambda: text_of(driver, ".nav-user"), what="home page after login")
    driver.get(f"{base}/announcements")
    wait_for(lambda: driver.find_elements(By.ID, "ann-text"), what="announcements form")
    driver.find_element(By.ID, "ann-text").send_keys("Fire drill at 15:00")
    driver.find_element(By.ID, "ann-post").click()
    wait_for(lambda: "Posted" in text_of(driver, "#ann-message"), what="the post to succeed")
    wait_for(lambda: "Fire drill" in text_of(driver, "#ann-list"), what="the listing")
    driver.get(f"{base}/live")
    wait_for(lambda: text_of(driver, ".page h1"), what="live view")
    shoot(driver, "live-signed-in")
    assert problems(dash_br) == []
    driver.find_element(By.CSS_SELECTOR, "button.nav-logout").click()
    wait_for(lambda: driver.current_url.endswith("/login"), what="back on the login page")
    driver.get(f"{base}/live")
    wait_for(lambda: "/login" in driver.current_url, what="logged out for good")


def test_an_admin_creates_a_display_token_from_the_page(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    sign_in(driver, base, "root", PASSWORD)
    wait_for(lambda: text_of(driver, ".nav-user"), what="home page after login")
    driver.get(f"{base}/admin/displays")
    wait_for(lambda: driver.find_elements(By.ID, "disp-name"), what="displays form")
    driver.find_element(By.ID, "disp-name").send_keys("lobby-tv")
    driver.find_element(By.ID, "disp-boards").click()  # Dash 4's dropdown: a listbox popover
    option = wait_for(
        lambda: [
            o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == "center"
        ],
        what="the board options",
    )[0]
    option.click()
    driver.find_element(By.TAG_NAME, "body").send_keys(Key.ESCAPE)
    driver.find_element(By.ID, "disp-create").click()
    wait_for(lambda: "token=" in text_of(driver, "#disp-message"), what="the new token's link")
    shoot(driver, "displays-created")
    assert problems(dash_br) == []


def live_center(site: Site, redis_server: Any) -> int:
    """Three calls waiting, through the real producer and aggregator; returns the count."""
    client = redis_server.client()
    keys = Keys(prefix=site.settings.key_prefix, center=site.settings.center)
    now = time.time()
    events = [
        Event(kind=Kind.ENQUEUE.value, ts=now - 30 + i, source="t", event_id=f"sec-{i}",
              call_id=f"c{i}", queue="sales", position=i + 1)
        for i in range(3)
    ]  # fmt: skip
    EventProducer(client, keys=keys).publish(events)
    aggregator = Aggregator(client, keys=keys)
    aggregator.drain()
    aggregator.write_snapshot()
    return len(events)


def test_a_display_board_runs_under_the_csp(site: Site, dash_br: Any, redis_server: Any) -> None:
    waiting = live_center(site, redis_server)
    driver = dash_br.driver
    driver.set_window_size(1600, 900)
    driver.get(f"{site.web.url}/board/center?token={site.token}")
    first = ".board-grid > .tile:nth-of-type(1) .tile-value"
    wait_for(lambda: text_of(driver, first) == str(waiting), what=f"calls waiting = {waiting}")
    time.sleep(2.5)  # a few more refresh callbacks (POSTs with the CSRF header)
    assert problems(dash_br) == []
    shoot(driver, "board")


def test_a_locked_login_says_so_without_naming_the_account(site: Site, dash_br: Any) -> None:
    driver, base = dash_br.driver, site.web.url
    for _ in range(5):
        sign_in(driver, base, "nobody-here", "wrong-password-123")
        wait_for(lambda: text_of(driver, "#login-error"), what="an error")
    message = text_of(driver, "#login-error")
    assert "Too many failed sign-in attempts" in message
    shoot(driver, "login-locked")
    sign_in(driver, base, "nobody-here", "wrong-password-123")
    wait_for(lambda: text_of(driver, "#login-error") == message, what="still locked")
