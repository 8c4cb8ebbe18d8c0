"""Database schema management: Alembic migrations run from inside the package."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from core.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema at ``url`` (the SQLite file's folder is created)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def engine_for(url: str) -> Engine:
    return make_engine(url)


class DatabaseNotReady(Exception):
    """The database a command needs is missing, cannot be opened or lacks tables; the message
    names the database (password hidden) and what to do."""


def require_tables(url: str, tables: Iterable[str]) -> None:
    """Raise :class:`DatabaseNotReady` naming what is missing when the database at ``url``
    lacks any of ``tables`` (without creating an empty SQLite file on the way)."""
    from sqlalchemy import inspect  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    hint = "run `floorboard db upgrade` first"
    database = parsed.database or ""
    is_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file and not Path(database).exists():
        raise DatabaseNotReady(f"no database at {shown}: {hint}")
    engine = make_engine(url)
    try:
        present = set(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        raise DatabaseNotReady(f"cannot open the database at {shown}: {exc}") from exc
    finally:
        engine.dispose()
    missing = [t for t in tables if t not in present]
    if missing:
        raise DatabaseNotReady(
            f"the database at {shown} has no {', '.join(missing)} table(s): {hint}"
        )
