"""Demo accounts and a demo display token, for ``floorboard demo``."""

from __future__ import annotations

import secrets

from collectors.db import session_scope
from dashboard.auth import service
from dashboard.auth.schemas import AuthError
from dashboard.dbsession import sessions_for
from dashboard.settings import Settings

DEMO_USERS = (
    ("admin", "admin", "Demo Admin", None),
    ("supervisor", "supervisor", "Demo Supervisor", None),
    ("qa", "qa", "Demo QA", None),
    ("hr", "hr", "Demo HR", None),
    ("agent", "agent", "Demo Agent", None),
)


def create_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    """Create (or reset) one account per role with a fresh random password.

    Returns:
        ``(username, password, role)`` for each account, to print.
    """
    sessions = sessions_for(settings)
    out = []
    with session_scope(sessions) as session:
        for username, role, display_name, agent_id in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            try:
                service.create_user(
                    session,
                    username=username,
                    password=password,
                    role=role,
                    display_name=display_name,
                    agent_id=agent_id,
                )
            except AuthError:
                service.set_password(session, username=username, password=password)
                service.set_active(session, username=username, active=True)
            out.append((username, password, role))
    return out


def create_demo_display(
    settings: Settings, *, name: str = "demo-tv", boards: tuple[str, ...] = ("center", "agents")
) -> str:
    """A fresh display token for ``boards`` (an older one of the same name is replaced)."""
    sessions = sessions_for(settings)
    with session_scope(sessions) as session:
        for old in service.list_displays(session):
            if old.name.startswith(name):
                service.revoke_display(session, name=old.name)
        suffix = secrets.token_hex(3)
        new = service.create_display(
            session, name=f"{name}-{suffix}", boards=boards, created_by="demo"
        )
    return new.token
