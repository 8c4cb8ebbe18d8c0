"""The work queue's sampling form: a policy (N calls per agent per period, minimum talk time,
queues, outcomes, evaluators, scorecard, seed), a preview (dry run) and the run."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from core.roles import QA_STAFF, Principal
from dashboard import inputs
from dashboard.auth import guard
from dashboard.forms import limited
from dashboard.i18n import t
from dashboard.pages.qa import ids
from dashboard.pages.qa.common import (
    choices,
    clicked,
    date_range,
    db,
    dropdown,
    field,
    local,
    message,
    parse_day,
    recent_facets,
    staff_names,
    table,
    today,
)
from dashboard.state import app_state
from qa.limits import Field
from qa.sampling.schemas import (
    NotEvaluatorError,
    Period,
    SampleResult,
    SamplingError,
    SamplingPolicy,
)
from qa.sampling.service import run_sampling
from qa.scorecards.schemas import ScorecardStatus
from qa.scorecards.service import list_scorecards

OUTCOMES = ("answered", "transferred")
MAX_SHOWN = 60
# The form's states, in the order the callback receives them.
FIELDS = ("name", "per_agent", "min_talk", "period", "start", "end", "queues", "outcomes",
          "evaluators", "scorecard", "seed")  # fmt: skip


def people(principal: Principal) -> tuple[list[str], list[str], list[str], list[str]]:
    """Queues and agents seen lately, evaluators (this user included) and usable scorecards."""
    with db() as session:
        queues, agents = recent_facets(session)
        evaluators = staff_names(session)
        cards = [
            c.key
            for c in list_scorecards(db_session=session)
            if c.status == ScorecardStatus.CURRENT
        ]
    if principal.name not in evaluators:
        evaluators.append(principal.name)
    return queues, agents, evaluators, cards


def _policy_fields(loc: str, queues: list[str]) -> list[Any]:
    first, end = Period.WEEK.previous(today())
    return [
        field(t("qa.s.name", loc), limited(dcc.Input(id=ids.QA_S_NAME,
              value=t("qa.s.default_name", loc)), Field.SAMPLE_NAME, loc)),
        field(t("qa.s.per_agent", loc),
              dcc.Input(id=ids.QA_S_PER_AGENT, type="number", min=1, step=1, value=2)),
        field(t("qa.s.min_talk", loc),
              dcc.Input(id=ids.QA_S_MIN_TALK, type="number", min=0, value=30)),
        field(t("qa.s.period", loc), dcc.RadioItems(
            id=ids.QA_S_PERIOD, inline=True, value="week",
            options=choices("qa.period", [p.value for p in Period], loc))),
        field(t("qa.s.dates", loc), date_range(ids.QA_S_DATES, first, end - timedelta(days=1)),
              wide=True),
        field(t("qa.s.queues", loc),
              dropdown(ids.QA_S_QUEUES, queues, multi=True, placeholder=t("qa.all", loc))),
        field(t("qa.s.outcomes", loc), dcc.Checklist(
            id=ids.QA_S_OUTCOMES, inline=True, value=list(OUTCOMES), className="qa-checks",
            options=choices("qa.outcome", OUTCOMES, loc))),
    ]  # fmt: skip


def sample_form(principal: Principal) -> html.Div:
    """Policy fields, who evaluates, a preview (dry run) and the run."""
    loc = principal.locale
    queues, _agents, evaluators, cards = people(principal)
    who = [
        field(t("qa.s.evaluators", loc),
              dropdown(ids.QA_S_EVALUATORS, evaluators, multi=True, value=[principal.name])),
        field(t("qa.scorecard", loc), dropdown(ids.QA_S_SCORECARD, cards, clearable=False,
                                               value="default" if "default" in cards else None)),
        field(t("qa.s.seed", loc), dcc.Input(id=ids.QA_S_SEED, type="number",
                                            placeholder=t("qa.s.seed_hint", loc))),
    ]  # fmt: skip
    buttons = [
        html.Button(t("qa.s.preview", loc), id=ids.QA_S_PREVIEW, className="qa-btn-quiet"),
        html.Button(t("qa.s.run", loc), id=ids.QA_S_RUN, className="qa-btn"),
    ]
    return html.Div(
        [
            html.H2(t("qa.s.title", loc)),
            html.P(t("qa.s.help", loc), className="qa-muted"),
            html.Div([*_policy_fields(loc, queues), *who], className="qa-form-grid"),
            html.Div(buttons, className="qa-row qa-actions-row"),
            html.Div(id=ids.QA_S_RESULT),
        ],
        className="qa-card",
    )


def policy(values: dict[str, Any]) -> SamplingPolicy:
    """The policy on the form.

    Raises:
        SamplingError: A number is not a number (the policy's own checks come later).
    """
    try:
        per_agent = int(values["per_agent"] or 0)
        min_talk = float(values["min_talk"] or 0)
    except (TypeError, ValueError):
        raise SamplingError("per agent and minimum talk must be numbers") from None
    return SamplingPolicy(
        name=inputs.text(values["name"], "name").strip() or "sample", per_agent=per_agent,
        evaluators=tuple(values["evaluators"] or ()), period=Period(values["period"] or "week"),
        scorecard=values["scorecard"] or "default", min_talk=min_talk,
        queues=tuple(values["queues"] or ()), outcomes=tuple(values["outcomes"] or OUTCOMES),
    )  # fmt: skip


def _result(result: SampleResult, seed: int, loc: str, dry_run: bool) -> list[Any]:
    counts = ", ".join(f"{name} {n}" for name, n in result.per_evaluator.items())
    key = "qa.s.previewed" if dry_run else "qa.s.assigned"
    parts: list[Any] = [message(t(key, loc, n=len(result.drawn), seed=seed, counts=counts))]
    if result.short:
        names = ", ".join(sorted({agent for agent, _p, _n in result.short}))
        parts.append(html.P(t("qa.s.short", loc, agents=names), className="qa-muted"))
    rows = [
        html.Tr([html.Td(d.agent_id), html.Td(d.queue), html.Td(local(d.call_at)),
                 html.Td(d.evaluator)])
        for d in result.drawn[:MAX_SHOWN]
    ]  # fmt: skip
    if rows:
        head = [t(k, loc) for k in ("qa.agent", "qa.queue", "qa.call_time", "qa.evaluator")]
        parts.append(table(head, rows))
    return parts


def sample(*values: Any) -> tuple[Any, Any]:
    """Preview or run a sample with the policy on the form."""
    if not clicked(ctx):
        return "", no_update
    principal = guard.current_principal()
    loc = principal.locale
    form = dict(zip(FIELDS, values, strict=True))
    dry_run = ctx.triggered_id == ids.QA_S_PREVIEW
    start, last = parse_day(form["start"]), parse_day(form["end"])
    if start is None or last is None:
        return message(t("qa.s.need_dates", loc), error=True), no_update
    seed = int(form["seed"]) if form["seed"] not in (None, "") else secrets.randbelow(2**31)
    try:
        with db() as session:
            result = run_sampling(
                db_session=session, policy=policy(form), start=start,
                end=last + timedelta(days=1), seed=seed, actor=principal.name,
                tz=app_state().settings.timezone, dry_run=dry_run, staff=staff_names(session),
            )  # fmt: skip
    except NotEvaluatorError as exc:
        return message(t("qa.p.not_staff", loc, who=", ".join(exc.names)), error=True), no_update
    except SamplingError as exc:
        return message(str(exc), error=True), no_update
    return _result(result, seed, loc, dry_run), (no_update if dry_run else time.time())


def register(app: dash.Dash) -> None:
    """The sampling callback."""
    states = [
        State(ids.QA_S_NAME, "value"), State(ids.QA_S_PER_AGENT, "value"),
        State(ids.QA_S_MIN_TALK, "value"), State(ids.QA_S_PERIOD, "value"),
        State(ids.QA_S_DATES, "start_date"), State(ids.QA_S_DATES, "end_date"),
        State(ids.QA_S_QUEUES, "value"), State(ids.QA_S_OUTCOMES, "value"),
        State(ids.QA_S_EVALUATORS, "value"), State(ids.QA_S_SCORECARD, "value"),
        State(ids.QA_S_SEED, "value"),
    ]  # fmt: skip
    guard.callback(
        app, QA_STAFF,
        Output(ids.QA_S_RESULT, "children"), Output(ids.QA_S_DONE, "data"),
        Input(ids.QA_S_PREVIEW, "n_clicks"), Input(ids.QA_S_RUN, "n_clicks"), *states,
        prevent_initial_call=True,
    )(lambda _p, _r, *values: sample(*values))  # fmt: skip
