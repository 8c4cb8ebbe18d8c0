"""Migration 0002 on PostgreSQL builds exactly the tables the models describe, and downgrades
(the SQLite check lives with the CLI tests, whose database the migrations build)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from core.migrate import alembic_config, upgrade
from core.tables import load_models

MY_TABLES = {
    "teams", "agents", "ledger_entries", "audit_log", "award_months", "award_tie_decisions",
    "award_coefficient_overrides",
}  # fmt: skip


@pytest.mark.postgres
def test_migration_0002_on_postgres(make_postgres_database: Callable[[str], str]) -> None:
    url = make_postgres_database("floorboard_migration")
    upgrade(url, "0002")
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) >= MY_TABLES
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, load_models())
        # A diff names its table as a quoted word; other domains' tables are not checked here.
        mine = [d for d in diffs if MY_TABLES & set(str(d).replace("'", " ").split())]
        assert mine == []
        command.downgrade(alembic_config(url), "0001")
        assert not MY_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
