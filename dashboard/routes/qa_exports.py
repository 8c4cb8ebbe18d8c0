"""Downloads of the QA console: scorecards as YAML/JSON and reports as CSV/XLSX.

``/qa/export/scorecard/<key>.<yaml|json>`` (``?version=n``, the newest by default) and
``/qa/export/report.<csv|xlsx>?kind=quality|items|evaluators&start=YYYY-MM-DD&end=...&group=
agent|team|queue|center&period=day|week|month``. CSV holds one report; XLSX holds all three,
one sheet each. Every route declares its roles to the guard.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import flask
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest, NotFound

from core.db import session_scope
from dashboard.auth.guard import route
from dashboard.pages.qa.common import QA_READERS, QA_STAFF, parse_day, today
from dashboard.state import app_state
from qa.reports.export import (
    failures_table,
    quality_table,
    workload_table,
    write_csv,
    write_xlsx,
)
from qa.reports.schemas import GroupBy, Table
from qa.reports.service import evaluator_workload, item_failure_rates, quality_scores
from qa.sampling.schemas import Period
from qa.scorecards.files import dumps_spec
from qa.scorecards.schemas import ScorecardError
from qa.scorecards.service import get_version, spec_of

blueprint = flask.Blueprint("qa_exports", __name__)
KINDS = ("quality", "items", "evaluators")
MIME = {
    "yaml": "application/yaml",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def default_range() -> tuple[date, date]:
    """The last four weeks, today included."""
    end = today() + timedelta(days=1)
    return end - timedelta(days=28), end


def report_tables(
    *,
    db_session: Session,
    start: date,
    end: date,
    group: GroupBy = GroupBy.AGENT,
    period: Period | None = None,
    tz: str = "UTC",
) -> dict[str, Table]:
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
        "quality": quality_table(quality, by=group),
        "items": failures_table(items),
        "evaluators": workload_table(workload),
    }
    return {k: Table(f"{v.title}, {start} to {end}", v.columns, v.rows) for k, v in tables.items()}


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


def _report_args() -> tuple[str, date, date, GroupBy, Period | None]:
    args = flask.request.args
    kind = args.get("kind", "quality")
    first, last = default_range()
    start = parse_day(args.get("start")) or first
    end = parse_day(args.get("end")) or last
    if kind not in KINDS or end <= start:
        raise BadRequest("kind must be quality, items or evaluators, and end after start")
    try:
        group = GroupBy(args.get("group", "agent"))
        period = Period(args["period"]) if args.get("period") else None
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    return kind, start, end, group, period


@blueprint.route("/qa/export/report.<fmt>")
@route(*QA_READERS)
def export_report(fmt: str) -> flask.Response:
    """A QA report as CSV (the ``kind`` asked for) or XLSX (all three, one sheet each)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound("reports download as .csv or .xlsx")
    kind, start, end, group, period = _report_args()
    state = app_state()
    with session_scope(state.sessions) as session:
        tables = report_tables(
            db_session=session,
            start=start,
            end=end,
            group=group,
            period=period,
            tz=state.settings.timezone,
        )
    with tempfile.TemporaryDirectory(prefix="floorboard-report-") as folder:
        path = Path(folder) / f"report.{fmt}"
        if fmt == "csv":
            write_csv(tables[kind], path)
            name = f"qa-{kind}-{start}-{end}.csv"
        else:
            write_xlsx([tables[k] for k in KINDS], path)
            name = f"qa-report-{start}-{end}.xlsx"
        data = path.read_bytes()
    return _download(data, name, fmt)
