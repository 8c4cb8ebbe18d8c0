"""Tables of the application shell: user accounts and display tokens. Times are UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class User(Base):
    """A person who logs in. ``agent_id`` links an agent's account to the agent name used by
    the telephony (and by ``qa.people``); it is stored as a plain string on purpose."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(128), default=None)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    # Stored in the session cookie at login; bumped by logout, a new password, a role change or
    # disabling the account, which ends every session holding the old value (issue 11.4).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DisplayToken(Base):
    """A revocable credential for one TV: it may show ``boards`` (JSON list) and nothing else.

    Only a SHA-256 of the token is stored; the token itself is shown once, when created.
    ``expires_at`` (optional) ends it like a revocation.
    """

    __tablename__ = "display_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    boards: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
