"""Ledger CSV import (all or nothing, every bad row reported) and export.

Import columns: ``agent_id,date,category,points,kind,note`` and optionally ``reporter`` (who
recorded it; the importing person by default) and ``corrects_id`` (the entry a correction
corrects). Export adds ``id`` and ``created_at`` and includes scorecard entries; it is a report
for payroll and audit, not a file to import again (that would count every entry twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from core import safe_export
from qa.audit.service import record
from qa.csvio import CsvImportError, CsvRow, RowError, read_rows
from qa.ledger.models import LedgerEntry
from qa.ledger.schemas import Category, EntryIn, EntryKind, LedgerError, parse_points
from qa.ledger.service import check_entry, entry_dict, insert_checked, list_entries

IMPORT_COLUMNS = ("agent_id", "date", "category", "points", "kind", "note")
OPTIONAL_COLUMNS = ("reporter", "corrects_id")
EXPORT_COLUMNS = (
    "id", "agent_id", "date", "category", "points", "kind", "note", "reporter",
    "corrects_id", "created_at",
)  # fmt: skip
IMPORT_KINDS = (EntryKind.INCIDENT, EntryKind.BONUS, EntryKind.CORRECTION)


def _parse_row(row: CsvRow, reporter: str) -> EntryIn:
    v = row.values
    if row.error:
        raise LedgerError(row.error)
    try:
        day = date.fromisoformat(v["date"])
    except ValueError:
        raise LedgerError(f"date {v['date']!r} is not a date like 2026-01-31") from None
    if v["category"] not in {c.value for c in Category}:
        raise LedgerError(f"category {v['category']!r} must be etiquette, service or discipline")
    if v["kind"] not in {k.value for k in IMPORT_KINDS}:
        raise LedgerError(f"kind {v['kind']!r} must be incident, bonus or correction")
    corrects = v.get("corrects_id", "")
    if corrects and not corrects.isdigit():
        raise LedgerError(f"corrects_id {corrects!r} is not an entry id")
    if not v["agent_id"]:
        raise LedgerError("agent_id is empty")
    return EntryIn(
        agent_id=v["agent_id"],
        date=day,
        category=Category(v["category"]),
        points=parse_points(v["points"]),
        kind=EntryKind(v["kind"]),
        reporter=v.get("reporter") or reporter,
        note=v["note"],
        corrects_id=int(corrects) if corrects else None,
    )


def parse_ledger_csv(*, db_session: Session, path: Path, reporter: str) -> list[EntryIn]:
    """Read and check a ledger file against the database without writing anything.

    Args:
        db_session: The session (agents and corrected entries are looked up).
        path: The CSV file.
        reporter: The reporter of rows without a ``reporter`` value.

    Raises:
        CsvImportError: Every bad row, each naming the file and line.
    """
    entries: list[EntryIn] = []
    errors: list[RowError] = []
    for row in read_rows(path, required=IMPORT_COLUMNS, optional=OPTIONAL_COLUMNS):
        try:
            entry = _parse_row(row, reporter)
            check_entry(db_session=db_session, entry=entry)
        except LedgerError as exc:
            errors.append(RowError(str(path), row.line, str(exc)))
            continue
        entries.append(entry)
    if errors:
        raise CsvImportError(errors)
    return entries


def import_ledger_csv(*, db_session: Session, path: Path, actor: str) -> list[LedgerEntry]:
    """Import a ledger file: every row is checked first; one bad row means nothing is written.

    Args:
        db_session: The session (the caller commits).
        path: The CSV file.
        actor: Who imports (audit log, and the reporter of rows that name none).

    Returns:
        The entries added, in file order.

    Raises:
        CsvImportError: Every bad row, each naming the file and line.
    """
    entries = parse_ledger_csv(db_session=db_session, path=path, reporter=actor)
    rows = []
    for entry in entries:
        original = check_entry(db_session=db_session, entry=entry)
        rows.append(insert_checked(db_session=db_session, entry=entry, corrects=original))
    record(
        db_session=db_session,
        actor=actor,
        action="ledger.import",
        entity="ledger_file",
        entity_id=path.name,
        details={"path": str(path), "count": len(rows), "ids": [r.id for r in rows]},
    )
    return rows


def write_ledger_csv(entries: Sequence[LedgerEntry], out: TextIO) -> int:
    """Write entries as CSV (columns :data:`EXPORT_COLUMNS`; notes and names that a
    spreadsheet could run are neutralised: :mod:`core.safe_export`); returns the number
    of rows."""

    def row(entry: LedgerEntry) -> list[object]:
        values = entry_dict(entry)
        values["points"] = Decimal(str(values["points"]))  # a number, not neutralised text
        return [values[c] for c in EXPORT_COLUMNS]

    return safe_export.write_csv(out, EXPORT_COLUMNS, (row(e) for e in entries))


def export_ledger_csv(
    *, db_session: Session, path: Path, start: date | None = None, end: date | None = None
) -> int:
    """Write the entries dated in ``[start, end)`` (all when not given) to ``path``.

    Returns:
        The number of entries written.
    """
    entries = list_entries(db_session=db_session, start=start, end=end)
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_ledger_csv(entries, out)
