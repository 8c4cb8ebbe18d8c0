"""Write finished calls from the aggregator's outbox, and read call history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collectors.history.models import Call
from collectors.history.schemas import CallFilter

_CALL_FIELDS = (
    "source", "agent", "caller", "did", "wait", "talk", "hold", "wrap",
    "outcome", "reason", "transfer_target", "ring_no_answer",
)  # fmt: skip


def utc(ts: float | None) -> datetime | None:
    """Epoch seconds → naive UTC datetime, rounded to the millisecond so that the same record
    always maps to the same row identity."""
    if ts is None:
        return None
    return datetime.fromtimestamp(round(ts, 3), UTC).replace(tzinfo=None)


def archive_records(*, db_session: Session, records: Sequence[Mapping[str, Any]]) -> int:
    """Store outbox records idempotently; returns the number of calls inserted or updated.

    ``call`` records are upserted on (call id, queue, enqueue time); ``wrap`` and ``survey``
    records update the call they refer to. Seeing a record twice changes nothing.
    """
    stored = 0
    for record in records:
        kind = record.get("type")
        if kind == "call":
            stored += _upsert_call(db_session, record)
        elif kind == "wrap":
            _update_call(db_session, record, wrap=record.get("wrap"))
        elif kind == "survey":
            _update_call(db_session, record, survey_score=record.get("score"))
    db_session.flush()
    return stored


def _upsert_call(db_session: Session, record: Mapping[str, Any]) -> int:
    enqueued = utc(record["enqueued_at"])
    existing = db_session.scalars(
        select(Call).where(
            Call.call_id == record["call_id"],
            Call.queue == record["queue"],
            Call.enqueued_at == enqueued,
        )
    ).first()
    call = existing or Call(call_id=record["call_id"], queue=record["queue"], enqueued_at=enqueued)
    call.answered_at = utc(record.get("answered_at"))
    ended = utc(record.get("ended_at"))
    call.ended_at = ended if ended is not None else call.enqueued_at
    for name in _CALL_FIELDS:
        if name in record and record[name] is not None:
            setattr(call, name, record[name])
    if existing is None:
        db_session.add(call)
    return 1


def _update_call(db_session: Session, record: Mapping[str, Any], **values: Any) -> None:
    """Update the newest row of the call in the queue (wrap-up and surveys come after it ended)."""
    row = db_session.scalars(
        select(Call.id)
        .where(Call.call_id == record["call_id"], Call.queue == record["queue"])
        .order_by(Call.enqueued_at.desc())
        .limit(1)
    ).first()
    if row is not None:
        db_session.execute(update(Call).where(Call.id == row).values(**values))


def list_calls(*, db_session: Session, criteria: CallFilter) -> list[Call]:
    """Calls that entered a queue in ``[start, end)``, oldest first."""
    query = select(Call).where(Call.enqueued_at >= criteria.start, Call.enqueued_at < criteria.end)
    if criteria.queues:
        query = query.where(Call.queue.in_(criteria.queues))
    if criteria.agents:
        query = query.where(Call.agent.in_(criteria.agents))
    if criteria.outcomes:
        query = query.where(Call.outcome.in_(criteria.outcomes))
    if criteria.min_talk is not None:
        query = query.where(Call.talk >= criteria.min_talk)
    query = query.order_by(Call.enqueued_at, Call.id)
    if criteria.limit is not None:
        query = query.limit(criteria.limit)
    return list(db_session.scalars(query))


def get_call(*, db_session: Session, call_pk: int) -> Call | None:
    return db_session.get(Call, call_pk)


def count_calls(*, db_session: Session, queues: Iterable[str] = ()) -> int:
    query = select(func.count(Call.id))
    queue_list = list(queues)
    if queue_list:
        query = query.where(Call.queue.in_(queue_list))
    return int(db_session.scalar(query) or 0)
