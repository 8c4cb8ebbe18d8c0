"""Write finished calls from the aggregator's outbox, and read call history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collectors.history.models import Call
from collectors.history.schemas import CallFilter
from core.db import get_by_id

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
    calls = [r for r in records if r.get("type") == "call"]
    existing = _existing_calls(db_session, calls)
    for record in calls:
        identity = (record["call_id"], record["queue"], utc(record["enqueued_at"]))
        call = existing.get(identity)
        if call is None:
            call = Call(call_id=identity[0], queue=identity[1], enqueued_at=identity[2])
            db_session.add(call)
            existing[identity] = call
        _fill(call, record)
    db_session.flush()
    # Wrap-up and surveys arrive after their call ended, usually in the same batch.
    newest: dict[tuple[str, str], Call] = {}
    for call in existing.values():
        key = (call.call_id, call.queue)
        if key not in newest or call.enqueued_at > newest[key].enqueued_at:
            newest[key] = call
    for record in records:
        kind = record.get("type")
        if kind in ("wrap", "survey"):
            value = (
                {"wrap": record.get("wrap")}
                if kind == "wrap"
                else {"survey_score": record.get("score")}
            )
            call = newest.get((record["call_id"], record["queue"]))
            if call is not None:
                for name, v in value.items():
                    setattr(call, name, v)
            else:
                _update_call(db_session, record, **value)
    db_session.flush()
    return len(calls)


def _existing_calls(
    db_session: Session, calls: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str, datetime | None], Call]:
    """Rows already stored for these records, in one query per 500 call ids."""
    ids = sorted({r["call_id"] for r in calls})
    found: dict[tuple[str, str, datetime | None], Call] = {}
    for first in range(0, len(ids), 500):
        rows = db_session.scalars(select(Call).where(Call.call_id.in_(ids[first : first + 500])))
        for row in rows:
            found[(row.call_id, row.queue, row.enqueued_at)] = row
    return found


def _fill(call: Call, record: Mapping[str, Any]) -> None:
    call.answered_at = utc(record.get("answered_at"))
    ended = utc(record.get("ended_at"))
    call.ended_at = ended if ended is not None else call.enqueued_at
    for name in _CALL_FIELDS:
        if name in record and record[name] is not None:
            setattr(call, name, record[name])


def _update_call(db_session: Session, record: Mapping[str, Any], **values: Any) -> None:
    """Update the newest row of the call in the queue (wrap-up and surveys come after it ended)."""
    row = db_session.scalars(
        select(Call.id)
        .where(Call.call_id == record["call_id"], Call.queue == record["queue"])
        .order_by(Call.enqueued_at.desc())
        .limit(1)
    ).first()
    if row is not None:
        db_session.execute(
            update(Call).where(Call.id == row).values(**values),
            execution_options={"synchronize_session": False},
        )


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
    return get_by_id(db_session, Call, call_pk)


def count_calls(*, db_session: Session, queues: Iterable[str] = ()) -> int:
    query = select(func.count(Call.id))
    queue_list = list(queues)
    if queue_list:
        query = query.where(Call.queue.in_(queue_list))
    return int(db_session.scalar(query) or 0)
