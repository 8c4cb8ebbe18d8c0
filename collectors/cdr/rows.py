"""One CDR row's cells -> :class:`~collectors.cdr.schemas.CallRecord`, as a mapping says.

The step between the mapping (``mapping.py``, which reads the vocabulary in ``schemas.py``) and
the importer: it needs both, and neither of them needs it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from collectors.cdr.mapping import Mapping
from collectors.cdr.schemas import (
    CONNECTED,
    DURATION_COLUMNS,
    UNDECODED,
    CallRecord,
    Outcome,
    escape_undecoded,
    parse_duration,
)


class RowError(Exception):
    """Why a row was rejected: a category (counted) and the specifics (kept with the reject)."""

    def __init__(self, category: str, detail: str) -> None:
        super().__init__(f"{category}: {detail}")
        self.category = category


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
