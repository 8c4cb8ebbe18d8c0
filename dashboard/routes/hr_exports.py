"""The download routes of a month's awards: payroll CSV and XLSX (hr and admin) and the wall
poster PDF (everyone; drafts for hr and admin). The files are built by
:mod:`qa.awards.exports`; here: who may, the request's month and paper size, the response.
"""

from __future__ import annotations

import flask
from werkzeug.exceptions import NotFound

from core.db import session_scope
from core.roles import HR_MANAGERS, USER_ROLES, allowed
from dashboard.auth.guard import current_principal, route
from dashboard.i18n import t
from dashboard.state import app_state
from qa.awards import exports
from qa.awards.exports import PAPER_SIZES, Download, NothingToExport
from qa.awards.schemas import Month

blueprint = flask.Blueprint("hr_exports", __name__)


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise NotFound(str(exc)) from exc


def _response(download: Download, disposition: str) -> flask.Response:
    response = flask.Response(download.body, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{download.filename}"'
    return response


def _payroll(download: Download) -> flask.Response:
    response = _response(download, "attachment")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/hr/export/<month>.csv")
@route(*HR_MANAGERS)
def payroll_csv_file(month: str) -> flask.Response:
    """The published month as CSV."""
    wanted = _month(month)
    try:
        with session_scope(app_state().sessions) as session:
            download = exports.payroll_csv_file(db_session=session, month=wanted)
    except NothingToExport as exc:
        raise NotFound(str(exc)) from exc
    return _payroll(download)


@blueprint.route("/hr/export/<month>.xlsx")
@route(*HR_MANAGERS)
def payroll_xlsx_file(month: str) -> flask.Response:
    """The published month as an Excel workbook."""
    wanted = _month(month)
    tz = app_state().settings.timezone
    try:
        with session_scope(app_state().sessions) as session:
            download = exports.payroll_xlsx_file(db_session=session, month=wanted, tz=tz)
    except NothingToExport as exc:
        raise NotFound(str(exc)) from exc
    return _payroll(download)


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
    tz = app_state().settings.timezone
    try:
        with session_scope(app_state().sessions) as session:
            download = exports.poster_pdf_file(
                db_session=session, month=wanted, tz=tz, translate=t, size=size, drafts=drafts
            )
    except NothingToExport as exc:
        raise NotFound(str(exc)) from exc
    return _response(download, "inline")
