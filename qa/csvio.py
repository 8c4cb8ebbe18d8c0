"""Reading CSV files row by row with errors that name the file and line (shared by imports)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RowError:
    """One problem in an input file, located so that a person can fix it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line number (of its last physical line), values by column, and a
    structural problem if the row cannot be read as the header says."""

    line: int
    values: dict[str, str]
    error: str | None = None


class CsvImportError(ValueError):
    """An import found bad rows; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = tuple(errors)
        count = len(self.errors)
        head = f"{count} error{'s' if count != 1 else ''}; nothing was imported"
        super().__init__("\n".join([head, *(str(e) for e in self.errors)]))


def read_rows(
    path: Path, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Iterator[CsvRow]:
    """Yield each non-blank data row of a UTF-8 CSV file that has a header line.

    Cell values are stripped. A BOM (as Excel writes) is accepted. A row with more cells than
    the header comes with ``error`` set; a row with fewer is padded with empty cells.

    Args:
        path: The CSV file.
        required: Columns that must be present in the header.
        optional: Columns that may be present; any other column is an error (a typo in a
            column name must not be silently ignored).

    Raises:
        CsvImportError: The file cannot be read, or the header is missing, incomplete,
            repeats a column or has an unknown column.
    """
    name = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CsvImportError([RowError(name, 0, f"cannot read the file: {exc.strerror}")]) from exc
    with handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                raise CsvImportError([RowError(name, line + 1, f"unreadable: {exc}")]) from exc
            line = reader.line_num
            if header is None:
                header = [cell.strip() for cell in cells]
                _check_header(name, header, required, optional)
            elif any(cell.strip() for cell in cells):
                yield _row(line, header, cells)
        if header is None:
            raise CsvImportError([RowError(name, 1, "the file is empty (no header)")])


def _row(line: int, header: list[str], cells: list[str]) -> CsvRow:
    if len(cells) > len(header):
        error = f"{len(cells)} cells but the header has {len(header)} columns"
        return CsvRow(line, {}, error)
    cells = [*cells, *([""] * (len(header) - len(cells)))]
    return CsvRow(line, {col: cell.strip() for col, cell in zip(header, cells, strict=True)})


def _check_header(
    name: str, header: list[str], required: Sequence[str], optional: Sequence[str]
) -> None:
    problems = []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in required and c not in optional]
    if unknown:
        problems.append(f"unknown column(s) {', '.join(repr(c) for c in unknown)}")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repeated)}")
    if problems:
        expected = ",".join(required)
        message = f"header: {'; '.join(problems)} (expected {expected})"
        raise CsvImportError([RowError(name, 1, message)])
