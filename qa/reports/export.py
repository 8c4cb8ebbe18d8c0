"""Report tables and their exports: CSV (UTF-8 with BOM so that Excel shows Chinese) and XLSX
(one sheet per table), both written by :mod:`core.safe_export`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from core import safe_export
from qa.reports.schemas import EvaluatorRow, GroupBy, ItemFailureRow, QualityRow, Table


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
    """Write one table as CSV (risky text neutralised: :mod:`core.safe_export`);
    returns the number of data rows."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        return safe_export.write_csv(out, table.columns, table.rows)


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
    """Write tables to an XLSX workbook, one sheet each (bold header, frozen first row; risky
    text kept as text: :mod:`core.safe_export`); returns the number of sheets."""
    sheets = [safe_export.Sheet(t.title, t.columns, t.rows) for t in tables]
    path.write_bytes(safe_export.xlsx_bytes(sheets))
    return len(tables)
