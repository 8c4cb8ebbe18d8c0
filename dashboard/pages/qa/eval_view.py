"""Pieces of the evaluation page: the call card, the live score panel, the scorecard form
(editable or read-only with disputes) and the change history. Pure rendering: no database."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import (
    answer_label,
    answer_options,
    badge,
    duration,
    local,
    passed_badge,
    score_text,
)
from qa.evaluations.schemas import DisputeOut, DisputeStatus, EvaluationStatus, EvaluationView
from qa.limits import Field
from qa.scorecards.schemas import CommentRule, Critical, ItemSpec, ScorecardSpec
from qa.scoring import NA, ItemScore, ScoreResult, SectionScore


def _fact(label: str, value: Any) -> html.Div:
    return html.Div([html.Dt(label), html.Dd(value)], className="qa-fact")


def call_card(view: EvaluationView, call: Any, agent: str, loc: str) -> html.Div:
    """Who, when, which queue, how long; the evaluation's status and scorecard version."""
    status = badge(
        t(f"qa.status.{view.status}", loc),
        "ok" if view.status is EvaluationStatus.SUBMITTED else "info",
    )
    facts = [
        _fact(t("qa.agent", loc), html.Strong(agent)),
        _fact(t("qa.call", loc), view.call_id),
        _fact(t("qa.queue", loc), view.queue),
        _fact(t("qa.call_time", loc), local(view.call_at)),
        _fact(t("qa.wait", loc), duration(getattr(call, "wait", None))),
        _fact(t("qa.talk", loc), duration(getattr(call, "talk", None))),
        _fact(t("qa.outcome", loc), t(f"qa.outcome.{call.outcome}", loc) if call else "—"),
        _fact(t("qa.evaluator", loc), view.evaluator),
        _fact(
            t("qa.scorecard", loc),
            f"{view.spec.label(loc)} · v{view.scorecard_version}",
        ),
        _fact(t("qa.state", loc), [status, *_kind_badge(view.kind, loc)]),
    ]
    if view.submitted_at:
        facts.append(_fact(t("qa.submitted_at", loc), local(view.submitted_at)))
    return html.Div(html.Dl(facts, className="qa-facts"), className="qa-card qa-call")


def _kind_badge(kind: str, loc: str) -> list[Any]:
    return [] if kind == "regular" else [" ", badge(t(f"qa.kind.{kind}", loc), "warn")]


def _section_row(section: SectionScore, title: str, loc: str) -> html.Div:
    pct = section.score
    width = f"{max(0.0, min(pct or 0.0, 100.0)):.0f}%"
    kind = "fail" if section.zeroed or (pct is not None and pct < 60) else "ok"
    if pct is not None and kind == "ok" and pct < 100:
        kind = "warn"
    value = t("qa.zeroed", loc) if section.zeroed else score_text(pct)
    return html.Div(
        [
            html.Span(title, className="qa-sec-title"),
            html.Div(
                html.Div(className=f"qa-bar-fill is-{kind}", style={"width": width}),
                className="qa-bar",
            ),
            html.Span(f"{section.earned:g}/{section.possible:g}", className="qa-sec-points"),
            html.Span(value, className=f"qa-sec-score is-{kind}"),
        ],
        className="qa-sec",
    )


def _score_head(spec: ScorecardSpec, result: ScoreResult, loc: str, draft: bool) -> list[Any]:
    state = "pending" if result.score is None else ("pass" if result.passed else "fail")
    mark = t("qa.pass_mark", loc, mark=f"{spec.pass_mark:g}%") if spec.pass_mark is not None else ""
    verdict = passed_badge(None if result.score is None else result.passed, loc)
    return [
        html.Div(t("qa.live_score" if draft else "qa.score", loc), className="qa-score-label"),
        html.Div(score_text(result.score), className=f"qa-score-big is-{state}",
                 id="qa-score-value"),
        html.Div([verdict, html.Span(mark, className="qa-muted")], className="qa-score-line"),
        html.Div(t("qa.raw_score", loc, score=score_text(result.raw_score)), className="qa-muted"),
    ]  # fmt: skip


def score_panel(spec: ScorecardSpec, result: ScoreResult, loc: str, *, draft: bool) -> list[Any]:
    """The score, pass/fail, raw score, critical failures and per-section results."""
    parts = _score_head(spec, result, loc, draft)
    labels = {ref: item.label(loc) for ref, _s, item in spec.items()}
    if result.critical_failures:
        failed = [html.Li(t("qa.critical_failed", loc, item=labels[r]))
                  for r in result.critical_failures]  # fmt: skip
        parts.append(html.Ul(failed, className="qa-crit"))
    if draft and result.missing:
        parts.append(html.Div(t("qa.missing", loc, n=len(result.missing)), className="qa-warn"))
    titles = {s.key: s.label(loc) for s in spec.sections}
    rows = [_section_row(s, titles[s.key], loc) for s in result.sections]
    parts.append(html.Div(rows, className="qa-secs"))
    return parts


def needs_comment(item: ItemSpec, score: ItemScore) -> bool:
    """Whether the item's answer requires a comment (the rule of :mod:`qa.scoring`)."""
    if score.value is None:
        return False
    if item.comment_required is CommentRule.ALWAYS:
        return True
    return item.comment_required is CommentRule.ON_FAIL and score.failed


def item_status(item: ItemSpec, score: ItemScore, comment: str, loc: str) -> tuple[str, str]:
    """The live line under an item and the item card's state class."""
    if score.value is None:
        return t("qa.item.unanswered", loc), "is-unanswered"
    if needs_comment(item, score) and not comment.strip():
        return t("qa.item.comment_needed", loc), "needs-comment"
    if score.value == NA:
        return t("qa.item.na", loc), "is-na"
    if score.failed and item.critical is not Critical.NONE:
        return t(f"qa.item.critical_{item.critical.value}", loc), "is-critical-failed"
    if score.bonus:
        return t("qa.item.bonus", loc, earned=f"{score.earned:g}"), "is-ok"
    text = t("qa.item.points", loc, earned=f"{score.earned:g}", possible=f"{score.possible:g}")
    return text, "is-failed" if score.lost else "is-ok"


def item_badges(item: ItemSpec, loc: str) -> html.Span:
    """Critical kind, bonus, category, points and the comment rule of an item."""
    out = []
    if item.critical is not Critical.NONE:
        out.append(badge(t(f"qa.critical.{item.critical.value}", loc), "critical"))
    if item.bonus:
        out.append(badge(t("qa.bonus", loc), "info"))
    out.append(badge(t(f"qa.category.{item.category.value}", loc)))
    out.append(badge(t("qa.points", loc, n=f"{item.points:g}")))
    if item.comment_required is not CommentRule.NEVER:
        out.append(badge(t(f"qa.comment_rule.{item.comment_required.value}", loc), "warn"))
    return html.Span(out, className="qa-item-badges")


def _edit_item(ref: str, item: ItemSpec, score: ItemScore, comment: str, loc: str) -> html.Div:
    text, state = item_status(item, score, comment, loc)
    return html.Div(
        [
            html.Div(
                [html.Span(item.label(loc), className="qa-item-text"), item_badges(item, loc)],
                className="qa-item-head",
            ),
            html.Div(
                [
                    dcc.RadioItems(
                        id={"type": ids.QA_E_ANSWER, "index": ref},
                        options=answer_options(item, loc),
                        value=score.value,
                        inline=True,
                        className="qa-answer",
                        inputClassName="qa-answer-input",
                    ),
                    limited(
                        dcc.Input(
                            id={"type": ids.QA_E_ITEM_NOTE, "index": ref},
                            value=comment,
                            placeholder=t("qa.item_comment", loc),
                            debounce=True,
                            className="qa-item-note",
                        ),
                        Field.ITEM_COMMENT,
                        loc,
                        counter=False,
                    ),
                    html.Span(
                        text,
                        id={"type": ids.QA_E_ITEM_STATE, "index": ref},
                        className="qa-item-state",
                    ),
                ],
                className="qa-item-body",
            ),
        ],
        id={"type": ids.QA_E_ITEM, "index": ref},
        className=f"qa-item {state}",
    )


def edit_form(view: EvaluationView, loc: str) -> html.Div:
    """The scorecard as a form: one card per section, one row per item."""
    sections = []
    for section in view.spec.sections:
        rows = []
        for item in section.items:
            ref = f"{section.key}.{item.key}"
            comment = view.item_comments.get(ref, "")
            rows.append(_edit_item(ref, item, view.result.item(ref), comment, loc))
        sections.append(_section_card(section.label(loc), section.weight, rows, loc))
    return html.Div(sections, className="qa-form")


def _section_card(title: str, weight: float, rows: list[Any], loc: str) -> html.Div:
    # A weight only matters (and is shown) when it is not 1.
    note = t("qa.weight", loc, w=f"{weight:g}") if weight != 1 else ""
    head = html.H3([title, html.Span(note, className="qa-muted")])
    return html.Div([head, *rows], className="qa-card qa-section")


def _dispute_line(dispute: DisputeOut, item: ItemSpec, loc: str) -> html.Div:
    status = {DisputeStatus.OPEN: "warn", DisputeStatus.REJECTED: "fail"}.get(dispute.status, "ok")
    parts: list[Any] = [
        badge(t(f"qa.dispute.{dispute.status}", loc), status),
        html.Span(
            t("qa.dispute.raised", loc, who=dispute.raised_by, when=local(dispute.raised_at))
        ),
        html.Blockquote(dispute.reason),
    ]
    if dispute.status is not DisputeStatus.OPEN:
        change = t(
            "qa.dispute.change",
            loc,
            before=answer_label(item, dispute.value_before, loc),
            after=answer_label(item, dispute.value_after, loc),
            s1=score_text(dispute.score_before),
            s2=score_text(dispute.score_after),
        )
        decided = t(
            "qa.dispute.decided",
            loc,
            who=dispute.resolved_by or "",
            when=local(dispute.resolved_at),
        )
        parts += [html.Div(change), html.Div(decided, className="qa-muted")]
        if dispute.decision_note:
            parts.append(html.Blockquote(dispute.decision_note, className="qa-note-decision"))
    return html.Div(parts, className="qa-dispute")


def _dispute_form(ref: str, loc: str) -> html.Details:
    return html.Details(
        [
            html.Summary(t("qa.dispute.open_form", loc), className="qa-dispute-summary"),
            limited(
                dcc.Textarea(
                    id={"type": ids.QA_E_DISPUTE_REASON, "index": ref},
                    placeholder=t("qa.dispute.reason", loc),
                    className="qa-textarea",
                ),
                Field.DISPUTE_REASON,
                loc,
            ),
            html.Button(
                t("qa.dispute.send", loc),
                id={"type": ids.QA_E_DISPUTE, "index": ref},
                className="qa-btn-warn",
            ),
        ],
        className="qa-dispute-form",
    )


def _read_item(
    ref: str, item: ItemSpec, view: EvaluationView, loc: str, disputable: frozenset[str]
) -> html.Div:
    score = view.result.item(ref)
    text, state = item_status(item, score, view.item_comments.get(ref, ""), loc)
    parts: list[Any] = [
        html.Div(
            [html.Span(item.label(loc), className="qa-item-text"), item_badges(item, loc)],
            className="qa-item-head",
        ),
        html.Div(
            [
                badge(answer_label(item, score.value, loc), "fail" if score.lost else "ok"),
                html.Span(text, className="qa-item-state"),
            ],
            className="qa-item-body",
        ),
    ]
    if view.item_comments.get(ref):
        parts.append(html.Blockquote(view.item_comments[ref], className="qa-item-comment"))
    parts += [_dispute_line(d, item, loc) for d in view.disputes if d.item_ref == ref]
    if ref in disputable:
        parts.append(_dispute_form(ref, loc))
    return html.Div(parts, className=f"qa-item is-read {state}")


def read_form(view: EvaluationView, loc: str, *, disputable: frozenset[str] = frozenset()) -> Any:
    """The submitted answers, item comments and disputes (and dispute forms for the agent)."""
    sections = []
    for section in view.spec.sections:
        rows = [
            _read_item(f"{section.key}.{item.key}", item, view, loc, disputable)
            for item in section.items
        ]
        sections.append(_section_card(section.label(loc), section.weight, rows, loc))
    return html.Div(sections, className="qa-form is-read")


HISTORY_ACTIONS = (
    "evaluation.start",
    "evaluation.submit",
    "evaluation.acknowledge",
    "evaluation.dispute",
    "evaluation.dispute_resolve",
)


def history(entries: list[Any], spec: ScorecardSpec, loc: str) -> html.Div:
    """The evaluation's recorded actions (drafts saves are counted, not listed)."""
    labels = {ref: item.label(loc) for ref, _s, item in spec.items()}
    saves = sum(1 for e in entries if e.action == "evaluation.save")
    rows = []
    for entry in entries:
        if entry.action not in HISTORY_ACTIONS:
            continue
        details = entry.details or {}
        what = t(
            f"qa.hist.{entry.action.split('.')[1]}",
            loc,
            item=labels.get(str(details.get("item_ref")), ""),
            score=score_text(details.get("score_after", details.get("score"))),
            decision=t(f"qa.decision.{details.get('decision', 'accept')}", loc),
        )
        rows.append(html.Tr([html.Td(local(entry.at)), html.Td(entry.actor), html.Td(what)]))
    note = html.P(t("qa.hist.saves", loc, n=saves), className="qa-muted") if saves else None
    table = html.Table(html.Tbody(rows), className="table qa-history")
    return html.Div([html.H2(t("qa.history", loc)), table, note])
