"""In headless Chromium: the disputes page chooses nothing for the supervisor and asks before a
final decision (issue 11.17), times read in the center's zone (11.18), and the language switch in
the navigation turns the next page into Chinese (11.19).
Screenshots: ``tests/output/screenshots/decide-*.png`` and ``language-*.png``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from qa_web_support import build_world
from selenium.webdriver.common.by import By
from support.waiting import wait_for

from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread
from qa.evaluations.disputes import raise_dispute
from qa.evaluations.models import Dispute

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "tests" / "output" / "screenshots"
PASSWORD = "copper-meadow-signal-4"


@dataclass
class Site:
    settings: Settings
    web: WebServerThread
    dispute_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, redis_server: Any) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("decide-site")
    settings = load_settings({}, env="test", data_dir=root, redis_url=redis_server.url,
                             key_prefix="fbdecide", timezone="Asia/Shanghai", port=0)  # fmt: skip
    upgrade(settings.sqlalchemy_url)
    sessions = session_factory(make_engine(settings.sqlalchemy_url))

    def make_user(role: str, username: str, **kw: Any) -> str:
        with session_scope(sessions) as db:
            service.create_user(db, username=username, password=PASSWORD, role=role, **kw)
        return username

    world = build_world(sessions, root, make_user)
    with session_scope(sessions) as db:
        dispute = raise_dispute(
            db_session=db, evaluation_id=world.eval_a, item_ref="g1.b",
            reason="I did ask how I could help, at 0:03.", agent_id="Alice Agent", actor="agent-a",
        )  # fmt: skip
        dispute_id = dispute.id
    web = serve_in_thread(settings, host="127.0.0.1", port=0)
    yield Site(settings, web, dispute_id)
    web.stop()


def sign_in(driver: Any, site: Site, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{site.web.url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(lambda: "/login" not in driver.current_url, what=f"{username} signed in")


def shown(driver: Any, css: str) -> list[Any]:
    return [e for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def shoot(driver: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1440, min(max(height + 120, 900), 3000))
    driver.execute_script("window.scrollTo(0, 0)")
    path = SHOTS / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 20_000
    return path


def status(site: Site) -> str:
    sessions = session_factory(make_engine(site.settings.sqlalchemy_url))
    with session_scope(sessions) as db:
        found = db.get(Dispute, site.dispute_id)
        assert found is not None
        return found.status


def test_nothing_is_preselected_and_decide_asks_before_deciding(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    sign_in(driver, site, "sup-1")
    driver.get(f"{site.web.url}/qa/disputes")
    decide = wait_for(lambda: shown(driver, "[id*='qa-d-decide']"), what="the open dispute")[0]
    radios = driver.find_elements(By.CSS_SELECTOR, "[id*='qa-d-decision'] input[type=radio]")
    assert len(radios) == 3 and not any(r.is_selected() for r in radios)
    assert not decide.is_enabled()
    assert " CST" in driver.find_element(By.CSS_SELECTOR, ".qa-dispute-card").text  # 11.18
    shoot(driver, "decide-1-nothing-chosen.png")

    # reject without a note: Decide says why and asks nothing
    driver.find_element(By.CSS_SELECTOR, "[id*='qa-d-decision'] input[value='reject']").click()
    wait_for(decide.is_enabled, what="Decide enabled")
    decide.click()
    wait_for(lambda: "Write a note" in driver.find_element(By.CSS_SELECTOR, ".qa-decide").text,
             what="the missing note")  # fmt: skip
    assert not shown(driver, "[id*='qa-d-confirm']")

    # accept: Decide asks, naming the new answer and score; nothing is decided yet
    driver.find_element(By.CSS_SELECTOR, "[id*='qa-d-decision'] input[value='accept']").click()
    wait_for(decide.is_enabled, what="Decide enabled again")
    decide.click()
    confirm = wait_for(lambda: shown(driver, "[id*='qa-d-confirm']"), what="the question")[0]
    question = driver.find_element(By.CSS_SELECTOR, "[id*='qa-d-ask-text']").text
    assert "changes from No to Yes" in question and "to 100.0%" in question
    assert confirm.text == "Confirm: accept" and not decide.is_enabled()
    assert status(site) == "open"
    shoot(driver, "decide-2-confirm.png")

    # cancel closes the question; confirm decides
    shown(driver, "[id*='qa-d-cancel']")[0].click()
    wait_for(lambda: not shown(driver, "[id*='qa-d-confirm']"), what="the question closed")
    assert status(site) == "open"
    decide.click()
    wait_for(lambda: shown(driver, "[id*='qa-d-confirm']"), what="the question again")[0].click()
    wait_for(lambda: "rescored" in driver.find_element(By.ID, "qa-d-msg").text, what="decided")
    assert status(site) == "accepted"
    shoot(driver, "decide-3-decided.png")


def test_the_language_switch_turns_the_next_page_into_chinese(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    sign_in(driver, site, "qa-1")
    driver.get(f"{site.web.url}/qa")
    wait_for(lambda: shown(driver, ".nav-lang"), what="the language switch")
    assert "Log out" in driver.find_element(By.CSS_SELECTOR, ".nav").text
    shoot(driver, "language-1-english.png")
    driver.find_element(By.CSS_SELECTOR, ".nav-lang[value='zh']").click()
    wait_for(lambda: "退出" in driver.find_element(By.CSS_SELECTOR, ".nav").text,
             what="the page in Chinese")  # fmt: skip
    assert driver.current_url.endswith("/qa")  # back on the same page
    current = driver.find_element(By.CSS_SELECTOR, ".nav-lang.is-current")
    assert current.get_attribute("value") == "zh" and not current.is_enabled()
    shoot(driver, "language-2-chinese.png")
    driver.get(f"{site.web.url}/qa/scorecards")
    wait_for(lambda: "退出" in driver.find_element(By.CSS_SELECTOR, ".nav").text,
             what="the next page in Chinese too")  # fmt: skip
