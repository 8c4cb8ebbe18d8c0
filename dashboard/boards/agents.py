"""The agent grid: one cell per agent with name, state colour, time in state, pause reason and
current queue, dense enough for 60+ agents on one tile.

Colours follow the state; a call or a pause that lasts longer than the tile's ``long_call_s``
/ ``long_pause_s`` is marked (the Vicidial habit supervisors know). A tile may show only some
teams (``teams:``; agent → team from ``qa.people`` via the in-memory
:class:`~dashboard.boards.teams.TeamDirectory`) and sort by team.

Cells are built as the plain JSON dicts Dash sends to the browser, not as Dash components:
a 300-agent grid is about 1,500 elements, and constructing and encoding components for them
cost twenty times more than the rest of a board refresh.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from collectors.aggregator.snapshot_schema import AgentRow
from dashboard.boards.frame import Frame
from dashboard.boards.teams import NO_TEAM, team_filter
from dashboard.boards.tile_head import head
from dashboard.boards.tiles_schema import Tile
from dashboard.i18n import EN, fmt_duration, t

STATE_ORDER = ("ringing", "on_call", "wrap_up", "available", "paused", "no_session", "logged_off")
#: States an agent without session data may be in (its call state, else ``no_session``).
_CALL_STATES = ("on_call", "ringing", "wrap_up", "paused")
_RANK = {s: i for i, s in enumerate(STATE_ORDER)}
CELL_ASPECT = 3.2  # width / height of a cell that holds two short lines legibly
SCREEN_ASPECT = 16 / 9


def visible_agents(
    agents: Sequence[AgentRow], queues: tuple[str, ...] | None, *, show_logged_off: bool
) -> list[AgentRow]:
    """The agents a tile shows: members of its queues, logged-off ones only when asked."""
    group = set(queues) if queues else None
    out = []
    for agent in agents:
        if agent["state"] == "logged_off" and not show_logged_off:
            continue
        if group is not None and not group & set(agent["queues"]):
            continue
        out.append(agent)
    return out


def time_in_state(agent: AgentRow, frame: Frame) -> float | None:
    if agent["state"] == "logged_off":
        return None
    since = agent.get("since")
    if frame.live and since:
        return max(0.0, frame.now - float(since))
    return agent.get("time_in_state")


def reason_label(reason: str, locale: str) -> str:
    """A pause reason in the UI language when it is a known one, else as telephony sent it."""
    key = f"reason.{reason.strip().lower()}"
    return t(key, locale) if key in EN else reason


def sort_agents(
    agents: list[AgentRow],
    how: str,
    frame: Frame,
    teams: Mapping[str, str] | None = None,
) -> list[AgentRow]:
    """``state`` (busiest first, longest in state first), ``name``, ``time`` (longest first)
    or ``team`` (by team, then as ``state``; agents in no team last)."""
    if how == "name":
        return sorted(agents, key=lambda a: a["agent"].lower())
    if how == "time":
        return sorted(agents, key=lambda a: -(time_in_state(a, frame) or 0))
    table = teams or {}

    def team(agent: AgentRow) -> tuple[bool, str]:
        name = table.get(agent["agent"], NO_TEAM)
        return (name == NO_TEAM, name.lower())

    return sorted(
        agents,
        key=lambda a: (
            team(a) if how == "team" else (False, ""),
            _RANK.get(shown_state(a), 9),
            -(time_in_state(a, frame) or 0),
        ),
    )


def grid_shape(count: int, tile: Tile, grid: tuple[int, int]) -> tuple[int, int]:
    """Columns and rows of cells that fill the tile with cells of about ``CELL_ASPECT``."""
    if count <= 0:
        return 1, 1
    columns, rows = grid
    tile_aspect = (tile.w / columns) / (tile.h / rows) * SCREEN_ASPECT
    cols = max(1, min(count, round(math.sqrt(count * tile_aspect / CELL_ASPECT))))
    return cols, math.ceil(count / cols)


def _is_long(agent: AgentRow, seconds: float | None, tile: Tile) -> bool:
    if seconds is None:
        return False
    state = agent["state"]
    if state == "on_call":
        return bool(seconds > tile.options.get("long_call_s", 600))
    if state == "paused":
        return bool(seconds > tile.options.get("long_pause_s", 900))
    return False


def element(tag: str, children: Any, class_name: str, title: str | None = None) -> dict[str, Any]:
    """An ``html.<tag>`` as the JSON Dash sends (what ``to_plotly_json`` would produce)."""
    props = {"children": children, "className": class_name}
    if title is not None:
        props["title"] = title
    return {"props": props, "type": tag, "namespace": "dash_html_components"}


def no_session(agent: AgentRow) -> bool:
    """Whether no source states the agent present (seen through calls only; issue 18). An
    agent whose logoff a source stated is logged off, not "no session data"."""
    if agent["state"] == "logged_off":
        return False
    return agent.get("presence", "session") != "session"  # older snapshots: all stated


def shown_state(agent: AgentRow) -> str:
    """The state a screen shows: an agent without session data is never "available", only
    in its call state or ``no_session`` (whatever an older aggregator wrote)."""
    state = agent["state"]
    if no_session(agent) and state not in _CALL_STATES:
        return "no_session"
    return state


def _cell(agent: AgentRow, tile: Tile, frame: Frame, team: str | None) -> dict[str, Any]:
    state = shown_state(agent)
    seconds = time_in_state(agent, frame)
    if state == "paused":
        extra = reason_label(agent.get("reason", ""), frame.locale)
    elif state in ("on_call", "ringing", "wrap_up"):
        extra = agent.get("queue", "")
    else:
        extra = ""
    classes = f"agent st-{state}" + (" is-long" if _is_long(agent, seconds, tile) else "")
    label = frame.t(f"state.{state}")
    name = agent["agent"]
    title = f"{name}: {', '.join(agent['queues'])}"
    if team:
        title += f" · {team}"
    if no_session(agent):
        # Hatched card; the line starts with "no session" unless that is the state itself.
        classes += " no-session"
        title += f" · {frame.t('state.no_session')}"
        if state != "no_session":
            label = f"{frame.t('presence.no_session')} · {label}"
    top = [
        element("Span", name, class_name="a-name"),
        element("Span", fmt_duration(seconds) if seconds is not None else "", class_name="a-time"),
    ]
    line = f"{label} · {extra}" if extra else label
    return element(
        "Div",
        [element("Div", top, class_name="a-top"), element("Div", line, class_name="a-line")],
        class_name=classes,
        title=title,
    )


def _legend(frame: Frame, agents: list[AgentRow]) -> dict[str, Any]:
    # States count agents with session data (as the state tiles do), so that the entries
    # add up to the grid; agents without are one entry of their own, whatever their state.
    counts: dict[str, int] = {}
    for agent in agents:
        if not no_session(agent):
            state = shown_state(agent)
            counts[state] = counts.get(state, 0) + 1
    items = [
        element("Span", f"{frame.t(f'state.{s}')} {counts[s]}", class_name=f"legend st-{s}")
        for s in STATE_ORDER
        if counts.get(s) and s != "no_session"
    ]
    unknown = sum(1 for a in agents if no_session(a))
    if unknown:
        text = f"{frame.t('state.no_session')} {unknown}"
        items.append(element("Span", text, class_name="legend st-no_session no-session"))
    return element("Div", items, class_name="legend-row")


def _badge(tile: Tile, frame: Frame) -> str:
    scope = frame.scope_label(tile.queues)
    teams = tile.options.get("teams") or ()
    return f"{scope} · {', '.join(teams)}" if teams else scope


def uses_teams(tile: Tile) -> bool:
    """Whether the tile needs the agent → team table (it filters or sorts by team)."""
    return tile.kind == "agents" and bool(
        tile.options.get("teams") or tile.options.get("sort") == "team"
    )


def agent_grid(tile: Tile, frame: Frame) -> html.Div:
    """The agent tile's body."""
    how = str(tile.options.get("sort", "state"))
    chosen = tuple(tile.options.get("teams") or ())
    # The team table is only looked at by tiles that use it.
    table = frame.teams() if uses_teams(tile) else {}
    agents = visible_agents(
        frame.agents,
        tile.queues,
        show_logged_off=bool(tile.options.get("show_logged_off")),
    )
    agents = sort_agents(team_filter(agents, chosen, table), how, frame, table)
    cols, rows = grid_shape(len(agents), tile, frame.grid)
    cells: list[Any] = [_cell(a, tile, frame, table.get(a["agent"])) for a in agents]
    if not cells:
        cells = [element("Div", frame.t("board.no_agents"), class_name="empty")]
    parts: list[Any] = [
        head(
            frame,
            tile.label or frame.t("live.agents"),
            _badge(tile, frame),
            tooltip=frame.explain("def.agent_grid", "agents-by-state"),
        ),
        _legend(frame, agents),
    ]
    return html.Div(
        [
            *parts,
            html.Div(
                cells,
                className="agent-grid",
                style={
                    "gridTemplateColumns": f"repeat({cols}, minmax(0, 1fr))",
                    "gridTemplateRows": f"repeat({rows}, minmax(0, 1fr))",
                },
            ),
        ],
        className="tile-body kind-agents",
    )
