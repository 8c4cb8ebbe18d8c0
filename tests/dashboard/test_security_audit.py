"""The audit log records account and display-token changes, logins and logouts (never a
password), with who did it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from core.db import session_scope
from dashboard.app import create_app
from dashboard.auth import service
from dashboard.cli import main
from dashboard.settings import Settings
from qa.audit.service import list_entries


def trail(sessions: Any, entity: str, entity_id: str) -> list[tuple[str, str]]:
    with session_scope(sessions) as s:
        entries = list_entries(db_session=s, entity=entity, entity_id=entity_id)
        return [(e.actor, e.action) for e in entries]


def test_account_changes_are_audited_without_the_password(sessions: Any) -> None:
    secret = "amber-harbour-lantern-7"
    with session_scope(sessions) as s:
        service.create_user(s, username="li", password=secret, role="agent", actor="boss")
        service.set_role(s, username="li", role="supervisor", actor="boss")
        service.set_password(s, username="li", password=secret + "x", actor="li")
        service.set_active(s, username="li", active=False, actor="boss")
        service.set_active(s, username="li", active=True, actor="boss")
    assert trail(sessions, "user", "li") == [
        ("boss", "user.create"),
        ("boss", "user.role"),
        ("li", "user.password"),
        ("boss", "user.disable"),
        ("boss", "user.enable"),
    ]
    with session_scope(sessions) as s:
        entries = list_entries(db_session=s, entity="user", entity_id="li")
        role = next(e for e in entries if e.action == "user.role")
        assert role.details == {"from": "agent", "to": "supervisor"}
        assert all(secret not in str(e.details) for e in entries)


def test_display_tokens_are_audited(sessions: Any) -> None:
    with session_scope(sessions) as s:
        expires = service.utcnow() + timedelta(days=3)
        new = service.create_display(
            s, name="tv-1", boards=["center"], created_by="root", expires_at=expires
        )
        service.revoke_display(s, name="tv-1", actor="root")
        service.revoke_display(s, name="tv-1", actor="root")  # already revoked: no new entry
    assert trail(sessions, "display", "tv-1") == [
        ("root", "display.create"),
        ("root", "display.revoke"),
    ]
    with session_scope(sessions) as s:
        created = list_entries(db_session=s, actions=["display.create"])[0]
        assert created.details["boards"] == ["center"] and created.details["expires_at"]
        assert new.token not in str(created.details)


def test_the_cli_records_who_did_it(
    runner: CliRunner, cli_env: dict[str, str], sessions: Any
) -> None:
    def run(*args: str, stdin: str = "") -> Any:
        return runner.invoke(main, list(args), env=cli_env, input=stdin)

    add = ("users", "add", "mei", "--role", "qa", "--password-stdin", "--by", "ops")
    assert run(*add, stdin="amber-harbour-lantern-7\n").exit_code == 0
    assert run("users", "role", "mei", "hr", "--by", "ops").exit_code == 0
    assert run("users", "disable", "mei", "--by", "ops").exit_code == 0
    assert run("displays", "add", "tv-9", "--board", "center", "--by", "ops").exit_code == 0
    assert run("displays", "revoke", "tv-9", "--by", "ops").exit_code == 0
    assert trail(sessions, "user", "mei") == [
        ("ops", "user.create"),
        ("ops", "user.role"),
        ("ops", "user.disable"),
    ]
    assert trail(sessions, "display", "tv-9") == [
        ("ops", "display.create"),
        ("ops", "display.revoke"),
    ]
    bad = run("users", "role", "mei", "display")
    assert bad.exit_code == 2 and "display" in bad.output


def test_logins_failures_and_logouts_are_audited(
    settings: Settings, sessions: Any, tmp_path: Path, make_user: Callable[..., str]
) -> None:
    app = create_app(settings, layouts_dir=tmp_path)
    name = make_user("supervisor")
    client = app.test_client()

    def sign_in(password: str) -> int:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        data = {"username": name, "password": password, "csrf": token.group(1)}
        return client.post("/login", data=data).status_code

    assert sign_in("wrong-one-1234") == 401
    assert sign_in("password-1") == 302
    page = client.get("/logout").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    assert client.post("/logout", data={"csrf": token.group(1)}).status_code == 302
    actions = [a for _, a in trail(sessions, "user", name) if a.startswith("auth.")]
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]
    with session_scope(sessions) as s:
        login = list_entries(db_session=s, actions=["auth.login"])[0]
        assert login.actor == name and login.details["address"] == "127.0.0.1"
