"""Migration 0003 creates exactly the shell's tables, matching the models, and drops them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from core.db import make_engine
from core.migrate import alembic_config, upgrade
from core.tables import load_models

MINE = {"users", "display_tokens", "announcements"}


def test_upgrade_matches_the_models_and_downgrade_removes_the_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0002")
    engine = make_engine(url)
    assert not MINE & set(inspect(engine).get_table_names())
    upgrade(url)
    assert set(inspect(engine).get_table_names()) >= MINE
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), load_models())
    assert [d for d in diff if MINE & {getattr(x, "name", "") for x in d[1:2]}] == []
    command.downgrade(alembic_config(url), "0002")
    assert not MINE & set(inspect(engine).get_table_names())
    engine.dispose()
