"""Migration 0006 adds ``users.session_version`` (0 for existing accounts) and removes it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, text

from core.db import make_engine
from core.migrate import alembic_config, upgrade


def columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("users")}


def test_existing_accounts_get_version_zero_and_downgrade_removes_the_column(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0005")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, display_name, role, locale, active,"
                " created_at) VALUES ('li', 'x', 'Li', 'agent', 'en', 1, '2026-12-01 08:00:00')"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT session_version FROM users")).scalar_one() == 0
    command.downgrade(alembic_config(url), "0005")
    assert "session_version" not in columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users")).scalar_one() == "li"
    engine.dispose()
