"""The aggregator's history sink: finished calls into the SQL database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from collectors.history.service import archive_records
from core.db import make_engine, session_factory, session_scope


def sql_history(url: str) -> Callable[[Sequence[Mapping[str, Any]]], None]:
    """A callable that stores outbox records in the database at ``url`` (idempotent)."""
    factory = session_factory(make_engine(url, pool_pre_ping=True))

    def store(records: Sequence[Mapping[str, Any]]) -> None:
        with session_scope(factory) as db_session:
            archive_records(db_session=db_session, records=records)

    return store
