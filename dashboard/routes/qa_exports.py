"""Downloads of the QA console: scorecards as YAML/JSON and reports as CSV/XLSX.

``/qa/export/scorecard/<key>.<yaml|json>`` (``?version=n``, the newest by default) and
``/qa/export/report.<csv|xlsx>?kind=quality|items|evaluators&start=YYYY-MM-DD&end=...&group=
agent|team|queue|center&period=day|week|month``. CSV holds one report; XLSX holds all three,
one sheet each (built by :func:`qa.reports.export.report_file`). Every route declares its
roles to the guard.
"""

from __future__ import annotations

from datetime import date

import flask
from werkzeug.exceptions import BadRequest, NotFound

from core.db import session_scope
from core.roles import QA_READERS, QA_STAFF
from dashboard.auth.guard import route
from dashboard.qa_web import parse_day, today
from dashboard.state import app_state
from qa.reports.export import default_range, report_file
from qa.reports.schemas import FileFormat, GroupBy, ReportKind
from qa.sampling.schemas import Period
from qa.scorecards.files import dumps_spec
from qa.scorecards.schemas import ScorecardError
from qa.scorecards.service import get_version, spec_of

blueprint = flask.Blueprint("qa_exports", __name__)
MIME = {
    "yaml": "application/yaml",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(data: bytes, name: str, fmt: str) -> flask.Response:
    response = flask.Response(data, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blueprint.route("/qa/export/scorecard/<key>.<fmt>")
@route(*QA_STAFF)
def export_scorecard(key: str, fmt: str) -> flask.Response:
    """A scorecard version as a YAML or JSON file."""
    if fmt not in ("yaml", "json"):
        raise NotFound("scorecards download as .yaml or .json")
    version = flask.request.args.get("version", type=int)
    with session_scope(app_state().sessions) as session:
        try:
            card = get_version(db_session=session, key=key, version=version)
        except ScorecardError as exc:
            raise NotFound(str(exc)) from exc
        text = dumps_spec(spec_of(card), fmt=fmt)
        name = f"scorecard-{card.key}-v{card.version}.{fmt}"
    return _download(text.encode("utf-8"), name, fmt)


def _report_args() -> tuple[ReportKind, date, date, GroupBy, Period | None]:
    args = flask.request.args
    kind = args.get("kind", "quality")
    first, last = default_range(today())
    start = parse_day(args.get("start")) or first
    end = parse_day(args.get("end")) or last
    if kind not in list(ReportKind) or end <= start:
        raise BadRequest("kind must be quality, items or evaluators, and end after start")
    try:
        group = GroupBy(args.get("group", "agent"))
        period = Period(args["period"]) if args.get("period") else None
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return ReportKind(kind), start, end, group, period


@blueprint.route("/qa/export/report.<fmt>")
@route(*QA_READERS)
def export_report(fmt: str) -> flask.Response:
    """A QA report as CSV (the ``kind`` asked for) or XLSX (all three, one sheet each)."""
    if fmt not in list(FileFormat):
        raise NotFound("reports download as .csv or .xlsx")
    kind, start, end, group, period = _report_args()
    state = app_state()
    with session_scope(state.sessions) as session:
        report = report_file(
            db_session=session,
            fmt=FileFormat(fmt),
            kind=kind,
            start=start,
            end=end,
            group=group,
            period=period,
            tz=state.settings.timezone,
        )
    return _download(report.data, report.name, fmt)
