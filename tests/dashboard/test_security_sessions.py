"""Cookies, session length and session protection; the security headers on every response."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from werkzeug.http import parse_set_header

from dashboard.app import create_app
from dashboard.auth.guard import route
from dashboard.security import csrf
from dashboard.security.sessions import LOGIN_AT
from dashboard.settings import Settings, load_settings

STRONG_KEY = secrets.token_urlsafe(32)  # random: production refuses a guessable key


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "tv.yaml").write_text("title: TV\ntiles: [{kind: number, metric: calls_waiting}]\n")
    return folder


def app_with(settings: Settings, layouts: Path, **changes: Any) -> flask.Flask:
    values = {
        "env": settings.env,
        "data_dir": settings.data_dir,
        "redis_url": settings.redis_url,
        "key_prefix": settings.key_prefix,
        **changes,
    }
    return create_app(load_settings({}, **values), layouts_dir=layouts)


def set_cookies(response: Any) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    out = {}
    for header in response.headers.getlist("Set-Cookie"):
        out[header.split("=", 1)[0]] = header
    return out


def log_in(client: FlaskClient, name: str) -> Any:
    client.get("/login")
    return client.post("/login", data={"username": name, "password": "password-1"})


def test_cookie_flags_in_development(
    settings: Settings, sessions: Any, layouts: Path, make_user: Callable[..., str]
) -> None:
    client = app_with(settings, layouts).test_client()
    cookies = set_cookies(log_in(client, make_user("agent")))
    session, token = cookies["session"], cookies[csrf.COOKIE]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    assert "Expires" not in session  # a person's session ends with the browser
    assert "SameSite=Strict" in token and "HttpOnly" not in token  # dash-renderer reads it


@pytest.mark.parametrize(
    "changes", [{"env": "production", "secret_key": STRONG_KEY}, {"cookie_secure": True}]
)
def test_cookies_are_secure_in_production_or_when_asked(
    settings: Settings,
    sessions: Any,
    layouts: Path,
    make_user: Callable[..., str],
    changes: dict[str, Any],
) -> None:
    app = app_with(settings, layouts, **changes)
    client = app.test_client()
    response = log_in(client, make_user("agent"))
    assert response.status_code == 302
    for header in set_cookies(response).values():
        assert "Secure" in header, header
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    hsts = response.headers.get("Strict-Transport-Security")
    assert (hsts is not None) == (changes.get("env") == "production")


def test_a_login_lasts_at_most_the_session_length(
    settings: Settings, sessions: Any, layouts: Path, make_user: Callable[..., str]
) -> None:
    client = app_with(settings, layouts, session_hours=8).test_client()
    log_in(client, make_user("supervisor"))
    assert client.get("/live").status_code == 200
    with client.session_transaction() as session:
        session[LOGIN_AT] -= 7 * 3600
    assert client.get("/live").status_code == 200
    with client.session_transaction() as session:
        session[LOGIN_AT] -= 2 * 3600
    assert client.get("/live").status_code == 302  # back to the login page


def test_strong_session_protection_drops_a_session_used_by_another_browser(
    settings: Settings, sessions: Any, layouts: Path, make_user: Callable[..., str]
) -> None:
    client = app_with(settings, layouts).test_client()
    log_in(client, make_user("supervisor"))
    assert client.get("/live").status_code == 200
    stolen = client.get("/live", headers={"User-Agent": "curl/8.0"})
    assert stolen.status_code == 302
    assert client.get("/live").status_code == 302  # the session is gone for good


def test_a_display_session_is_permanent_and_survives_the_night(
    settings: Settings, sessions: Any, layouts: Path, make_display: Callable[..., str]
) -> None:
    client = app_with(settings, layouts).test_client()
    token = make_display(("tv",))
    first = client.get(f"/board/tv?token={token}")
    assert first.status_code == 200
    assert "Expires" in set_cookies(first)["session"]
    with client.session_transaction() as session:
        assert LOGIN_AT not in session  # the person's session length does not apply


def inline_scripts(html: str) -> list[str]:
    """The inline scripts a browser runs (not in comments, not JSON data blocks)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    pattern = r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>"
    return re.findall(pattern, html, re.S)


def test_security_headers_and_a_csp_that_allows_exactly_dash_inline_scripts(
    settings: Settings, sessions: Any, layouts: Path, make_display: Callable[..., str]
) -> None:
    client = app_with(settings, layouts).test_client()
    page = client.get(f"/board/tv?token={make_display(('tv',))}")
    assert page.status_code == 200
    csp = dict(
        part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and "'unsafe-inline'" not in csp["script-src"]
    scripts = inline_scripts(page.get_data(as_text=True))
    assert scripts, "Dash renders at least its renderer inline"
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in page.headers
    assert "no-store" in parse_set_header(page.headers["Cache-Control"])
    asset = client.get("/assets/floorboard.css")
    assert asset.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in asset.headers.get("Cache-Control", "")


def test_a_view_keeps_its_own_cache_policy(
    settings: Settings, sessions: Any, layouts: Path
) -> None:
    app = app_with(settings, layouts)
    own = route()(lambda: flask.Response("x", headers={"Cache-Control": "private, no-cache"}))
    app.add_url_rule("/own-cache", "own_cache", own)
    response = app.test_client().get("/own-cache")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Frame-Options"] == "DENY"
