"""Login throttling: locks per username and per address, in Redis (shared) or in memory, and
what the sign-in page and the audit log say."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
import redis
from flask.testing import FlaskClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from collectors.keys import Keys
from collectors.redis_server import free_port
from core.db import session_scope
from dashboard.app import create_app
from dashboard.security.setup import EXTENSION, Security
from dashboard.security.throttle import (
    Limits,
    LoginThrottle,
    MemoryStore,
    RedisStore,
    subject_key,
)
from dashboard.settings import Settings, load_settings
from qa.audit.service import list_entries

LOCKED = "Too many failed sign-in attempts"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_locks_double_from_the_fifth_failure_up_to_the_cap() -> None:
    limits = Limits(max_failures=5, base_lock_s=30, max_lock_s=900)
    assert [limits.lock_for(n) for n in range(1, 11)] == [
        0, 0, 0, 0, 30, 60, 120, 240, 480, 900,
    ]  # fmt: skip
    assert limits.lock_for(10_000) == 900


def test_memory_store_locks_and_forgets_after_a_quiet_window() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    limits = Limits(max_failures=3, window_s=600, base_lock_s=10, max_lock_s=100)
    assert [store.fail("k", limits=limits)[1] for _ in range(3)] == [0, 0, 10]
    assert store.locked_for("k") == 10
    clock.now += 10
    assert store.locked_for("k") == 0
    assert store.fail("k", limits=limits) == (4, 20)
    clock.now += 601  # a quiet window: the count starts again
    assert store.fail("k", limits=limits) == (1, 0)
    store.clear("k")
    assert store.locked_for("k") == 0


def test_redis_store_shares_counts_between_workers(redis_server: Any, keys: Keys) -> None:
    limits = Limits(max_failures=2, window_s=60, base_lock_s=5)
    worker_a = RedisStore(redis_server.client, prefix=keys.prefix)
    worker_b = RedisStore(redis_server.client, prefix=keys.prefix)
    assert worker_a.fail("user:x", limits=limits) == (1, 0)
    assert worker_b.fail("user:x", limits=limits) == (2, 5)
    assert 4 < worker_a.locked_for("user:x") <= 5
    client = redis_server.client()
    assert 0 < client.pttl(f"{keys.prefix}:auth:fails:user:x") <= 60_000
    worker_b.clear("user:x")
    assert worker_a.locked_for("user:x") == 0


def test_throttle_falls_back_to_memory_when_redis_is_down() -> None:
    port = free_port()
    store = RedisStore(lambda: redis.Redis(port=port, retry=Retry(NoBackoff(), 0)), prefix="x")
    throttle = LoginThrottle(store, user_limits=Limits(max_failures=2))
    throttle.failed(username="li", address="10.0.0.1")
    verdict = throttle.failed(username="li", address="10.0.0.1")
    assert verdict.locked_for == 30 and verdict.subject == "user"
    assert throttle.check(username="li", address="10.0.0.2").locked_for == pytest.approx(30, abs=1)
    assert throttle.check(username="wang", address="10.0.0.1").locked_for == 0


def test_an_address_is_locked_across_usernames() -> None:
    throttle = LoginThrottle(address_limits=Limits(max_failures=3, base_lock_s=60))
    for name in ("a1", "b2", "c3"):
        verdict = throttle.failed(username=name, address="192.0.2.7")
    assert verdict.subject == "address"
    assert throttle.check(username="d4", address="192.0.2.7").locked_for == pytest.approx(60, abs=1)
    assert throttle.check(username="d4", address="192.0.2.8").locked_for == 0


def test_keys_never_hold_what_was_typed() -> None:
    key = subject_key("user", "Li.Wei ")
    assert key == subject_key("user", "li.wei") and "li" not in key.split(":", 1)[1]


# -- through the sign-in page -----------------------------------------------------------------


@pytest.fixture
def app(settings: Settings, sessions: Any, tmp_path: Path) -> flask.Flask:
    return create_app(settings, layouts_dir=tmp_path)


def attempt(client: FlaskClient, username: str, password: str, **kw: Any) -> tuple[int, str]:
    page = client.get("/login", **kw).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    data = {"username": username, "password": password, "csrf": token.group(1)}
    response = client.post("/login", data=data, **kw)
    error = re.search(r'id="login-error">([^<]*)<', response.get_data(as_text=True))
    return response.status_code, error.group(1) if error else ""


def test_five_failures_lock_the_username_in_redis_whether_it_exists_or_not(
    app: flask.Flask, make_user: Callable[..., str], redis_client: redis.Redis, keys: Keys
) -> None:
    real = make_user("agent")
    outcomes = {}
    for name in (real, "no-such-user"):
        client = app.test_client()
        outcomes[name] = [attempt(client, name, "wrong-password-x") for _ in range(5)]
        outcomes[name].append(attempt(client, name, "password-1"))  # right for `real`
    assert outcomes[real] == outcomes["no-such-user"]  # nothing tells the two apart
    statuses = [status for status, _ in outcomes[real]]
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert LOCKED in outcomes[real][-1][1] and "1 min" in outcomes[real][-1][1]
    assert redis_client.exists(f"{keys.prefix}:auth:lock:{subject_key('user', real)}")
    other = app.test_client()  # another person's login is not affected
    name = make_user("agent")
    assert attempt(other, name, "password-1")[0] == 302


def test_a_success_clears_the_count_and_every_step_is_audited(
    app: flask.Flask, make_user: Callable[..., str], sessions: Any
) -> None:
    clock = Clock()
    throttle = LoginThrottle(MemoryStore(clock=clock))
    app.extensions[EXTENSION] = Security(
        throttle=throttle, passwords=app.extensions[EXTENSION].passwords
    )
    name = make_user("qa")
    client = app.test_client()
    for _ in range(4):
        attempt(client, name, "nope-nope-nope")
    assert attempt(client, name, "password-1")[0] == 302
    for _ in range(5):
        attempt(client, name, "nope-nope-nope")  # a fresh count: the fifth locks again
    assert attempt(client, name, "password-1")[0] == 429
    clock.now += 31
    assert attempt(client, name, "password-1")[0] == 302
    with session_scope(sessions) as s:
        actions = [e.action for e in list_entries(db_session=s, entity="user", entity_id=name)]
        lockout = list_entries(db_session=s, actions=["auth.lockout"])[0]
        details = lockout.details
    logins = [a for a in actions if a.startswith("auth.")]
    assert logins == ["auth.login_failed"] * 4 + ["auth.login"] + ["auth.login_failed"] * 5 + [
        "auth.lockout",
        "auth.login",
    ]
    assert details["locked"] == "user" and details["seconds"] == 30 and details["address"]


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    settings: Settings, sessions: Any, tmp_path: Path, make_user: Callable[..., str]
) -> None:
    proxied = load_settings(
        {},
        env="test",
        data_dir=settings.data_dir,
        redis_url=settings.redis_url,
        key_prefix=settings.key_prefix,
        trusted_proxies=1,
    )
    app = create_app(proxied, layouts_dir=tmp_path)
    app.extensions[EXTENSION] = Security(
        throttle=LoginThrottle(address_limits=Limits(max_failures=2)),
        passwords=app.extensions[EXTENSION].passwords,
    )
    client = app.test_client()
    far = {"headers": {"X-Forwarded-For": "198.51.100.4"}}
    attempt(client, "someone", "bad-bad-bad-1", **far)
    assert attempt(client, "someone-else", "bad-bad-bad-2", **far)[0] == 429
    near = {"headers": {"X-Forwarded-For": "198.51.100.5"}}
    assert attempt(client, make_user("agent"), "password-1", **near)[0] == 302
