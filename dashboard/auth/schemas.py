"""Plain values that leave the auth service: no ORM object escapes a session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from core.roles import USER_ROLES, Principal, Role
from dashboard.security.errors import AuthError as AuthError  # re-exported: auth's error type

LOCALES = ("en", "zh")
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_DISPLAY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")


@dataclass(frozen=True)
class UserInfo:
    """A user account as the application sees it (also the flask-login user object)."""

    id: int
    username: str
    display_name: str
    role: Role
    agent_id: str | None
    locale: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None = None
    session_version: int = 0  # a session cookie holding another version is refused

    # flask-login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def principal(self) -> Principal:
        return Principal(
            kind="user",
            role=self.role,
            name=self.username,
            display_name=self.display_name or self.username,
            locale=self.locale,
            user_id=self.id,
            agent_id=self.agent_id,
        )


@dataclass(frozen=True)
class DisplayInfo:
    """A display token's record (never the token itself)."""

    id: int
    name: str
    boards: tuple[str, ...]
    hint: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen: datetime | None
    expires_at: datetime | None = None

    def expired(self, now: datetime | None = None) -> bool:
        """Past its expiry (``now``: naive UTC, default the current time)."""
        if self.expires_at is None:
            return False
        return (now or datetime.now(UTC).replace(tzinfo=None)) >= self.expires_at

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired()

    def principal(self, *, locale: str = "en") -> Principal:
        return Principal(
            kind="display",
            role=Role.DISPLAY,
            name=self.name,
            display_name=self.name,
            locale=locale,
            boards=frozenset(self.boards),
        )


@dataclass(frozen=True)
class NewDisplay:
    """A display token just created: ``token`` is shown this once and stored only hashed."""

    info: DisplayInfo
    token: str


def check_username(username: str) -> str:
    if not _USERNAME.match(username or ""):
        raise AuthError(
            f"invalid username {username!r}: 2-64 characters, letters, digits and . _ @ - "
            "(starting with a letter or digit)"
        )
    return username


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def check_role(role: str) -> Role:
    try:
        value = Role(role)
    except ValueError:
        value = None
    if value is None or value not in USER_ROLES:
        valid = ", ".join(sorted(r.value for r in USER_ROLES))
        raise AuthError(f"invalid role {role!r}: one of {valid} (displays use display tokens)")
    return value


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise AuthError(f"invalid locale {locale!r}: one of {', '.join(LOCALES)}")
    return locale


def check_display_name(name: str) -> str:
    if not _DISPLAY_NAME.match(name or ""):
        raise AuthError(
            f"invalid display name {name!r}: up to 128 letters, digits, spaces and . _ -"
        )
    return name
