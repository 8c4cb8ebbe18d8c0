"""Asterisk ``queue_log`` lines → canonical events (the mapping is in the package docstring).

The hot path is built for millions of lines: one ``str.split('|')``, a dict lookup to a small
handler per event name, one ``float`` for the epoch and one blake2b for the id. Anything that
goes wrong there raises, and only then :func:`_diagnose` walks the line again slowly to say
exactly what is wrong, so a good line never pays for the error messages.

A rejection reason reads ``"<problem>: <details>"``; the producer counts rejects by the part
before the colon (``too few fields``, ``unknown event``, ``bad epoch``, ``bad number``,
``score out of range``, ``unknown transfer method``, ``line too long``, ``undecodable bytes``).

Survey verbs (``SURVEY`` by default, :mod:`.survey`) are in the same dispatch table, built per
reader by :func:`handler_table`. A line whose event name is in neither but looks like an event
verb (see :data:`.verbs.VERB`), with a sane epoch, is a site-made event (``QueueLog()`` in a
dialplan): the slow path returns ``"custom event: VERB"`` for it, and the decoder counts it as
ignored, not rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import blake2b
from pathlib import Path

from collectors.events import Event, Kind
from collectors.queue_log.survey import DEFAULT_SURVEY, SurveyMapping
from collectors.queue_log.verbs import (
    ASTERISK_EVENTS,
    ASTERISK_HANDLERS,
    ATTENDED_LAYOUT,
    VERB,
    Fields,
    read_duration,
    read_position,
    read_score,
)

MAX_LINE_BYTES = 64 * 1024
"""Longest accepted line in bytes (without its line ending); longer lines are rejected."""

PREVIEW_BYTES = 256
"""How much of an over-long line its dead letter keeps."""

BOM = "\ufeff"
BOM_BYTES = BOM.encode()
_MAX_EPOCH = 1e11  # year 5138: anything larger is a corrupt field, not a time

Result = Event | str | None
"""What :func:`parse_raw` returns: an event, a rejection reason, or ``None`` for a blank line."""

_new = tuple.__new__
# Copied per line: cheaper than building a hasher with its parameters each time.
_ID_HASH = blake2b(digest_size=10)


def default_source(path: Path | str) -> str:
    """The source name of a queue_log file: ``queue_log:<absolute path>``."""
    return f"queue_log:{Path(path).absolute()}"


EVENT_NAMES = ASTERISK_EVENTS | {"SURVEY"}
"""The queue_log event names the parser understands (``SURVEY`` through the survey mapping)."""

CUSTOM = "custom event: "
"""How the slow path marks a site-made event (the verb follows)."""

Handlers = dict[str, tuple[str, Callable[[list[str]], Fields], bool]]
"""Event name → (kind, handler, for every queue): what :func:`parse_raw` dispatches on."""


def _survey(index: int, low: float, high: float) -> Callable[[list[str]], Fields]:
    at = 4 + index

    def handler(p: list[str]) -> Fields:
        score = read_score(p[at])
        if low <= score <= high:
            return None, None, None, None, "", "", score
        raise ValueError(p[at])  # out of the scale: diagnosed slowly

    return handler


def handler_table(survey: SurveyMapping) -> Handlers:
    """Asterisk's events plus the survey verbs of ``survey`` (each reads its score field and
    refuses a score outside the scale), for :func:`parse_raw`. Build it once per reader."""
    table = dict(ASTERISK_HANDLERS)
    for verb, index in survey.verbs.items():
        table[verb] = (str(Kind.SURVEY), _survey(index, survey.low, survey.high), False)
    return table


DEFAULT_TABLE = handler_table(DEFAULT_SURVEY)
"""The table for the default survey mapping (``SURVEY`` in data field 1, scores 1 to 5)."""


# --- the hot path -------------------------------------------------------------------------------


def parse_raw(
    line: str,
    raw: bytes,
    source: str,
    max_bytes: int,
    table: Handlers,
    survey: SurveyMapping,
    bom: bool = True,
) -> Result:
    """Parse one line without its line ending; ``raw`` is its UTF-8 encoding (hashed for the id).

    ``table`` is :func:`handler_table` of ``survey`` (:data:`DEFAULT_TABLE` for the default);
    ``bom``: whether a leading BOM may still be there (only one is ever removed).
    """
    if len(raw) > max_bytes:
        return _diagnose(line, raw, source, max_bytes, table, survey, bom)
    p = line.split("|")
    try:
        kind, handler, every_queue = table[p[4]]
        ts = float(p[0])
        if not 0.0 <= ts < _MAX_EPOCH:
            raise ValueError(p[0])
        w, t, r, pos, why, target, score = handler(p)
        c = p[1]
        q = p[2]
        a = p[3]
        if c == "NONE":
            c = ""
        if q == "NONE" or every_queue:
            q = ""
        if a == "NONE":
            a = ""
        hasher = _ID_HASH.copy()
        hasher.update(raw)
        eid = hasher.hexdigest()
    except (IndexError, KeyError, ValueError):
        return _diagnose(line, raw, source, max_bytes, table, survey, bom)
    return _new(
        Event, (kind, ts, source, eid, c, q, a, w, t, None, None, r, pos, why, target, score)
    )


# --- the slow path: say precisely what is wrong -------------------------------------------------

# Per event: (layout for messages, numeric fields as (index, name, converter, required)).
_Field = tuple[int, str, Callable[[str], object], bool]
_DUR_PAIR: tuple[_Field, ...] = (
    (7, "holdtime", read_duration, True),
    (8, "calltime", read_duration, True),
)
_EXIT: tuple[_Field, ...] = (
    (5, "position", read_position, True),
    (7, "waittime", read_duration, False),
)
_SPECS: dict[str, tuple[str, tuple[_Field, ...]]] = {
    "ENTERQUEUE": ("url|callerid[|position]", ((7, "position", read_position, False),)),
    "CONNECT": (
        "holdtime|bridgedchanneluniqueid[|ringtime]",
        ((5, "holdtime", read_duration, True), (7, "ringtime", read_duration, False)),
    ),
    "COMPLETEAGENT": (
        "holdtime|calltime|origposition",
        ((5, "holdtime", read_duration, True), (6, "calltime", read_duration, True)),
    ),
    "ABANDON": (
        "position|origposition|waittime",
        ((5, "position", read_position, True), (7, "waittime", read_duration, True)),
    ),
    "EXITWITHTIMEOUT": ("position[|origposition|waittime]", _EXIT),
    "EXITEMPTY": ("position[|origposition|waittime]", _EXIT),
    "EXITWITHKEY": (
        "key|position[|origposition|waittime]",
        ((6, "position", read_position, True), (8, "waittime", read_duration, False)),
    ),
    "TRANSFER": ("extension|context|holdtime|calltime|origposition", _DUR_PAIR),
    "RINGNOANSWER": ("ringtime_ms", ((5, "ringtime_ms", read_duration, True),)),
    "PENALTY": ("penalty", ((5, "penalty", int, True),)),
    "RINGINUSE": ("ringinuse", ((5, "ringinuse", int, True),)),
}
_SPECS["COMPLETECALLER"] = _SPECS["COMPLETEAGENT"]
_SPECS["BLINDTRANSFER"] = _SPECS["TRANSFER"]
_SPECS["RINGCANCELED"] = _SPECS["RINGNOANSWER"]


def _attended_spec(p: list[str]) -> tuple[str, tuple[_Field, ...]] | str:
    if len(p) < 6:
        return "too few fields: ATTENDEDTRANSFER needs method|data|holdtime|calltime|origposition"
    if p[5] == "LINK":
        fields = ((8, "holdtime", read_duration, True), (9, "calltime", read_duration, True))
        return "LINK|chan1|chan2|holdtime|calltime|origposition", fields
    if p[5] in ATTENDED_LAYOUT:
        return f"{p[5]}|data|holdtime|calltime|origposition", _DUR_PAIR
    return f"unknown transfer method: ATTENDEDTRANSFER {p[5][:40]!r} (want BRIDGE, APP or LINK)"


def length_problem(raw: bytes, max_bytes: int) -> str | None:
    """The reason when ``raw`` (without line ending, BOM allowed) is longer than allowed."""
    size = len(raw) - (3 if raw.startswith(BOM_BYTES) else 0)
    if size > max_bytes:
        return f"line too long: {size} bytes (limit {max_bytes})"
    return None


def _diagnose(
    line: str,
    raw: bytes,
    source: str,
    max_bytes: int,
    table: Handlers,
    survey: SurveyMapping,
    bom: bool,
) -> Result:
    """Re-examine a line the hot path refused: parse it after all (BOM) or say why not."""
    if bom and line.startswith(BOM):
        rest = raw[len(BOM_BYTES) :]
        return parse_raw(line[1:], rest, source, max_bytes, table, survey, False)
    if len(raw) > max_bytes:
        return f"line too long: {len(raw)} bytes (limit {max_bytes})"
    if not line or line.isspace():
        return None
    p = line.split("|")
    if len(p) < 5:
        return f"too few fields: {len(p)} (need epoch|callid|queue|agent|EVENT|...)"
    name = p[4]
    known = name in table
    if not known and not VERB.fullmatch(name):
        if not name:
            return "unknown event: (empty event name)"
        return f"unknown event: {name[:60]!r} is not an event verb (A-Z, 0-9, _)"
    bad_epoch = _epoch_problem(p[0])
    if bad_epoch:
        return bad_epoch
    if not known:
        return CUSTOM + name
    index = survey.verbs.get(name)
    problem = _survey_problem(name, p, index, survey) if index else _diagnose_fields(name, p)
    return problem or f"unparseable line: {name} (parser bug, please report)"


def _epoch_problem(text: str) -> str | None:
    try:
        ts = float(text)
    except ValueError:
        return f"bad epoch: {text[:40]!r} is not a number"
    if not 0.0 <= ts < _MAX_EPOCH:
        return f"bad epoch: {text[:40]!r} is out of range"
    return None


def _diagnose_fields(name: str, p: list[str]) -> str | None:
    spec = _attended_spec(p) if name == "ATTENDEDTRANSFER" else _SPECS.get(name)
    if spec is None:
        return None
    if isinstance(spec, str):
        return spec
    layout, fields = spec
    for index, field, convert, required in fields:
        if len(p) <= index:
            if required:
                return f"too few fields: {name} needs {layout}, got {len(p) - 5} data field(s)"
            continue
        value = p[index]
        if not value:
            if required:
                return f"bad number: {name} {field} is empty"
            continue
        try:
            convert(value)
        except ValueError:
            return f"bad number: {name} {field}={value[:40]!r}"
    return None


def _survey_problem(name: str, p: list[str], index: int, survey: SurveyMapping) -> str | None:
    at = 4 + index
    if len(p) <= at:
        return f"too few fields: {name} needs the score in data field {index}"
    text = p[at]
    if not text:
        return f"bad number: {name} score is empty"
    try:
        score = read_score(text)
    except ValueError:
        return f"bad number: {name} score={text[:40]!r}"
    if not survey.low <= score <= survey.high:
        return (
            f"score out of range: {name} score {text[:40]!r} is outside the survey scale "
            f"{survey.low:g}-{survey.high:g}"
        )
    return None


def reject_raw(line: str, raw: bytes, max_bytes: int) -> str:
    """What the dead letter keeps of a rejected line: all of it, or a preview when too long."""
    if len(raw) > max_bytes and length_problem(raw, max_bytes):
        return preview(raw)
    return line


def preview(raw: bytes) -> str:
    """The first :data:`PREVIEW_BYTES` of an over-long line (BOM removed), for its dead letter."""
    if raw.startswith(BOM_BYTES):
        raw = raw[len(BOM_BYTES) :]
    return raw[:PREVIEW_BYTES].decode("utf-8", "backslashreplace")
