"""``/qa/reports``: quality score per agent, team or queue (over time when split by day, week
or month), item failure rates ("which rules are broken most") and evaluator workload, with CSV
and XLSX downloads (``/qa/export/report.*``). Only submitted regular evaluations count."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import dash
from dash import Input, Output, dcc, html

from core.roles import QA_READERS
from dashboard import inputs
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import choices, date_range, db, dropdown, field, parse_day, qa_page
from dashboard.qa_web import today
from dashboard.state import app_state
from qa.reports.export import default_range, report_tables
from qa.reports.schemas import GroupBy, ReportKind, Table
from qa.sampling.schemas import Period

dash.register_page(__name__, path="/qa/reports", title="QA reports · Floorboard", name="QA reports")  # type: ignore[no-untyped-call]

PERCENT_COLUMNS = {"pass_rate", "failure_rate"}
SCORE_COLUMNS = {"mean_score", "mean_raw_score"}
TREND_GROUPS = 8


def _cell(column: str, value: object, loc: str) -> Any:
    if value is None or value == "":
        return html.Td("—", className="num")
    if column == "category":
        return html.Td(t(f"qa.category.{value}", loc))
    if column in PERCENT_COLUMNS and isinstance(value, int | float):
        bar = html.Div(
            html.Div(
                className="qa-bar-fill is-fail" if column == "failure_rate" else "qa-bar-fill",
                style={"width": f"{100 * value:.0f}%"},
            ),
            className="qa-bar",
        )
        return html.Td(html.Div([bar, html.Span(f"{100 * value:.0f}%")], className="qa-rate"))
    if column in SCORE_COLUMNS and isinstance(value, int | float):
        return html.Td(f"{value:.1f}%", className="num")
    if isinstance(value, int | float):
        return html.Td(f"{value:g}", className="num")
    return html.Td(str(value))


def table(data: Table, loc: str, *, hide: tuple[str, ...] = ()) -> Any:
    """A report table with readable headers, scores and rates."""
    if not data.rows:
        return html.P(t("qa.r.empty", loc), className="qa-empty")
    shown = [n for n, c in enumerate(data.columns) if c not in hide]
    numeric = {n for n in shown if isinstance(data.rows[0][n], int | float)}
    head = html.Tr(
        [
            html.Th(t(f"qa.r.col.{data.columns[n]}", loc), className="num" if n in numeric else "")
            for n in shown
        ]
    )
    rows = [html.Tr([_cell(data.columns[n], row[n], loc) for n in shown]) for row in data.rows]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="qa-table")


def trend(data: Table, loc: str) -> Any:
    """Quality over time as a line per group (the groups with most evaluations)."""
    series: dict[str, list[tuple[date, float]]] = {}
    counts: dict[str, int] = {}
    for period, group, evaluations, mean, *_rest in data.rows:
        if isinstance(period, date) and isinstance(mean, int | float):
            series.setdefault(str(group), []).append((period, float(mean)))
            counts[str(group)] = counts.get(str(group), 0) + int(evaluations)  # type: ignore[call-overload]
    top = sorted(counts, key=lambda g: -counts[g])[:TREND_GROUPS]
    if not top:
        return None
    lines = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": g,
            "x": [p.isoformat() for p, _v in series[g]],
            "y": [v for _p, v in series[g]],
        }
        for g in top
    ]
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "height": 320,
        "font": {"color": "#f2f5f8"},
        "margin": {"l": 48, "r": 16, "t": 24, "b": 40},
        "yaxis": {
            "title": t("qa.r.col.mean_score", loc),
            "gridcolor": "#1f2a36",
            "rangemode": "tozero",
        },
        "xaxis": {"gridcolor": "#1f2a36"},
        "legend": {"orientation": "h"},
    }
    return dcc.Graph(figure={"data": lines, "layout": layout}, config={"displayModeBar": False})


def _filters(loc: str) -> html.Div:
    first, end = default_range(today())
    downloads = html.Div([html.Span(id=ids.QA_R_CSV, className="qa-downloads"),
                          html.A("XLSX", id=ids.QA_R_XLSX, className="qa-btn-quiet", href="#")],
                         className="qa-downloads")  # fmt: skip
    return html.Div([
        field(t("qa.r.dates", loc), date_range(ids.QA_R_DATES, first, end - timedelta(days=1))),
        field(t("qa.r.group", loc), dropdown(ids.QA_R_GROUP, choices("qa.r.by", [g.value for g in
                                             GroupBy], loc), value="agent", clearable=False)),
        field(t("qa.r.period", loc), dropdown(ids.QA_R_PERIOD, choices("qa.period", [p.value for p
                                              in Period], loc), value="week",
                                              placeholder=t("qa.r.whole", loc))),
        field(t("qa.r.download", loc), downloads, wide=True),
    ], className="qa-form-grid qa-card")  # fmt: skip


@guard.page(*QA_READERS)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    body = html.Div([_filters(loc), dcc.Loading(html.Div(id=ids.QA_R_BODY), type="dot")])
    return qa_page(principal, t("qa.r.title", loc), "/qa/reports", body)


def _range(start: Any, end: Any) -> tuple[date, date]:
    first, last = default_range(today())
    start_day = parse_day(start) or first
    return start_day, (parse_day(end) or last - timedelta(days=1)) + timedelta(days=1)


def _cards(tables: dict[ReportKind, Table], loc: str, split: bool) -> list[Any]:
    text = "text_zh" if loc != "zh" else "text"
    quality = tables[ReportKind.QUALITY]
    return [
        html.Div([html.H2(t("qa.r.quality", loc)), trend(quality, loc) if split else None,
                  table(quality, loc, hide=() if split else ("period",))],
                 className="qa-card"),
        html.Div([html.H2(t("qa.r.items", loc)),
                  html.P(t("qa.r.items_help", loc), className="qa-muted"),
                  table(tables[ReportKind.ITEMS], loc, hide=("scorecard", "item", text))],
                 className="qa-card"),
        html.Div([html.H2(t("qa.r.workload", loc)), table(tables[ReportKind.EVALUATORS], loc)],
                 className="qa-card"),
    ]  # fmt: skip


def show(start: Any, end: Any, group: str | None, period: str | None) -> tuple[Any, ...]:
    """The three reports for the filters, and the download links for the same filters."""
    loc = guard.current_principal().locale
    start_day, end_day = _range(start, end)
    by = GroupBy(inputs.choice(group, "group", [g.value for g in GroupBy], default="agent"))
    split = Period(inputs.choice(period, "period", [p.value for p in Period])) if period else None
    with db() as session:
        tables = report_tables(db_session=session, start=start_day, end=end_day, group=by,
                               period=split, tz=app_state().settings.timezone)  # fmt: skip
    query = {"start": start_day.isoformat(), "end": end_day.isoformat(), "group": by.value,
             "period": split.value if split else ""}  # fmt: skip
    csv = [
        html.A(f"CSV · {t(f'qa.r.csv.{kind}', loc)}", className="qa-btn-quiet",
               href="/qa/export/report.csv?" + urlencode({**query, "kind": kind}))
        for kind in ReportKind
    ]  # fmt: skip
    return _cards(tables, loc, split is not None), csv, "/qa/export/report.xlsx?" + urlencode(query)


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        QA_READERS,
        Output(ids.QA_R_BODY, "children"),
        Output(ids.QA_R_CSV, "children"),
        Output(ids.QA_R_XLSX, "href"),
        Input(ids.QA_R_DATES, "start_date"),
        Input(ids.QA_R_DATES, "end_date"),
        Input(ids.QA_R_GROUP, "value"),
        Input(ids.QA_R_PERIOD, "value"),
    )(show)
