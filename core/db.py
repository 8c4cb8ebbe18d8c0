"""SQLAlchemy 2 declarative base and engine/session helpers shared by every domain's models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every Floorboard table (naming convention keeps Alembic diffs stable)."""

    metadata = MetaData(naming_convention=NAMING)


#: Ids are 64-bit signed integers in every database: a larger number names no row, and sent
#: to SQL it raises (OverflowError on SQLite, NumericValueOutOfRange on PostgreSQL).
MAX_ID = 2**63 - 1
_Row = TypeVar("_Row", bound=Base)


def valid_id(value: object) -> bool:
    """Whether ``value`` can be the id of a stored row (an int in ``1..MAX_ID``)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def get_by_id(session: Session, model: type[_Row], ident: int) -> _Row | None:
    """``session.get`` for an id that came from outside: out of range means no row, and never
    reaches SQL."""
    return session.get(model, ident) if valid_id(ident) else None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
