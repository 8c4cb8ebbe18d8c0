"""The shapes a CDR row goes through: cells -> :class:`CallRecord` -> canonical events (the
first step, which follows a mapping, is ``rows.py``).

Also the vocabulary of a mapping (canonical outcomes, the column keys it may name), kept here so
that ``docs/cdr-mapping.md``, the validator and the importer read the same lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from collectors.events import TALK_UNKNOWN, WAIT_UNKNOWN, Event, Kind


class Outcome(StrEnum):
    """How a call left the queue, whatever the ACD called it."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    EXIT_TIMEOUT = "exit_timeout"
    EXIT_EMPTY = "exit_empty"
    EXIT_KEY = "exit_key"
    TRANSFERRED = "transferred"
    IGNORED = "ignored"


#: Outcomes whose call reached an agent (so an answer time or a wait is needed).
CONNECTED = frozenset({Outcome.ANSWERED, Outcome.TRANSFERRED})

#: Every key allowed under ``columns:`` with what it holds.
COLUMN_KEYS: dict[str, str] = {
    "call_id": "unique id of the call (or of the call's leg in a queue)",
    "queue": "queue name; rows where it is empty use default_queue",
    "agent": "agent who answered",
    "caller": "caller number (ANI)",
    "enqueue_time": "when the call entered the queue (or started)",
    "answer_time": "when an agent answered",
    "end_time": "when the call ended (hang-up, abandon, exit or transfer)",
    "wait": "seconds queued before answer or abandon",
    "talk": "seconds talking",
    "hold": "seconds the caller was on hold",
    "wrap": "seconds of after-call work",
    "outcome": "how the call ended, in the ACD's own words (see outcomes:)",
    "transfer_target": "where a transferred call went",
    # Whole-record seconds (start to end): places end (and answer = end - talk) when the export
    # has no end/answer time columns, as an Asterisk ``cdr`` table (calldate, duration, billsec).
    "duration": "seconds from start to end of the record (Asterisk/FreeSWITCH duration)",
    # For multi-leg grouping: ``legs:`` groups by linked_id, channel and peer_channel when it
    # names no columns of its own (collectors/cdr/legs.py).
    "billsec": "seconds from answer to end of the record (Asterisk/FreeSWITCH billsec)",
    "linked_id": "id shared by all legs of one call (Asterisk linkedid)",
    "channel": "the caller's channel (Asterisk channel)",
    "peer_channel": "the channel it was bridged to (Asterisk dstchannel, FreeSWITCH bleg_uuid)",
    "last_app": "last dialplan application (Asterisk lastapp)",
    "last_data": "its arguments (Asterisk lastdata)",
}

#: Figures a source may be unable to know (``unknown:`` in a mapping), with what they feed.
#: Such a figure is left null on the events (never 0) and the metrics built on it show as
#: not available; see "Multi-leg calls and what a CDR cannot know" in docs/cdr-mapping.md.
UNKNOWN_FIGURES: dict[str, str] = {
    "wait": "queue wait of answered calls (ASA, service level, max wait)",
    "abandon_wait": "wait of unanswered calls (short abandons, wait before abandon)",
    "talk": "talk time (AHT, average talk)",
    # A FreeSWITCH CDR says that the caller was bridged (bleg_uuid), not to whom: the call
    # counts as answered, and no agent gets it (per-agent figures leave it out).
    "agent": "which agent answered (per-agent answered, handled, AHT)",
}

#: Columns without which no row can become a call.
REQUIRED_COLUMNS = ("call_id", "enqueue_time", "outcome")

TIME_COLUMNS = ("enqueue_time", "answer_time", "end_time")
DURATION_COLUMNS = ("wait", "talk", "hold", "wrap")

#: Time formats that are not strptime patterns.
SPECIAL_TIME_FORMATS = ("epoch", "epoch_ms", "iso8601")

# A cell holding bytes the encoding could not decode (read with errors="surrogateescape").
UNDECODED = re.compile("[\udc80-\udcff]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")
_OUTCOME_KIND = {
    Outcome.ABANDONED: Kind.ABANDON,
    Outcome.EXIT_TIMEOUT: Kind.EXIT_TIMEOUT,
    Outcome.EXIT_EMPTY: Kind.EXIT_EMPTY,
    Outcome.EXIT_KEY: Kind.EXIT_KEY,
}
_HANDLED = frozenset({Kind.COMPLETE, Kind.TRANSFER})


@dataclass(slots=True)
class CallRecord:
    """One call's pass through one queue, normalised: UTC epoch times, durations in seconds.

    ``answer`` is only meaningful for connected calls; ``end`` is the hang-up, abandon, exit or
    transfer time.
    """

    call_id: str
    queue: str
    agent: str
    caller: str
    target: str
    outcome: Outcome
    enqueue: float
    wait: float | None
    talk: float | None
    hold: float | None
    wrap: float | None
    answer: float = 0.0
    end: float = 0.0
    total: float | None = None  # the export's whole-record duration, when mapped
    # The source cannot know the wait / the talk time (``unknown:`` in the mapping).
    wait_unknown: bool = False
    talk_unknown: bool = False


def parse_duration(text: str) -> float | None:
    """Seconds from ``"42"``, ``"42.5"``, ``"42,5"``, ``"1:02"`` or ``"1:02:03"``; else ``None``."""
    text = text.strip()
    if _NUMBER.fullmatch(text):
        return float(text.replace(",", "."))
    clock = _CLOCK.fullmatch(text)
    if clock is None:
        return None
    hours, minutes, seconds = clock.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def call_events(call: CallRecord, source: str) -> list[Event]:
    """The canonical events of one call, in causal order.

    A call with a transfer target is a transfer even when its outcome says answered: some ACDs
    only record the transfer in that column.
    """
    base = f"cdr:{call.call_id}:{call.queue}"
    wait = None if call.wait_unknown else call.wait
    talk = None if call.talk_unknown else call.talk

    def event(kind: Kind, ts: float, agent: str = "", reason: str = "", target: str = "") -> Event:
        if call.wait_unknown and kind not in _HANDLED and kind is not Kind.ENQUEUE:
            reason = WAIT_UNKNOWN  # answer, abandon, exit_*: the aggregator must not derive it
        elif call.talk_unknown and kind in _HANDLED:
            reason = TALK_UNKNOWN
        return Event(
            kind=kind.value,
            ts=ts,
            source=source,
            event_id=f"{base}:{kind.value}",
            call_id=call.call_id,
            queue=call.queue,
            agent=agent,
            wait=None if kind is Kind.ENQUEUE else wait,
            talk=talk if kind in _HANDLED else None,
            hold=call.hold if kind in _HANDLED else None,
            wrap=call.wrap if kind in _HANDLED else None,
            reason=reason,
            target=target,
        )

    events = [event(Kind.ENQUEUE, call.enqueue, target=call.caller)]
    if call.outcome not in CONNECTED:
        events.append(event(_OUTCOME_KIND[call.outcome], call.end))
    elif call.outcome is Outcome.TRANSFERRED or call.target:
        events.append(event(Kind.ANSWER, call.answer, call.agent))
        events.append(
            event(Kind.TRANSFER, call.end, call.agent, reason="transfer", target=call.target)
        )
    else:
        events.append(event(Kind.ANSWER, call.answer, call.agent))
        events.append(event(Kind.COMPLETE, call.end, call.agent))
    return events


def escape_undecoded(text: str) -> str:
    """Undecodable bytes as ``\\xNN`` so that the text is valid Unicode again."""
    return UNDECODED.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)
