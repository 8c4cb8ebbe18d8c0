"""PostgreSQL goes away under the web app: a person gets a styled "database unavailable" page
(503, Retry-After, reloading itself), a callback gets 503 JSON the browser script understands,
boards stay live, and once the database is back the same requests work without a restart."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import flask
import pytest
from faults.support import Outage, wait_until
from faults.test_database_outage import through
from flask.testing import FlaskClient
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from support.dash_requests import router_body

from collectors.redis_server import EmbeddedRedis
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.app import create_app
from dashboard.auth import service
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.i18n import t
from dashboard.routes.outage import HEADER
from dashboard.security import csrf
from dashboard.settings import load_settings
from dashboard.webserver import serve_in_thread

pytestmark = pytest.mark.postgres
PASSWORD = "correct-horse-battery-9"  # noqa: S105 - a test account


def log_in(client: FlaskClient, username: str) -> Any:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    form = {"username": username, "password": PASSWORD, "csrf": token.group(1)}
    return client.post("/login", data=form, headers={"Accept": "text/html"})


def route(client: FlaskClient, path: str) -> Any:
    cookie = client.get_cookie(csrf.COOKIE)
    assert cookie is not None
    return client.post(
        CALLBACK_ENDPOINT, json=router_body(path), headers={csrf.HEADER: cookie.value}
    )


def assert_outage_page(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert 'href="/assets/floorboard.css"' in page
    assert t("outage.title", "en") in page and 'http-equiv="refresh"' in page


@pytest.fixture
def app_and_outage(redis_server: EmbeddedRedis, postgres_server: Any, tmp_path: Path) -> Any:
    name = f"web_{uuid.uuid4().hex[:8]}"
    postgres_server.psql(f"CREATE DATABASE {name};")
    direct = postgres_server.get_uri(database=name).replace(
        "postgresql://", "postgresql+psycopg://"
    )
    upgrade(direct)
    engine = make_engine(direct)
    with session_scope(session_factory(engine)) as session:
        service.create_user(session, username="sup", password=PASSWORD, role="supervisor")
    engine.dispose()
    info = postgres_server.get_postmaster_info()  # it listens on a Unix socket only
    outage = Outage(f"{info.socket_dir}/.s.PGSQL.{info.port}")
    settings = load_settings(
        {},
        env="test",
        data_dir=tmp_path,
        database_url=through(direct, outage.port),
        redis_url=redis_server.url,
        key_prefix=f"t{uuid.uuid4().hex[:8]}",
    )
    app = create_app(settings)
    try:
        yield app, outage
    finally:
        outage.cut()
        app.extensions["floorboard"].engine.dispose()


def test_pages_login_and_callbacks_say_database_unavailable_and_recover(
    app_and_outage: tuple[flask.Flask, Outage],
) -> None:
    app, outage = app_and_outage
    state = app.extensions["floorboard"]
    person = app.test_client()
    assert log_in(person, "sup").status_code == 302
    assert route(person, "/qa/scorecards").status_code == 200

    outage.cut()
    # The account is cached (it is read again every few seconds): the page's own query fails.
    callback = route(person, "/qa/scorecards")
    assert callback.status_code == 503
    assert callback.headers[HEADER] == "database"
    assert callback.get_json()["message"] == t("outage.callback", "en")
    # The cache expires: loading the account fails, on a page as on a callback.
    state.users.invalidate()
    assert_outage_page(person.get("/qa/scorecards", headers={"Accept": "text/html"}))
    assert route(person, "/qa/scorecards").status_code == 503
    # Logging in needs the database too.
    newcomer = app.test_client()
    failed = log_in(newcomer, "sup")
    assert_outage_page(failed)
    assert 'url=/login"' in failed.get_data(as_text=True)  # the reload asks for the form
    assert app.test_client().get("/healthz/database").status_code == 503

    outage.restore()
    assert app.test_client().get("/healthz/database").status_code == 200
    assert person.get("/qa/scorecards", headers={"Accept": "text/html"}).status_code == 200
    assert route(person, "/qa/scorecards").status_code == 200
    assert log_in(newcomer, "sup").status_code == 302
    assert newcomer.get("/live").status_code == 200


@pytest.mark.browser
def test_the_browser_shows_the_outage_and_recovers_by_itself(
    app_and_outage: tuple[flask.Flask, Outage], dash_br: Any
) -> None:
    app, outage = app_and_outage
    web = serve_in_thread(app.extensions["floorboard"].settings, port=0, app=app)
    driver = dash_br.driver
    try:
        driver.get(f"{web.url}/login")
        driver.find_element(By.ID, "username").send_keys("sup")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-submit").click()
        wait_until(lambda: "/login" not in driver.current_url, timeout=30, what="signed in")
        driver.get(f"{web.url}/qa/scorecards")
        wait_until(lambda: "Scorecards" in driver.title, timeout=30, what="the scorecards page")
        outage.cut()
        # Moving to another page inside the app: Dash's page router meets the outage.
        driver.execute_script(
            "window.history.pushState({}, '', '/qa/calibration');"
            "window.dispatchEvent(new PopStateEvent('popstate'));"
        )
        wait_until(
            lambda: t("outage.text", "en") in banner(driver), timeout=30, what="the outage banner"
        )
        outage.restore()
        # Nobody touches the browser: it polls, then reloads the page it could not show.
        wait_until(
            lambda: "Calibration" in driver.title and not banner(driver),
            timeout=60,
            what="the calibration page after the database is back",
        )
    finally:
        web.stop()


def banner(driver: Any) -> str:
    found = driver.find_elements(By.ID, "fb-outage")
    try:
        return str(found[0].text) if found else ""
    except StaleElementReferenceException:
        return ""
