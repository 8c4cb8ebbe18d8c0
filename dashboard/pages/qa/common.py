"""What the QA console pages share: the QA tabs (who may do what is in :mod:`core.roles`),
times in the center's zone, database sessions, and small pieces of UI (badges, scores,
messages)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dash import dcc, html
from sqlalchemy.orm import Session

from collectors.history.schemas import CallFilter
from collectors.history.service import list_calls
from core.center_time import Style, center_time
from core.roles import QA_AGENTS, QA_DECIDERS, QA_READERS, QA_STAFF, Principal, Role, allowed
from dashboard.auth import service as auth_service
from dashboard.i18n import fmt_duration, t
from dashboard.qa_web import db as db
from dashboard.qa_web import parse_day as parse_day
from dashboard.qa_web import today as today
from dashboard.qa_web import zone as zone
from dashboard.shell import chrome
from dashboard.state import app_state, center_tz
from qa.evaluations.schemas import DisputePolicy
from qa.people.service import get_agent
from qa.scorecards.schemas import AnswerType, ItemSpec
from qa.scoring import NA


def dispute_policy() -> DisputePolicy:
    """The center's dispute rules: ``FLOORBOARD_DISPUTE_WINDOW_DAYS`` (7 by default) and
    ``FLOORBOARD_DISPUTE_MAX_ITEMS`` (0 = no cap)."""
    settings = app_state().settings
    return DisputePolicy(
        window_days=settings.dispute_window_days,
        max_per_evaluation=settings.dispute_max_items or None,
    )


# (path, label key, roles) of the QA tabs shown above every QA page.
TABS = (
    ("/qa", "qa.tab.queue", QA_STAFF),
    ("/qa/mine", "qa.tab.mine", QA_AGENTS),
    ("/qa/disputes", "qa.tab.disputes", QA_DECIDERS),
    ("/qa/calibration", "qa.tab.calibration", QA_STAFF),
    ("/qa/scorecards", "qa.tab.scorecards", QA_STAFF),
    ("/qa/reports", "qa.tab.reports", QA_READERS),
)


def local(moment: datetime | None, style: Style = "datetime") -> str:
    """A naive UTC time (as stored) in the center's time zone, labelled with the zone."""
    return center_time(moment, center_tz(), style=style)


def qa_page(principal: Principal, title: str, active: str, body: Any) -> Any:
    """A QA console page: the app chrome, the QA tabs this principal may open, then ``body``."""
    loc = principal.locale
    tabs = [
        dcc.Link(
            t(key, loc),
            href=path,
            className="qa-tab is-active" if path == active else "qa-tab",
        )
        for path, key, roles in TABS
        if allowed(principal, roles)
    ]
    page = html.Div([html.Nav(tabs, className="qa-tabs"), body], className="qa-page")
    return chrome(principal, title, page)


def gone(principal: Principal, what: str) -> Any:
    """The page for an id that names nothing (or a malformed one)."""
    loc = principal.locale
    body = html.Div(
        [html.P(t("qa.not_found", loc, what=what)), dcc.Link(t("qa.back", loc), href="/")],
        className="qa-card",
    )
    return chrome(principal, t("notfound.title", loc), body)


def message(text: str, *, error: bool = False) -> html.Div:
    """A one-line result of an action."""
    return html.Div(text, className="message error" if error else "message")


def badge(text: str, kind: str = "neutral", **extra: Any) -> html.Span:
    """A small coloured label (``kind``: ok, fail, warn, info, neutral, critical)."""
    return html.Span(text, className=f"qa-badge qa-badge-{kind}", **extra)


def score_text(value: float | None) -> str:
    """A score in percent with one decimal, or a dash."""
    return "—" if value is None else f"{value:.1f}%"


def passed_badge(passed: bool | None, loc: str) -> html.Span:
    if passed is None:
        return badge("—")
    return badge(t("qa.pass", loc), "ok") if passed else badge(t("qa.fail", loc), "fail")


def duration(seconds: float | None) -> str:
    return fmt_duration(seconds)


def answer_label(item: ItemSpec, value: str | None, loc: str) -> str:
    """How an answer reads: Yes / No / N/A / ``3 / 5`` / a dash for none."""
    if value is None:
        return "—"
    if value == NA:
        return t("qa.na", loc)
    if item.answer_type is AnswerType.YES_NO:
        return t(f"qa.{value}", loc)
    return f"{value} / {item.scale_max}"


def answer_options(item: ItemSpec, loc: str) -> list[dict[str, str]]:
    """The radio options of an item: yes/no or the scale ascending, N/A last when allowed."""
    if item.answer_type is AnswerType.YES_NO:
        values = ["yes", "no"]
    else:
        values = [str(v) for v in range(item.scale_min, item.scale_max + 1)]
    if item.na_allowed:
        values.append(NA)
    return [{"label": answer_label(item, v, loc).split(" / ")[0], "value": v} for v in values]


def agent_label(session: Session, agent_id: str) -> str:
    """The agent's name as HR knows it (the telephony name when unknown)."""
    agent = get_agent(db_session=session, agent_id=agent_id)
    return agent.name if agent is not None and agent.name != agent_id else agent_id


def staff_names(session: Session, roles: Iterable[Role] = QA_STAFF) -> list[str]:
    """User names of active accounts with these roles (evaluator and expert pickers)."""
    wanted = {r.value for r in roles}
    return sorted(
        u.username for u in auth_service.list_users(session) if u.active and u.role in wanted
    )


def options(values: Iterable[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]


def recent_facets(session: Session, *, days: int = 14, limit: int = 5000) -> tuple[list[str], ...]:
    """Queues and agents seen in the call history lately (for the filter pickers)."""
    end = datetime.now(ZoneInfo("UTC")).replace(tzinfo=None) + timedelta(days=1)
    calls = list_calls(
        db_session=session,
        criteria=CallFilter(start=end - timedelta(days=days + 1), end=end, limit=limit),
    )
    queues = sorted({c.queue for c in calls})
    agents = sorted({c.agent for c in calls if c.agent})
    return queues, agents


def clicked(ctx: Any) -> bool:
    """Whether the callback was fired by a real click (not a re-rendered button)."""
    return bool(ctx.triggered and ctx.triggered[0].get("value"))


def change_text(change: str, key: str, version: int, loc: str) -> str:
    """What saving a scorecard did, in words (created, updated, new version, unchanged)."""
    return t(f"qa.sc.change.{change}", loc, card=key, version=version)


def field(label: str, control: Any, *, wide: bool = False) -> html.Div:
    """A labelled form control (``wide``: two grid columns)."""
    return html.Div(
        [html.Label(label), control], className="qa-field qa-field-wide" if wide else "qa-field"
    )


def choices(prefix: str, values: Iterable[str], loc: str) -> list[dict[str, str]]:
    """Options whose labels are the messages ``prefix.value``."""
    return [{"label": t(f"{prefix}.{v}", loc), "value": v} for v in values]


def dropdown(component_id: Any, items: list[Any], **kw: Any) -> Any:
    """A dropdown in the QA style; ``items``: values or ``{"label", "value"}`` options."""
    shown = [i if isinstance(i, dict) else {"label": str(i), "value": i} for i in items]
    return dcc.Dropdown(id=component_id, options=shown, className="qa-dropdown", **kw)


def date_range(component_id: str, first: date, last: date) -> Any:
    """A date range picker from ``first`` to ``last`` (both included), weeks from Monday."""
    return dcc.DatePickerRange(
        id=component_id,
        start_date=first.isoformat(),
        end_date=last.isoformat(),
        display_format="YYYY-MM-DD",
        first_day_of_week=1,
    )


def table(head: list[str], rows: list[Any], *, numeric: Iterable[int] = ()) -> html.Table:
    """A QA table; ``numeric``: column positions aligned right."""
    right = set(numeric)
    cells = [html.Th(h, className="num" if n in right else "") for n, h in enumerate(head)]
    return html.Table([html.Thead(html.Tr(cells)), html.Tbody(rows)], className="qa-table")


def tiles(values: Iterable[tuple[str, str]], loc: str) -> html.Div:
    """Summary tiles: (value, label key) pairs."""
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
