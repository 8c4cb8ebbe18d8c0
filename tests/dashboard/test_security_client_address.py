"""The client's address is derived once: the peer's, or with ``FLOORBOARD_TRUSTED_PROXIES`` the
one the proxies forwarded. ``X-Forwarded-For`` from anyone else changes nothing: not session
protection, not the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from flask.testing import FlaskClient

from core.db import session_scope
from dashboard.app import create_app
from dashboard.settings import Settings, load_settings
from qa.audit.service import list_entries

VICTIM = "10.1.1.1"
ATTACKER = "10.6.6.6"
BROWSER = {"User-Agent": "Mozilla/5.0 (Floorboard test)"}


def app_with(settings: Settings, **changes: Any) -> flask.Flask:
    values = {
        "env": settings.env,
        "data_dir": settings.data_dir,
        "redis_url": settings.redis_url,
        "key_prefix": settings.key_prefix,
        **changes,
    }
    return create_app(load_settings({}, **values))


def client_at(app: flask.Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client: FlaskClient, name: str, headers: dict[str, str]) -> None:
    client.get("/login", headers=headers)
    done = client.post("/login", data={"username": name, "password": "password-1"}, headers=headers)
    assert done.status_code == 302


def steal(victim: FlaskClient, thief: FlaskClient) -> None:
    """The thief replays every cookie of the victim."""
    for name in ("session", "_csrf_token"):
        cookie = victim.get_cookie(name)
        assert cookie is not None
        thief.set_cookie(name, cookie.value)


def login_addresses(sessions: Any, username: str) -> list[str]:
    with session_scope(sessions) as s:
        entries = list_entries(db_session=s, entity="user", entity_id=username)
        return [str(e.details["address"]) for e in entries if e.action == "auth.login"]


def test_a_stolen_session_replayed_with_a_forged_forwarded_for_is_dropped(
    settings: Settings, sessions: Any, make_user: Callable[..., str]
) -> None:
    app = app_with(settings)
    victim = client_at(app, VICTIM)
    name = make_user("supervisor")
    log_in(victim, name, BROWSER)
    assert victim.get("/live", headers=BROWSER).status_code == 200
    thief = client_at(app, ATTACKER)
    steal(victim, thief)
    # Same browser string, and the victim's address claimed in X-Forwarded-For.
    replay = thief.get("/live", headers={**BROWSER, "X-Forwarded-For": VICTIM})
    assert replay.status_code == 302
    assert "/login" in replay.headers["Location"]


def test_without_trusted_proxies_forwarded_for_is_ignored_by_the_audit_log(
    settings: Settings, sessions: Any, make_user: Callable[..., str]
) -> None:
    app = app_with(settings)
    client = client_at(app, VICTIM)
    name = make_user("agent")
    log_in(client, name, {**BROWSER, "X-Forwarded-For": "192.0.2.99"})
    assert login_addresses(sessions, name) == [VICTIM]
    # The header never made the session depend on it either: it keeps working without it.
    assert client.get("/", headers=BROWSER).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_used(
    settings: Settings, sessions: Any, make_user: Callable[..., str]
) -> None:
    app = app_with(settings, trusted_proxies=1)
    proxy = "10.0.0.2"
    client = client_at(app, proxy)
    name = make_user("supervisor")
    at_home = {**BROWSER, "X-Forwarded-For": "203.0.113.5"}
    log_in(client, name, at_home)
    assert login_addresses(sessions, name) == ["203.0.113.5"]
    assert client.get("/live", headers=at_home).status_code == 200
    # The same cookie through the same proxy, but from another client address: dropped.
    thief = client_at(app, proxy)
    steal(client, thief)
    moved = thief.get("/live", headers={**BROWSER, "X-Forwarded-For": "198.51.100.7"})
    assert moved.status_code == 302
