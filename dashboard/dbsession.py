"""A database session factory for command-line tools and the demo (schema migrated first)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, session_factory
from core.migrate import upgrade
from dashboard.settings import Settings


def sessions_for(settings: Settings, *, migrate: bool = True) -> sessionmaker[Session]:
    """Sessions on the configured database.

    Args:
        settings: the application settings (``sqlalchemy_url``).
        migrate: bring the schema to the latest revision first (idempotent).
    """
    if migrate:
        upgrade(settings.sqlalchemy_url)
    return session_factory(make_engine(settings.sqlalchemy_url))
