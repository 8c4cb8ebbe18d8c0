"""Ending sessions (issue 11.4): logout, a new password, a role change, disabling the account and
``floorboard users logout`` end every session of the account at once, in every worker; a cookie
saved before stops working. Display (TV) sessions are separate and keep working."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import text

from core.db import session_scope
from dashboard.app import create_app
from dashboard.auth import service
from dashboard.auth.cache import UserCache
from dashboard.cli import main
from dashboard.security.sessions import SESSION_VERSION
from dashboard.settings import Settings

STRONG = "amber-harbour-lantern-7"  # noqa: S105 - a test password the policy accepts


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir()
    (folder / "tv.yaml").write_text("title: TV\ntiles: [{kind: number, metric: calls_waiting}]\n")
    return folder


@pytest.fixture
def app(settings: Settings, sessions: Any, layouts: Path) -> flask.Flask:
    return create_app(settings, layouts_dir=layouts)


def signed_in(app: flask.Flask, login: Callable[..., FlaskClient], name: str) -> FlaskClient:
    client = login(app.test_client(), name)
    assert client.get("/live").status_code == 200
    return client


def saved_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app: flask.Flask, cookie: str) -> int:
    """The status of ``/live`` for a browser presenting a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/live").status_code  # 302: to the login page


def cli(cli_env: dict[str, str], *args: str, stdin: str = "") -> None:
    done = CliRunner().invoke(main, list(args), env=cli_env, input=stdin)
    assert done.exit_code == 0, done.output


def test_logout_ends_every_session_of_the_account(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> None:
    name = make_user("supervisor")
    desk, phone = signed_in(app, login, name), signed_in(app, login, name)
    saved = saved_cookie(desk)
    assert replay(app, saved) == 200  # a copy of the cookie works until the logout
    assert desk.post("/logout").status_code == 302
    assert replay(app, saved) == 302
    assert phone.get("/live").status_code == 302  # the other browser too
    assert signed_in(app, login, name)  # and a new login works


@pytest.mark.parametrize(
    "change",
    [
        ("users", "password", "{name}", "--password-stdin"),
        ("users", "role", "{name}", "admin"),
        ("users", "disable", "{name}"),
        ("users", "logout", "{name}"),
    ],
    ids=["password", "role", "disable", "logout"],
)
def test_a_change_from_the_cli_ends_the_sessions_at_once(
    app: flask.Flask,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
    cli_env: dict[str, str],
    change: tuple[str, ...],
) -> None:
    name = make_user("supervisor")
    client = signed_in(app, login, name)
    saved = saved_cookie(client)
    cli(cli_env, *(part.format(name=name) for part in change), stdin=STRONG + "\n")
    assert replay(app, saved) == 302
    assert client.get("/live").status_code == 302


def test_the_service_changes_end_sessions_and_no_op_changes_do_not(
    app: flask.Flask,
    sessions: Any,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
) -> None:
    name = make_user("supervisor")
    client = signed_in(app, login, name)
    with session_scope(sessions) as s:
        service.set_role(s, username=name, role="supervisor")  # unchanged: nothing ends
        service.set_active(s, username=name, active=True)
    assert client.get("/live").status_code == 200
    with session_scope(sessions) as s:
        service.set_password(s, username=name, password=STRONG)
    assert client.get("/live").status_code == 302
    assert login(app.test_client(), name, STRONG)


def test_another_worker_refuses_the_revoked_cookie_at_once_despite_its_cache(
    settings: Settings,
    sessions: Any,
    layouts: Path,
    make_user: Callable[..., str],
    login: Callable[..., FlaskClient],
) -> None:
    # Two apps on one database are two gunicorn workers, each with its own user cache.
    first, second = (create_app(settings, layouts_dir=layouts) for _ in range(2))
    name = make_user("supervisor")
    saved = saved_cookie(signed_in(first, login, name))
    assert replay(second, saved) == 200  # the second worker has the user in its cache now
    signed_in(first, login, name).post("/logout")
    assert replay(second, saved) == 302
    fresh = saved_cookie(signed_in(first, login, name))
    assert replay(second, fresh) == 200  # a login newer than the cache works there at once


def test_a_session_without_a_version_is_refused(
    app: flask.Flask, make_user: Callable[..., str], login: Callable[..., FlaskClient]
) -> None:
    client = signed_in(app, login, make_user("supervisor"))
    with client.session_transaction() as session:
        assert isinstance(session[SESSION_VERSION], int)
        del session[SESSION_VERSION]  # a cookie from before session versions
    assert client.get("/live").status_code == 302


def test_no_remember_me_cookie_is_issued(app: flask.Flask, make_user: Callable[..., str]) -> None:
    client = app.test_client()
    client.get("/login")
    done = client.post("/login", data={"username": make_user("agent"), "password": "password-1"})
    assert done.status_code == 302
    assert client.get_cookie("remember_token") is None  # nothing outlives the session cookie


def test_a_display_keeps_working_when_a_person_logs_out(
    app: flask.Flask,
    make_user: Callable[..., str],
    make_display: Callable[..., str],
    login: Callable[..., FlaskClient],
) -> None:
    tv = app.test_client()
    assert tv.get(f"/board/tv?token={make_display(('tv',))}").status_code == 200
    person = signed_in(app, login, make_user("admin"))
    assert person.post("/logout").status_code == 302
    assert tv.get("/board/tv").status_code == 200


def test_the_check_falls_back_to_the_cache_when_the_database_cannot_answer(
    sessions: Any, make_user: Callable[..., str]
) -> None:
    name = make_user("supervisor")
    with session_scope(sessions) as s:
        user = service.list_users(s)[0]
    cache = UserCache(sessions)
    assert cache.session_user(user.id, version=0) == user
    with session_scope(sessions) as s:  # the table cannot be read: as in a database outage
        s.execute(text("ALTER TABLE users RENAME TO users_away"))
    assert cache.session_user(user.id, version=0) == user  # the board stays up
    assert cache.session_user(user.id, version=1) is None  # an unknown login still is not
    assert user.username == name


def test_users_logout_of_an_unknown_account_says_so(cli_env: dict[str, str]) -> None:
    done = CliRunner().invoke(main, ["users", "logout", "nobody"], env=cli_env)
    assert done.exit_code == 1 and "no user named 'nobody'" in done.output
