"""Downloads of a month's awards: payroll CSV and XLSX (hr and admin) and the wall poster PDF.

Payroll files come from the month's newest *published* revision only: a draft never reaches
payroll. Each row carries the revision and the policy version, so a file can be traced back.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import flask
from werkzeug.exceptions import NotFound

from core import safe_export
from core.center_time import center_time
from core.db import session_scope
from core.roles import HR_MANAGERS, USER_ROLES, allowed
from core.safe_export import Sheet
from dashboard.auth.guard import current_principal, route
from dashboard.state import app_state
from qa.awards.month import coefficient_text, published_view
from qa.awards.poster import poster_data
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


def _csv_value(key: str, value: Any) -> Any:
    # Figures go out as numbers (Decimal keeps the file's decimals): only text is neutralised.
    if key in _NUMBERS:
        return Decimal(f"{value:.2f}")
    if key in _COEFFICIENTS:
        return Decimal(coefficient_text(value))
    return value


def payroll_csv(view: dict[str, Any]) -> str:
    """The month as CSV text (header :data:`COLUMNS`); text that a spreadsheet could run is
    neutralised (:mod:`core.safe_export`)."""
    rows = ([_csv_value(k, row[k]) for k in COLUMNS] for row in payroll_rows(view))
    return safe_export.csv_text(COLUMNS, rows)


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
    from qa.awards.poster_pdf import poster_pdf  # noqa: PLC0415 - reportlab only when asked

    response = flask.Response(poster_pdf(data, size=size), mimetype="application/pdf")
    name = f"floorboard-poster-{data.month}-{size}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
