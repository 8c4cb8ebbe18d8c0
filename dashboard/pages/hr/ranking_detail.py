"""The explanation panel of one agent on the ranking page: how each figure was reached, the
eligibility per star with its reason, and the override form (hr and admin, before publication)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dash import dcc, html

from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.hr import ids
from dashboard.pages.hr.ranking_parts import NO, YES, star_name
from qa.awards.report import coefficient_text
from qa.awards.schemas import AgentView, MonthView
from qa.limits import Field


def _override_form(agent: AgentView, loc: str) -> html.Div:
    index = agent["agent_id"]
    return html.Div(
        [
            html.H4(t("hr.override.title", loc)),
            html.Div(
                [
                    dcc.Input(
                        id={"type": ids.HR_OVR_VALUE, "index": index},
                        type="text",
                        placeholder=f"{agent['coefficient']:.3f}",
                        className="hr-ovr-value",
                    ),
                    limited(
                        dcc.Input(
                            id={"type": ids.HR_OVR_REASON, "index": index},
                            placeholder=t("hr.override.reason", loc),
                            className="hr-ovr-reason",
                        ),
                        Field.AWARDS_REASON,
                        loc,
                        counter=False,
                    ),
                    html.Button(
                        t("hr.override.apply", loc), id={"type": ids.HR_OVR_APPLY, "index": index}
                    ),
                    html.Button(
                        t("hr.override.clear", loc),
                        id={"type": ids.HR_OVR_CLEAR, "index": index},
                        className="secondary",
                        disabled=agent["override"] is None,
                    ),
                ],
                className="hr-inline",
            ),
        ],
        className="hr-override",
    )


def _eligibility(agent: AgentView, view: MonthView, loc: str) -> html.Table:
    rows = [
        html.Tr(
            [
                html.Td(star_name(key, view["stars"][key]["label"], loc)),
                html.Td(YES if e["eligible"] else NO, className="yes" if e["eligible"] else "no"),
                html.Td(e["reason"]),
            ]
        )
        for key, e in agent["eligibility"].items()
    ]
    return html.Table(html.Tbody(rows), className="table hr-elig")


def _head(agent: AgentView, loc: str) -> list[Any]:
    """Who, their team, a link to their months, and the coefficient (and any override)."""
    name = agent["name"]
    title = name if name == agent["agent_id"] else f"{name} ({agent['agent_id']})"
    computed = coefficient_text(agent["computed_coefficient"])
    head: list[Any] = [
        html.Div(
            [
                html.H3(title),
                html.Span(agent["team"] or "—", className="hr-detail-team"),
                dcc.Link(t("hr.detail.history", loc),
                         href=f"/hr/agent/{quote(agent['agent_id'], safe='')}"),
            ],
            className="hr-detail-head",
        ),
        html.Div(
            [
                html.Span(t("hr.detail.computed", loc, value=computed)),
                html.Strong(t("hr.detail.final", loc,
                              value=coefficient_text(agent["coefficient"]))),
            ],
            className="hr-detail-coef",
        ),
    ]  # fmt: skip
    if agent["override"]:
        o = agent["override"]
        text = t("hr.detail.override", loc, by=o["by"], reason=o["reason"])
        head.append(html.P(text, className="hr-detail-override"))
    return head


def detail(view: MonthView | None, agent_id: str | None, loc: str, *, override: bool) -> Any:
    """How one agent's figures were reached, with the override form when ``override``."""
    agent = next((a for a in view["agents"] if a["agent_id"] == agent_id), None) if view else None
    if view is None or agent is None:
        return html.P(t("hr.detail_hint", loc), className="hr-hint")
    lines = [
        *_head(agent, loc),
        html.H4(t("hr.detail.eligibility", loc)),
        _eligibility(agent, view, loc),
        html.Details(
            [html.Summary(t("hr.how", loc)), html.Ol([html.Li(x) for x in agent["explanation"]])],
            open=True,
            className="hr-explain",
        ),
    ]
    if override:
        lines.append(_override_form(agent, loc))
    return html.Div(lines, className="hr-detail-body")
