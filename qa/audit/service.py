"""Record and read audit entries. Every service that changes HR data calls :func:`record`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa.audit.models import AuditEntry


def utcnow() -> datetime:
    """Now as a naive UTC datetime (how every timestamp in the database is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _jsonable(details: Mapping[str, Any]) -> dict[str, Any]:
    # Decimals, dates and the like become strings: the log must never fail to store an action.
    result: dict[str, Any] = json.loads(json.dumps(dict(details), default=str))
    return result


def record(
    *,
    db_session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (flushed, not committed: it commits with the change).

    Args:
        db_session: The session of the change being audited.
        actor: Who did it (a user name; the CLI's ``--by``).
        action: What was done, e.g. ``ledger.add`` or ``awards.publish``.
        entity: The kind of record acted on, e.g. ``ledger_entry`` or ``award_month``.
        entity_id: Which record, as text.
        details: What changed and why; anything JSON cannot hold is stored as its text.
        at: When (naive UTC); now by default.

    Raises:
        ValueError: ``actor`` is blank (an anonymous change cannot be accounted for).
    """
    if not actor.strip():
        raise ValueError("an audited action needs the name of the person doing it")
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor.strip(),
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=_jsonable(details or {}),
    )
    db_session.add(entry)
    db_session.flush()
    return entry


def list_entries(
    *,
    db_session: Session,
    entity: str | None = None,
    entity_id: str | None = None,
    actions: Sequence[str] = (),
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit entries, oldest first, optionally for one record or some actions.

    Args:
        db_session: The session.
        entity: Only entries about this kind of record.
        entity_id: Only entries about this record (with ``entity``).
        actions: Only these actions (all when empty).
        limit: At most this many (the newest ones) when given.
    """
    query = select(AuditEntry)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actions:
        query = query.where(AuditEntry.action.in_(actions))
    if limit is not None:
        newest = query.order_by(AuditEntry.id.desc()).limit(limit)
        return sorted(db_session.scalars(newest), key=lambda e: e.id)
    return list(db_session.scalars(query.order_by(AuditEntry.id)))
