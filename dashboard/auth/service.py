"""User accounts and display tokens: the only code that reads or writes their tables.

Every function takes an open SQLAlchemy session (the caller commits, e.g. with
``core.db.session_scope``) and keyword-only arguments, and returns plain values from
:mod:`dashboard.auth.schemas`. Every change (and every login, logout or lockout) is written to
the audit log (``qa.audit``) in the same transaction; passwords never are.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import get_by_id
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
from dashboard.security.passwords import HASH_METHOD, PasswordPolicy
from qa.audit.service import record
from qa.limits import Field, check_length

TOKEN_BYTES = 24
SYSTEM = "system"


@functools.cache
def _dummy_hash() -> str:
    """Compared against when the username does not exist, so that a wrong username costs as
    much time as a wrong password (no user enumeration by timing). Made on first use, not at
    import: a scrypt hash takes a tenth of a second that commands without a login need not pay.
    """
    return generate_password_hash("not-a-real-password", method=HASH_METHOD)


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
        session_version=row.session_version or 0,
    )


def _end_sessions(row: User) -> None:
    """Make every session cookie of ``row`` invalid: they hold the previous version."""
    row.session_version = (row.session_version or 0) + 1


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry for an account, display or login (never with a password).

    Args:
        session: the session of the change.
        actor: who did it; blank becomes ``anonymous`` (a failed login has no known actor).
        action: e.g. ``user.create``, ``auth.login_failed``.
        entity: ``user`` or ``display``.
        entity_id: the username or display name (cut to the column's 128 characters).
        details: what changed.
    """
    record(
        db_session=session,
        actor=(actor.strip() or "anonymous")[:128],
        action=action,
        entity=entity,
        entity_id=entity_id[:128],
        details=details or {},
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
    policy: PasswordPolicy | None = None,
    actor: str = SYSTEM,
) -> UserInfo:
    """Create an account.

    Args:
        session: open database session.
        username: login name, unique.
        password: clear text; stored as a salted werkzeug scrypt hash.
        role: one of the user roles (not ``display``).
        display_name: the name the UI shows (defaults to the username).
        agent_id: the agent name this account belongs to, for agents.
        locale: ``en`` or ``zh``.
        policy: the password policy, where a person chose the password (CLI, pages).
        actor: who creates it (audit log).

    Raises:
        AuthError: bad value, a password the policy refuses, or the username is taken.
    """
    check_username(username)
    check_length(display_name.strip(), Field.DISPLAY_NAME, error=AuthError)
    if policy is not None:
        policy.check(password, username=username, display_name=display_name)
    check_password(password)
    role_value = check_role(role)
    check_locale(locale)
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise AuthError(f"a user named {username!r} already exists")
    row = User(
        username=username,
        password_hash=generate_password_hash(password, method=HASH_METHOD),
        display_name=display_name.strip() or username,
        role=role_value.value,
        agent_id=agent_id or None,
        locale=locale,
        active=True,
        created_at=utcnow(),
        session_version=0,
    )
    session.add(row)
    session.flush()
    details = {"role": row.role, "agent_id": row.agent_id, "locale": locale}
    audit(
        session,
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=username,
        details=details,
    )
    return _user_info(row)


def set_password(
    session: Session,
    *,
    username: str,
    password: str,
    policy: PasswordPolicy | None = None,
    actor: str = SYSTEM,
) -> UserInfo:
    """Replace a user's password and end every session of the account (a disabled user stays
    disabled).

    Args:
        session: open database session.
        username: the account.
        password: the new password, clear text.
        policy: the password policy, where a person chose the password.
        actor: who changes it (audit log).
    """
    row = _user_row(session, username)
    if policy is not None:
        policy.check(password, username=username, display_name=row.display_name)
    check_password(password)
    row.password_hash = generate_password_hash(password, method=HASH_METHOD)
    _end_sessions(row)
    audit(session, actor=actor, action="user.password", entity="user", entity_id=username)
    return _user_info(row)


def set_active(session: Session, *, username: str, active: bool, actor: str = SYSTEM) -> UserInfo:
    """Disable (or re-enable) an account; disabling ends every session of the account.

    Args:
        session: open database session.
        username: the account.
        active: ``False`` disables it.
        actor: who does it (audit log).
    """
    row = _user_row(session, username)
    row.active = active
    if not active:
        _end_sessions(row)
    action = "user.enable" if active else "user.disable"
    audit(session, actor=actor, action=action, entity="user", entity_id=username)
    return _user_info(row)


def set_role(session: Session, *, username: str, role: str, actor: str = SYSTEM) -> UserInfo:
    """Give an account another role; a change ends every session of the account (it logs in
    again, with the new role).

    Args:
        session: open database session.
        username: the account.
        role: one of the user roles (not ``display``).
        actor: who does it (audit log).
    """
    role_value = check_role(role)
    row = _user_row(session, username)
    before, row.role = row.role, role_value.value
    if before != row.role:
        _end_sessions(row)
    details = {"from": before, "to": role_value.value}
    audit(
        session, actor=actor, action="user.role", entity="user", entity_id=username, details=details
    )
    return _user_info(row)


def end_sessions(
    session: Session,
    *,
    username: str,
    actor: str = SYSTEM,
    action: str = "user.sessions_ended",
    details: dict[str, Any] | None = None,
) -> UserInfo:
    """End every session of an account at once (logout, ``floorboard users logout``).

    Args:
        session: open database session.
        username: the account.
        actor: who does it (audit log).
        action: the audit action (``auth.logout`` when the person logs out).
        details: audit details (e.g. the address of a logout).
    """
    row = _user_row(session, username)
    _end_sessions(row)
    audit(session, actor=actor, action=action, entity="user", entity_id=username, details=details)
    return _user_info(row)


def session_state(session: Session | Connection, *, user_id: int) -> tuple[int, bool] | None:
    """``(session_version, active)`` of an account, read fresh (one row by primary key), or
    ``None`` if there is no such account: what every request of a person checks (a bare
    connection is enough, and a few times cheaper than an ORM session)."""
    row = session.execute(_session_state_query(), {"user_id": user_id}).one_or_none()
    return None if row is None else (row[0] or 0, bool(row[1]))


@functools.cache
def _session_state_query() -> Select[int, bool]:
    # Built once: building the statement costs more than running it on SQLite.
    return select(User.session_version, User.active).where(User.id == bindparam("user_id"))


def set_locale(session: Session, *, user_id: int, locale: str, actor: str = SYSTEM) -> UserInfo:
    """Change the language a user's pages are shown in (``en`` or ``zh``, zh-CN).

    Args:
        session: open database session.
        user_id: the account (the signed-in user: a person changes only their own language).
        locale: ``en`` or ``zh``.
        actor: who changes it (audit log).

    Raises:
        AuthError: unknown locale or user.
    """
    check_locale(locale)
    row = session.get(User, user_id)
    if row is None:
        raise AuthError(f"no user with id {user_id}")
    before, row.locale = row.locale, locale
    if before != locale:
        details = {"from": before, "to": locale}
        audit(
            session, actor=actor, action="user.locale", entity="user", entity_id=row.username,
            details=details,
        )  # fmt: skip
    return _user_info(row)


def list_users(session: Session) -> list[UserInfo]:
    return [_user_info(r) for r in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, *, user_id: int) -> UserInfo | None:
    row = get_by_id(session, User, user_id)
    return _user_info(row) if row is not None else None


def authenticate(session: Session, *, username: str, password: str) -> UserInfo | None:
    """The active user with this username and password, else ``None`` (records the login)."""
    dummy = _dummy_hash()  # made before the look-up: a first login costs the same either way
    row = session.scalars(select(User).where(User.username == username)).one_or_none()
    if row is None:
        check_password_hash(dummy, password or "")
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
        expires_at=row.expires_at,
    )


def create_display(
    session: Session,
    *,
    name: str,
    boards: Iterable[str],
    created_by: str,
    expires_at: datetime | None = None,
) -> NewDisplay:
    """Create a display token that may show ``boards`` (and nothing else).

    Args:
        session: open database session.
        name: a name for the screen ("floor-tv-1"), unique.
        boards: board names (layout file names without ``.yaml``); at least one.
        created_by: the admin's username (audit log).
        expires_at: when the token stops working (naive UTC); ``None`` = until revoked.

    Returns:
        The record and the token, which is not stored and cannot be shown again.
    """
    check_display_name(name)
    board_list = sorted({b.strip() for b in boards if b and b.strip()})
    if not board_list:
        raise AuthError("a display token needs at least one board")
    if session.scalars(select(DisplayToken.id).where(DisplayToken.name == name)).first():
        raise AuthError(f"a display named {name!r} already exists")
    if expires_at is not None and expires_at <= utcnow():
        raise AuthError("a display token's expiry must be in the future")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = DisplayToken(
        name=name,
        token_hash=hash_token(token),
        hint=token[:4],
        boards=json.dumps(board_list),
        created_by=created_by,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    details = {"boards": board_list, "expires_at": expires_at, "hint": row.hint}
    audit(
        session,
        actor=created_by,
        action="display.create",
        entity="display",
        entity_id=name,
        details=details,
    )
    return NewDisplay(info=_display_info(row), token=token)


def list_displays(session: Session) -> list[DisplayInfo]:
    rows = session.scalars(select(DisplayToken).order_by(DisplayToken.name))
    return [_display_info(r) for r in rows]


def revoke_display(session: Session, *, name: str, actor: str = SYSTEM) -> DisplayInfo:
    """Revoke a display token: the screen loses access within the token cache's TTL.

    Args:
        session: open database session.
        name: the display.
        actor: who revokes it (audit log).
    """
    row = session.scalars(select(DisplayToken).where(DisplayToken.name == name)).one_or_none()
    if row is None:
        raise AuthError(f"no display named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit(session, actor=actor, action="display.revoke", entity="display", entity_id=name)
    return _display_info(row)


def active_displays(session: Session) -> dict[str, DisplayInfo]:
    """Every token neither revoked nor expired, by token hash (what the token cache holds)."""
    rows = session.scalars(
        select(DisplayToken).where(
            DisplayToken.revoked_at.is_(None),
            or_(DisplayToken.expires_at.is_(None), DisplayToken.expires_at > utcnow()),
        )
    )
    return {r.token_hash: _display_info(r) for r in rows}


def touch_displays(session: Session, *, seen: Mapping[int, datetime]) -> None:
    """Record when displays were last seen (written behind, in batches)."""
    for display_id, when in seen.items():
        row = get_by_id(session, DisplayToken, display_id)
        if row is not None and (row.last_seen is None or row.last_seen < when):
            row.last_seen = when
