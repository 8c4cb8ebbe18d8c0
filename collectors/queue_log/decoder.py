"""Feeding the queue_log parser: lines, whole files, and a byte stream cut into pieces of any
size (what the follower reads). The per-line work is :func:`.parser.parse_raw`.

Site-made events (``QueueLog()`` verbs Asterisk does not write) are neither events nor rejects:
each function counts them by verb in an ``ignored`` counter, except the ones its survey mapping
names, which are survey answers (:mod:`.survey`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from collectors.events import Event, Reject
from collectors.queue_log.parser import (
    BOM_BYTES,
    CUSTOM,
    DEFAULT_TABLE,
    MAX_LINE_BYTES,
    PREVIEW_BYTES,
    Handlers,
    Result,
    default_source,
    handler_table,
    length_problem,
    parse_raw,
    preview,
    reject_raw,
)
from collectors.queue_log.survey import DEFAULT_SURVEY, SurveyMapping

MAX_IGNORED_VERBS = 100
"""Distinct custom verbs counted one by one; any more are counted together as ``(other)``."""

OTHER_VERBS = "(other)"


class Ignored(NamedTuple):
    """A site-made event line that was understood to be one and left out (not an error)."""

    source: str
    location: str
    verb: str


def count_ignored(ignored: Counter[str], verb: str, n: int = 1) -> None:
    """Count ``n`` custom lines of ``verb``, keeping the counter's size bounded."""
    if verb in ignored or len(ignored) < MAX_IGNORED_VERBS:
        ignored[verb] += n
    else:
        ignored[OTHER_VERBS] += n


def merge_ignored(into: Counter[str], more: Counter[str]) -> None:
    """Add one count of custom lines to another (a run's total), still bounded."""
    for verb, n in more.items():
        count_ignored(into, verb, n)


def _table(survey: SurveyMapping) -> Handlers:
    return DEFAULT_TABLE if survey is DEFAULT_SURVEY else handler_table(survey)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def describe_ignored(ignored: Counter[str], *, top: int = 10) -> str:
    """``"ignored: 75 lines of custom events (RINGING ×60, INFO2 ×15)"``; ``""`` for none."""
    total = sum(ignored.values())
    if not total:
        return ""
    common = sorted(ignored.items(), key=_by_count)  # most first, then by name: stable output
    shown = ", ".join(f"{verb} \u00d7{n}" for verb, n in common[:top])
    more = f", and {len(common) - top} more verbs" if len(common) > top else ""
    noun = "line" if total == 1 else "lines"
    return f"ignored: {total} {noun} of custom events ({shown}{more})"


def _strip_eol(line: str) -> str:
    # One "\n", then one "\r": a CRLF ending. Other trailing characters belong to the line.
    if line[-1:] == "\n":
        line = line[:-1]
    if line[-1:] == "\r":
        line = line[:-1]
    return line


def _unencodable(source: str, location: str, line: str, exc: UnicodeEncodeError) -> Reject:
    """The reject of a text line that has no UTF-8 form (lone surrogates)."""
    why = f"undecodable bytes: no UTF-8 form for character {exc.start} (lone surrogate)"
    return Reject(source, location, line.encode("utf-8", "backslashreplace").decode(), why)


def _file(
    result: Result,
    events: list[Event],
    rejects: list[Reject],
    source: str,
    label: str,
    lineno: int,
    line: str,
    raw: bytes,
    limit: int,
    ignored: Counter[str],
) -> None:
    """File what :func:`parse_raw` made of line ``lineno``: an event is kept, a reason becomes a
    reject located ``label:lineno`` (its location built only then), a blank line is dropped, a
    custom event is counted in ``ignored``."""
    if result is None:
        return
    if isinstance(result, str):
        if result.startswith(CUSTOM):
            count_ignored(ignored, result[len(CUSTOM) :])
            return
        bad = reject_raw(line, raw, limit)
        rejects.append(Reject(source, f"{label}:{lineno}", bad, result))
    else:
        events.append(result)


def parse_line(
    line: str,
    *,
    source: str,
    location: str,
    max_line_bytes: int = MAX_LINE_BYTES,
    survey: SurveyMapping = DEFAULT_SURVEY,
) -> Event | Reject | Ignored | None:
    """Parse one queue_log line.

    Args:
        line: the line, with or without its line ending (``\\n`` or ``\\r\\n``).
        source: the source name the event carries (see :func:`default_source`).
        location: where the line came from, for a rejection (``"path:lineno"``).
        max_line_bytes: longer lines (in UTF-8 bytes, without line ending) are rejected.
        survey: which site-made verbs are survey answers.

    Returns:
        The event, a :class:`Reject` naming the problem, :class:`Ignored` for a site-made
        event that is not a survey, or ``None`` for a blank line.
    """
    line = _strip_eol(line)
    try:
        raw = line.encode()
    except UnicodeEncodeError as exc:
        return _unencodable(source, location, line, exc)
    result = parse_raw(line, raw, source, max_line_bytes, _table(survey), survey)
    if result is None or isinstance(result, Event):
        return result
    if result.startswith(CUSTOM):
        return Ignored(source, location, result[len(CUSTOM) :])
    return Reject(source, location, reject_raw(line, raw, max_line_bytes), result)


def parse_lines(
    lines: Iterable[str],
    *,
    source: str,
    path_label: str,
    first_lineno: int = 1,
    max_line_bytes: int = MAX_LINE_BYTES,
    survey: SurveyMapping = DEFAULT_SURVEY,
    ignored: Counter[str] | None = None,
) -> tuple[list[Event], list[Reject]]:
    """Parse many lines; blank ones are skipped, bad ones become rejects located ``path:lineno``.

    Args:
        lines: text lines, with or without line endings (one line each).
        source: the source name every event carries.
        path_label: the file name used in reject locations.
        first_lineno: the line number of the first line.
        max_line_bytes: longer lines are rejected.
        survey: which site-made verbs are survey answers.
        ignored: counts the other site-made events by verb (when given).

    Returns:
        ``(events, rejects)``, each in input order.
    """
    events: list[Event] = []
    rejects: list[Reject] = []
    counted: Counter[str] = Counter() if ignored is None else ignored
    table = _table(survey)
    for lineno, text in enumerate(lines, first_lineno):
        line = text
        if line[-1:] == "\n":
            line = line[:-1]
        if line[-1:] == "\r":
            line = line[:-1]
        try:
            raw = line.encode()
        except UnicodeEncodeError as exc:
            rejects.append(_unencodable(source, f"{path_label}:{lineno}", line, exc))
            continue
        result = parse_raw(line, raw, source, max_line_bytes, table, survey)
        _file(
            result, events, rejects, source, path_label, lineno, line, raw, max_line_bytes, counted
        )
    return events, rejects


class LineDecoder:
    """Turns a queue_log byte stream, fed in pieces of any size, into events and rejects.

    Only complete lines (ending in ``\\n``) are parsed; the incomplete rest waits for the next
    :meth:`feed`. The output does not depend on how the stream was cut into pieces. A line that
    grows past ``max_line_bytes`` is not buffered: its bytes are counted and dropped, and one
    ``line too long`` reject is emitted when its end arrives.

    Args:
        source: the source name every event carries.
        path_label: the file name used in reject locations.
        first_lineno: the line number of the first line fed.
        max_line_bytes: longer lines are rejected.
        survey: which site-made verbs are survey answers.

    Attributes:
        lineno: number of the last line consumed (``first_lineno - 1`` before any).
        consumed: bytes of complete lines consumed so far.
        ignored: site-made event lines left out, by verb, since the last :meth:`take_ignored`.
    """

    def __init__(
        self,
        *,
        source: str,
        path_label: str,
        first_lineno: int = 1,
        max_line_bytes: int = MAX_LINE_BYTES,
        survey: SurveyMapping = DEFAULT_SURVEY,
    ) -> None:
        self.source = source
        self.path_label = path_label
        self.max_line_bytes = max_line_bytes
        self.survey = survey
        self._table = _table(survey)
        self.ignored: Counter[str] = Counter()
        self.lineno = first_lineno - 1
        self.consumed = 0
        self._buf = b""
        self._skipped = 0  # > 0: bytes of an over-long partial line dropped so far
        self._skip_head = b""
        self._skip_last = b""

    def take_ignored(self) -> Counter[str]:
        """The custom-event counts so far, starting a new count."""
        ignored, self.ignored = self.ignored, Counter()
        return ignored

    @property
    def pending(self) -> int:
        """Bytes of the incomplete last line (buffered or dropped), not yet consumed."""
        return len(self._buf) + self._skipped

    def feed(self, data: bytes) -> tuple[list[Event], list[Reject]]:
        """Add bytes; parse every line they complete. Returns ``(events, rejects)``."""
        events: list[Event] = []
        rejects: list[Reject] = []
        if self._skipped:
            cut = data.find(b"\n")
            if cut < 0:
                self._skip(data)
                return events, rejects
            self._skip(data[:cut])
            rejects.append(self._end_skip(newline=True))
            data = data[cut + 1 :]
        buf = self._buf + data if self._buf else data
        end = buf.rfind(b"\n")
        if end >= 0:
            self._lines(buf[:end].split(b"\n"), events, rejects)
            self.consumed += end + 1
            buf = buf[end + 1 :]
        # +4: a BOM and a CR do not count towards the limit, so only then is it surely too long
        if len(buf) > self.max_line_bytes + 4:
            self._skipped, self._skip_head, self._skip_last = 0, b"", b""
            self._skip(buf)
            buf = b""
        self._buf = buf
        return events, rejects

    def finish(self) -> tuple[list[Event], list[Reject]]:
        """Parse the incomplete last line as if it were complete (its file will not grow)."""
        events: list[Event] = []
        rejects: list[Reject] = []
        if self._skipped:
            rejects.append(self._end_skip(newline=False))
        elif self._buf:
            self._lines([self._buf], events, rejects)
            self.consumed += len(self._buf)
            self._buf = b""
        return events, rejects

    def _skip(self, data: bytes) -> None:
        self._skipped += len(data)
        room = PREVIEW_BYTES + len(BOM_BYTES) - len(self._skip_head)
        if room > 0:
            self._skip_head += data[:room]
        if data:
            self._skip_last = data[-1:]

    def _end_skip(self, *, newline: bool) -> Reject:
        cr = 1 if self._skip_last == b"\r" else 0
        size = self._skipped - cr - (len(BOM_BYTES) if self._skip_head.startswith(BOM_BYTES) else 0)
        if cr and len(self._skip_head) == self._skipped:  # the head is the whole line: drop the CR
            self._skip_head = self._skip_head[:-1]
        self.lineno += 1
        self.consumed += self._skipped + (1 if newline else 0)
        reason = f"line too long: {size} bytes (limit {self.max_line_bytes})"
        reject = Reject(
            self.source, f"{self.path_label}:{self.lineno}", preview(self._skip_head), reason
        )
        self._skipped, self._skip_head, self._skip_last = 0, b"", b""
        return reject

    def _lines(self, pieces: list[bytes], events: list[Event], rejects: list[Reject]) -> None:
        source, label, limit = self.source, self.path_label, self.max_line_bytes
        table, survey, ignored = self._table, self.survey, self.ignored
        lineno = self.lineno
        for piece in pieces:
            lineno += 1
            raw = piece[:-1] if piece[-1:] == b"\r" else piece
            if len(raw) > limit:
                too_long = length_problem(raw, limit)
                if too_long:
                    rejects.append(Reject(source, f"{label}:{lineno}", preview(raw), too_long))
                    continue
            try:
                line = raw.decode()
            except UnicodeDecodeError as exc:
                bad = raw.decode("utf-8", "backslashreplace")
                why = f"undecodable bytes: not UTF-8 at byte {exc.start} of the line"
                rejects.append(Reject(source, f"{label}:{lineno}", bad, why))
                continue
            result = parse_raw(line, raw, source, limit, table, survey)
            _file(result, events, rejects, source, label, lineno, line, raw, limit, ignored)
        self.lineno = lineno


def parse_bytes(
    data: bytes,
    *,
    source: str,
    path_label: str,
    first_lineno: int = 1,
    max_line_bytes: int = MAX_LINE_BYTES,
    survey: SurveyMapping = DEFAULT_SURVEY,
    ignored: Counter[str] | None = None,
) -> tuple[list[Event], list[Reject]]:
    """Parse a whole queue_log content; a last line without ``\\n`` is parsed too.

    Args:
        data: the bytes (UTF-8; lines that are not are rejected one by one).
        source: the source name every event carries.
        path_label: the file name used in reject locations.
        first_lineno: the line number of the first line.
        max_line_bytes: longer lines are rejected.
        survey: which site-made verbs are survey answers.
        ignored: counts the other site-made events by verb (when given).
    """
    decoder = LineDecoder(
        source=source,
        path_label=path_label,
        first_lineno=first_lineno,
        max_line_bytes=max_line_bytes,
        survey=survey,
    )
    events, rejects = decoder.feed(data)
    more_events, more_rejects = decoder.finish()
    if ignored is not None:
        merge_ignored(ignored, decoder.take_ignored())
    return events + more_events, rejects + more_rejects


def parse_file(
    path: Path | str,
    *,
    source: str | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    survey: SurveyMapping = DEFAULT_SURVEY,
    ignored: Counter[str] | None = None,
) -> tuple[list[Event], list[Reject]]:
    """Parse a queue_log file at once (tests, one-off imports); :mod:`.follower` streams instead.

    Args:
        path: the file.
        source: the source name; :func:`default_source` of ``path`` when omitted.
        max_line_bytes: longer lines are rejected.
        survey: which site-made verbs are survey answers.
        ignored: counts the other site-made events by verb (when given).
    """
    path = Path(path)
    return parse_bytes(
        path.read_bytes(),
        source=source or default_source(path),
        path_label=str(path),
        max_line_bytes=max_line_bytes,
        survey=survey,
        ignored=ignored,
    )
