"""Backfill call history from a per-call export (CDR / CSV) of any ACD.

Each row is one call's pass through a queue. With a :class:`~collectors.cdr.mapping.Mapping`
it becomes canonical events (docs/METRICS.md#canonical-events): ``enqueue``; then ``answer``
and ``complete`` (or ``transfer``), or ``abandon``, or ``exit_*``. Event ids are
``cdr:<call id>:<queue>:<kind>``: the same call gives the same ids whatever file it comes from,
so importing a file twice, or two overlapping exports, never counts a call twice (the
aggregator drops ids it has seen). The queue is part of the id because an ACD that moves a
call between queues exports one row per queue under one call id, and each of those rows is a
call that queue offered.

A row that cannot become a call becomes a :class:`~collectors.events.Reject` (dead-letter) with
its line number and the import goes on: every row read is a call, an ignored row or a reject.

Ordering. The aggregator's live state follows stream order, so events are published in time
order. Files are streamed, not loaded: events wait in a heap until no later row can hold an
earlier event. That is decided by a *reorder window*: once a row enqueued at ``t`` has been read,
events before ``t - window`` are released. An export sorted by start time needs a window of 0,
one sorted by end time (the usual CDR order: a row is written at hang-up) needs the longest call;
the default of 6 hours covers both with room to spare, and memory holds only that window's calls.
``reorder_window=None`` sorts the whole file in memory, for exports in no order at all. Events
that still arrive behind ones already released are published anyway and counted in
``ImportSummary.late_events``.
"""

from __future__ import annotations

import csv
import heapq
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from collectors.cdr.legs import Leg, LegGrouper, LegReader, call_of, mark_unknown
from collectors.cdr.mapping import Mapping, missing_times
from collectors.cdr.rows import ColumnIndex, RowConverter, RowError
from collectors.cdr.schemas import UNDECODED, call_events, escape_undecoded
from collectors.cdr.verdict import ClockCheck
from collectors.events import Event, Kind, Reject
from collectors.pipeline.producer import EventProducer

# Same-second events of one call keep their causal order.
_RANK = {Kind.ENQUEUE: 0, Kind.ANSWER: 1}


class CdrFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, or its header does not fit)."""


@dataclass
class ImportSummary:
    """What one import did. Every row read is exactly one of: a call, ignored, rejected."""

    path: str
    source: str
    dry_run: bool
    rows_read: int = 0
    calls: int = 0
    events: int = 0
    ignored: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    samples: list[Reject] = field(default_factory=list)
    late_events: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    # Multi-leg calls (mapping ``legs:``): rows that joined another row's call, and calls
    # without a queue leg (IVR-only, internal: their rows count as ignored).
    legs: int = 0
    not_queue_calls: int = 0
    # The figures the mapping says this source cannot know (``unknown:``), left null.
    unknown: frozenset[str] = frozenset()
    #: Calls' times against the epochs in their Asterisk uniqueids (a wrong --timezone).
    clock: ClockCheck | None = None

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())

    @property
    def clock_warning(self) -> str | None:
        return None if self.clock is None else self.clock.warning()


#: What each unknown figure takes away, as the import summary says it.
_NOT_AVAILABLE = {
    "wait": "ASA, service level, max wait",
    "abandon_wait": "short abandons (counted as abandoned), wait before abandon",
    "talk": "AHT, average talk",
    "agent": "which agent answered (calls counted, no agent credited)",
}


def summary_notes(summary: ImportSummary) -> list[str]:
    """Lines for the import summary about multi-leg grouping and the figures this source
    cannot know (``floorboard import-calls`` prints them after the counts)."""
    lines: list[str] = []
    if summary.legs or summary.not_queue_calls:
        lines.append(f"  legs        {summary.legs} more rows were legs of these calls")
        lines.append(
            f"  not queued  {summary.not_queue_calls} calls never reached a queue "
            "(their rows are counted as ignored)"
        )
    for figure in sorted(summary.unknown):
        lines.append(
            f"  not available from this source: {_NOT_AVAILABLE[figure]} "
            f"(mapping: unknown: {figure}; left empty, not 0)"
        )
    return lines


def import_calls(
    *,
    path: str | Path,
    mapping: Mapping,
    producer: EventProducer | None,
    batch_size: int = 5000,
    reorder_window: float | None = 6 * 3600.0,
    max_call_seconds: float = 86_400.0,
    max_samples: int = 20,
) -> ImportSummary:
    """Import one export file.

    Args:
        path: the CSV file.
        mapping: how to read it (:func:`collectors.cdr.mapping.load_mapping`).
        producer: where events and rejects go; ``None`` is a dry run that reads, converts and
            counts everything but publishes nothing.
        batch_size: events plus rejects per :meth:`EventProducer.publish` call (one MULTI/EXEC).
        reorder_window: seconds; see the module docstring. ``None`` sorts the whole file.
        max_call_seconds: a wait, talk, hold or wrap longer than this rejects the row as
            implausible (typically a day/month swapped by a wrong time format).
        max_samples: how many rejects the summary keeps for display.

    Raises:
        CdrFileError: the file cannot be opened or decoded, or its header lacks a column the
            mapping names. Bad rows never raise.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = Path(path)
    source = f"cdr:{path.name}"
    summary = ImportSummary(path=str(path), source=source, dry_run=producer is None)
    summary.unknown = mapping.unknown
    summary.clock = ClockCheck(mapping.time.zone)
    out = _Outbox(producer, summary, batch_size, max_samples)
    buffer = _Reorder(reorder_window, summary)
    try:
        with path.open(encoding=mapping.csv.encoding, errors="surrogateescape", newline="") as fh:
            reader = _Reader(fh, mapping, path.name)
            convert = RowConverter(mapping, reader.index, max_call_seconds)
            legs = _LegImport.of(mapping, reader, convert, buffer, out)
            for line, cells in reader:
                summary.rows_read += 1
                if legs is not None:
                    legs.row(line, cells)
                    continue
                _one_row(line, cells, convert, buffer, out, source)
            if legs is not None:
                legs.finish()
    except (OSError, UnicodeError) as exc:
        raise CdrFileError(f"{path}: cannot read as {mapping.csv.encoding}: {exc}") from exc
    except csv.Error as exc:
        raise CdrFileError(f"{path}: not readable as CSV: {exc}") from exc
    out.add(buffer.drain())
    out.flush()
    return summary


def _one_row(
    line: int,
    cells: list[str] | str,
    convert: RowConverter,
    buffer: _Reorder,
    out: _Outbox,
    source: str,
) -> None:
    location = f"{out.file_name}:{line}"
    if isinstance(cells, str):  # the CSV reader itself failed on this record
        out.reject(Reject(source, location, "", f"unreadable row: {cells}"), "unreadable row")
        return
    try:
        call = convert(cells)
    except RowError as exc:
        out.reject(Reject(source, location, convert.raw(cells), str(exc)), exc.category)
        return
    if call is None:
        out.summary.ignored += 1
        return
    out.summary.calls += 1
    mark_unknown(call, convert.mapping.unknown)
    if out.summary.clock is not None:
        out.summary.clock.add(call.call_id, call.enqueue)
    buffer.push(call_events(call, source), anchor=call.enqueue)
    out.add(buffer.ready())


class _Reader:
    """Iterates ``(line number, cells)`` of the data rows; a string instead of cells is a CSV
    error on that record. Line numbers are the file's, counting skipped lines and the header."""

    def __init__(self, fh: IO[str], mapping: Mapping, name: str) -> None:
        dialect = mapping.csv
        for _ in range(dialect.skip_lines):
            fh.readline()
        self.offset = dialect.skip_lines
        self.csv = csv.reader(fh, delimiter=dialect.delimiter, quotechar=dialect.quotechar)
        self.pending: tuple[int, list[str]] | None = None
        if dialect.header_auto:
            names = self._auto_header(mapping)
        else:
            names = self._header(name) if dialect.header else list(dialect.fieldnames)
        self.index = _resolve_columns(mapping, names, f"{name}:{self.offset + self.csv.line_num}")
        self.names = names

    def _auto_header(self, mapping: Mapping) -> list[str]:
        """The first row's names when it is a header (it names every mapped column, in any
        case), else ``fieldnames``; a first row that is data is read again as data."""
        fieldnames = list(mapping.csv.fieldnames)
        for line, row in self:
            if isinstance(row, str):
                break
            by_fold = {name.casefold(): name for name in fieldnames}
            cells = [c.strip().lstrip("\ufeff").strip() for c in row]
            folded = {c.casefold() for c in cells}
            wanted = {n.casefold() for n in mapping.columns.values()}
            if wanted <= folded:
                return [by_fold.get(c.casefold(), c) for c in cells]
            self.pending = (line, row)
            break
        return fieldnames

    def _header(self, name: str) -> list[str]:
        for row in self.csv:
            if any(c.strip() for c in row):
                return [c.strip().lstrip("\ufeff").strip() for c in row]
        raise CdrFileError(f"{name}: no header row (csv.header is true)")

    def __iter__(self) -> Iterator[tuple[int, list[str] | str]]:
        if self.pending is not None:
            yield self.pending
            self.pending = None
        while True:
            start = self.offset + self.csv.line_num + 1
            try:
                row = next(self.csv)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, str(exc)
                continue
            if any(c.strip() for c in row):
                yield start, row


def _resolve_columns(mapping: Mapping, names: list[str], where: str) -> ColumnIndex:
    wanted = list(mapping.columns.items()) + [
        (f"ignore rule on {r.column}", r.column) for r in mapping.ignore
    ]
    optional = mapping.optional_columns
    missing = [(key, name) for key, name in wanted if name not in names and key not in optional]
    if missing:
        listed = ", ".join(f"{name!r} (for {key})" for key, name in missing)
        header = ", ".join(escape_undecoded(n) for n in names)
        hint = ""
        if any(UNDECODED.search(n) for n in names):
            hint = f"; the header has bytes that are not {mapping.csv.encoding}: check csv.encoding"
        elif len(names) == 1:
            hint = (
                "; one cell only: a title line above the header (csv.skip_lines) or csv.delimiter?"
            )
        raise CdrFileError(
            f"{where}: {mapping.origin} names column(s) not in the header: {listed}; "
            f"the header is: {header}{hint}"
        )
    doubled = sorted({name for _, name in wanted if names.count(name) > 1})
    if doubled:
        raise CdrFileError(f"{where}: column(s) {doubled} appear more than once in the header")
    present = {key: names.index(name) for key, name in mapping.columns.items() if name in names}
    problem = missing_times(present, set(mapping.outcomes.values()))
    if problem is not None:  # optional columns left out the only way to place some time
        raise CdrFileError(f"{where}: with the columns this file has, {mapping.origin} {problem}")
    return ColumnIndex(
        width=len(names),
        columns=present,
        rules=tuple(names.index(r.column) for r in mapping.ignore),
    )


class _Reorder:
    """Holds events until the reorder window says no later row can precede them."""

    def __init__(self, window: float | None, summary: ImportSummary) -> None:
        self.window = window
        self.summary = summary
        self.heap: list[tuple[float, int, int, Event]] = []
        self.seq = 0
        self.high = float("-inf")
        self.released = float("-inf")

    def push(self, events: Sequence[Event], *, anchor: float) -> None:
        for ev in events:
            self.seq += 1
            heapq.heappush(self.heap, (ev.ts, _RANK.get(Kind(ev.kind), 2), self.seq, ev))
        self.high = max(self.high, anchor)

    def ready(self, hold: float | None = None) -> list[Event]:
        """Events no later row can precede; none at or after ``hold`` (calls still open)."""
        if self.window is None:
            return []
        limit = self.high - self.window
        return self._pop_until(limit if hold is None else min(limit, hold - 1e-6))

    def drain(self) -> list[Event]:
        return self._pop_until(float("inf"))

    def _pop_until(self, limit: float) -> list[Event]:
        out: list[Event] = []
        while self.heap and self.heap[0][0] <= limit:
            ev = heapq.heappop(self.heap)[3]
            if ev.ts < self.released:
                self.summary.late_events += 1
            self.released = max(self.released, ev.ts)
            out.append(ev)
        return out


class _Outbox:
    """Collects events and rejects and publishes them in batches (or only counts: dry run)."""

    def __init__(
        self,
        producer: EventProducer | None,
        summary: ImportSummary,
        batch_size: int,
        max_samples: int,
    ) -> None:
        self.producer = producer
        self.summary = summary
        self.file_name = Path(summary.path).name
        self.batch_size = batch_size
        self.max_samples = max_samples
        self.events: list[Event] = []
        self.rejects: list[Reject] = []

    def add(self, events: list[Event]) -> None:
        if not events:
            return
        s = self.summary
        s.events += len(events)
        lo, hi = min(e.ts for e in events), max(e.ts for e in events)
        s.first_ts = lo if s.first_ts is None else min(s.first_ts, lo)
        s.last_ts = hi if s.last_ts is None else max(s.last_ts, hi)
        for start in range(0, len(events), self.batch_size):
            self.events.extend(events[start : start + self.batch_size])
            self._maybe_flush()

    def reject(self, reject: Reject, category: str) -> None:
        self.summary.rejects[category] += 1
        if len(self.summary.samples) < self.max_samples:
            self.summary.samples.append(reject)
        self.rejects.append(reject)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.events) + len(self.rejects) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.producer is not None:
            self.producer.publish(self.events, rejects=self.rejects, source=self.summary.source)
        self.events, self.rejects = [], []


class _LegImport:
    """Reads rows as legs, groups them into calls (:mod:`collectors.cdr.legs`) and turns each
    complete call into events. Events stay held while a call that started before them may
    still get legs, so the stream order is kept."""

    def __init__(self, mapping: Mapping, read: LegReader, buffer: _Reorder, out: _Outbox) -> None:
        assert mapping.legs is not None  # noqa: S101 - built by ``of`` only
        self.unknown = mapping.unknown
        self.read = read
        self.grouper = LegGrouper(mapping.legs)
        self.buffer = buffer
        self.out = out

    @classmethod
    def of(
        cls,
        mapping: Mapping,
        reader: _Reader,
        convert: RowConverter,
        buffer: _Reorder,
        out: _Outbox,
    ) -> _LegImport | None:
        """The leg import of a mapping with ``legs:`` (``None`` without)."""
        if mapping.legs is None:
            return None
        wanted = {
            key: name
            for key, name in mapping.legs.columns().items()
            if name in reader.names or not _optional_leg_column(mapping, key, name)
        }
        missing = [
            f"{name!r} (for {key})" for key, name in wanted.items() if name not in reader.names
        ]
        if missing:
            raise CdrFileError(
                f"{out.file_name}: {mapping.origin} names column(s) not in the header: "
                f"{', '.join(missing)}"
            )
        index = {key: reader.names.index(name) for key, name in wanted.items()}
        return cls(mapping, LegReader(mapping.legs, convert, index), buffer, out)

    def row(self, line: int, cells: list[str] | str) -> None:
        out = self.out
        location = f"{out.file_name}:{line}"
        if isinstance(cells, str):
            out.reject(
                Reject(out.summary.source, location, "", f"unreadable row: {cells}"),
                "unreadable row",
            )
            return
        try:
            leg = self.read(cells)
        except RowError as exc:
            raw = self.read.convert.raw(cells)
            out.reject(Reject(out.summary.source, location, raw, str(exc)), exc.category)
            return
        if leg is None:
            out.summary.ignored += 1
            return
        self._calls(self.grouper.add(leg))

    def finish(self) -> None:
        self._calls(self.grouper.drain())

    def _calls(self, groups: list[list[Leg]]) -> None:
        summary = self.out.summary
        for legs in groups:
            call = call_of(legs, self.unknown)
            if call is None:
                summary.not_queue_calls += 1
                summary.ignored += len(legs)
                continue
            summary.calls += 1
            summary.legs += len(legs) - 1
            if summary.clock is not None:  # the caller's channel was created at its first leg
                first = min(
                    leg.record.enqueue for leg in legs if leg.record.call_id == call.call_id
                )
                summary.clock.add(call.call_id, first)
            self.buffer.push(call_events(call, summary.source), anchor=call.enqueue)
        self.out.add(self.buffer.ready(hold=self.grouper.oldest_open()))


def _optional_leg_column(mapping: Mapping, key: str, name: str) -> bool:
    """A legs column taken from an optional ``columns:`` key (an old ``cdr`` table without
    ``linkedid``): when the file lacks it, the legs are grouped without it."""
    source = _LEG_SOURCES.get(key, "")
    return source in mapping.optional_columns and mapping.columns.get(source) == name


_LEG_SOURCES = {
    "legs.group_by": "linked_id",
    "legs.channel": "channel",
    "legs.peer_channel": "peer_channel",
}
