"""``/qa/calibration/<id>``: a closed calibration session's report. Each evaluator against the
benchmark (score, deviation, alignment), as a chart and a table; then every item: the
benchmark's answer, each evaluator's answer and deviation, agreement and spread. While the
session is open the answers stay blind: only who has submitted is shown."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from core.roles import QA_STAFF
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa.common import answer_label, badge, db, gone, qa_page, score_text
from qa.calibration.schemas import (
    CalibrationError,
    CalibrationReport,
    ItemComparison,
    SessionStatus,
)
from qa.calibration.service import calibration_report, get_session
from qa.scorecards.schemas import ScorecardSpec
from qa.scorecards.service import get_scorecard, spec_of

dash.register_page(
    __name__,
    path_template="/qa/calibration/<session_id>",
    title=lambda session_id=None, **_: f"Calibration {session_id} · Floorboard",
    name="Calibration report",
)  # type: ignore[no-untyped-call]

SCALE_MAX = 110.0  # bonus items may take a score above 100 %


def _pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def _tiles(report: CalibrationReport, loc: str) -> html.Div:
    values = (
        (score_text(report.benchmark_score), "qa.cr.benchmark"),
        (_pct(report.mean_alignment, 1), "qa.cr.mean_alignment"),
        ("—" if report.score_spread is None else f"±{report.score_spread:.1f}", "qa.cr.spread"),
        ("—" if report.score_range is None else f"{report.score_range:.1f}", "qa.cr.range"),
    )
    return html.Div(
        [
            html.Div(
                [
                    html.Div(v, className="qa-tile-value"),
                    html.Div(t(k, loc), className="qa-tile-label"),
                ],
                className="qa-tile",
            )
            for v, k in values
        ],
        className="qa-tiles",
    )


def _bar(
    name: str, value: float | None, bench: float | None, note: str, *, is_bench: bool
) -> html.Div:
    width = 0.0 if value is None else max(0.0, min(value, SCALE_MAX)) / SCALE_MAX * 100
    marks = []
    if bench is not None:
        marks.append(
            html.Div(className="qa-chart-line", style={"left": f"{bench / SCALE_MAX * 100:.1f}%"})
        )
    return html.Div(
        [
            html.Strong(name),
            html.Div(
                [
                    html.Div(
                        className="qa-chart-bar" + (" is-bench" if is_bench else ""),
                        style={"width": f"{width:.1f}%"},
                    ),
                    *marks,
                ],
                className="qa-chart-track",
            ),
            html.Span(note, className="qa-muted"),
        ],
        className="qa-chart-row",
    )


def chart(report: CalibrationReport, loc: str) -> html.Div:
    """Scores as bars with the benchmark's score as a line; alignment beside each."""
    bench = report.benchmark_score
    rows = [_bar(f"{report.expert} ★", bench, bench, score_text(bench), is_bench=True)]
    for e in report.evaluators:
        deviation = "" if e.score_deviation is None else f" ({e.score_deviation:+.1f})"
        note = (
            f"{score_text(e.score)}{deviation} · {t('qa.cr.aligned', loc, pct=_pct(e.alignment))}"
        )
        rows.append(_bar(e.evaluator, e.score, bench, note, is_bench=False))
    legend = html.Div(
        [
            html.Span(
                [
                    html.Span(className="swatch", style={"background": "#6b7a8c"}),
                    t("qa.cr.benchmark", loc),
                ]
            ),
            html.Span(
                [
                    html.Span(className="swatch", style={"background": "#3aa0ff"}),
                    t("qa.cr.evaluator", loc),
                ]
            ),
            html.Span(
                [
                    html.Span(className="swatch", style={"background": "#ffb020"}),
                    t("qa.cr.line", loc),
                ]
            ),
        ],
        className="qa-chart-legend",
    )
    return html.Div(
        [html.H2(t("qa.cr.chart", loc)), html.Div(rows, className="qa-chart"), legend],
        className="qa-card",
    )


def evaluators_table(report: CalibrationReport, spec: ScorecardSpec, loc: str) -> html.Div:
    """One row per evaluator: score, deviation from the benchmark, alignment, fatal misses."""
    labels = {ref: item.label(loc) for ref, _s, item in spec.items()}
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(e.evaluator, href=f"/qa/evaluation/{e.evaluation_id}")),
                html.Td(score_text(e.score), className="num"),
                html.Td(
                    "—" if e.score_deviation is None else f"{e.score_deviation:+.1f}",
                    className="num",
                ),
                html.Td(_pct(e.alignment, 1), className="num"),
                html.Td(", ".join(labels.get(r, r) for r in e.critical_disagreements) or "—"),
            ]
        )
        for e in report.evaluators
    ]
    head = [
        t(k, loc)
        for k in (
            "qa.evaluator",
            "qa.score",
            "qa.cr.deviation",
            "qa.cr.alignment",
            "qa.cr.critical",
        )
    ]
    table = html.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th(h, className="num" if 0 < n < 4 else "") for n, h in enumerate(head)]
                )
            ),
            html.Tbody(rows),
        ],
        className="qa-table",
    )
    return html.Div([html.H2(t("qa.cr.by_evaluator", loc)), table], className="qa-card")


def _cell(item: ItemComparison, spec: ScorecardSpec, name: str, loc: str) -> html.Td:
    value = item.values.get(name)
    alignment = item.alignments.get(name)
    deviation = item.deviations.get(name)
    kind = (
        "is-na"
        if alignment is None
        else ("is-same" if alignment >= 0.999 else ("is-near" if alignment >= 0.5 else "is-far"))
    )
    text = answer_label(spec.item(item.ref), value, loc)
    if deviation:
        text += f" ({deviation * item.maximum:+g})"
    return html.Td(
        text, className=f"qa-cell {kind}", title=t("qa.cr.cell", loc, pct=_pct(alignment))
    )


def items_table(report: CalibrationReport, spec: ScorecardSpec, loc: str) -> html.Div:
    """Every item: the benchmark and each evaluator's answer with its deviation in points."""
    names = [e.evaluator for e in report.evaluators]
    rows = []
    for item in report.items:
        spec_item = spec.item(item.ref)
        rows.append(
            html.Tr(
                [
                    html.Td(spec_item.label(loc)),
                    html.Td(f"{item.maximum:g}", className="num"),
                    html.Td(answer_label(spec_item, item.benchmark, loc), className="qa-cell"),
                    *(_cell(item, spec, n, loc) for n in names),
                    html.Td(_pct(item.agreement), className="num"),
                    html.Td("—" if item.spread is None else f"{item.spread:.2f}", className="num"),
                ]
            )
        )
    head = [
        html.Th(t("qa.cr.item", loc)),
        html.Th(t("qa.cr.max", loc), className="num"),
        html.Th(f"{report.expert} ★"),
        *(html.Th(n) for n in names),
        html.Th(t("qa.cr.agreement", loc), className="num"),
        html.Th(t("qa.cr.item_spread", loc), className="num"),
    ]
    return html.Div(
        [
            html.H2(t("qa.cr.by_item", loc)),
            html.P(t("qa.cr.items_help", loc), className="qa-muted"),
            html.Table([html.Thead(html.Tr(head)), html.Tbody(rows)], className="qa-table"),
        ],
        className="qa-card",
    )


def _open_note(loc: str) -> html.Div:
    return html.Div(
        [
            html.P(t("qa.cr.still_open", loc)),
            dcc.Link(t("qa.back_calibration", loc), href="/qa/calibration", className="qa-link"),
        ],
        className="qa-card",
    )


@guard.page(*QA_STAFF)
def layout(session_id: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    try:
        number = int(session_id or "")
        with db() as session:
            row = get_session(db_session=session, session_id=number)
            if row.status != SessionStatus.CLOSED:
                return qa_page(principal, row.title, "/qa/calibration", _open_note(loc))
            report = calibration_report(db_session=session, session_id=number)
            card = get_scorecard(db_session=session, scorecard_id=row.scorecard_id)
            spec = spec_of(card) if card else None
    except (ValueError, CalibrationError):
        return gone(principal, t("qa.c.session", loc))
    if spec is None:
        return gone(principal, t("qa.scorecard", loc))
    return qa_page(principal, report.title, "/qa/calibration", _report(report, spec, loc))


def _report(report: CalibrationReport, spec: ScorecardSpec, loc: str) -> html.Div:
    about = t("qa.cr.about", loc, call=report.call_id, card=spec.label(loc),
              version=report.scorecard_version, expert=report.expert)  # fmt: skip
    head = html.P([badge(t("qa.c.status.closed", loc), "ok"), " ", about])
    pending = None
    if report.pending:
        pending = html.P(
            t("qa.cr.pending", loc, who=", ".join(report.pending)), className="qa-warn"
        )
    tables = [evaluators_table(report, spec, loc), items_table(report, spec, loc)]
    return html.Div([head, pending, _tiles(report, loc), chart(report, loc), *tables])
