"""Canonical events (docs/METRICS.md#canonical-events): the one model every source is normalised
to before anything counts.

An event is a small immutable tuple so that millions of them can be built, serialised and
read back cheaply. ``event_id`` is stable for the same input (a queue_log line, a CDR row, a
simulator step), which is what lets the aggregator drop a replayed event instead of counting
it twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, Final, NamedTuple

import orjson


class Kind(StrEnum):
    """What happened. Call events first, then agent events, then source housekeeping."""

    ENQUEUE = "enqueue"
    RING = "ring"
    RING_NO_ANSWER = "ring_no_answer"
    ANSWER = "answer"
    ABANDON = "abandon"
    EXIT_TIMEOUT = "exit_timeout"
    EXIT_EMPTY = "exit_empty"
    EXIT_KEY = "exit_key"
    TRANSFER = "transfer"
    COMPLETE = "complete"
    SURVEY = "survey"
    CALL_INFO = "call_info"
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    ACW_START = "acw_start"
    ACW_END = "acw_end"
    MEMBER_ADD = "member_add"
    MEMBER_REMOVE = "member_remove"
    SYSTEM_START = "system_start"


CALL_KINDS = frozenset(
    {
        Kind.ENQUEUE,
        Kind.RING,
        Kind.RING_NO_ANSWER,
        Kind.ANSWER,
        Kind.ABANDON,
        Kind.EXIT_TIMEOUT,
        Kind.EXIT_EMPTY,
        Kind.EXIT_KEY,
        Kind.TRANSFER,
        Kind.COMPLETE,
        Kind.SURVEY,
        Kind.CALL_INFO,
    }
)


class Event(NamedTuple):
    """One canonical event.

    Times are seconds: ``ts`` since the Unix epoch (UTC), durations as floats. ``None`` means
    "the source did not say", which is different from zero.

    Field use by kind:
      - ``wait``: time queued (answer, abandon, exit_*, complete, transfer).
      - ``talk``: talk time (complete, transfer); ``hold`` customer hold; ``wrap`` after-call work
        (acw_end, or complete when the source reports it).
      - ``ring``: ring time (ring_no_answer, answer).
      - ``position``: queue position (enqueue: position entered; abandon/exit: position left).
      - ``reason``: pause reason, the key pressed (exit_key), who hung up (complete:
        ``agent``/``caller``), transfer kind (transfer: ``blind``/``attended``/``transfer``).
      - ``target``: transfer target; caller id (enqueue); DID (call_info).
      - ``score``: survey answer.
    """

    kind: str
    ts: float
    source: str
    event_id: str
    call_id: str = ""
    queue: str = ""
    agent: str = ""
    wait: float | None = None
    talk: float | None = None
    hold: float | None = None
    wrap: float | None = None
    ring: float | None = None
    position: int | None = None
    reason: str = ""
    target: str = ""
    score: float | None = None


# ``reason`` values by which a source says that it cannot know a duration (a CDR that does not
# see the queue, issue 12.10). ``wait=None`` alone means "not reported: derive it from the
# times"; with WAIT_UNKNOWN (answer, abandon, exit_*) the aggregator leaves the wait out of
# ASA, service level and the short-abandon split; with TALK_UNKNOWN (complete, transfer) it
# leaves the call out of AHT and average talk.
WAIT_UNKNOWN: Final = "wait_unknown"
TALK_UNKNOWN: Final = "talk_unknown"


class Reject(NamedTuple):
    """An input that could not become an event: kept in the dead-letter stream with its reason."""

    source: str
    location: str
    raw: str
    reason: str


_FIELD_COUNT = len(Event._fields)
# ``tuple.__new__`` directly: ``Event._make`` is a Python-level function, a call per event.
_new = tuple.__new__


def encode_frame(events: Iterable[Event]) -> bytes:
    """Serialise events into one stream entry payload (a JSON array of arrays, UTF-8)."""
    # orjson: json.dumps costs as much per event as parsing the queue_log line did.
    return orjson.dumps(list(map(tuple, events)))


def decode_frame(payload: str | bytes) -> list[Event]:
    """Read back what :func:`encode_frame` wrote; raises ``ValueError`` on a damaged frame."""
    try:
        rows: Any = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"event frame is not JSON: {exc}") from exc
    if type(rows) is not list:
        raise ValueError("event frame is not a JSON array")
    for row in rows:
        if type(row) is not list or len(row) != _FIELD_COUNT:
            raise ValueError(f"event frame row has the wrong shape: {row!r:.80}")
    return [_new(Event, row) for row in rows]


def chunks(events: Sequence[Event], size: int) -> Iterable[Sequence[Event]]:
    """Split a sequence of events into frames of at most ``size`` events."""
    for start in range(0, len(events), size):
        yield events[start : start + size]
