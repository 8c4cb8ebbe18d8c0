"""Migration 0004 builds exactly the QA console tables the models describe, on SQLite and
PostgreSQL, and downgrades to 0003."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from core.migrate import alembic_config, upgrade
from core.tables import load_models

MY_TABLES = {
    "scorecards",
    "scorecard_sections",
    "scorecard_items",
    "sampling_runs",
    "qa_assignments",
    "calibration_sessions",
    "evaluations",
    "evaluation_answers",
    "evaluation_comments",
    "evaluation_disputes",
}


def _table_of(diff: Any) -> str:
    if isinstance(diff, list):  # modify_* diffs come as a list of tuples
        return _table_of(diff[0])
    kind, target = diff[0], diff[1]
    if kind in ("add_table", "remove_table"):
        return str(target.name)
    if kind.startswith(("add_column", "remove_column", "modify_")):
        return str(diff[2])
    table = getattr(target, "table", None)
    return str(table.name) if table is not None else ""


def _my_diffs(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, load_models())
    finally:
        engine.dispose()
    return [d for d in diffs if _table_of(d) in MY_TABLES]


def _check(url: str) -> None:
    upgrade(url, "0004")
    assert _my_diffs(url) == []
    command.downgrade(alembic_config(url), "0003")
    engine = create_engine(url)
    try:
        assert not MY_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {_table_of(d) for d in _my_diffs(url)} == MY_TABLES  # the comparison sees them


def test_migration_0004_on_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'qa.db'}")


@pytest.mark.postgres
def test_migration_0004_on_postgres(make_postgres_database: Callable[[str], str]) -> None:
    _check(make_postgres_database("floorboard_qa_migration"))
