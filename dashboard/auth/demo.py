"""Demo accounts and a demo display token, for ``floorboard demo``."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from dashboard.auth import service
from dashboard.auth.models import User
from dashboard.auth.schemas import AuthError
from dashboard.dbsession import sessions_for
from dashboard.security.passwords import PasswordPolicy, policy_for
from dashboard.settings import Settings

DEMO_USERS = (
    ("admin", "admin", "Demo Admin", None),
    ("supervisor", "supervisor", "Demo Supervisor", None),
    ("qa", "qa", "Demo QA", None),
    ("hr", "hr", "Demo HR", None),
    ("agent", "agent", "Demo Agent", None),
)


def demo_password(username: str, policy: PasswordPolicy) -> str:
    """A random password the policy accepts (16 URL-safe characters, about 96 bits)."""
    while True:
        password = secrets.token_urlsafe(max(12, policy.min_length * 3 // 4))
        if not policy.problems(password, username=username):
            return password


def create_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    """Create (or reset) one account per role with a fresh random password.

    The passwords satisfy the configured policy, like any other.

    Returns:
        ``(username, password, role)`` for each account, to print.
    """
    sessions = sessions_for(settings)
    policy = policy_for(settings.password_min_length)
    out = []
    with session_scope(sessions) as session:
        for username, role, display_name, agent_id in DEMO_USERS:
            password = demo_password(username, policy)
            try:
                service.create_user(
                    session,
                    username=username,
                    password=password,
                    role=role,
                    display_name=display_name,
                    agent_id=agent_id,
                    policy=policy,
                    actor="demo",
                )
            except AuthError:
                service.set_password(
                    session, username=username, password=password, policy=policy, actor="demo"
                )
                service.set_active(session, username=username, active=True, actor="demo")
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
                service.revoke_display(session, name=old.name, actor="demo")
        suffix = secrets.token_hex(3)
        new = service.create_display(
            session, name=f"{name}-{suffix}", boards=boards, created_by="demo"
        )
    return new.token


def link_demo_agent(session: Session, agent_id: str, *, username: str = "agent") -> None:
    """Link the demo agent account to ``agent_id`` (the agent the QA demo picked), creating the
    account if it does not exist yet: its password is replaced when the demo prints its logins."""
    row = session.scalars(select(User).where(User.username == username)).one_or_none()
    if row is None:
        service.create_user(
            session,
            username=username,
            password=secrets.token_urlsafe(16),
            role="agent",
            display_name="Demo Agent",
            agent_id=agent_id,
        )
    else:
        row.agent_id = agent_id
        session.flush()
