"""Downloads of a month's awards: payroll CSV and XLSX (hr and admin) and the wall poster PDF.

Payroll files come from the month's newest *published* revision only: a draft never reaches
payroll. Each row carries the revision and the policy version, so a file can be traced back.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import flask
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from werkzeug.exceptions import NotFound

from collectors.db import session_scope
from dashboard.auth.guard import current_principal, route
from dashboard.auth.roles import HR_MANAGERS, USER_ROLES, allowed
from dashboard.center_time import center_time
from dashboard.hr_poster import poster_data
from dashboard.hr_service import coefficient_text, published_view
from dashboard.state import app_state
from qa.awards.schemas import Month
from qa.ledger.schemas import Category

blueprint = flask.Blueprint("hr_exports", __name__)
PAPER_SIZES = ("A4", "A3")

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


def payroll_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per agent of a month view (:func:`qa.awards.report.month_view`), in
    :data:`COLUMNS` order; numbers stay numbers."""
    rows = []
    for agent in view["agents"]:
        deductions, override = agent["deductions"], agent["override"] or {}
        row: dict[str, Any] = {
            "month": view["month"],
            "revision": view["revision"],
            "status": view["status"],
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
            "override_reason": override.get("reason", ""),
            "override_by": override.get("by", ""),
        }
        rows.append(row)
    return rows


def _cell_text(key: str, value: Any) -> str:
    if key in _NUMBERS:
        return f"{value:.2f}"
    if key in _COEFFICIENTS:
        return coefficient_text(value)
    return str(value)


def payroll_csv(view: dict[str, Any]) -> str:
    """The month as CSV text (header :data:`COLUMNS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in payroll_rows(view):
        writer.writerow([_cell_text(k, row[k]) for k in COLUMNS])
    return out.getvalue()


def _about(view: dict[str, Any], tz: str) -> list[tuple[str, Any]]:
    published = view["published"]
    # ISO naive UTC in the view; the reader sees the center's time, labelled
    at = published["at"]
    shown = center_time(datetime.fromisoformat(at), tz, style="seconds") if at else ""
    rows: list[tuple[str, Any]] = [
        ("month", view["month"]),
        ("revision", view["revision"]),
        ("status", view["status"]),
        ("reason", view["reason"]),
        ("published_at", shown),
        ("published_by", published["by"] or ""),
        ("policy", f"{view['policy']['name']} v{view['policy']['version']}"),
        ("policy_digest", view["policy"]["digest"]),
    ]
    for key, star in view["stars"].items():
        rows.append((f"star_{key}", star["winner"] or ""))
    return rows


def payroll_xlsx(view: dict[str, Any], *, tz: str) -> bytes:
    """The month as an Excel workbook: sheet ``Payroll`` (:data:`COLUMNS`) and ``Month``
    (revision, publication in the center's zone ``tz``, and policy)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "Payroll"
    sheet.append(list(COLUMNS))
    for row in payroll_rows(view):
        sheet.append([row[k] for k in COLUMNS])
    header_fill = PatternFill("solid", fgColor="1F2A36")
    for index, key in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        fmt = "0.00" if key in _NUMBERS else "0.000#" if key in _COEFFICIENTS else None
        if fmt:
            for (cell_,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell_.number_format = fmt
        longest = max((len(str(c.value or "")) for c in sheet[letter]), default=8)
        sheet.column_dimensions[letter].width = min(max(longest + 2, 9), 40)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    about = book.create_sheet("Month")
    for key, value in _about(view, tz):
        about.append([key, value])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 70
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise NotFound(str(exc)) from exc


def _published(month: Month) -> dict[str, Any]:
    with session_scope(app_state().sessions) as session:
        view = published_view(db_session=session, month=month)
    if view is None:
        raise NotFound(f"{month} has no published revision: publish it first")
    return view


def _download(body: str | bytes, mimetype: str, filename: str) -> flask.Response:
    response = flask.Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/hr/export/<month>.csv")
@route(*HR_MANAGERS)
def payroll_csv_file(month: str) -> flask.Response:
    """The published month as CSV (UTF-8 with a byte-order mark, which Excel needs for
    Chinese names)."""
    view = _published(_month(month))
    body = "\ufeff" + payroll_csv(view)
    name = f"floorboard-payroll-{view['month']}-r{view['revision']}.csv"
    return _download(body.encode("utf-8"), "text/csv", name)


@blueprint.route("/hr/export/<month>.xlsx")
@route(*HR_MANAGERS)
def payroll_xlsx_file(month: str) -> flask.Response:
    """The published month as an Excel workbook."""
    view = _published(_month(month))
    name = f"floorboard-payroll-{view['month']}-r{view['revision']}.xlsx"
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(payroll_xlsx(view, tz=app_state().settings.timezone), mimetype, name)


@blueprint.route("/hr/export/<month>/poster.pdf")
@route(*USER_ROLES)
def poster_pdf_file(month: str) -> flask.Response:
    """The wall poster as PDF (``?size=A4`` or ``A3``). Everyone sees a published month; hr
    and admin also get a draft, marked as such."""
    wanted = _month(month)
    size = flask.request.args.get("size", "A4").upper()
    if size not in PAPER_SIZES:
        raise NotFound(f"paper size {size!r}: one of {', '.join(PAPER_SIZES)}")
    drafts = allowed(current_principal(), HR_MANAGERS)
    with session_scope(app_state().sessions) as session:
        data = poster_data(
            db_session=session, tz=app_state().settings.timezone, month=wanted, drafts=drafts
        )
    if data is None:
        raise NotFound(f"{wanted} has no published revision")
    from dashboard.hr_pdf import poster_pdf  # noqa: PLC0415 - reportlab only when asked

    response = flask.Response(poster_pdf(data, size=size), mimetype="application/pdf")
    name = f"floorboard-poster-{data.month}-{size}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
