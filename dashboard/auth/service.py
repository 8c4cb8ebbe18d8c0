"""User accounts and display tokens: the only code that reads or writes their tables.

Every function takes an open SQLAlchemy session (the caller commits, e.g. with
``collectors.db.session_scope``) and keyword-only arguments, and returns plain values from
:mod:`dashboard.auth.schemas`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.auth.models import DisplayToken, User
from dashboard.auth.schemas import (
    AuthError,
    DisplayInfo,
    NewDisplay,
    UserInfo,
    check_display_name,
    check_locale,
    check_password,
    check_role,
    check_username,
)

# Compared against when the username does not exist, so that a wrong username costs as much
# time as a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password")
TOKEN_BYTES = 24


def utcnow() -> datetime:
    """Naive UTC, as the tables store it."""
    return datetime.now(UTC).replace(tzinfo=None)


def _user_info(row: User) -> UserInfo:
    return UserInfo(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=check_role(row.role),
        agent_id=row.agent_id,
        locale=row.locale,
        active=row.active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def _user_row(session: Session, username: str) -> User:
    row = session.scalars(select(User).where(User.username == username)).one_or_none()
    if row is None:
        raise AuthError(f"no user named {username!r}")
    return row


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    agent_id: str | None = None,
    locale: str = "en",
) -> UserInfo:
    """Create an account.

    Args:
        session: open database session.
        username: login name, unique.
        password: clear text; stored as a salted werkzeug hash.
        role: one of the user roles (not ``display``).
        display_name: the name the UI shows (defaults to the username).
        agent_id: the agent name this account belongs to, for agents.
        locale: ``en`` or ``zh``.

    Raises:
        AuthError: bad value or the username is taken.
    """
    check_username(username)
    check_password(password)
    role_value = check_role(role)
    check_locale(locale)
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise AuthError(f"a user named {username!r} already exists")
    row = User(
        username=username,
        password_hash=generate_password_hash(password),
        display_name=display_name.strip() or username,
        role=role_value.value,
        agent_id=agent_id or None,
        locale=locale,
        active=True,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _user_info(row)


def set_password(session: Session, *, username: str, password: str) -> UserInfo:
    """Replace a user's password (and re-activate nothing: a disabled user stays disabled)."""
    check_password(password)
    row = _user_row(session, username)
    row.password_hash = generate_password_hash(password)
    return _user_info(row)


def set_active(session: Session, *, username: str, active: bool) -> UserInfo:
    """Disable (or re-enable) an account; a disabled user can no longer log in."""
    row = _user_row(session, username)
    row.active = active
    return _user_info(row)


def list_users(session: Session) -> list[UserInfo]:
    return [_user_info(r) for r in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, *, user_id: int) -> UserInfo | None:
    row = session.get(User, user_id)
    return _user_info(row) if row is not None else None


def authenticate(session: Session, *, username: str, password: str) -> UserInfo | None:
    """The active user with this username and password, else ``None`` (records the login)."""
    row = session.scalars(select(User).where(User.username == username)).one_or_none()
    if row is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(row.password_hash, password or "") or not row.active:
        return None
    row.last_login_at = utcnow()
    return _user_info(row)


# -- display tokens --------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _display_info(row: DisplayToken) -> DisplayInfo:
    return DisplayInfo(
        id=row.id,
        name=row.name,
        boards=tuple(json.loads(row.boards)),
        hint=row.hint,
        created_by=row.created_by,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_seen=row.last_seen,
    )


def create_display(
    session: Session, *, name: str, boards: Iterable[str], created_by: str
) -> NewDisplay:
    """Create a display token that may show ``boards`` (and nothing else).

    Args:
        session: open database session.
        name: a name for the screen ("floor-tv-1"), unique.
        boards: board names (layout file names without ``.yaml``); at least one.
        created_by: the admin's username.

    Returns:
        The record and the token, which is not stored and cannot be shown again.
    """
    check_display_name(name)
    board_list = sorted({b.strip() for b in boards if b and b.strip()})
    if not board_list:
        raise AuthError("a display token needs at least one board")
    if session.scalars(select(DisplayToken.id).where(DisplayToken.name == name)).first():
        raise AuthError(f"a display named {name!r} already exists")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = DisplayToken(
        name=name,
        token_hash=hash_token(token),
        hint=token[:4],
        boards=json.dumps(board_list),
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return NewDisplay(info=_display_info(row), token=token)


def list_displays(session: Session) -> list[DisplayInfo]:
    rows = session.scalars(select(DisplayToken).order_by(DisplayToken.name))
    return [_display_info(r) for r in rows]


def revoke_display(session: Session, *, name: str) -> DisplayInfo:
    """Revoke a display token: the screen loses access within the token cache's TTL."""
    row = session.scalars(select(DisplayToken).where(DisplayToken.name == name)).one_or_none()
    if row is None:
        raise AuthError(f"no display named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return _display_info(row)


def active_displays(session: Session) -> dict[str, DisplayInfo]:
    """Every token that is not revoked, by token hash (what the token cache holds)."""
    rows = session.scalars(select(DisplayToken).where(DisplayToken.revoked_at.is_(None)))
    return {r.token_hash: _display_info(r) for r in rows}


def touch_displays(session: Session, *, seen: Mapping[int, datetime]) -> None:
    """Record when displays were last seen (written behind, in batches)."""
    for display_id, when in seen.items():
        row = session.get(DisplayToken, display_id)
        if row is not None and (row.last_seen is None or row.last_seen < when):
            row.last_seen = when
