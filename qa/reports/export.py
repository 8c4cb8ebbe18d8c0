"""Report tables and their exports: CSV (UTF-8 with BOM so that Excel shows Chinese) and XLSX
(one sheet per table, with openpyxl)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from qa.reports.schemas import EvaluatorRow, GroupBy, ItemFailureRow, QualityRow, Table

_SHEET_TITLE_MAX = 31  # Excel's limit


def quality_table(rows: Sequence[QualityRow], *, by: GroupBy = GroupBy.AGENT) -> Table:
    """Quality scores as a table (``period`` empty when the report is not split)."""
    return Table(
        f"Quality by {by.value}",
        ("period", by.value, "evaluations", "mean_score", "mean_raw_score", "pass_rate"),
        tuple(
            (r.period_start, r.group, r.evaluations, r.mean_score, r.mean_raw_score, r.pass_rate)
            for r in rows
        ),
    )


def failures_table(rows: Sequence[ItemFailureRow]) -> Table:
    """Item failure rates as a table."""
    return Table(
        "Item failure rates",
        ("scorecard", "item", "text", "text_zh", "category", "applicable", "failed", "na",
         "failure_rate"),
        tuple(
            (r.scorecard_key, r.item_ref, r.text, r.text_zh, r.category, r.applicable, r.failed,
             r.na, r.failure_rate)
            for r in rows
        ),
    )  # fmt: skip


def workload_table(rows: Sequence[EvaluatorRow]) -> Table:
    """Evaluator workload as a table."""
    return Table(
        "Evaluator workload",
        ("evaluator", "submitted", "mean_score", "drafts", "open_assignments", "overdue",
         "disputes", "upheld"),
        tuple(
            (r.evaluator, r.submitted, r.mean_score, r.drafts, r.open_assignments, r.overdue,
             r.disputes, r.upheld)
            for r in rows
        ),
    )  # fmt: skip


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(table: Table, path: Path) -> int:
    """Write one table as CSV; returns the number of data rows."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([_cell(v) for v in row] for row in table.rows)
    return len(table.rows)


def render_text(table: Table) -> str:
    """A table as aligned plain text (the CLI's output)."""
    cells = [list(table.columns)] + [[str(_cell(v)) for v in row] for row in table.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    lines = [table.title]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    if not table.rows:
        lines.append("(no evaluations in the period)")
    return "\n".join(lines)


def write_xlsx(tables: Sequence[Table], path: Path) -> int:
    """Write tables to an XLSX workbook, one sheet each (bold header, frozen first row);
    returns the number of sheets."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for n, table in enumerate(tables, start=1):
        title = table.title[:_SHEET_TITLE_MAX] or f"Sheet {n}"
        sheet = book.create_sheet(title=title)
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([v if not isinstance(v, date) else v.isoformat() for v in row])
        sheet.freeze_panes = "A2"
        for column, name in zip(sheet.columns, table.columns, strict=False):
            width = max([len(name), *(len(str(c.value or "")) for c in column)])
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
    book.save(path)
    return len(tables)
