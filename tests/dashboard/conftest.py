"""Fixtures of the dashboard tests: settings on a fresh key prefix and a migrated SQLite file,
the app, and a small center fed through the real pipeline (producer → stream → aggregator)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
import redis
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import Headers

from collectors.aggregator.consumer import Aggregator
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from core.db import make_engine, session_factory, session_scope
from core.migrate import upgrade
from dashboard.app import create_app
from dashboard.auth import service
from dashboard.security import csrf
from dashboard.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
LAYOUTS = REPO / "layouts"
_ids = itertools.count(1)


class BrowserClient(FlaskClient):
    """Flask's test client doing what dash-renderer does in a browser: on a POST, PUT, PATCH or
    DELETE it copies the ``_csrf_token`` cookie into the ``X-CSRFToken`` header (the cookie is
    set by the first page the client opens). Tests of the CSRF refusal use a plain
    ``FlaskClient``."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        method = str(kwargs.get("method", "GET")).upper()
        cookie = self.get_cookie(csrf.COOKIE)
        if method in csrf.UNSAFE_METHODS and cookie is not None:
            headers = Headers(kwargs.get("headers"))
            headers.setdefault(csrf.HEADER, cookie.value)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def browser_like_test_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """``app.test_client()`` sends the CSRF header as the browser does (see BrowserClient)."""
    monkeypatch.setattr(flask.Flask, "test_client_class", BrowserClient)


@pytest.fixture
def settings(tmp_path: Path, redis_server: Any, keys: Keys) -> Settings:
    return load_settings(
        {},
        env="test",
        data_dir=tmp_path,
        redis_url=redis_server.url,
        key_prefix=keys.prefix,
        center=keys.center,
        timezone="UTC",
        stale_after_s=10.0,
    )


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    upgrade(settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def make_user(sessions: sessionmaker[Session]) -> Callable[..., str]:
    """``make_user(role, username=None, password="password-1")`` → username."""

    def make(
        role: str,
        username: str | None = None,
        password: str = "password-1",  # noqa: S107
        **kw: Any,
    ) -> str:
        name = username or f"{role}-{next(_ids)}"
        with session_scope(sessions) as session:
            service.create_user(session, username=name, password=password, role=role, **kw)
        return name

    return make


@pytest.fixture
def login() -> Callable[..., FlaskClient]:
    """``login(client, username, password="password-1")``: sign in through the real form (a
    session forged with ``session_transaction`` has no CSRF token, no login time and fails
    flask-login's strong session protection)."""

    def sign_in(client: FlaskClient, username: str, password: str = "password-1") -> FlaskClient:  # noqa: S107
        assert client.get("/login").status_code == 200
        done = client.post("/login", data={"username": username, "password": password})
        assert done.status_code == 302, done.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def make_display(sessions: sessionmaker[Session]) -> Callable[..., str]:
    """``make_display(boards, name=None)`` → the token."""

    def make(boards: tuple[str, ...], name: str | None = None) -> str:
        with session_scope(sessions) as session:
            new = service.create_display(
                session, name=name or f"tv-{next(_ids)}", boards=boards, created_by="test"
            )
        return new.token

    return make


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    return {
        "FLOORBOARD_DATA_DIR": str(settings.data_dir),
        "FLOORBOARD_ENV": "test",
        "FLOORBOARD_REDIS_URL": settings.redis_url,
    }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Center:
    """Canonical events through the real producer and aggregator; ``drain()`` returns the
    snapshot the aggregator wrote. Times are seconds after ``start``."""

    def __init__(self, client: redis.Redis, keys: Keys, start: float) -> None:
        self.client = client
        self.keys = keys
        self.start = start
        self.producer = EventProducer(client, keys=keys)

    def event(self, kind: Kind, at: float, **fields: Any) -> Event:
        return Event(
            kind=kind.value,
            ts=self.start + at,
            source="test",
            event_id=f"test-{next(_ids)}",
            **fields,
        )

    def publish(self, *events: Event) -> None:
        self.producer.publish(list(events))

    def drain(self, at: float | None = None) -> dict[str, Any]:
        moment = time.time() if at is None else self.start + at
        aggregator = Aggregator(self.client, keys=self.keys, clock=lambda: moment)
        aggregator.drain()
        return aggregator.write_snapshot()

    def standard(self) -> None:
        """Four agents, three queues: answered, abandoned and waiting calls, one pause."""
        e, k = self.event, Kind
        self.publish(
            e(k.LOGIN, 0, agent="Alice", queue="sales"),
            e(k.LOGIN, 0, agent="Alice", queue="support"),
            e(k.LOGIN, 0, agent="Bob", queue="sales"),
            e(k.LOGIN, 0, agent="Chen", queue="support"),
            e(k.LOGIN, 0, agent="Dana", queue="vip"),
            e(k.LOGIN, 0, agent="Dana", queue="sales"),
            e(k.ENQUEUE, 10, call_id="c1", queue="sales", position=1),
            e(k.ANSWER, 15, call_id="c1", queue="sales", agent="Alice", wait=5.0),
            e(
                k.COMPLETE,
                200,
                call_id="c1",
                queue="sales",
                agent="Alice",
                wait=5.0,
                talk=185.0,
                reason="caller",
            ),
            e(k.ENQUEUE, 20, call_id="c2", queue="sales", position=1),
            e(k.ABANDON, 60, call_id="c2", queue="sales", wait=40.0, position=1),
            e(k.ENQUEUE, 30, call_id="c3", queue="support", position=1),
            e(k.ANSWER, 50, call_id="c3", queue="support", agent="Chen", wait=20.0),
            e(k.PAUSE, 100, agent="Bob", queue="sales", reason="lunch"),
        )

    def waiting(self, call_id: str, queue: str, at: float) -> None:
        self.publish(self.event(Kind.ENQUEUE, at, call_id=call_id, queue=queue, position=1))


@pytest.fixture
def center(redis_client: redis.Redis, keys: Keys) -> Center:
    return Center(redis_client, keys, start=time.time() - 600)


@pytest.fixture
def snapshot(center: Center) -> dict[str, Any]:
    """The standard center, drained now, with one call waiting in sales."""
    center.standard()
    center.waiting("c4", "sales", 570)
    return center.drain()


# The QA console's world and app, shared by the modules that test it through the server (a
# module that needs another app or world defines its own fixture of the same name).
@pytest.fixture
def world(sessions: Any, tmp_path: Path, make_user: Callable[..., str]) -> Any:
    from qa_web_support import build_world  # noqa: PLC0415 - only the QA modules need it

    return build_world(sessions, tmp_path, make_user)


@pytest.fixture
def app(settings: Settings, world: Any) -> flask.Flask:
    return create_app(settings)


@pytest.fixture
def as_user(app: flask.Flask, login: Callable[..., FlaskClient]) -> Callable[[str], FlaskClient]:
    """``as_user(name)``: a client signed in as ``name`` that has opened the home page (which
    sets the CSRF cookie and lets Dash register its router)."""

    def make(name: str) -> FlaskClient:
        client = login(app.test_client(), name)
        client.get("/")
        return client

    return make
