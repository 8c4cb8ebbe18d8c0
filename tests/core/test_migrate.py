"""``core.migrate.require_tables`` says what is missing with a core error (the CLI turns it
into a message and exit 1; ``core`` does not depend on click)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.migrate import DatabaseNotReady, require_tables, upgrade


def test_no_database_file_is_named_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    with pytest.raises(
        DatabaseNotReady,
        match=r"^no database at sqlite:///.*none\.db: run `floorboard db upgrade` first$",
    ):
        require_tables(f"sqlite:///{path}", ["calls"])
    assert not path.exists()


def test_missing_tables_are_listed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    require_tables(url, ["calls"])
    with pytest.raises(DatabaseNotReady, match=r"has no users, announcements table\(s\): run"):
        require_tables(url, ["calls", "users", "announcements"])
