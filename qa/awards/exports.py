"""Downloads of a month's awards: payroll CSV and XLSX and the wall poster PDF, as bytes.

Payroll files come from the month's newest *published* revision only: a draft never reaches
payroll. Each row carries the revision and the policy version, so a file can be traced back.
Who may download what, and the HTTP response, belong to the web route (the shell's
``routes/hr_exports.py``); this builds the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core import safe_export
from core.center_time import center_time
from core.safe_export import Sheet
from qa.awards.month import published_view
from qa.awards.poster import Translate, poster_data
from qa.awards.report import coefficient_text
from qa.awards.schemas import Month, MonthView
from qa.ledger.schemas import Category

PAPER_SIZES = ("A4", "A3")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CATEGORIES = tuple(c.value for c in Category)
COLUMNS = (
    "month",
    "revision",
    "status",
    "policy_name",
    "policy_version",
    "agent_id",
    "name",
    "team",
    "employment",
    "stars",
    *(f"deductions_{c}" for c in CATEGORIES),
    "deductions_total",
    "bonuses_total",
    "computed_coefficient",
    "coefficient",
    "override_reason",
    "override_by",
)
_NUMBERS = {f"deductions_{c}" for c in (*CATEGORIES, "total")} | {"bonuses_total"}
_COEFFICIENTS = {"computed_coefficient", "coefficient"}


class NothingToExport(LookupError):
    """The month has nothing to download (not published, or not computed); the message says
    what to do."""


@dataclass(frozen=True)
class Download:
    """A file to hand over: its bytes, its name and its media type."""

    body: bytes
    filename: str
    mimetype: str


def payroll_rows(view: MonthView) -> list[dict[str, Any]]:
    """One row per agent of a month view (:func:`qa.awards.report.month_view`), in
    :data:`COLUMNS` order; numbers stay numbers."""
    rows = []
    for agent in view["agents"]:
        deductions, override = agent["deductions"], agent["override"]
        row: dict[str, Any] = {
            "month": view["month"],
            "revision": view["revision"],
            "status": view["status"].value,
            "policy_name": view["policy"]["name"],
            "policy_version": view["policy"]["version"],
            "agent_id": agent["agent_id"],
            "name": agent["name"],
            "team": agent["team"],
            "employment": agent["employment"],
            "stars": ";".join(agent["stars"]),
            **{f"deductions_{c}": deductions.get(c, 0.0) for c in CATEGORIES},
            "deductions_total": deductions["total"],
            "bonuses_total": agent["bonuses"]["total"],
            "computed_coefficient": agent["computed_coefficient"],
            "coefficient": agent["coefficient"],
            "override_reason": override["reason"] if override else "",
            "override_by": override["by"] if override else "",
        }
        rows.append(row)
    return rows


def _csv_value(key: str, value: Any) -> Any:
    # Figures go out as numbers (Decimal keeps the file's decimals): only text is neutralised.
    if key in _NUMBERS:
        return Decimal(f"{value:.2f}")
    if key in _COEFFICIENTS:
        return Decimal(coefficient_text(value))
    return value


def payroll_csv(view: MonthView) -> str:
    """The month as CSV text (header :data:`COLUMNS`); text that a spreadsheet could run is
    neutralised (:mod:`core.safe_export`)."""
    rows = ([_csv_value(k, row[k]) for k in COLUMNS] for row in payroll_rows(view))
    return safe_export.csv_text(COLUMNS, rows)


def _about(view: MonthView, tz: str) -> list[tuple[str, Any]]:
    published = view["published"]
    # ISO naive UTC in the view; the reader sees the center's time, labelled
    at = published["at"]
    shown = center_time(datetime.fromisoformat(at), tz, style="seconds") if at else ""
    rows: list[tuple[str, Any]] = [
        ("month", view["month"]),
        ("revision", view["revision"]),
        ("status", view["status"].value),
        ("reason", view["reason"]),
        ("published_at", shown),
        ("published_by", published["by"] or ""),
        ("policy", f"{view['policy']['name']} v{view['policy']['version']}"),
        ("policy_digest", view["policy"]["digest"]),
    ]
    for key, star in view["stars"].items():
        rows.append((f"star_{key}", star["winner"] or ""))
    return rows


def payroll_xlsx(view: MonthView, *, tz: str) -> bytes:
    """The month as an Excel workbook: sheet ``Payroll`` (:data:`COLUMNS`) and ``Month``
    (revision, publication in the center's zone ``tz``, and policy)."""
    formats = dict.fromkeys(_NUMBERS, "0.00") | dict.fromkeys(_COEFFICIENTS, "0.000#")
    payroll = Sheet(
        "Payroll",
        COLUMNS,
        [[row[k] for k in COLUMNS] for row in payroll_rows(view)],
        number_formats=formats,
        max_width=40,
        header_fill="1F2A36",
        auto_filter=True,
    )
    month = Sheet("Month", (), _about(view, tz), widths=(18, 70))
    return safe_export.xlsx_bytes([payroll, month])


def _published(db_session: Session, month: Month) -> MonthView:
    view = published_view(db_session=db_session, month=month)
    if view is None:
        raise NothingToExport(f"{month} has no published revision: publish it first")
    return view


def payroll_csv_file(*, db_session: Session, month: Month) -> Download:
    """The published month as CSV, UTF-8 with a byte-order mark (which Excel needs for
    Chinese names).

    Raises:
        NothingToExport: The month has no published revision.
    """
    view = _published(db_session, month)
    body = ("\ufeff" + payroll_csv(view)).encode("utf-8")
    name = f"floorboard-payroll-{view['month']}-r{view['revision']}.csv"
    return Download(body, name, "text/csv")


def payroll_xlsx_file(*, db_session: Session, month: Month, tz: str) -> Download:
    """The published month as an Excel workbook (times in the center's zone ``tz``).

    Raises:
        NothingToExport: The month has no published revision.
    """
    view = _published(db_session, month)
    name = f"floorboard-payroll-{view['month']}-r{view['revision']}.xlsx"
    return Download(payroll_xlsx(view, tz=tz), name, XLSX)


def poster_pdf_file(
    *,
    db_session: Session,
    month: Month,
    tz: str,
    translate: Translate,
    size: str = "A4",
    drafts: bool = False,
) -> Download:
    """The wall poster of the month as PDF.

    Args:
        db_session: The session.
        month: The month.
        tz: The center's time zone (the publication day).
        translate: The catalogue's ``(key, locale) -> text`` for the poster's fixed texts.
        size: One of :data:`PAPER_SIZES`.
        drafts: Fall back to the latest revision when the month is not published (marked as
            a draft; for hr and admin).

    Raises:
        NothingToExport: Nothing to show for the month.
        ValueError: Unknown paper size.
    """
    data = poster_data(db_session=db_session, tz=tz, month=month, drafts=drafts)
    if data is None:
        raise NothingToExport(f"{month} has no published revision")
    # reportlab takes ~0.2 s to import: only when a PDF is asked for, not at every start-up
    from qa.awards.poster_pdf import poster_pdf  # noqa: PLC0415

    body = poster_pdf(data, translate=translate, size=size)
    return Download(body, f"floorboard-poster-{data.month}-{size}.pdf", "application/pdf")
