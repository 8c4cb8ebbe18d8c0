"""CSRF: every state-changing request needs the session's token (header or form field).

Most tests use a plain ``FlaskClient`` (no automatic header, unlike ``app.test_client()`` in
these tests), so they see exactly what a forged cross-site request would; one goes over real
HTTP with ``requests``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
import requests
from flask.testing import FlaskClient
from support.dash_requests import router_body

from core.db import session_scope
from dashboard.announcements import service as announcements
from dashboard.app import create_app, dash_app
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.security import csrf
from dashboard.settings import Settings
from dashboard.webserver import WebServerThread, serve_in_thread

REFUSED = "did not carry Floorboard's security token"


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "tv.yaml").write_text("title: TV\ntiles: [{kind: number, metric: calls_waiting}]\n")
    return folder


@pytest.fixture
def app(settings: Settings, sessions: Any, layouts: Path) -> flask.Flask:
    return create_app(settings, layouts_dir=layouts)


def raw(app: flask.Flask) -> FlaskClient:
    """A client that sends only what it is told (cookies, but no CSRF header)."""
    return FlaskClient(app, app.response_class, use_cookies=True)


def form_token(client: FlaskClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient, username: str) -> None:
    token = form_token(client)
    data = {"username": username, "password": "password-1", "csrf": token}
    assert client.post("/login", data=data).status_code == 302


def cookie(client: FlaskClient) -> str:
    found = client.get_cookie(csrf.COOKIE)
    assert found is not None
    return found.value


def announce_body(app: flask.Flask, text: str) -> dict[str, Any]:
    key = next(k for k in dash_app(app).callback_map if "ann-message" in k)
    return {
        "output": key,
        "outputs": [
            {"id": "ann-message", "property": "children"},
            {"id": "ann-list", "property": "children"},
            {"id": "ann-text", "property": "value"},
        ],
        "inputs": [{"id": "ann-post", "property": "n_clicks", "value": 1}, []],
        "state": [
            {"id": "ann-text", "property": "value", "value": text},
            {"id": "ann-boards", "property": "value", "value": ["tv"]},
            {"id": "ann-level", "property": "value", "value": "alert"},
            {"id": "ann-starts", "property": "value", "value": ""},
            {"id": "ann-ends", "property": "value", "value": ""},
        ],
        "changedPropIds": ["ann-post.n_clicks"],
    }


def posted_texts(sessions: Any) -> list[str]:
    with session_scope(sessions) as s:
        return [n.text for n in announcements.current_and_scheduled(s)]


def test_a_callback_without_the_token_changes_nothing(
    app: flask.Flask, sessions: Any, make_user: Callable[..., str]
) -> None:
    client = raw(app)
    sign_in(client, make_user("supervisor"))
    assert client.get("/announcements").status_code == 200
    body = announce_body(app, "Forged notice")
    missing = client.post(CALLBACK_ENDPOINT, json=body)
    assert missing.status_code == 403 and REFUSED in missing.get_data(as_text=True)
    wrong = client.post(CALLBACK_ENDPOINT, json=body, headers={csrf.HEADER: "x" * 43})
    assert wrong.status_code == 403
    assert posted_texts(sessions) == []
    body = announce_body(app, "Real notice")
    good = client.post(CALLBACK_ENDPOINT, json=body, headers={csrf.HEADER: cookie(client)})
    assert good.status_code == 200, good.get_data(as_text=True)
    assert posted_texts(sessions) == ["Real notice"]


def test_a_token_from_another_session_is_refused(
    app: flask.Flask, make_user: Callable[..., str]
) -> None:
    victim, attacker = raw(app), raw(app)
    sign_in(victim, make_user("supervisor"))
    attacker.get("/login")
    assert cookie(attacker) != cookie(victim)
    stolen = {csrf.HEADER: cookie(attacker)}
    body = announce_body(app, "Forged")
    assert victim.post(CALLBACK_ENDPOINT, json=body, headers=stolen).status_code == 403


def test_the_login_form_needs_its_token_and_a_login_rotates_it(
    app: flask.Flask, make_user: Callable[..., str]
) -> None:
    name = make_user("agent")
    client = raw(app)
    before = form_token(client)
    assert before == cookie(client)  # the form field and the cookie hold the same token
    forged = client.post("/login", data={"username": name, "password": "password-1"})
    assert forged.status_code == 403
    assert "The form expired" in forged.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in
    fresh = raw(app)  # a cross-site form: no session at all
    assert (
        fresh.post("/login", data={"username": name, "password": "password-1"}).status_code == 403
    )
    data = {"username": name, "password": "password-1", "csrf": form_token(client)}
    assert client.post("/login", data=data).status_code == 302
    assert client.get("/").status_code == 200
    assert cookie(client) != before


def test_logout_is_a_post_with_the_token(app: flask.Flask, make_user: Callable[..., str]) -> None:
    client = raw(app)
    sign_in(client, make_user("qa"))
    asked = client.get("/logout")
    assert asked.status_code == 200 and 'action="/logout"' in asked.get_data(as_text=True)
    assert client.get("/").status_code == 200  # a link (or an <img>) logs nobody out
    refused = client.post("/logout")
    assert refused.status_code == 302 and refused.location.endswith("/logout")
    assert client.get("/").status_code == 200
    done = client.post("/logout", data={"csrf": form_token(client, "/logout")})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert client.get("/").status_code == 302


def components(tree: Any) -> Iterator[dict[str, Any]]:
    """Every component in a layout as Dash serialises it."""
    if isinstance(tree, dict):
        if "namespace" in tree:
            yield tree
        for value in tree.values():
            yield from components(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from components(item)


def test_the_nav_logout_button_posts_the_token(
    app: flask.Flask, make_user: Callable[..., str]
) -> None:
    client = raw(app)
    sign_in(client, make_user("supervisor"))
    page = client.post(
        CALLBACK_ENDPOINT, json=router_body("/live"), headers={csrf.HEADER: cookie(client)}
    )
    forms = [c["props"] for c in components(page.get_json()) if c["type"] == "Form"]
    logout = next(f for f in forms if f.get("action") == "/logout")
    assert logout["method"] == "post"
    fields = {c["props"].get("name"): c["props"].get("value") for c in components(logout)}
    assert fields[csrf.FORM_FIELD] == cookie(client)


def test_a_display_refreshes_with_the_header_and_not_without(
    app: flask.Flask, make_display: Callable[..., str]
) -> None:
    token = make_display(("tv",))
    app.extensions["floorboard"].displays.invalidate()
    client = raw(app)
    assert client.get(f"/board/tv?token={token}").status_code == 200
    body = router_body("/board/tv")
    assert client.post(CALLBACK_ENDPOINT, json=body).status_code == 403
    ok = client.post(CALLBACK_ENDPOINT, json=body, headers={csrf.HEADER: cookie(client)})
    assert ok.status_code == 200 and "denied" not in ok.get_data(as_text=True)


@pytest.fixture
def web(app: flask.Flask, settings: Settings) -> Iterator[WebServerThread]:
    server = serve_in_thread(settings, host="127.0.0.1", port=0, app=app)
    yield server
    server.stop()


def test_over_http_a_post_without_the_token_is_refused(
    web: WebServerThread, sessions: Any, make_user: Callable[..., str], app: flask.Flask
) -> None:
    http = requests.Session()
    page = http.get(f"{web.url}/login", timeout=10).text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    data = {"username": make_user("supervisor"), "password": "password-1", "csrf": found.group(1)}
    assert http.post(f"{web.url}/login", data=data, allow_redirects=False, timeout=10).ok
    http.get(f"{web.url}/announcements", timeout=10)
    url = f"{web.url}{CALLBACK_ENDPOINT}"
    refused = http.post(url, json=announce_body(app, "Over HTTP, forged"), timeout=10)
    assert refused.status_code == 403 and REFUSED in refused.text
    header = {csrf.HEADER: http.cookies[csrf.COOKIE]}
    accepted = http.post(url, json=announce_body(app, "Over HTTP"), headers=header, timeout=10)
    assert accepted.status_code == 200
    assert posted_texts(sessions) == ["Over HTTP"]
