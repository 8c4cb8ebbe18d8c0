"""What the monthly ranking page draws from a month view (kept apart from the page module): the
status badge, the star cards with the tie forms, the sortable table, the revision list and the
links (the explanation panel of one agent is in :mod:`dashboard.pages.hr.ranking_detail`)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash.dash_table.Format import Format, Scheme, Trim

from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.hr import ids
from qa.awards.month import STAR_KEYS, RevisionInfo
from qa.awards.schemas import AgentView, AwardStatus, MonthView, StarStatus, StarView
from qa.ledger.schemas import Category
from qa.limits import Field

CATEGORIES = tuple(c.value for c in Category)
YES, NO = "✓", "✗"
STAR = "★"


def star_name(key: str, label: str, loc: str) -> str:
    """A star's name in the viewer's language (the policy's label for a star we do not know)."""
    return t(f"hr.star.{key}", loc) if key in STAR_KEYS else label


def status_badge(view: MonthView | None, loc: str) -> list[Any]:
    """The month's state as coloured badges."""
    if view is None:
        return [html.Span(t("hr.status.none", loc), className="hr-badge st-none")]
    badges = [
        html.Span(
            f"{t('hr.status.' + view['status'], loc)} · r{view['revision']}",
            className=f"hr-badge st-{view['status']}",
        )
    ]
    if view["needs_decision"]:
        badges.append(html.Span(t("hr.needs_decision", loc), className="hr-badge st-decide"))
    policy = view["policy"]
    badges.append(
        html.Span(
            t("hr.policy", loc, name=policy["name"], version=policy["version"]),
            className="hr-policy",
            title=policy["digest"],
        )
    )
    return badges


def _tie_form(key: str, star: StarView, names: dict[str, str], loc: str) -> html.Div:
    def label(agent: str) -> str:
        name = names.get(agent, agent)
        return name if name == agent else f"{name} ({agent})"

    options = [{"label": label(agent), "value": agent} for agent in star["tied"]]
    return html.Div(
        [
            dcc.RadioItems(
                id={"type": ids.HR_TIE_PICK, "index": key},
                options=options,
                className="hr-tie-pick",
                labelClassName="hr-radio",
            ),
            limited(
                dcc.Textarea(
                    id={"type": ids.HR_TIE_REASON, "index": key},
                    placeholder=t("hr.tie_reason", loc),
                    className="hr-reason",
                ),
                Field.AWARDS_REASON,
                loc,
            ),
            html.Button(
                t("hr.tie_resolve", loc),
                id={"type": ids.HR_TIE_RESOLVE, "index": key},
                className="hr-tie-button",
            ),
        ],
        className="hr-tie-form",
    )


def _who(agent: AgentView | None) -> str:
    """``team · id`` under a winner's name (the id only when it is not the name)."""
    if agent is None:
        return ""
    parts = [agent["team"], "" if agent["agent_id"] == agent["name"] else agent["agent_id"]]
    return " · ".join(p for p in parts if p)


def _card(key: str, star: StarView, agents: dict[str, AgentView], loc: str, decide: bool) -> Any:
    status = star["status"]
    winner = star.get("winner")
    names = {k: a["name"] for k, a in agents.items()}
    who = names.get(winner, winner) if winner else "—"
    body: list[Any] = [
        html.Div(
            [html.Span(STAR, className="hr-star-glyph"), star_name(key, star["label"], loc)],
            className="hr-star-name",
        ),
        html.Div(who, className="hr-star-winner" + ("" if winner else " is-empty")),
        html.Div(_who(agents.get(winner or "")), className="hr-star-id"),
        html.Div(t(f"hr.star_status.{status}", loc), className=f"hr-star-status st-{status}"),
    ]
    decision = star.get("decision")
    if decision:
        body.append(
            html.Div(
                t("hr.decision", loc, by=decision["by"], reason=decision["reason"]),
                className="hr-star-decision",
            )
        )
    if status is StarStatus.NEEDS_DECISION:
        tied = ", ".join(names.get(a, a) for a in star["tied"])
        body.append(html.Div(t("hr.tied", loc, names=tied), className="hr-star-tied"))
        if decide:
            body.append(_tie_form(key, star, names, loc))
    body.append(
        html.Details(
            [html.Summary(t("hr.how", loc)), html.Ol([html.Li(x) for x in star["explanation"]])],
            className="hr-explain",
        )
    )
    return html.Div(body, className=f"hr-star-card star-{key} st-{status}")


def star_cards(view: MonthView, loc: str, *, decide: bool) -> list[Any]:
    """One card per star in award order; a tie form on a tied star when ``decide``."""
    agents = {a["agent_id"]: a for a in view["agents"]}
    return [_card(key, star, agents, loc, decide) for key, star in view["stars"].items()]


def _numeric(precision: int, *, trim: bool = False) -> dict[str, Any]:
    spec = Format(precision=precision, scheme=Scheme.fixed, trim=Trim.yes if trim else Trim.no)  # type: ignore[no-untyped-call]
    out: dict[str, Any] = spec.to_plotly_json()  # type: ignore[no-untyped-call]
    return out


def columns(view: MonthView | None, loc: str) -> list[dict[str, Any]]:
    """The ranking table's columns (two header rows: the group, then the figure)."""
    agent, ded, elig = t("hr.col.agent", loc), t("hr.col.deductions", loc), t("hr.col.elig", loc)
    cols: list[dict[str, Any]] = [
        {"id": "agent_id", "name": [agent, t("hr.col.agent_id", loc)]},
        {"id": "name", "name": [agent, t("hr.col.name", loc)]},
        {"id": "team", "name": [agent, t("hr.col.team", loc)]},
        {"id": "employment", "name": [agent, t("hr.col.employment", loc)]},
    ]
    for key in (*CATEGORIES, "total"):
        cols.append(
            {
                "id": f"d_{key}",
                "name": [ded, t(f"hr.col.{key}", loc)],
                "type": "numeric",
                "format": _numeric(2),
            }
        )
    cols += [
        {
            "id": "bonuses",
            "name": ["", t("hr.col.bonuses", loc)],
            "type": "numeric",
            "format": _numeric(2),
        },
        {"id": "qa", "name": ["", t("hr.col.qa", loc)], "type": "numeric", "format": _numeric(1)},
        {"id": "answered", "name": ["", t("hr.col.answered", loc)], "type": "numeric"},
    ]
    stars = view["stars"] if view else {k: {"label": k} for k in STAR_KEYS}
    for key, star in stars.items():
        cols.append({"id": f"e_{key}", "name": [elig, star_name(key, star["label"], loc)]})
    cols += [
        {"id": "stars", "name": ["", t("hr.col.stars", loc)]},
        {
            "id": "coefficient",
            "name": ["", t("hr.col.coefficient", loc)],
            "type": "numeric",
            "format": _numeric(4, trim=True),
        },
        {"id": "override", "name": ["", t("hr.col.override", loc)]},
    ]
    return cols


def _row(agent: AgentView, view: MonthView, loc: str) -> tuple[dict[str, Any], Any]:
    d = agent["deductions"]
    row: dict[str, Any] = {
        "id": agent["agent_id"],
        "agent_id": agent["agent_id"],
        "name": agent["name"],
        "team": agent["team"],
        "employment": t(f"hr.employment.{agent['employment']}", loc),
        **{f"d_{k}": d.get(k, 0.0) for k in (*CATEGORIES, "total")},
        "bonuses": agent["bonuses"]["total"],
        "qa": agent["qa_average"],
        "answered": agent["answered_calls"],
        "stars": " ".join(
            f"{STAR}{star_name(k, view['stars'][k]['label'], loc)}" for k in agent["stars"]
        ),
        "coefficient": agent["coefficient"],
        "override": "✎ " + agent["override"]["reason"] if agent["override"] else "",
    }
    tips: dict[str, Any] = {}
    for key, e in agent["eligibility"].items():
        row[f"e_{key}"] = YES if e["eligible"] else NO
        tips[f"e_{key}"] = {"value": e["reason"], "type": "text"}
    how = next((x for x in agent["explanation"] if x.startswith("coefficient =")), "")
    tips["coefficient"] = {"value": how, "type": "text"}
    return row, tips


def table(
    view: MonthView | None, team: str | None, loc: str
) -> tuple[list[dict[str, Any]], list[Any]]:
    """Rows (one per agent, only ``team`` when given) and their tooltips."""
    if view is None:
        return [], []
    agents = sorted(
        (a for a in view["agents"] if not team or a["team"] == team),
        key=lambda a: (not a["stars"], -a["deductions"]["total"], a["name"]),
    )  # winners first, then the fewest deductions
    pairs = [_row(a, view, loc) for a in agents]
    return [r for r, _ in pairs], [tip for _, tip in pairs]


def table_styles() -> list[dict[str, Any]]:
    """Winners gold, ineligible cells dimmed red, overridden coefficients marked."""
    styles: list[dict[str, Any]] = [
        {"if": {"filter_query": '{stars} != ""'}, "backgroundColor": "#2a2410"},
        {
            "if": {"filter_query": '{override} != ""', "column_id": "coefficient"},
            "color": "#ffb020",
            "fontWeight": "700",
        },
    ]
    for key in STAR_KEYS:
        styles.append(
            {
                "if": {"filter_query": f'{{e_{key}}} = "{NO}"', "column_id": f"e_{key}"},
                "color": "#ff6b6b",
            }
        )
        styles.append(
            {
                "if": {"filter_query": f'{{e_{key}}} = "{YES}"', "column_id": f"e_{key}"},
                "color": "#2fd37a",
            }
        )
    styles.append({"if": {"column_id": "stars"}, "color": "#f6c945", "fontWeight": "700"})
    return styles


def revisions(infos: list[RevisionInfo], current: int | None, loc: str) -> Any:
    """Every revision of the month, newest first (the one shown is marked)."""
    if not infos:
        return html.P("—")
    head = html.Tr(
        [
            html.Th(t(f"hr.rev.{k}", loc))
            for k in ("revision", "status", "reason", "computed", "published")
        ]
    )
    rows = [
        html.Tr(
            [
                html.Td(f"r{i.revision}"),
                html.Td(
                    html.Span(t(f"hr.status.{i.status}", loc), className=f"hr-badge st-{i.status}")
                ),
                html.Td(i.reason or "—"),
                html.Td(i.computed),
                html.Td(i.published or "—"),
            ],
            className="is-shown" if i.revision == current else "",
        )
        for i in infos
    ]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="table hr-revisions")


def links(view: MonthView | None, month: str, loc: str, *, exports: bool) -> list[Any]:
    """Poster, payroll exports (published months, hr and admin) and the ledger."""
    out: list[Any] = [
        dcc.Link(t("hr.links.poster", loc), href=f"/hr/poster/{month}", className="button"),
        dcc.Link(
            t("hr.links.incidents", loc),
            href=f"/hr/incidents?month={month}",
            className="button secondary",
        ),
    ]
    if not exports:
        return out
    published = view is not None and (
        view["status"] == AwardStatus.PUBLISHED or view["revision"] > 1
    )
    if published:
        out += [
            html.A(
                t("hr.links.csv", loc),
                href=f"/hr/export/{month}.csv",
                className="button",
                id=ids.HR_EXPORT_CSV,
            ),
            html.A(
                t("hr.links.xlsx", loc),
                href=f"/hr/export/{month}.xlsx",
                className="button",
                id=ids.HR_EXPORT_XLSX,
            ),
        ]
    else:
        out.append(html.Span(t("hr.export_hint", loc), className="hr-hint"))
    return out
