"""The shapes a CDR row goes through: cells -> :class:`CallRecord` -> canonical events.

Also the vocabulary of a mapping (canonical outcomes, the column keys it may name), kept here so
that ``docs/cdr-mapping.md``, the validator and the importer read the same lists.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from collectors.events import TALK_UNKNOWN, WAIT_UNKNOWN, Event, Kind

if TYPE_CHECKING:
    from collectors.cdr.mapping import Mapping


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


class RowError(Exception):
    """Why a row was rejected: a category (counted) and the specifics (kept with the reject)."""

    def __init__(self, category: str, detail: str) -> None:
        super().__init__(f"{category}: {detail}")
        self.category = category


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


@dataclass(frozen=True)
class ColumnIndex:
    """Where the mapped columns are in a file: cells per row, key -> cell index, and the cell
    index of each ignore rule's column (in the mapping's order)."""

    width: int
    columns: dict[str, int]
    rules: tuple[int, ...]


class RowConverter:
    """Turns one row's cells into a :class:`CallRecord`, or ``None`` (ignored).

    Raises :class:`RowError` for a row that cannot be a call.
    """

    def __init__(self, mapping: Mapping, index: ColumnIndex, max_call_seconds: float) -> None:
        self.mapping = mapping
        self.index = index
        self.max_seconds = max_call_seconds
        # Multi-leg calls: the queue of a leg that is not the queue leg does not matter.
        self.queue_fallback = ""

    def cell(self, cells: list[str], key: str) -> str:
        i = self.index.columns.get(key)
        if i is None:
            return ""
        value = cells[i].strip()
        pattern = self.mapping.extract.get(key)
        if pattern is None or not value:
            return value
        found = pattern.search(value)  # e.g. the queue in Asterisk's lastdata "support,t,,,300"
        return found.group(1).strip() if found else ""

    def raw(self, cells: list[str]) -> str:
        buf = io.StringIO()
        dialect = self.mapping.csv
        csv.writer(buf, delimiter=dialect.delimiter, quotechar=dialect.quotechar).writerow(cells)
        return escape_undecoded(buf.getvalue().rstrip("\r\n"))

    def __call__(self, cells: list[str]) -> CallRecord | None:
        if len(cells) != self.index.width:
            raise RowError(
                "wrong column count", f"{len(cells)} cells, the header has {self.index.width}"
            )
        if any(
            rule.matches(cells[i])
            for rule, i in zip(self.mapping.ignore, self.index.rules, strict=True)
        ):
            return None
        self._check_decoded(cells)
        call_id = self.cell(cells, "call_id")
        if not call_id:
            raise RowError(
                "missing call id", f"column {self.mapping.columns['call_id']!r} is empty"
            )
        value = self.cell(cells, "outcome")
        outcome = self.mapping.outcome_for(value)
        if outcome is None:
            raise RowError("unknown outcome", f"{value!r} is not listed under outcomes")
        if outcome is Outcome.IGNORED:
            return None
        return self._call(cells, call_id, outcome)

    def _check_decoded(self, cells: list[str]) -> None:
        """Only mapped cells must decode: stray bytes in a column nobody reads (a userfield, a
        caller name typed on a phone) must not cost the call."""
        for key, i in self.index.columns.items():
            found = UNDECODED.search(cells[i])
            if found is not None:
                name = self.mapping.columns[key]
                raise RowError(
                    "undecodable",
                    f"column {name!r} has bytes not valid in {self.mapping.csv.encoding} at "
                    f"character {found.start() + 1}: '{escape_undecoded(cells[i][:80])}'",
                )

    def _call(self, cells: list[str], call_id: str, outcome: Outcome) -> CallRecord:
        queue = self.cell(cells, "queue") or self.mapping.default_queue or self.queue_fallback
        if not queue:
            raise RowError("missing queue", "no queue in the row and no default_queue")
        enqueue = self.time(cells, "enqueue_time", None)
        if enqueue is None:
            raise RowError("missing time", "enqueue_time is empty")
        wait, talk, hold, wrap = (self.duration(cells, key) for key in DURATION_COLUMNS)
        call = CallRecord(
            call_id=call_id,
            queue=queue,
            agent=self.cell(cells, "agent"),
            caller=self.cell(cells, "caller"),
            target=self.cell(cells, "transfer_target"),
            outcome=outcome,
            enqueue=enqueue,
            wait=wait,
            talk=talk,
            hold=hold,
            wrap=wrap,
        )
        call.total = self.duration(cells, "duration")
        if outcome in CONNECTED:
            self._connected(call, cells)
        else:
            self._unanswered(call, cells)
        for name in ("wait", "talk"):
            value = getattr(call, name)
            if value is not None and value > self.max_seconds:
                raise RowError(
                    "implausible duration", f"{name} {value:.0f}s > {self.max_seconds:.0f}s"
                )
        return call

    def _connected(self, call: CallRecord, cells: list[str]) -> None:
        answer = self.time(cells, "answer_time", call.enqueue)
        if answer is None:
            answer = self._answer_from_durations(call)
        if answer < call.enqueue:
            raise RowError("answer before enqueue", f"by {call.enqueue - answer:.0f}s")
        end = self.time(cells, "end_time", answer)
        if end is None:
            if call.talk is not None:
                end = answer + call.talk
            elif self._total_places("end_time", call):
                end = call.enqueue + (call.total or 0.0)
            else:
                raise RowError("missing time", "answered call with neither end time nor talk")
        if end < answer:
            raise RowError("end before answer", f"by {answer - end:.0f}s")
        call.answer, call.end = answer, end
        call.wait = round(answer - call.enqueue, 3) if call.wait is None else call.wait
        call.talk = round(end - answer, 3) if call.talk is None else call.talk

    def _unanswered(self, call: CallRecord, cells: list[str]) -> None:
        end = self.time(cells, "end_time", call.enqueue)
        if end is None:
            if call.wait is not None:
                end = call.enqueue + call.wait
            elif self._total_places("end_time", call):
                end = call.enqueue + (call.total or 0.0)
            else:
                raise RowError("missing time", "unanswered call with neither end time nor wait")
        if end < call.enqueue:
            raise RowError("end before enqueue", f"by {call.enqueue - end:.0f}s")
        call.end = end
        call.wait = round(end - call.enqueue, 3) if call.wait is None else call.wait

    def _answer_from_durations(self, call: CallRecord) -> float:
        if call.wait is not None:
            return call.enqueue + call.wait
        if self._total_places("answer_time", call) and call.talk is not None:
            # A ``cdr`` table row: answered talk seconds before the end of the record.
            return call.enqueue + max((call.total or 0.0) - call.talk, 0.0)
        raise RowError("missing time", "answered call with neither answer time nor wait")

    def _total_places(self, key: str, call: CallRecord) -> bool:
        """The record's total duration stands in for a time only when the export has no
        column for that time at all (an empty answer cell means "not answered", not this)."""
        return call.total is not None and key not in self.index.columns

    def time(self, cells: list[str], key: str, not_before: float | None) -> float | None:
        text = self.cell(cells, key)
        if not text:
            return None
        try:
            return self.mapping.time.parse(text, not_before=not_before)
        except ValueError as exc:
            raise RowError("unparseable time", f"{key}: {exc}") from exc

    def duration(self, cells: list[str], key: str) -> float | None:
        text = self.cell(cells, key)
        if not text:
            return None
        value = parse_duration(text)
        if value is None:
            raise RowError("bad duration", f"{key} {text!r} is not seconds nor [h:]mm:ss")
        if value < 0:
            raise RowError("negative duration", f"{key} {text!r}")
        if value > self.max_seconds:
            raise RowError("implausible duration", f"{key} {value:.0f}s > {self.max_seconds:.0f}s")
        return value


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
