"""``core.tables.OWNERS`` is the one list of which package owns which tables: after
``load_models()`` it names every table of ``Base.metadata`` once, under the module defining it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.db import Base
from core.tables import OWNERS, load_models

ROOT = Path(__file__).resolve().parents[2]


def _defined_by() -> dict[str, str]:
    """Each mapped table and the module of the class that maps it."""
    return {
        mapper.local_table.name: mapper.class_.__module__
        for mapper in Base.registry.mappers
        if mapper.local_table is not None
    }


def test_load_models_fills_the_metadata_with_every_owned_table() -> None:
    metadata = load_models()
    assert metadata is Base.metadata
    listed = {table for tables in OWNERS.values() for table in tables}
    assert set(metadata.tables) == listed


def test_every_table_is_listed_once_under_the_module_that_defines_it() -> None:
    load_models()
    counts = Counter(table for tables in OWNERS.values() for table in tables)
    assert [t for t, n in counts.items() if n > 1] == [], "a table is listed twice in OWNERS"
    listed = {table: module for module, tables in OWNERS.items() for table in tables}
    wrong = {
        table: (listed.get(table), module)
        for table, module in _defined_by().items()
        if listed.get(table) != module
    }
    assert wrong == {}, "table: (OWNERS says, defined in)"
    assert set(_defined_by()) == set(Base.metadata.tables), "a table not mapped by a class"


def test_every_module_that_defines_a_table_is_an_owner() -> None:
    """A models module nobody imports would be missing from ``Base.metadata`` unnoticed."""
    defining = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in ("core", "collectors", "qa", "dashboard")
        for path in (ROOT / package).rglob("*.py")
        if "__tablename__" in path.read_text(encoding="utf-8")
    }
    assert defining == set(OWNERS)
