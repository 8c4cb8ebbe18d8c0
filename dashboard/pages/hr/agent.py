"""``/hr/agent/<agent_id>``: one agent's published months: stars, deductions and coefficient
(table and chart). Supervisors, QA, HR and admins see any agent; an agent sees only their own
history (``/hr/agent/me``, or their own id): the layout checks ``Principal.agent_id`` and shows
"not allowed" for anyone else's. The page has no callback, so nothing else can be asked for."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import dash
import plotly.graph_objects as go
from dash import dcc, html

from core.db import session_scope
from core.roles import HR_VIEWERS, Principal, Role
from dashboard.auth import guard
from dashboard.i18n import t
from dashboard.pages.hr.ranking_parts import CATEGORIES, STAR, star_name
from dashboard.shell import chrome, denied
from dashboard.state import app_state
from qa.awards.report import coefficient_text
from qa.awards.schemas import AgentMonth
from qa.awards.service import agent_history
from qa.people.service import get_agent

dash.register_page(
    __name__,
    path_template="/hr/agent/<agent_id>",
    title="Agent history · Floorboard",
    name="Agent history",
)  # type: ignore[no-untyped-call]

ME = "me"


def may_see(principal: Principal, agent_id: str) -> bool:
    """An agent only sees their own history; the other roles of the page see everyone's."""
    if principal.role is Role.AGENT:
        return bool(principal.agent_id) and agent_id == principal.agent_id
    return principal.role in HR_VIEWERS


def _chart(history: list[AgentMonth], loc: str) -> dcc.Graph:
    ordered = list(reversed(history))
    months = [h["month"] for h in ordered]
    lost = [-h["deductions"]["total"] for h in ordered]
    coefficient = [h["coefficient"] for h in ordered]
    stars = [" ".join(STAR for _ in h["stars"]) for h in ordered]
    low, high = min(coefficient), max(coefficient)
    figure = go.Figure(
        [
            go.Bar(x=months, y=lost, name=t("hr.agent.points", loc), marker_color="#ff6b6b",
                   opacity=0.45, hovertemplate="%{y:.2f}<extra></extra>"),
            go.Scatter(x=months, y=coefficient, name=t("hr.col.coefficient", loc), yaxis="y2",
                       mode="lines+markers+text", text=stars, textposition="top center",
                       textfont={"color": "#f6c945", "size": 20}, marker={"size": 10},
                       line={"color": "#3aa0ff", "width": 3}, hovertemplate="%{y}<extra></extra>"),
        ]
    )  # fmt: skip
    figure.update_layout(
        template="plotly_dark",
        paper_bgcolor="#0f151c",
        plot_bgcolor="#0f151c",
        height=300,
        margin={"l": 60, "r": 60, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.18, "x": 0},
        xaxis={"type": "category"},
        yaxis={"title": t("hr.agent.points", loc), "rangemode": "tozero", "showgrid": False},
        yaxis2={"title": t("hr.col.coefficient", loc), "overlaying": "y", "side": "left",
                "position": 0, "anchor": "free", "range": [low - 0.03, high + 0.06],
                "tickformat": ".2f", "nticks": 6},
    )  # fmt: skip
    figure.update_layout(yaxis={"side": "right"})
    return dcc.Graph(figure=figure, config={"displayModeBar": False}, className="hr-chart")


def _table(history: list[AgentMonth], loc: str, *, links: bool) -> html.Table:
    keys = ("month", "revision", "stars", *CATEGORIES, "total", "bonuses", "coefficient",
            "override")  # fmt: skip
    numeric = {*CATEGORIES, "total", "bonuses", "coefficient"}
    head = html.Tr([html.Th(t(f"hr.col.{k}", loc), className="num" if k in numeric else "")
                    for k in keys])  # fmt: skip
    rows = []
    for h in history:
        month: Any = h["month"]
        if links:
            month = dcc.Link(h["month"], href=f"/hr?month={h['month']}")
        d = h["deductions"]
        cells = [
            html.Td(month),
            html.Td(f"r{h['revision']}"),
            html.Td(
                " ".join(f"{STAR}{star_name(k, k, loc)}" for k in h["stars"]) or "—",
                className="hr-stars-cell",
            ),  # fmt: skip
            *[html.Td(f"{d.get(c, 0.0):.2f}", className="num") for c in (*CATEGORIES, "total")],
            html.Td(f"{h['bonuses']['total']:.2f}", className="num"),
            html.Td(coefficient_text(h["coefficient"]), className="num strong"),
            html.Td(h["override"]["reason"] if h["override"] else ""),
        ]
        rows.append(html.Tr(cells))
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table hr-history")


def _head(name: str, agent_id: str, team: str, won: int, loc: str) -> html.Div:
    return html.Div(
        [
            html.H2(f"{name} ({agent_id})" if name != agent_id else name),
            html.Span(team or "—", className="hr-detail-team"),
            html.Span(
                t("hr.agent.stars_total", loc, n=won),
                className="hr-badge " + ("st-published" if won else "st-none"),
            ),
        ],
        className="hr-detail-head",
    )


@guard.page(*HR_VIEWERS, Role.AGENT)
def layout(agent_id: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    title = t("hr.agent.title", loc)
    wanted = unquote(agent_id or "")
    if wanted == ME:
        wanted = principal.agent_id or ""
        if not wanted:
            return chrome(principal, title, html.P(t("hr.agent.not_linked", loc)))
    if not may_see(principal, wanted):
        return denied(principal)
    with session_scope(app_state().sessions) as session:
        agent = get_agent(db_session=session, agent_id=wanted)
        name, team = (agent.name, agent.team_name) if agent else (wanted, "")
        history = agent_history(db_session=session, agent_id=wanted)
    if agent is None and not history:
        return chrome(principal, title, html.P(t("hr.agent.unknown", loc, agent=wanted)))
    head = _head(name, wanted, team, sum(len(h["stars"]) for h in history), loc)
    if not history:
        return chrome(principal, title, html.Div([head, html.P(t("hr.agent.none", loc))]))
    body = html.Div(
        [head, html.H3(t("hr.agent.chart", loc)), _chart(history, loc),
         _table(history, loc, links=principal.role in HR_VIEWERS)],
        className="hr-page",
    )  # fmt: skip
    return chrome(principal, title, body)
