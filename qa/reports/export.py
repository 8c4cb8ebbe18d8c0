"""Report tables and their exports: CSV (UTF-8 with BOM so that Excel shows Chinese) and XLSX
(one sheet per table), both written by :mod:`core.safe_export`. :func:`report_tables` builds
the three reports the web page shows and :func:`report_file` the file it downloads."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from core import safe_export
from qa.reports.schemas import (
    EvaluatorRow,
    FileFormat,
    GroupBy,
    ItemFailureRow,
    QualityRow,
    ReportFile,
    ReportKind,
    Table,
)
from qa.reports.service import evaluator_workload, item_failure_rates, quality_scores
from qa.sampling.schemas import Period


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


def default_range(today: date) -> tuple[date, date]:
    """The last four weeks, ``today`` (the center's) included: ``(first day, day after)``."""
    end = today + timedelta(days=1)
    return end - timedelta(days=28), end


def report_tables(
    *,
    db_session: Session,
    start: date,
    end: date,
    group: GroupBy = GroupBy.AGENT,
    period: Period | None = None,
    tz: str = "UTC",
) -> dict[ReportKind, Table]:
    """The three QA reports for local days ``[start, end)``, titled with the range.

    Args:
        db_session: The session.
        start: First local day.
        end: Day after the last.
        group: Grouping of the quality report.
        period: Split of the quality report (None: the whole range).
        tz: The center's time zone.
    """
    quality = quality_scores(
        db_session=db_session, start=start, end=end, by=group, period=period, tz=tz
    )
    items = item_failure_rates(db_session=db_session, start=start, end=end, tz=tz)
    workload = evaluator_workload(db_session=db_session, start=start, end=end, tz=tz)
    tables = {
        ReportKind.QUALITY: quality_table(quality, by=group),
        ReportKind.ITEMS: failures_table(items),
        ReportKind.EVALUATORS: workload_table(workload),
    }
    return {k: Table(f"{v.title}, {start} to {end}", v.columns, v.rows) for k, v in tables.items()}


def report_file(
    *,
    db_session: Session,
    fmt: FileFormat,
    kind: ReportKind,
    start: date,
    end: date,
    group: GroupBy = GroupBy.AGENT,
    period: Period | None = None,
    tz: str = "UTC",
) -> ReportFile:
    """A QA report as a file: CSV holds the ``kind`` asked for, XLSX all three (one sheet
    each). Arguments as for :func:`report_tables`."""
    tables = report_tables(
        db_session=db_session, start=start, end=end, group=group, period=period, tz=tz
    )
    with tempfile.TemporaryDirectory(prefix="floorboard-report-") as folder:
        path = Path(folder) / f"report.{fmt}"
        if fmt is FileFormat.CSV:
            write_csv(tables[kind], path)
            name = f"qa-{kind}-{start}-{end}.csv"
        else:
            write_xlsx([tables[k] for k in ReportKind], path)
            name = f"qa-report-{start}-{end}.xlsx"
        return ReportFile(name, path.read_bytes())
