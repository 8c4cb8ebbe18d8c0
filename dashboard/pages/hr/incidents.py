"""``/hr/incidents``: supervisors record incidents (lateness, leaving the seat, phone use, dress
code...) and bonuses (customer praise) in the ledger, correct an entry (never in place: the
correction is a new entry that references it), and list the ledger by month and agent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from core.db import session_scope
from core.roles import INCIDENT_RECORDERS
from dashboard import inputs
from dashboard.auth import guard
from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.hr import ids
from dashboard.pages.hr import incidents_parts as parts
from dashboard.shell import chrome
from dashboard.state import app_state
from qa.awards.month import current_month, month_choices
from qa.awards.schemas import Month
from qa.ledger.schemas import Category, EntryIn, EntryKind, LedgerError, parse_points
from qa.ledger.service import add_entry, correct_entry, effective_points, list_entries
from qa.limits import Field
from qa.people.service import list_agents

dash.register_page(__name__, path="/hr/incidents", title="Incidents · Floorboard", name="Incidents")  # type: ignore[no-untyped-call]


def _row(label: str, control: Any, wide: bool = False) -> html.Div:
    return html.Div([html.Label(label), control], className="form-row" + (" wide" if wide else ""))


def _record_form(loc: str, agents: list[dict[str, str]], today: date) -> html.Div:
    presets = [{"label": t(f"hr.preset.{p.key}", loc), "value": p.key} for p in parts.PRESETS]
    kinds = [{"label": t(f"hr.inc.kind.{k}", loc), "value": k} for k in ("incident", "bonus")]
    categories = [{"label": t(f"hr.cat.{c.value}", loc), "value": c.value} for c in Category]
    return html.Div(
        [
            html.H2(t("hr.inc.record", loc), className="wide"),
            _row(
                t("hr.inc.preset", loc),
                dcc.Dropdown(id=ids.HR_INC_PRESET, options=presets, placeholder="…"),
                wide=True,
            ),
            _row(t("hr.inc.agent", loc), dcc.Dropdown(id=ids.HR_INC_AGENT, options=agents)),
            _row(
                t("hr.inc.date", loc),
                dcc.DatePickerSingle(
                    id=ids.HR_INC_DATE, date=today.isoformat(), display_format="YYYY-MM-DD"
                ),
            ),
            _row(
                t("hr.inc.kind", loc),
                dcc.RadioItems(id=ids.HR_INC_KIND, options=kinds, value="incident", inline=True),
            ),
            _row(
                t("hr.inc.points", loc),
                dcc.Input(id=ids.HR_INC_POINTS, placeholder="0.5"),
            ),
            _row(
                t("hr.inc.category", loc),
                dcc.RadioItems(id=ids.HR_INC_CATEGORY, options=categories, value="discipline"),
                wide=True,
            ),
            _row(
                t("hr.inc.note", loc),
                limited(
                    dcc.Textarea(id=ids.HR_INC_NOTE, className="hr-reason"), Field.LEDGER_NOTE, loc
                ),
                wide=True,
            ),
            html.Div(html.Button(t("hr.inc.add", loc), id=ids.HR_INC_ADD), className="wide"),
        ],
        className="hr-card hr-form-grid",
    )


def _correct_form(loc: str) -> html.Div:
    return html.Div(
        [
            html.H2(t("hr.inc.correct", loc)),
            html.P(t("hr.inc.correct_title", loc), className="hr-hint"),
            _row(t("hr.inc.corr_id", loc), dcc.Input(id=ids.HR_INC_CORR_ID, inputMode="numeric")),
            _row(
                t("hr.inc.corr_points", loc),
                dcc.Input(id=ids.HR_INC_CORR_POINTS),
            ),
            _row(
                t("hr.inc.corr_reason", loc),
                limited(
                    dcc.Textarea(id=ids.HR_INC_CORR_REASON, className="hr-reason"),
                    Field.CORRECTION_REASON,
                    loc,
                ),
            ),
            html.Button(t("hr.inc.correct", loc), id=ids.HR_INC_CORRECT, className="secondary"),
        ],
        className="hr-card",
    )


@guard.page(*INCIDENT_RECORDERS)
def layout(month: str | None = None, **_query: Any) -> Any:
    principal = guard.current_principal()
    loc = principal.locale
    state = app_state()
    tz = state.settings.timezone
    with session_scope(state.sessions) as session:
        agents = parts.agent_options(list_agents(db_session=session, active_only=True))
        every = parts.agent_options(list_agents(db_session=session))
        months = month_choices(db_session=session, tz=tz)
    this = current_month(tz=tz)
    try:
        chosen = Month.parse(month or str(this))
    except ValueError:
        chosen = this
    options = [str(m) for m in sorted({this, chosen, *months}, reverse=True)]
    body = html.Div(
        [
            dcc.Store(id=ids.HR_INC_SIGNAL, data=0),
            html.Div(
                [_record_form(loc, agents, datetime.now(ZoneInfo(tz)).date()), _correct_form(loc)],
                className="hr-forms",
            ),
            html.Div(id=ids.HR_INC_MESSAGE, className="message"),
            html.H2(t("hr.inc.ledger", loc)),
            html.Div(
                [
                    html.Label(t("hr.month", loc)),
                    dcc.Dropdown(
                        id=ids.HR_INC_MONTH, options=options, value=str(chosen), clearable=False
                    ),
                    html.Label(t("hr.inc.agent", loc)),
                    dcc.Dropdown(
                        id=ids.HR_INC_FILTER, options=every, placeholder=t("hr.inc.all", loc)
                    ),
                ],
                className="hr-pick",
            ),
            html.Div(id=ids.HR_INC_LIST),
        ],
        className="hr-page",
    )
    return chrome(principal, t("hr.inc.title", loc), body)


def apply_preset(key: str | None) -> tuple[Any, ...]:
    """Fill kind, category, points and note from a common case."""
    preset = next((p for p in parts.PRESETS if p.key == key), None)
    if preset is None:
        return "incident", "discipline", "", ""
    loc = guard.current_principal().locale
    return preset.kind, preset.category, preset.points, t(f"hr.preset.{preset.key}", loc)


def _record(values: dict[str, Any], actor: str, loc: str) -> str:
    agent = inputs.text(values["agent"], "agent")
    if not agent:
        raise LedgerError(t("hr.inc.need_agent", loc))
    magnitude = abs(parse_points(str(values["points"] or "").replace(",", ".") or "0"))
    if magnitude == 0:
        raise LedgerError(t("hr.inc.bad_points", loc))
    kind = EntryKind(values["kind"] or "incident")
    entry = EntryIn(
        agent_id=agent,
        date=date.fromisoformat(str(values["date"])[:10]),
        category=Category(values["category"] or "discipline"),
        points=magnitude if kind is EntryKind.BONUS else -magnitude,
        kind=kind,
        reporter=actor,
        note=inputs.text(values["note"], "note").strip(),
    )
    with session_scope(app_state().sessions) as session:
        row = add_entry(db_session=session, entry=entry, actor=actor)
        return t("hr.inc.added", loc, id=row.id, agent=row.agent_id, points=f"{row.points:.2f}")


def _correct(values: dict[str, Any], actor: str, loc: str) -> str:
    try:
        entry_id = int(str(values["corr_id"] or "").strip().lstrip("#"))
    except ValueError:
        raise LedgerError(t("hr.inc.need_entry", loc)) from None
    points: Decimal = parse_points(str(values["corr_points"] or "").replace(",", ".") or "x")
    with session_scope(app_state().sessions) as session:
        row = correct_entry(
            db_session=session,
            entry_id=entry_id,
            new_points=points,
            reason=inputs.text(values["corr_reason"], "reason"),
            actor=actor,
        )
        return t("hr.inc.corrected", loc, id=row.corrects_id, new=row.id)


FIELDS = ("agent", "date", "kind", "category", "points", "note", "corr_id", "corr_points",
          "corr_reason")  # fmt: skip


def act(*args: Any) -> tuple[Any, ...]:
    """Record an entry or correct one."""
    values = dict(zip(FIELDS, args[2:11], strict=True))
    signal = args[11]
    if ctx.triggered_id is None:
        return "", no_update
    principal = guard.current_principal()
    loc = principal.locale
    try:
        if ctx.triggered_id == ids.HR_INC_ADD:
            message = _record(values, principal.name, loc)
        else:
            message = _correct(values, principal.name, loc)
    except (LedgerError, ValueError) as exc:
        return html.Span(str(exc), className="error"), no_update
    return message, (signal or 0) + 1


def listing(month_text: str | None, agent_id: str | None) -> Any:
    """The ledger entries of the month (and agent)."""
    loc = guard.current_principal().locale
    state = app_state()
    try:
        month = Month.parse(month_text or "")
    except ValueError:
        month = current_month(tz=state.settings.timezone)
    agent_id = inputs.optional_text(agent_id, "agent")
    with session_scope(state.sessions) as session:
        entries = list_entries(
            db_session=session, agent_id=agent_id or None, start=month.start, end=month.end
        )
        names = {a.agent_id: a.name for a in list_agents(db_session=session)}
        return parts.ledger_table(entries, names, loc)


def pick(_clicks: list[Any]) -> tuple[Any, ...]:
    """A row's "correct" button fills the correction form with its entry and what it counts."""
    trigger = ctx.triggered_id
    if trigger is None:
        return None, None
    if not ctx.triggered[0].get("value"):
        return no_update, no_update
    entry_id = inputs.record_id(trigger["index"], "entry")
    if entry_id is None:
        return None, None
    try:
        with session_scope(app_state().sessions) as session:
            now = effective_points(db_session=session, entry_id=entry_id)
    except LedgerError:  # no such entry (a crafted index)
        return None, None
    return str(entry_id), f"{now:.2f}"


def register_callbacks(app: dash.Dash) -> None:
    guard.callback(
        app,
        INCIDENT_RECORDERS,
        Output(ids.HR_INC_KIND, "value"),
        Output(ids.HR_INC_CATEGORY, "value"),
        Output(ids.HR_INC_POINTS, "value"),
        Output(ids.HR_INC_NOTE, "value"),
        Input(ids.HR_INC_PRESET, "value"),
        prevent_initial_call=True,
    )(apply_preset)
    guard.callback(
        app,
        INCIDENT_RECORDERS,
        Output(ids.HR_INC_MESSAGE, "children"),
        Output(ids.HR_INC_SIGNAL, "data"),
        Input(ids.HR_INC_ADD, "n_clicks"),
        Input(ids.HR_INC_CORRECT, "n_clicks"),
        State(ids.HR_INC_AGENT, "value"),
        State(ids.HR_INC_DATE, "date"),
        State(ids.HR_INC_KIND, "value"),
        State(ids.HR_INC_CATEGORY, "value"),
        State(ids.HR_INC_POINTS, "value"),
        State(ids.HR_INC_NOTE, "value"),
        State(ids.HR_INC_CORR_ID, "value"),
        State(ids.HR_INC_CORR_POINTS, "value"),
        State(ids.HR_INC_CORR_REASON, "value"),
        State(ids.HR_INC_SIGNAL, "data"),
        prevent_initial_call=True,
    )(act)
    guard.callback(
        app,
        INCIDENT_RECORDERS,
        Output(ids.HR_INC_LIST, "children"),
        Input(ids.HR_INC_MONTH, "value"),
        Input(ids.HR_INC_FILTER, "value"),
        Input(ids.HR_INC_SIGNAL, "data"),
    )(lambda month, agent, _signal: listing(month, agent))
    guard.callback(
        app,
        INCIDENT_RECORDERS,
        Output(ids.HR_INC_CORR_ID, "value"),
        Output(ids.HR_INC_CORR_POINTS, "value"),
        Input({"type": ids.HR_INC_PICK, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )(pick)
