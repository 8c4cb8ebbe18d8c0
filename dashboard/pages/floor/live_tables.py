"""Rows and columns of the supervisor's live view (kept apart from the page module)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash.dash_table.Format import Format, Scheme, Symbol

from collectors.aggregator.snapshot_schema import AgentRow, Snapshot
from dashboard.boards import scope
from dashboard.boards.agents import STATE_ORDER, no_session, reason_label, shown_state
from dashboard.boards.metrics import CATALOGUE, DURATION, PERCENT
from dashboard.boards.teams import team_filter
from dashboard.i18n import t

NOW_COLUMNS = (
    "calls_waiting",
    "longest_wait",
    "connected",
    "waiting_over_t",
    "agents_logged_in",
    "agents_estimated",
    "agents_presence_unknown",
    "agents_available",
    "agents_on_call",
    "agents_wrap_up",
    "agents_paused",
    "occupancy",
    "service_level",
    "lines_in_use",
)
TODAY_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "exited",
    "handled",
    "transferred",
    "answer_rate",
    "abandon_rate",
    "service_level",
    "asa",
    "aht",
    "avg_talk",
    "avg_wrap",
    "max_wait_answered",
    "csat",
)
COLORS = {"warn": ("#ffb020", "#1a1100"), "alert": ("#ff3b3b", "#ffffff")}


def _format(fmt: str) -> dict[str, Any]:
    if fmt == PERCENT:
        spec = Format(precision=1, scheme=Scheme.percentage)  # type: ignore[no-untyped-call]
    elif fmt == DURATION:
        spec = Format(  # type: ignore[no-untyped-call]
            precision=0, scheme=Scheme.fixed, symbol=Symbol.yes, symbol_suffix=" s"
        )
    else:
        spec = Format(precision=0, scheme=Scheme.fixed)  # type: ignore[no-untyped-call]
    out: dict[str, Any] = spec.to_plotly_json()  # type: ignore[no-untyped-call]
    return out


def queue_columns(locale: str) -> list[dict[str, Any]]:
    cols: list[dict[str, Any]] = [{"id": "queue", "name": ["", t("board.queue", locale)]}]
    for window, names in (("now", NOW_COLUMNS), ("today", TODAY_COLUMNS)):
        for name in names:
            cols.append(
                {
                    "id": f"{name}:{window}",
                    "name": [t(f"live.{window}", locale), t(f"m.{name}", locale)],
                    "type": "numeric",
                    "format": _format(CATALOGUE[name].fmt),
                }
            )
    return cols


def queue_rows(
    snapshot: Snapshot | None, queues: Sequence[str], locale: str
) -> list[dict[str, Any]]:
    """One row per queue, then the total of the selection (the whole center if none)."""
    names = list(queues) or scope.queue_names(snapshot)
    rows = []
    scopes: list[tuple[str, tuple[str, ...] | None]] = [(q, (q,)) for q in names]
    scopes.append((t("board.total", locale), tuple(queues) if queues else None))
    for label, group in scopes:
        figs = scope.figures(snapshot, group)
        row: dict[str, Any] = {"queue": label}
        for window, cols in (("now", NOW_COLUMNS), ("today", TODAY_COLUMNS)):
            for name in cols:
                row[f"{name}:{window}"] = scope.value(figs, name, window)
        rows.append(row)
    return rows


def queue_styles() -> list[dict[str, Any]]:
    """Threshold colours, the same defaults as the boards'."""
    styles = []
    for window, names in (("now", NOW_COLUMNS), ("today", TODAY_COLUMNS)):
        for name in names:
            limits = CATALOGUE[name].thresholds
            col = f"{name}:{window}"
            op = ">" if limits.direction == "above" else "<"
            for level, limit in (("warn", limits.warn), ("alert", limits.alert)):
                if limit is None:
                    continue
                bg, fg = COLORS[level]
                styles.append(
                    {
                        # "is num": an empty cell (no calls yet) is not an alarm
                        "if": {
                            "filter_query": f"{{{col}}} is num && {{{col}}} {op} {limit}",
                            "column_id": col,
                        },
                        "backgroundColor": bg,
                        "color": fg,
                    }
                )
    return styles


def hms(seconds: float | None) -> str:
    """Zero-padded so that the table's text sort is also a time sort."""
    if seconds is None:
        return ""
    total = max(0, int(round(seconds)))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def agent_columns(locale: str) -> list[dict[str, Any]]:
    keys = (
        "agent",
        "team",
        "state",
        "time_in_state",
        "reason",
        "current_queue",
        "member_of",
        "answered_today",
        "handled_today",
        "aht_today",
        "occupancy_today",
    )
    cols: list[dict[str, Any]] = [{"id": k, "name": t(f"live.{k}", locale)} for k in keys]
    for col in cols:
        if col["id"] in ("answered_today", "handled_today"):
            col.update(type="numeric")
        if col["id"] == "occupancy_today":
            col.update(type="numeric", format=_format(PERCENT))
    return cols


def agent_rows(
    snapshot: Snapshot | None,
    queues: Sequence[str],
    locale: str,
    now: float,
    *,
    teams: Sequence[str] = (),
    table: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per agent of the chosen queues and teams (all when none is chosen).

    Args:
        snapshot: the aggregator's snapshot (``None``: none yet).
        queues: only agents serving one of these queues.
        locale: the UI language.
        now: wall-clock time (time in state).
        teams: only agents of these teams.
        table: agent → team (``qa.people``, from memory).
    """
    group = set(queues)
    table = table or {}
    rows = []
    agents = snapshot.get("agents", []) if snapshot else []
    for agent in team_filter(agents, teams, table):
        if group and not group & set(agent["queues"]):
            continue
        rows.append(_agent_row(agent, locale, now, table))
    return sorted(rows, key=lambda r: (r["state_rank"], r["agent"]))


def _agent_row(
    agent: AgentRow, locale: str, now: float, table: Mapping[str, str]
) -> dict[str, Any]:
    state = shown_state(agent)
    label = t(f"state.{state}", locale)
    if no_session(agent) and state != "no_session":
        label = f"{t('presence.no_session', locale)} · {label}"
    since = agent.get("since")
    seconds = now - float(since) if since and state != "logged_off" else None
    today: Mapping[str, Any] = agent.get("today", {})
    name = agent["agent"]
    return {
        "agent": name,
        "team": table.get(name, ""),
        "state": label,
        "state_key": state,
        "state_rank": STATE_ORDER.index(state) if state in STATE_ORDER else 9,
        "time_in_state": hms(seconds),
        "reason": reason_label(agent.get("reason", ""), locale),
        "current_queue": agent.get("queue", ""),
        "member_of": ", ".join(agent["queues"]),
        "answered_today": today.get("answered"),
        "handled_today": today.get("handled"),
        "aht_today": hms(today.get("aht")),
        "occupancy_today": today.get("occupancy"),
    }


def agent_styles() -> list[dict[str, Any]]:
    colors = {
        "available": "#1f9d55",
        "ringing": "#1d6fd8",
        "on_call": "#7c3aed",
        "wrap_up": "#0e9aa7",
        "paused": "#b7791f",
        "logged_off": "#3a4350",
        "no_session": "#5b6472",
    }
    return [
        {
            "if": {"filter_query": f'{{state_key}} = "{state}"', "column_id": "state"},
            "backgroundColor": color,
            "color": "#ffffff",
        }
        for state, color in colors.items()
    ]
