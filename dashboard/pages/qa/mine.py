"""``/qa/mine``: an agent's own submitted evaluations (and nothing of anyone else's): scores,
what lost points, whether they acknowledged it, disputes and the dispute deadline. Each row
opens the evaluation page, where the agent listens, acknowledges and disputes items."""

from __future__ import annotations

import statistics
from typing import Any

import dash
from dash import dcc, html

from core.roles import QA_AGENTS
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.qa.common import (
    badge,
    db,
    dispute_policy,
    local,
    passed_badge,
    qa_page,
    score_text,
)
from qa.evaluations.disputes import disputable_items, dispute_deadline
from qa.evaluations.models import Evaluation
from qa.evaluations.schemas import DisputeStatus, EvaluationStatus
from qa.evaluations.service import list_evaluations, result_of, spec_for

dash.register_page(
    __name__, path="/qa/mine", title="My evaluations · Floorboard", name="My evaluations"
)  # type: ignore[no-untyped-call]


def _lost(evaluation: Evaluation, loc: str) -> str:
    spec = spec_for(evaluation)
    lost = [spec.item(i.ref).label(loc) for i in result_of(evaluation).items if i.lost]
    return "; ".join(lost) if lost else t("qa.mine.full_marks", loc)


def _disputes(evaluation: Evaluation, loc: str) -> Any:
    if not evaluation.disputes:
        return "—"
    out = []
    for d in evaluation.disputes:
        kind = {DisputeStatus.OPEN: "warn", DisputeStatus.REJECTED: "fail"}.get(
            DisputeStatus(d.status), "ok"
        )
        out.append(badge(t(f"qa.dispute.{d.status}", loc), kind))
    return html.Span(out, className="qa-row")


def _row(evaluation: Evaluation, loc: str) -> html.Tr:
    open_items = disputable_items(evaluation, dispute_policy())
    deadline = dispute_deadline(evaluation, dispute_policy())
    ack = (
        badge(t("qa.mine.seen", loc), "ok")
        if evaluation.acknowledged_at
        else badge(t("qa.mine.new", loc), "info")
    )
    window = t("qa.mine.until", loc, when=local(deadline)) if open_items else "—"
    return html.Tr(
        [
            html.Td(local(evaluation.call_at), className="qa-when"),
            html.Td(evaluation.queue),
            html.Td(score_text(evaluation.score), className="num"),
            html.Td(passed_badge(evaluation.passed, loc)),
            html.Td(_lost(evaluation, loc)),
            html.Td(ack),
            html.Td(_disputes(evaluation, loc)),
            html.Td(window, className="qa-when"),
            html.Td(
                dcc.Link(
                    t("qa.open", loc),
                    href=f"/qa/evaluation/{evaluation.id}",
                    className="qa-btn qa-small",
                )
            ),
        ]
    )


def _tiles(evaluations: list[Evaluation], loc: str) -> html.Div:
    scores = [e.score for e in evaluations if e.score is not None]
    passed = [e for e in evaluations if e.passed]
    values = (
        (str(len(evaluations)), "qa.mine.count"),
        (score_text(statistics.fmean(scores)) if scores else "—", "qa.mine.average"),
        (
            f"{100 * len(passed) / len(evaluations):.0f}%" if evaluations else "—",
            "qa.mine.pass_rate",
        ),
        (str(sum(1 for e in evaluations if e.acknowledged_at is None)), "qa.mine.unseen"),
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


@guard.page(*QA_AGENTS)
def layout(**_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    title = t("qa.mine.title", loc)
    if not principal.agent_id:
        body = html.Div(html.P(t("qa.mine.unlinked", loc)), className="qa-card")
        return qa_page(principal, title, "/qa/mine", body)
    with db() as session:
        evaluations = list_evaluations(
            db_session=session, agent_id=principal.agent_id, status=EvaluationStatus.SUBMITTED
        )
        rows = [_row(e, loc) for e in evaluations]
        tiles = _tiles(evaluations, loc)
    head = [
        t(k, loc)
        for k in (
            "qa.call_time",
            "qa.queue",
            "qa.score",
            "qa.result",
            "qa.mine.lost",
            "qa.mine.ack",
            "qa.mine.disputes",
            "qa.mine.window",
        )
    ]
    table = (
        html.Table(
            [html.Thead(html.Tr([html.Th(h) for h in head] + [html.Th("")])), html.Tbody(rows)],
            className="qa-table",
        )
        if rows
        else html.P(t("qa.mine.none", loc), className="qa-empty")
    )
    intro = html.P(
        t("qa.mine.intro", loc, days=f"{dispute_policy().window_days:g}"), className="qa-muted"
    )
    body = html.Div([tiles, html.Div([intro, table], className="qa-card")])
    return qa_page(principal, title, "/qa/mine", body)
