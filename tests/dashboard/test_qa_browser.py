"""The QA console in headless Chromium, on the demo's QA data over simulated call history: a
supervisor scores a sampled call while listening (play, speed, seek, a comment pinned to the
player's time that jumps back there, the live score changing as items are answered, a required
comment, submit), the agent sees it and disputes an item, the supervisor accepts, and the
calibration report shows two evaluators against the expert.
Screenshots: ``tests/output/screenshots/qa-*.png``."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from sqlalchemy import select
from support.waiting import wait_for

from collectors.aggregator.engine import Engine
from collectors.history.models import Call
from collectors.history.service import archive_records
from collectors.simulator import default_center, generate
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.auth import service
from dashboard.cli.demo import qa_demo_setup
from dashboard.runtime import aggregator_config
from dashboard.settings import Settings, load_settings
from dashboard.webserver import WebServerThread, serve_in_thread
from qa.evaluations.demo import seed_qa_demo
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import AnswerIn
from qa.evaluations.service import list_evaluations, save_draft, spec_for, start_evaluation
from qa.scorecards.schemas import AnswerType

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "tests" / "output" / "screenshots"
PASSWORD = "copper-meadow-signal-4"
ZONE = "Asia/Shanghai"


@dataclass
class Site:
    settings: Settings
    web: WebServerThread


def simulate_history(settings: Settings, days: int) -> None:
    """Past days of the simulated center straight into the call history (as the demo does)."""
    tz = ZoneInfo(settings.timezone)
    midnight = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = session_factory(make_engine(settings.sqlalchemy_url))
    engine = Engine(aggregator_config(settings))
    config = default_center(agents=10, timezone=settings.timezone)
    start, end = (midnight - timedelta(days=days)).timestamp(), midnight.timestamp()
    for event in generate(config=config, seed=5, start=start, end=end):
        engine.apply(event)
    with session_scope(sessions) as db:
        archive_records(db_session=db, records=engine.take_changes().outbox)
    assert seed_qa_demo(
        qa_demo_setup(settings), config=config, seconds=12.0, echo=lambda _text: None
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, redis_server: Any) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("qa-site")
    settings = load_settings({}, env="test", data_dir=root, redis_url=redis_server.url,
                             key_prefix="fbqa", timezone=ZONE, port=0)  # fmt: skip
    upgrade(settings.sqlalchemy_url)
    with session_scope(session_factory(make_engine(settings.sqlalchemy_url))) as db:
        for name in ("supervisor", "qa", "admin", "agent"):
            service.create_user(db, username=name, password=PASSWORD, role=name,
                                display_name=f"Demo {name.title()}")  # fmt: skip
    simulate_history(settings, days=12)
    web = serve_in_thread(settings, host="127.0.0.1", port=0)
    yield Site(settings, web)
    web.stop()


def sign_in(driver: Any, site: Site, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{site.web.url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait_for(lambda: "/login" not in driver.current_url, what=f"{username} signed in")


def text(driver: Any, css: str) -> str:
    """The text of the first match ("" when none); read in the page, so never stale."""
    script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';"
    return str(driver.execute_script(script, css))


def pattern(kind: str, index: str) -> str:
    """The CSS selector of a pattern-matching component."""
    raw = json.dumps({"index": index, "type": kind}, separators=(",", ":"), sort_keys=True)
    return "[id='" + raw + "']"


def answer(driver: Any, ref: str, value: str) -> None:
    label = f"{pattern('qa-e-answer', ref)} label:has(input[value='{value}'])"
    click(driver, driver.find_element(By.CSS_SELECTOR, label))


def click(driver: Any, element: Any) -> None:
    """Click in the middle of the window (the sticky player covers the top)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def media(driver: Any, expression: str) -> Any:
    return driver.execute_script(f"return document.querySelector('.qa-player audio').{expression}")


def shoot(driver: Any, name: str, width: int = 1440) -> Path:
    """A full-page screenshot (the window grows to the page's height)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # the window includes the browser's bar; the page may grow as well
        height = driver.execute_script("return document.documentElement.scrollHeight")
        bar = driver.get_window_size()["height"] - driver.execute_script("return innerHeight")
        driver.set_window_size(width, min(max(height, 900), 6000) + bar)
        time.sleep(0.5)
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.5)
    path = SHOTS / name
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 1000)
    assert path.stat().st_size > 30_000
    return path


def score(driver: Any) -> str:
    return text(driver, "#qa-score-value")


def listen(driver: Any) -> None:
    """Play, change speed, seek with the bar."""
    wait_for(lambda: (media(driver, "duration") or 0) > 10, what="the recording's metadata")
    driver.find_element(By.CSS_SELECTOR, "[data-qa='play']").click()
    wait_for(lambda: media(driver, "currentTime") > 0.3, what="playback")
    driver.find_element(By.CSS_SELECTOR, "[data-speed='1.5']").click()
    assert media(driver, "playbackRate") == 1.5
    assert "is-active" in driver.find_element(By.CSS_SELECTOR, "[data-speed='1.5']").get_attribute(
        "class"
    )
    driver.find_element(By.CSS_SELECTOR, "[data-qa='play']").click()
    wait_for(lambda: media(driver, "paused"), what="pause")
    bar = driver.find_element(By.CSS_SELECTOR, ".qa-seek")
    driver.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true, clientX:"
        " arguments[0].getBoundingClientRect().left + arguments[0].offsetWidth * 0.75}))",
        bar,
    )
    assert abs(media(driver, "currentTime") - 0.75 * media(driver, "duration")) < 0.6
    assert text(driver, ".qa-time-now") not in ("", "0:00")


def pin_comment(driver: Any) -> None:
    """A comment pinned at 0:04 that brings the player back there."""
    driver.execute_script("document.querySelector('.qa-player audio').currentTime = 4.2")
    driver.find_element(By.ID, "qa-e-note-text").send_keys("Greeting without the company name.")
    driver.find_element(By.ID, "qa-e-note-pin").click()
    jump = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, ".qa-seek-to"), what="pinned comment"
    )
    assert jump[0].text == "0:04"
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".qa-seek-mark"), what="a mark at 0:04")
    driver.execute_script("document.querySelector('.qa-player audio').currentTime = 9")
    jump[0].click()
    wait_for(lambda: 4.1 <= media(driver, "currentTime") < 5.5, what="jump to 0:04")
    driver.execute_script("document.querySelector('.qa-player audio').pause()")


def score_items(driver: Any) -> None:
    """Answer every item; the live score changes, a failed item asks for its comment."""
    refs = [
        json.loads(e.get_attribute("id"))["index"]
        for e in driver.find_elements(By.CSS_SELECTOR, ".qa-answer")
    ]
    assert len(refs) >= 12
    answer(driver, refs[0], "yes")
    wait_for(lambda: score(driver) == "100.0%", what="first answer scored")
    answer(driver, refs[0], "no")
    wait_for(lambda: score(driver) not in ("100.0%", "—"), what="score after a failed item")
    state = pattern("qa-e-item-state", refs[0])
    wait_for(lambda: "Comment required" in text(driver, state), what="comment required")
    note = driver.find_element(By.CSS_SELECTOR, pattern("qa-e-item-note", refs[0]))
    note.send_keys("No company name in the greeting.\n")
    wait_for(lambda: "of 2 pts" in text(driver, state), what="comment accepted")
    for ref in refs[1:]:
        options = driver.find_elements(By.CSS_SELECTOR, f"{pattern('qa-e-answer', ref)} input")
        values = [o.get_attribute("value") for o in options]
        best = "yes" if "yes" in values else max((v for v in values if v.isdigit()), key=int)
        answer(driver, ref, "na" if "na" in values and ref.endswith("holiday") else best)
    wait_for(lambda: "not answered" not in text(driver, "#qa-e-score"), what="all answered")


def test_score_a_call_while_listening_then_dispute_and_decide(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    sign_in(driver, site, "supervisor")
    driver.get(f"{site.web.url}/qa")
    start = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "[id*='qa-q-start']"),
                     what="the supervisor's sample")  # fmt: skip
    start[0].click()
    wait_for(lambda: "/qa/evaluation/" in driver.current_url, what="the evaluation page")
    evaluation = driver.current_url.split("/qa/evaluation/")[1].split("?")[0]
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".qa-player audio"), what="player")
    listen(driver)
    pin_comment(driver)
    score_items(driver)
    shoot(driver, "qa-evaluation.png")
    final = score(driver)
    click(driver, driver.find_element(By.ID, "qa-e-submit"))
    wait_for(lambda: "read-only" in text(driver, ".qa-banner"), what="submitted")
    assert not driver.find_elements(By.CSS_SELECTOR, ".qa-answer")
    assert score(driver) == final

    sign_in(driver, site, "agent")
    driver.get(f"{site.web.url}/qa/mine")
    link = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR,
                                                 f"a[href='/qa/evaluation/{evaluation}']"),
                    what="the agent's new evaluation")  # fmt: skip
    shoot(driver, "qa-agent-list.png")
    link[0].click()
    summary = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".qa-dispute-summary"),
                       what="a disputable item")  # fmt: skip
    click(driver, summary[0])
    form = summary[0].find_element(By.XPATH, "..")
    form.find_element(By.TAG_NAME, "textarea").send_keys("I did say the company name at 0:02.")
    click(driver, form.find_element(By.TAG_NAME, "button"))
    wait_for(lambda: "sent to a supervisor" in text(driver, ".qa-banner"), what="disputed")
    assert "Dispute open" in driver.page_source
    shoot(driver, "qa-agent-view.png")

    sign_in(driver, site, "supervisor")
    driver.get(f"{site.web.url}/qa/disputes")
    decide = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "[id*='qa-d-decide']"),
                      what="the open dispute")  # fmt: skip
    assert not decide[0].is_enabled()  # nothing is chosen for the supervisor
    shoot(driver, "qa-disputes.png")
    accept = "[id*='qa-d-decision'] input[value='accept']"
    click(driver, driver.find_element(By.CSS_SELECTOR, accept))
    wait_for(lambda: decide[0].is_enabled(), what="Decide enabled")
    click(driver, decide[0])
    shown = "[id*='qa-d-confirm']"
    confirm = wait_for(lambda: [b for b in driver.find_elements(By.CSS_SELECTOR, shown)
                                if b.is_displayed()], what="the confirmation")  # fmt: skip
    click(driver, confirm[0])
    wait_for(lambda: "rescored" in text(driver, "#qa-d-msg"), what="decided")
    driver.get(f"{site.web.url}/qa/evaluation/{evaluation}")
    wait_for(lambda: "Dispute accepted" in driver.page_source, what="history on the evaluation")
    assert float(score(driver).rstrip("%")) > float(final.rstrip("%"))


def test_calibration_report_compares_two_evaluators(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    sign_in(driver, site, "supervisor")
    driver.get(f"{site.web.url}/qa/calibration")
    report = wait_for(lambda: driver.find_elements(By.LINK_TEXT, "Report"), what="closed session")
    report[0].click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".qa-chart-row"), what="the report")
    rows = driver.find_elements(By.CSS_SELECTOR, ".qa-chart-row")
    assert len(rows) == 3  # the expert and two evaluators
    assert "Mean alignment" in driver.page_source.replace("MEAN ALIGNMENT", "Mean alignment")
    shoot(driver, "qa-calibration-report.png")
    driver.get(f"{site.web.url}/qa")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "[id*='qa-q-start']"), what="queue")
    shoot(driver, "qa-work-queue.png")


# Autosave, the "leave page?" warning and the Comments box (issue 11, points 15 and 16): the
# "qa" user's own drafts of calls nobody has evaluated.


def draft_for(site: Site, *, complete: bool = False) -> int:
    """A new draft of the "qa" user (every item answered when ``complete``)."""
    with session_scope(session_factory(make_engine(site.settings.sqlalchemy_url))) as db:
        taken = {e.call_pk for e in list_evaluations(db_session=db, kinds=())}
        calls = db.scalars(select(Call).where(Call.agent.is_not(None), Call.talk > 30))
        call = next(c for c in calls if c.id not in taken)
        draft = start_evaluation(db_session=db, call_pk=call.id, evaluator="qa")
        if complete:
            answers = {
                ref: AnswerIn("yes" if item.answer_type is AnswerType.YES_NO else
                              str(item.scale_max), "Fine.")
                for ref, _section, item in spec_for(draft).items()
            }  # fmt: skip
            save_draft(db_session=db, evaluation_id=draft.id, answers=answers, actor="qa")
        return draft.id


def stored(site: Site, evaluation_id: int) -> Evaluation:
    with session_scope(session_factory(make_engine(site.settings.sqlalchemy_url))) as db:
        evaluation = db.get(Evaluation, evaluation_id)
        assert evaluation is not None
        db.expunge(evaluation)
        return evaluation


def open_draft(driver: Any, site: Site, evaluation_id: int) -> list[str]:
    """Open the draft's page; the item refs of the form."""
    driver.get(f"{site.web.url}/qa/evaluation/{evaluation_id}")
    wait_for(lambda: text(driver, "#qa-e-autosave").startswith("Saved"), what="the form")
    return [
        json.loads(e.get_attribute("id"))["index"]
        for e in driver.find_elements(By.CSS_SELECTOR, ".qa-answer")
    ]


def armed(driver: Any) -> bool:
    """Whether leaving the page asks first (the handler is set, and it cancels a
    ``beforeunload`` event: ChromeDriver accepts the real prompt by itself)."""
    return bool(
        driver.execute_script(
            "if (window.onbeforeunload === null) { return false; }"
            "const e = new Event('beforeunload', {cancelable: true});"
            "window.dispatchEvent(e); return e.defaultPrevented;"
        )
    )


def checked(driver: Any, ref: str) -> str | None:
    boxes = driver.find_elements(By.CSS_SELECTOR, f"{pattern('qa-e-answer', ref)} input:checked")
    return boxes[0].get_attribute("value") if boxes else None


def reload(driver: Any) -> None:
    """Reload; a "leave page?" prompt is accepted as a user would."""
    driver.refresh()
    with contextlib.suppress(NoAlertPresentException):
        driver.switch_to.alert.accept()


def test_typed_answers_and_comments_come_back_after_a_reload(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    evaluation_id = draft_for(site)
    sign_in(driver, site, "qa")
    refs = open_draft(driver, site, evaluation_id)
    assert not armed(driver)
    answer(driver, refs[0], "yes")
    answer(driver, refs[1], "no")
    note = driver.find_element(By.CSS_SELECTOR, pattern("qa-e-item-note", refs[1]))
    click(driver, note)
    note.send_keys("Said the company name only at the end.")
    assert text(driver, "#qa-e-autosave") == "Unsaved changes" and armed(driver)
    driver.find_element(By.ID, "qa-e-note-text").send_keys("Calm caller, clear summary.")
    # A few seconds after the last change the draft is saved, without any click.
    wait_for(lambda: text(driver, "#qa-e-autosave").startswith("Saved"), what="autosaved")
    draft = stored(site, evaluation_id)
    assert {a.item_ref: (a.value, a.comment) for a in draft.answers} == {
        refs[0]: ("yes", ""),
        refs[1]: ("no", "Said the company name only at the end."),
    }
    assert armed(driver)  # the Comments box's text is not saved until it is posted
    shoot(driver, "qa-evaluation-autosave.png")
    # Leaving posts the Comments box's text as a comment without a time.
    reload(driver)
    posted = ["Calm caller, clear summary."]
    wait_for(lambda: [c.text for c in stored(site, evaluation_id).comments] == posted,
             what="the Comments box posted on leaving")  # fmt: skip
    reload(driver)
    open_draft(driver, site, evaluation_id)
    assert (checked(driver, refs[0]), checked(driver, refs[1])) == ("yes", "no")
    note = driver.find_element(By.CSS_SELECTOR, pattern("qa-e-item-note", refs[1]))
    assert note.get_attribute("value") == "Said the company name only at the end."
    assert "Calm caller, clear summary." in text(driver, "#qa-e-comments")
    assert not armed(driver)


def test_the_comments_box_is_posted_on_submit(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    evaluation_id = draft_for(site, complete=True)
    sign_in(driver, site, "qa")
    open_draft(driver, site, evaluation_id)
    driver.find_element(By.ID, "qa-e-note-text").send_keys("Good call; the close was rushed.")
    click(driver, driver.find_element(By.ID, "qa-e-submit"))
    wait_for(lambda: "read-only" in text(driver, ".qa-banner"), what="submitted")
    assert "Good call; the close was rushed." in text(driver, "#qa-e-comments")
    evaluation = stored(site, evaluation_id)
    assert evaluation.status == "submitted"
    assert [(c.text, c.at_seconds) for c in evaluation.comments] == [
        ("Good call; the close was rushed.", None)
    ]


def test_leaving_asks_first_while_changes_are_unsaved(site: Site, dash_br: Any) -> None:
    driver = dash_br.driver
    driver.set_window_size(1440, 1000)
    evaluation_id = draft_for(site)
    sign_in(driver, site, "qa")
    refs = open_draft(driver, site, evaluation_id)
    assert not armed(driver)
    answer(driver, refs[0], "no")
    assert armed(driver)
    click(driver, driver.find_element(By.ID, "qa-e-save"))
    wait_for(lambda: "Draft saved at" in text(driver, "#qa-e-msg"), what="saved")
    wait_for(lambda: not armed(driver), what="the warning disarmed")
    assert text(driver, "#qa-e-autosave").startswith("Saved")
    assert [a.value for a in stored(site, evaluation_id).answers] == ["no"]
    # The server cannot be reached: the indicator says so, the warning stays armed, and the
    # autosave retries until it gets through.
    driver.execute_script(
        "window.realFetch = window.fetch;"
        "window.fetch = function () { return Promise.reject(new TypeError('offline')); };"
    )
    answer(driver, refs[0], "yes")
    wait_for(lambda: text(driver, "#qa-e-autosave") == "Not saved — retrying", what="retrying")
    assert armed(driver)
    shoot(driver, "qa-evaluation-autosave-retrying.png")
    driver.execute_script("window.fetch = window.realFetch;")
    wait_for(lambda: text(driver, "#qa-e-autosave").startswith("Saved"), timeout=60, what="saved")
    assert not armed(driver)
    assert [a.value for a in stored(site, evaluation_id).answers] == ["yes"]
    # Leaving for another page of the app (no browser unload) keeps the change too.
    answer(driver, refs[0], "no")
    click(driver, driver.find_element(By.LINK_TEXT, "Work queue"))
    wait_for(lambda: "/qa/evaluation/" not in driver.current_url, what="the work queue")
    wait_for(lambda: [a.value for a in stored(site, evaluation_id).answers] == ["no"],
             what="the change saved on leaving")  # fmt: skip
