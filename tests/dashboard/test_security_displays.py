"""Display tokens: an optional expiry (``--days``), refused once past it, and ``displays list``
showing state, expiry and when each screen was last seen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import flask
import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import inspect, update
from support.dash_requests import router_body

from core.db import make_engine, session_scope
from core.migrate import alembic_config, upgrade
from dashboard.app import create_app
from dashboard.auth import service
from dashboard.auth.cache import DisplayCache
from dashboard.auth.guard import CALLBACK_ENDPOINT
from dashboard.auth.models import DisplayToken
from dashboard.auth.schemas import AuthError
from dashboard.cli import main
from dashboard.settings import Settings


def expire(sessions: Any, name: str) -> None:
    """Move a token's expiry into the past (as time passing would)."""
    with session_scope(sessions) as s:
        past = service.utcnow() - timedelta(seconds=1)
        s.execute(update(DisplayToken).where(DisplayToken.name == name).values(expires_at=past))


def test_an_expired_token_no_longer_opens_its_board(
    settings: Settings,
    sessions: Any,
    tmp_path: Path,
    make_user: Callable[..., str],
    login: Callable[..., Any],
) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "tv.yaml").write_text("title: TV\ntiles: [{kind: clock}]\n")
    app: flask.Flask = create_app(settings, layouts_dir=layouts)
    with session_scope(sessions) as s:
        soon = service.utcnow() + timedelta(days=1)
        token = service.create_display(
            s, name="tv", boards=["tv"], created_by="t", expires_at=soon
        ).token
    client = app.test_client()
    assert client.get(f"/board/tv?token={token}").status_code == 200
    expire(sessions, "tv")
    app.extensions["floorboard"].displays.invalidate()
    assert client.get("/board/tv").status_code == 302  # the session's token stopped working
    assert client.get(f"/board/tv?token={token}").status_code == 403
    admin = login(app.test_client(), make_user("admin"))
    admin.get("/admin/displays")
    page = admin.post(CALLBACK_ENDPOINT, json=router_body("/admin/displays"))
    assert page.status_code == 200 and '"Expired"' in page.get_data(as_text=True)


def test_the_cache_refuses_a_token_that_expired_since_the_last_reload(sessions: Any) -> None:
    with session_scope(sessions) as s:
        soon = service.utcnow() + timedelta(days=1)
        token = service.create_display(
            s, name="tv", boards=["tv"], created_by="t", expires_at=soon
        ).token
    cache = DisplayCache(sessions, ttl_s=3600)
    info = cache.lookup(token)
    assert info is not None and info.active
    later = soon + timedelta(seconds=1)
    assert info.expired(later) and not info.expired(soon - timedelta(seconds=1))
    expire(sessions, "tv")
    assert cache.lookup(token) is not None  # still the cached record, with the old expiry...
    cache.invalidate()
    assert cache.lookup(token) is None  # ...and gone at the next reload


def test_an_expiry_in_the_past_is_refused(sessions: Any) -> None:
    with pytest.raises(AuthError, match="future"), session_scope(sessions) as s:
        past = service.utcnow() - timedelta(hours=1)
        service.create_display(s, name="tv", boards=["tv"], created_by="t", expires_at=past)


def test_cli_days_and_list_show_expiry_and_last_seen(
    runner: CliRunner, cli_env: dict[str, str], sessions: Any
) -> None:
    def run(*args: str) -> Any:
        return runner.invoke(main, list(args), env=cli_env)

    added = run("displays", "add", "lobby", "--board", "center", "--days", "7")
    assert added.exit_code == 0, added.output
    expected = (service.utcnow() + timedelta(days=7)).strftime("%Y-%m-%d")
    assert f"(expires {expected}" in added.output
    assert run("displays", "add", "hall", "--board", "center").exit_code == 0
    bad = run("displays", "add", "x", "--board", "center", "--days", "0")
    assert bad.exit_code == 2 and "--days" in bad.output
    with session_scope(sessions) as s:
        ids = {d.name: d.id for d in service.list_displays(s)}
        service.touch_displays(s, seen={ids["hall"]: datetime(2026, 11, 20, 8, 30)})
    expire(sessions, "lobby")
    listed = {line.split()[0]: line for line in run("displays", "list").output.splitlines()}
    assert "expired" in listed["lobby"] and "seen never" in listed["lobby"]
    assert "active" in listed["hall"] and "seen 2026-11-20 08:30 UTC" in listed["hall"]
    fresh = run("displays", "add", "wall", "--board", "center", "--days", "1.5")
    assert fresh.exit_code == 0
    wall = next(line for line in run("displays", "list").output.splitlines() if "wall" in line)
    assert "active until" in wall


def test_migration_0005_adds_and_removes_the_expiry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0004")
    engine = make_engine(url)

    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("display_tokens")}

    assert "expires_at" not in columns()
    upgrade(url, "0005")
    assert "expires_at" in columns()
    command.downgrade(alembic_config(url), "0004")
    assert "expires_at" not in columns()
    engine.dispose()
