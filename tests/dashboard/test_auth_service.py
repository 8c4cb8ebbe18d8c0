"""Users and display tokens in SQL, and the caches that keep SQL out of board refreshes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.db import session_scope
from core.roles import Principal, Role, allowed
from dashboard.auth import service
from dashboard.auth.cache import DisplayCache, UserCache
from dashboard.auth.models import DisplayToken, User
from dashboard.auth.schemas import AuthError


def test_users_are_created_hashed_authenticated_and_disabled(sessions: Any) -> None:
    with session_scope(sessions) as s:
        user = service.create_user(
            s,
            username="li.wei",
            password="secret-pass",
            role="agent",
            display_name="李伟",
            agent_id="Li Wei",
            locale="zh",
        )
        stored = s.scalars(select(User).where(User.username == "li.wei")).one()
        assert "secret-pass" not in stored.password_hash
    assert (user.role, user.agent_id, user.locale) == (Role.AGENT, "Li Wei", "zh")
    with session_scope(sessions) as s:
        assert service.authenticate(s, username="li.wei", password="wrong-pass") is None
        assert service.authenticate(s, username="nobody", password="secret-pass") is None
        ok = service.authenticate(s, username="li.wei", password="secret-pass")
        assert ok is not None and ok.last_login_at is not None
        service.set_active(s, username="li.wei", active=False)
        assert service.authenticate(s, username="li.wei", password="secret-pass") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "x", "password": "password-1", "role": "agent"}, "invalid username"),
        ({"username": "ok-name", "password": "short", "role": "agent"}, "at least 8"),
        ({"username": "ok-name", "password": "password-1", "role": "display"}, "invalid role"),
        ({"username": "ok-name", "password": "password-1", "role": "boss"}, "invalid role"),
        (
            {"username": "ok-name", "password": "password-1", "role": "qa", "locale": "fr"},
            "invalid locale",
        ),
    ],
)
def test_bad_user_input_is_refused(sessions: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(AuthError, match=message), session_scope(sessions) as s:
        service.create_user(s, **kwargs)


def test_duplicate_username_is_refused(sessions: Any) -> None:
    with session_scope(sessions) as s:
        service.create_user(s, username="dup", password="password-1", role="hr")
    with pytest.raises(AuthError, match="already exists"), session_scope(sessions) as s:
        service.create_user(s, username="dup", password="password-1", role="hr")


def test_display_tokens_are_stored_hashed_and_revocable(sessions: Any) -> None:
    with session_scope(sessions) as s:
        new = service.create_display(
            s, name="tv-1", boards=["center", "agents", "center"], created_by="admin"
        )
        row = s.scalars(select(DisplayToken)).one()
        assert row.token_hash == service.hash_token(new.token) and new.token not in row.token_hash
    assert new.info.boards == ("agents", "center") and len(new.token) >= 30
    cache = DisplayCache(sessions, ttl_s=0)
    found = cache.lookup(new.token)
    assert found is not None and found.name == "tv-1"
    assert cache.lookup("guess") is None
    principal = found.principal()
    assert allowed(principal, {Role.DISPLAY}, board="center")
    assert not allowed(principal, {Role.DISPLAY}, board="sales-team")
    assert not allowed(principal, {Role.DISPLAY})
    with session_scope(sessions) as s:
        service.revoke_display(s, name="tv-1")
    assert cache.lookup(new.token) is None
    with pytest.raises(AuthError, match="at least one board"), session_scope(sessions) as s:
        service.create_display(s, name="tv-2", boards=[], created_by="admin")


def test_caches_read_sql_once_per_ttl(sessions: Any) -> None:
    now = [0.0]
    with session_scope(sessions) as s:
        user = service.create_user(s, username="sup", password="password-1", role="supervisor")
    cache = UserCache(sessions, ttl_s=10, clock=lambda: now[0])
    assert cache.get(user.id) == user
    with session_scope(sessions) as s:
        service.set_active(s, username="sup", active=False)
    assert cache.get(user.id).active  # type: ignore[union-attr]  # still cached
    now[0] = 11
    assert not cache.get(user.id).active  # type: ignore[union-attr]


def test_anonymous_and_roles() -> None:
    assert not allowed(Principal(), {Role.AGENT})
    assert allowed(Principal(), set())
    assert allowed(Principal(kind="user", role=Role.HR), {Role.HR, Role.ADMIN})
    assert not allowed(Principal(kind="user", role=Role.AGENT), {Role.HR})
