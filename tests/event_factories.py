"""Small builders of canonical events for tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from collectors.events import Event, Kind

T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC, a Thursday
_ids = itertools.count()


def ev(kind: str, ts: float, **fields: object) -> Event:
    """One event with a unique id (pass ``event_id`` to control it)."""
    event_id = str(fields.pop("event_id", f"e{next(_ids)}"))
    source = str(fields.pop("source", "test"))
    return Event(kind, ts, source, event_id, **fields)  # type: ignore[arg-type]


def answered_call(
    call_id: str, queue: str, agent: str, at: float, *, wait: float, talk: float
) -> list[Event]:
    return [
        ev(Kind.ENQUEUE, at, call_id=call_id, queue=queue),
        ev(Kind.ANSWER, at + wait, call_id=call_id, queue=queue, agent=agent, wait=wait),
        ev(Kind.COMPLETE, at + wait + talk, call_id=call_id, queue=queue, agent=agent,
           wait=wait, talk=talk, reason="agent"),
    ]  # fmt: skip


def abandoned_call(call_id: str, queue: str, at: float, *, wait: float) -> list[Event]:
    return [
        ev(Kind.ENQUEUE, at, call_id=call_id, queue=queue),
        ev(Kind.ABANDON, at + wait, call_id=call_id, queue=queue, wait=wait),
    ]


def exited_call(call_id: str, queue: str, at: float, *, wait: float, kind: str) -> list[Event]:
    return [
        ev(Kind.ENQUEUE, at, call_id=call_id, queue=queue),
        ev(kind, at + wait, call_id=call_id, queue=queue, wait=wait),
    ]


def by_time(*groups: list[Event]) -> list[Event]:
    return sorted(itertools.chain.from_iterable(groups), key=lambda e: e.ts)


def numbered(prefix: str) -> Iterator[str]:
    return (f"{prefix}{i}" for i in itertools.count())
