"""The mapping file that tells the CDR importer how to read one ACD's call export.

A mapping is a small YAML document (reference and full example: ``docs/cdr-mapping.md``)::

    csv: {delimiter: ",", encoding: utf-8-sig, header: true, skip_lines: 0}
    columns: {call_id: CallID, queue: Queue, enqueue_time: Start, outcome: Result, ...}
    time: {formats: ["%Y-%m-%d %H:%M:%S"], timezone: Europe/Berlin}
    outcomes: {ANSWERED: answered, ABANDON: abandoned}
    ignore: [{column: Direction, equals: outbound}]
    default_queue: main

:func:`load_mapping` checks all of it up front and raises :class:`MappingError` naming the file
and the key, so that a typo is found before the first row is read rather than as a million
rejects.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from collectors.cdr.schemas import (
    COLUMN_KEYS,
    CONNECTED,
    REQUIRED_COLUMNS,
    SPECIAL_TIME_FORMATS,
    UNKNOWN_FIGURES,
    Outcome,
)
from core import safe_yaml

_TOP_KEYS: tuple[str, ...] = ("description", "csv", "columns", "time", "outcomes", "ignore")
_TOP_KEYS += ("default_queue", "optional_columns", "extract")
# Issue 12 points 9-10: multi-leg grouping and the figures a source cannot know.
_TOP_KEYS += ("legs", "unknown")
#: ``time.timezone: local``: the export is in its server's local time, which the file does not
#: say; the zone must come from the command line (``--timezone``), never from a guess.
LOCAL_ZONE = "local"
_CSV_KEYS = ("delimiter", "quotechar", "encoding", "header", "fieldnames", "skip_lines")
_TIME_KEYS = ("formats", "timezone")
_RULE_TESTS = ("equals", "in", "matches", "empty")
# Epoch values outside this range are garbage, not calls (1970-01-01 .. 2100-01-01 UTC).
_TS_MIN, _TS_MAX = 0.0, 4_102_444_800.0


class MappingError(ValueError):
    """The mapping file is unusable; the message names the file and the key."""


def normalise_value(value: str) -> str:
    """How outcome values and ignore-rule values are compared: trimmed, case-folded."""
    return value.strip().casefold()


@dataclass(frozen=True)
class CsvDialect:
    """How to split the file into rows and cells."""

    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8-sig"
    header: bool = True
    fieldnames: tuple[str, ...] = ()
    skip_lines: int = 0
    # ``header: auto``: the first row is a header when it names the mapped columns, else data
    # read with ``fieldnames`` (Master.csv is written headerless, but people add one).
    header_auto: bool = False


@dataclass(frozen=True)
class TimeSpec:
    """The source's time formats (tried in order) and the zone its local times are in."""

    formats: tuple[str, ...]
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def parse(self, text: str, *, not_before: float | None = None) -> float:
        """Convert a cell to UTC epoch seconds.

        Args:
            text: the cell, already trimmed.
            not_before: an earlier time of the same call. A local time that occurs twice (the
                hour repeated when DST ends) takes its second occurrence when the first would
                fall before this, so a call that spans the change stays in order.

        Raises:
            ValueError: no format matches, the local time does not exist (skipped by DST), or
                the time is outside 1970-2100.
        """
        skipped: _SkippedTime | None = None
        for fmt in self.formats:
            try:
                ts = self._parse_one(text, fmt, not_before)
            except _SkippedTime as exc:
                skipped = exc
                continue
            except (ValueError, OverflowError, OSError):
                continue
            if not _TS_MIN <= ts < _TS_MAX:
                raise ValueError(f"{text!r} is outside 1970-2100")
            return ts
        if skipped is not None:
            raise skipped
        raise ValueError(f"{text!r} matches none of the formats {list(self.formats)}")

    def _parse_one(self, text: str, fmt: str, not_before: float | None) -> float:
        if fmt == "epoch":
            return _finite(float(text))
        if fmt == "epoch_ms":
            return _finite(float(text)) / 1000.0
        parsed = datetime.fromisoformat(text) if fmt == "iso8601" else datetime.strptime(text, fmt)
        if parsed.tzinfo is not None:
            return parsed.timestamp()
        return self._local(parsed, not_before)

    def _local(self, naive: datetime, not_before: float | None) -> float:
        zone = self.zone
        first = naive.replace(tzinfo=zone, fold=0).timestamp()
        if datetime.fromtimestamp(first, zone).replace(tzinfo=None) != naive:
            raise _SkippedTime(f"{naive} does not exist in {self.timezone} (skipped by DST)")
        second = naive.replace(tzinfo=zone, fold=1).timestamp()
        if not_before is not None and first < not_before <= second:
            return second
        return first


class _SkippedTime(ValueError):
    """A local time in the gap when clocks go forward."""


def _finite(value: float) -> float:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


@dataclass(frozen=True)
class IgnoreRule:
    """Skip rows whose ``column`` equals one of ``values``, matches ``pattern`` or is empty."""

    column: str
    values: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None
    empty: bool | None = None

    def matches(self, cell: str) -> bool:
        if self.values is not None:
            return normalise_value(cell) in self.values
        if self.pattern is not None:
            return self.pattern.search(cell.strip()) is not None
        return (cell.strip() == "") == bool(self.empty)


@dataclass(frozen=True)
class Mapping:
    """A validated mapping: what :func:`collectors.cdr.importer.import_calls` needs."""

    origin: str
    csv: CsvDialect
    columns: dict[str, str]
    time: TimeSpec
    outcomes: dict[str, Outcome]
    ignore: tuple[IgnoreRule, ...] = ()
    default_queue: str = ""
    description: str = ""
    #: Column keys that may be missing from a file's header (generic and ``cdr`` table exports).
    optional_columns: frozenset[str] = frozenset()
    #: Column key -> regular expression whose group 1 is the value (a cell that holds more).
    extract: dict[str, re.Pattern[str]] = field(default_factory=dict)
    legs: LegSpec | None = None
    unknown: frozenset[str] = frozenset()

    def outcome_for(self, value: str) -> Outcome | None:
        """The canonical outcome of a cell value, ``None`` when the mapping does not list it."""
        return self.outcomes.get(normalise_value(value))


def load_mapping(path: str | Path, *, timezone: str | None = None) -> Mapping:
    """Read and validate a mapping file.

    Args:
        path: the YAML file.
        timezone: an IANA zone that replaces ``time.timezone`` (``--timezone``).

    Raises:
        MappingError: unreadable file, invalid YAML, or any invalid key; the message starts
            with the file name and names the key.
    """
    path = Path(path)
    try:
        text = safe_yaml.read_text(path, encoding="utf-8-sig", what="mapping file")
        data = safe_yaml.load(text, origin=str(path))
    except safe_yaml.UserYamlError as exc:
        raise MappingError(str(exc)) from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    return parse_mapping(data, origin=str(path), timezone=timezone)


def parse_mapping(data: object, *, origin: str, timezone: str | None = None) -> Mapping:
    """Validate an already parsed mapping document.

    Args:
        data: what :func:`core.safe_yaml.load` returned.
        origin: the name used in error messages (usually the file path).
        timezone: an IANA zone that replaces ``time.timezone`` (required when that is
            ``local``).

    Raises:
        MappingError: the first problem found, as ``"<origin>: <key>: <problem>"``.
    """
    v = _Validator(origin)
    top = v.table(data, "mapping", _TOP_KEYS)
    for key in ("columns", "time", "outcomes"):
        if key not in top:
            raise v.error(key, "is required")
    dialect = v.csv(top.get("csv"))
    columns = v.columns(top["columns"], dialect)
    outcomes = v.outcomes(top["outcomes"])
    v.derivable(columns, outcomes)
    unknown = v.unknown(top.get("unknown"))
    return Mapping(
        origin=origin,
        csv=dialect,
        columns=columns,
        time=v.time(top["time"], timezone),
        outcomes=outcomes,
        ignore=v.rules(top.get("ignore"), dialect),
        default_queue=v.text(top.get("default_queue", ""), "default_queue", allow_empty=True),
        description=v.text(top.get("description", ""), "description", allow_empty=True),
        optional_columns=v.optional(top.get("optional_columns"), columns),
        extract=v.extract(top.get("extract"), columns),
        legs=v.legs(top.get("legs"), dialect, columns, unknown),
        unknown=unknown,
    )


def missing_times(columns: Iterable[str], outcomes: set[Outcome]) -> str | None:
    """Why no call could be placed with only these column keys (``None``: they suffice)."""
    has = set(columns)
    if not has & {"end_time", "wait", "duration"}:
        return "needs end_time or wait, or duration (to place abandons and exits)"
    if not CONNECTED & outcomes:
        return None
    if not has & {"answer_time", "wait"} and not {"duration", "talk"} <= has:
        return "answered calls need answer_time or wait, or duration and talk"
    if not has & {"end_time", "talk", "duration"}:
        return "answered calls need end_time or talk, or duration"
    return None


class _Validator:
    """Turns parsed YAML into mapping parts, raising :class:`MappingError` on the first fault."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def error(self, key: str, problem: str) -> MappingError:
        return MappingError(f"{self.origin}: {key}: {problem}")

    def table(self, value: object, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"must be a mapping of keys to values, got {_kind(value)}")
        unknown = [str(k) for k in value if k not in allowed]
        if unknown:
            raise self.error(key, f"unknown key(s) {unknown}; allowed: {', '.join(allowed)}")
        return value

    def text(self, value: object, key: str, *, allow_empty: bool = False) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(key, f"must be text, got {_kind(value)}")
        out = str(value)
        if not out.strip() and not allow_empty:
            raise self.error(key, "must not be empty")
        return out

    def char(self, value: object, key: str) -> str:
        out = self.text(value, key)
        out = {"tab": "\t", "\\t": "\t"}.get(out, out)
        if len(out) != 1:
            raise self.error(key, f"must be one character (or 'tab'), got {out!r}")
        return out

    def csv(self, value: object) -> CsvDialect:
        raw = self.table(value if value is not None else {}, "csv", _CSV_KEYS)
        encoding = self.text(raw.get("encoding", "utf-8-sig"), "csv.encoding")
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise self.error("csv.encoding", f"unknown encoding {encoding!r}") from exc
        header = raw.get("header", True)
        auto = header == "auto"
        if auto:
            if raw.get("fieldnames") is None:
                raise self.error("csv.fieldnames", "is required when csv.header is auto")
            header = False
        if not isinstance(header, bool):
            raise self.error("csv.header", f"must be true, false or auto, got {header!r}")
        skip = raw.get("skip_lines", 0)
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise self.error("csv.skip_lines", f"must be a whole number >= 0, got {skip!r}")
        return CsvDialect(
            delimiter=self.char(raw.get("delimiter", ","), "csv.delimiter"),
            quotechar=self.char(raw.get("quotechar", '"'), "csv.quotechar"),
            encoding=encoding,
            header=header,
            fieldnames=self.fieldnames(raw.get("fieldnames"), header),
            skip_lines=skip,
            header_auto=auto,
        )

    def fieldnames(self, value: object, header: bool) -> tuple[str, ...]:
        if value is None:
            if not header:
                raise self.error("csv.fieldnames", "is required when csv.header is false")
            return ()
        if header:
            raise self.error("csv.fieldnames", "only applies when csv.header is false")
        if not isinstance(value, list) or not value:
            raise self.error("csv.fieldnames", "must be a non-empty list of column names")
        names = tuple(self.text(n, f"csv.fieldnames[{i}]") for i, n in enumerate(value))
        if len(set(names)) != len(names):
            raise self.error("csv.fieldnames", "names must be unique")
        return names

    def columns(self, value: object, dialect: CsvDialect) -> dict[str, str]:
        raw = self.table(value, "columns", tuple(COLUMN_KEYS))
        columns = {k: self.text(v, f"columns.{k}").strip() for k, v in raw.items() if v is not None}
        missing = [k for k in REQUIRED_COLUMNS if k not in columns]
        if missing:
            raise self.error("columns", f"missing required column(s) {missing}")
        if dialect.fieldnames:
            for key, name in columns.items():
                if name not in dialect.fieldnames:
                    raise self.error(f"columns.{key}", f"{name!r} is not one of csv.fieldnames")
        return columns

    def outcomes(self, value: object) -> dict[str, Outcome]:
        if not isinstance(value, dict) or not value:
            raise self.error("outcomes", "must map the export's outcome values to outcomes")
        allowed = ", ".join(o.value for o in Outcome)
        out: dict[str, Outcome] = {}
        for source, target in value.items():
            key = f"outcomes[{source!r}]"
            if isinstance(source, bool) or not isinstance(source, str | int):
                hint = " (quote it: YAML reads yes/no/on/off as true/false)"
                raise self.error(key, f"the value must be text{hint}")
            try:
                outcome = Outcome(str(target).strip().lower())
            except ValueError as exc:
                raise self.error(key, f"unknown outcome {target!r}; use one of {allowed}") from exc
            norm = normalise_value(str(source))
            if out.get(norm, outcome) is not outcome:
                raise self.error(key, f"{source!r} is listed twice with different outcomes")
            out[norm] = outcome
        return out

    def derivable(self, columns: dict[str, str], outcomes: dict[str, Outcome]) -> None:
        """Each time the importer needs must come from a column or from a duration."""
        problem = missing_times(columns, set(outcomes.values()))
        if problem is not None:
            raise self.error("columns", problem)

    def optional(self, value: object, columns: dict[str, str]) -> frozenset[str]:
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            raise self.error("optional_columns", "must be a list of column keys")
        keys = [self.text(k, f"optional_columns[{i}]") for i, k in enumerate(value)]
        for key in keys:
            if key not in columns:
                raise self.error("optional_columns", f"{key!r} is not a key under columns")
            if key in REQUIRED_COLUMNS:
                raise self.error("optional_columns", f"{key!r} is required, never optional")
        return frozenset(keys)

    def extract(self, value: object, columns: dict[str, str]) -> dict[str, re.Pattern[str]]:
        if value is None:
            return {}
        raw = self.table(value, "extract", tuple(columns))
        out: dict[str, re.Pattern[str]] = {}
        for key, text in raw.items():
            try:
                pattern = re.compile(self.text(text, f"extract.{key}"))
            except re.error as exc:
                raise self.error(f"extract.{key}", f"invalid regular expression: {exc}") from exc
            if pattern.groups < 1:
                raise self.error(f"extract.{key}", "needs a group: (...) is the value")
            out[key] = pattern
        return out

    def time(self, value: object, override: str | None = None) -> TimeSpec:
        raw = self.table(value, "time", _TIME_KEYS)
        if override is not None:
            raw = {**raw, "timezone": override}
        if "timezone" not in raw:
            raise self.error(
                "time.timezone", "is required (an IANA name, e.g. Asia/Shanghai or UTC)"
            )
        zone = self.text(raw["timezone"], "time.timezone")
        if zone.strip().lower() == LOCAL_ZONE:
            raise self.error(
                "time.timezone",
                "the times are in the server's local time, which the file does not say: "
                "give the zone with --timezone (an IANA name such as Asia/Shanghai, "
                "or UTC when the server writes UTC)",
            )
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.error("time.timezone", f"unknown time zone {zone!r}") from exc
        formats = raw.get("formats")
        if isinstance(formats, str):
            formats = [formats]
        if not isinstance(formats, list) or not formats:
            raise self.error("time.formats", "must be a format or a non-empty list of formats")
        for i, fmt in enumerate(formats):
            text = self.text(fmt, f"time.formats[{i}]")
            if text not in SPECIAL_TIME_FORMATS and "%" not in text:
                special = "/".join(SPECIAL_TIME_FORMATS)
                raise self.error(
                    f"time.formats[{i}]", f"{text!r} is neither {special} nor strptime"
                )
        return TimeSpec(formats=tuple(str(f) for f in formats), timezone=zone)

    def rules(self, value: object, dialect: CsvDialect) -> tuple[IgnoreRule, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error("ignore", "must be a list of rules like {column: X, equals: Y}")
        return tuple(self.rule(item, f"ignore[{i}]", dialect) for i, item in enumerate(value))

    def rule(self, value: object, key: str, dialect: CsvDialect) -> IgnoreRule:
        raw = self.table(value, key, ("column", *_RULE_TESTS))
        if "column" not in raw:
            raise self.error(f"{key}.column", "is required")
        column = self.text(raw["column"], f"{key}.column").strip()
        if dialect.fieldnames and column not in dialect.fieldnames:
            raise self.error(f"{key}.column", f"{column!r} is not one of csv.fieldnames")
        tests = [t for t in _RULE_TESTS if t in raw]
        if len(tests) != 1:
            raise self.error(key, f"needs exactly one of {', '.join(_RULE_TESTS)}")
        test, arg = tests[0], raw[tests[0]]
        if test == "equals":
            return IgnoreRule(column, values=frozenset({normalise_value(self.text(arg, key))}))
        if test == "in":
            if not isinstance(arg, list) or not arg:
                raise self.error(f"{key}.in", "must be a non-empty list of values")
            values = frozenset(normalise_value(self.text(a, f"{key}.in")) for a in arg)
            return IgnoreRule(column, values=values)
        if test == "matches":
            try:
                return IgnoreRule(column, pattern=re.compile(self.text(arg, f"{key}.matches")))
            except re.error as exc:
                raise self.error(f"{key}.matches", f"invalid regular expression: {exc}") from exc
        if not isinstance(arg, bool):
            raise self.error(f"{key}.empty", "must be true or false")
        return IgnoreRule(column, empty=arg)

    def legs(
        self,
        value: object,
        dialect: CsvDialect,
        columns: dict[str, str],
        unknown: frozenset[str] = frozenset(),
    ) -> LegSpec | None:
        """``legs:``: how the rows (legs) of one call are recognised and grouped."""
        if value is None:
            return None
        raw = self.table(value, "legs", _LEG_KEYS)
        for key in ("queue_leg", "agent_leg"):
            if key not in raw:
                raise self.error(f"legs.{key}", "is required (a rule like {column: X, equals: Y})")
        names = self.leg_columns(raw, dialect, columns)
        window = raw.get("window", DEFAULT_LEG_WINDOW)
        if isinstance(window, bool) or not isinstance(window, int | float) or window < 0:
            raise self.error("legs.window", f"must be seconds >= 0, got {window!r}")
        agent_leg = self.rule(raw["agent_leg"], "legs.agent_leg", dialect)
        if agent_leg.pattern is None and "agent" not in columns and "agent" not in unknown:
            raise self.error(
                "legs.agent_leg",
                "needs columns.agent, or a 'matches' pattern whose group 1 is the agent "
                "(or unknown: [agent] when the source does not say which agent answered)",
            )
        return LegSpec(
            queue_leg=self.rule(raw["queue_leg"], "legs.queue_leg", dialect),
            agent_leg=agent_leg,
            group_by=names.get("group_by", ""),
            channel=names.get("channel", ""),
            peer_channel=names.get("peer_channel", ""),
            window=float(window),
        )

    def leg_columns(
        self, raw: dict[str, Any], dialect: CsvDialect, columns: dict[str, str]
    ) -> dict[str, str]:
        """``legs.group_by/channel/peer_channel``: column names; without them, the columns
        mapped as ``linked_id``, ``channel`` and ``peer_channel`` (as the Asterisk presets)."""
        names = {
            key: columns[source]
            for key, source in _LEG_COLUMN_KEYS.items()
            if source in columns and raw.get(key) is None
        }
        if "channel" in names and "peer_channel" not in names:
            del names["channel"]
        for key in ("group_by", "channel", "peer_channel"):
            if raw.get(key) is not None:
                names[key] = self.text(raw[key], f"legs.{key}").strip()
                if dialect.fieldnames and names[key] not in dialect.fieldnames:
                    raise self.error(f"legs.{key}", f"{names[key]!r} is not one of csv.fieldnames")
        if ("channel" in names) != ("peer_channel" in names):
            raise self.error("legs", "channel and peer_channel go together")
        return names

    def unknown(self, value: object) -> frozenset[str]:
        """``unknown:``: the figures this source cannot know (left null, shown as such)."""
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            raise self.error("unknown", f"must be a list of {', '.join(UNKNOWN_FIGURES)}")
        out = set()
        for i, item in enumerate(value):
            name = self.text(item, f"unknown[{i}]").strip()
            if name not in UNKNOWN_FIGURES:
                allowed = ", ".join(UNKNOWN_FIGURES)
                raise self.error(f"unknown[{i}]", f"unknown figure {name!r}; use {allowed}")
            out.add(name)
        return frozenset(out)


_LEG_KEYS = ("group_by", "channel", "peer_channel", "queue_leg", "agent_leg", "window")
#: ``legs:`` key -> the ``columns:`` key it defaults to.
_LEG_COLUMN_KEYS = {"group_by": "linked_id", "channel": "channel", "peer_channel": "peer_channel"}
#: Seconds a call stays open for more legs after the end of its last leg read.
DEFAULT_LEG_WINDOW = 300.0


@dataclass(frozen=True)
class LegSpec:
    """How one call's rows (legs) are told apart and put together (``legs:`` in a mapping).

    Args:
        queue_leg: the rule that matches the caller's leg in the queue (e.g. lastapp Queue).
        agent_leg: the rule that matches a leg that rang an agent; with a ``matches``
            pattern, its group 1 (or the whole match) is the agent.
        group_by: column shared by all legs of a call (Asterisk ``linkedid``); empty: the
            ``call_id`` column (Asterisk ``uniqueid``), plus channel links.
        channel / peer_channel: a leg whose channel is a leg's peer channel of an open call
            (or the other way round) joins that call (Asterisk ``channel``/``dstchannel``).
        window: seconds a call stays open for more legs after its latest leg ended.
    """

    queue_leg: IgnoreRule
    agent_leg: IgnoreRule
    group_by: str = ""
    channel: str = ""
    peer_channel: str = ""
    window: float = DEFAULT_LEG_WINDOW

    def columns(self) -> dict[str, str]:
        """Columns the legs read besides ``columns:`` (name for error messages -> column)."""
        out = {"legs.queue_leg": self.queue_leg.column, "legs.agent_leg": self.agent_leg.column}
        for key in ("group_by", "channel", "peer_channel"):
            if getattr(self, key):
                out[f"legs.{key}"] = getattr(self, key)
        return out

    def agent_of(self, cell: str) -> str:
        """The agent named by a matching agent-leg cell (group 1 of the pattern if any)."""
        if self.agent_leg.pattern is None:
            return ""
        found = self.agent_leg.pattern.search(cell.strip())
        if found is None:
            return ""
        return (found.group(1) if found.re.groups else found.group()) or ""


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
