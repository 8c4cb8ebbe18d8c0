"""``import-calls --detect``: propose a preset from a file's shape, and say why. Imports nothing.

The first rows are read and each shipped preset is tried against them with what the preset
already says: a header naming its columns, or (headerless) its number of columns, then whether
the values fit, i.e. its time formats parse the time columns, its outcome words are the words in
the outcome column, and an Asterisk uniqueid looks like ``<epoch>.<seq>``. When the call ids are
uniqueids, their epochs (UTC) against the times tell the zone the file was written in.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.cdr.mapping import Mapping
from collectors.cdr.preset import load_preset, preset_names
from collectors.cdr.schemas import TIME_COLUMNS
from collectors.cdr.verdict import ClockCheck

_SAMPLE_BYTES = 256 * 1024
_SAMPLE_ROWS = 50
_UNIQUEID = re.compile(r"(?:.+-)?\d{9,10}\.\d+")
_FITS = 1.75  # a preset fits when its shape matches (1) and most value checks pass (> 0.75)


@dataclass
class Proposal:
    """How well one preset fits: ``score`` 0 (no), 1 (shape only) .. 2 (shape and values)."""

    preset: str
    description: str
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Detection:
    """What ``--detect`` found; :meth:`text` is the report."""

    path: str
    rows: int
    width: int
    proposals: list[Proposal]
    zone: str | None = None

    @property
    def best(self) -> Proposal | None:
        fitting = [p for p in self.proposals if p.score >= _FITS]
        return max(fitting, key=lambda p: p.score) if fitting else None

    def text(self) -> str:
        name = Path(self.path).name
        lines = [f"{name}: {self.rows} rows sampled, {self.width} columns per row"]
        best = self.best
        if best is None:
            lines.append("no preset fits this file:")
            lines += [
                f"  {p.preset}: {p.reasons[-1] if p.reasons else 'no'}" for p in self.proposals
            ]
            lines.append("write a mapping file for it (docs/cdr-mapping.md) and use --mapping")
            return "\n".join(lines)
        lines.append(f"proposed preset: {best.preset} ({best.description})")
        lines += [f"  - {reason}" for reason in best.reasons]
        if self.zone:
            lines.append(f"  - {self.zone}")
        others = [p.preset for p in self.proposals if p is not best and p.score >= _FITS]
        if others:
            lines.append(f"also fits: {', '.join(others)}")
        lines.append(
            f"next: floorboard import-calls {name} --preset {best.preset} "
            "--timezone <IANA zone> --dry-run"
        )
        return "\n".join(lines)


def detect(path: str | Path) -> Detection:
    """Try every preset on the first rows of ``path``.

    Raises:
        OSError: the file cannot be read.
    """
    rows = _sample(Path(path))
    widths = Counter(len(r) for r in rows)
    width = widths.most_common(1)[0][0] if widths else 0
    proposals = [_try(name, rows, width) for name in preset_names()]
    detection = Detection(str(path), len(rows), width, proposals)
    best = detection.best
    if best is not None:
        detection.zone = _zone_hint(load_preset(best.preset, timezone="UTC"), rows)
    return detection


def _sample(path: Path) -> list[list[str]]:
    with path.open("rb") as fh:
        data = fh.read(_SAMPLE_BYTES)
    text = data.decode("utf-8-sig", errors="surrogateescape")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(data) == _SAMPLE_BYTES and lines:
        lines.pop()  # probably cut in the middle
    try:
        rows = list(csv.reader(lines[:_SAMPLE_ROWS]))
    except csv.Error:
        rows = []
    return [[c.strip() for c in row] for row in rows]


def _try(name: str, rows: list[list[str]], width: int) -> Proposal:
    mapping = load_preset(name, timezone="UTC")
    proposal = Proposal(name, mapping.description, 0.0)
    if not rows:
        proposal.reasons.append("the file has no rows")
        return proposal
    header = _header_names(mapping, rows[0])
    bonus = 0.0
    if header is not None:
        proposal.reasons.append(header)
        data = rows[1:]
        # Master.csv with an added header: the 21-column preset over the 18 when it has 21.
        bonus = 0.05 if len(rows[0]) == len(mapping.csv.fieldnames) else 0.0
    elif mapping.csv.header and not mapping.csv.header_auto:
        wanted = sorted(
            mapping.columns[k] for k in mapping.columns if k not in mapping.optional_columns
        )
        proposal.reasons.append(f"its header row must name {', '.join(sorted(set(wanted)))}")
        return proposal
    elif width != len(mapping.csv.fieldnames):
        proposal.reasons.append(
            f"rows have {width} columns, this preset reads {len(mapping.csv.fieldnames)}"
        )
        return proposal
    else:
        proposal.reasons.append(f"{width} columns per row and no header, as this preset reads")
        data = rows
    names = list(rows[0]) if header is not None else list(mapping.csv.fieldnames)
    checks = _value_checks(mapping, names, data)
    proposal.reasons += [reason for _, reason in checks]
    fit = sum(share for share, _ in checks) / len(checks) if checks else 0.0
    proposal.score = 1.0 + fit + bonus
    return proposal


def _header_names(mapping: Mapping, first: list[str]) -> str | None:
    folded = {c.casefold() for c in first}
    required = {
        name.casefold()
        for key, name in mapping.columns.items()
        if key not in mapping.optional_columns
    }
    if not required <= folded:
        return None
    found = [n for n in mapping.columns.values() if n.casefold() in folded]
    return f"the header names its columns ({', '.join(sorted(set(found)))})"


def _value_checks(
    mapping: Mapping, names: list[str], data: list[list[str]]
) -> list[tuple[float, str]]:
    """(share of rows that fit, why) for the call id, the times and the outcome words."""
    folded = [n.casefold() for n in names]

    def column(key: str) -> list[str]:
        name = mapping.columns.get(key, "").casefold()
        if name not in folded:
            return []
        i = folded.index(name)
        return [row[i] for row in data if len(row) == len(names) and row[i]]

    checks: list[tuple[float, str]] = []
    if mapping.columns["call_id"] == "uniqueid":
        ids = column("call_id")
        share = _share(ids, lambda v: _UNIQUEID.fullmatch(v) is not None)
        example = ids[0] if ids else "empty"
        checks.append((share, f"uniqueid looks like <epoch>.<seq> in {share:.0%} ({example})"))
    for key in TIME_COLUMNS:
        cells = column(key)
        if not cells:
            continue
        share = _share(cells, lambda v: _parses(mapping, v))
        formats = " or ".join(mapping.time.formats)
        checks.append((share, f"{mapping.columns[key]} parses as {formats} in {share:.0%}"))
    words = column("outcome")
    if words:
        share = _share(words, lambda v: mapping.outcome_for(v) is not None)
        seen = ", ".join(sorted(set(words))[:5])
        checks.append((share, f"{mapping.columns['outcome']} words known in {share:.0%} ({seen})"))
    return checks


def _share(values: list[str], test: Callable[[str], bool]) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if test(v)) / len(values)


def _parses(mapping: Mapping, text: str) -> bool:
    try:
        mapping.time.parse(text)
    except ValueError:
        return False
    return True


def _zone_hint(mapping: Mapping, rows: list[list[str]]) -> str | None:
    """Read as UTC, how far the times are from the uniqueid epochs: the file's UTC offset."""
    names = list(mapping.csv.fieldnames)
    if rows and _header_names(mapping, rows[0]) is not None:
        names, rows = rows[0], rows[1:]
    folded = [n.casefold() for n in names]
    id_name = mapping.columns["call_id"].casefold()
    time_name = mapping.columns["enqueue_time"].casefold()
    if id_name not in folded or time_name not in folded:
        return None
    clock = ClockCheck(ZoneInfo("UTC"))
    i, t = folded.index(id_name), folded.index(time_name)
    for row in rows:
        if len(row) == len(names):
            try:
                clock.add(row[i], mapping.time.parse(row[t]))
            except ValueError:
                continue
    written = clock.written_in()
    if written is None:
        return "times carry no zone: give the server's with --timezone"
    return (
        f"times carry no zone; against the uniqueid epochs they look written in {written}: "
        "give that zone with --timezone (e.g. Asia/Shanghai for UTC+08:00, UTC for UTC+00:00)"
    )
