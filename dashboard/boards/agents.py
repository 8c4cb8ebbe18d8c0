"""The agent grid: one cell per agent with name, state colour, time in state, pause reason and
current queue, dense enough for 60+ agents on one tile.

Colours follow the state; a call or a pause that lasts longer than the tile's ``long_call_s``
/ ``long_pause_s`` is marked (the Vicidial habit supervisors know).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dash import html

from dashboard.boards.frame import Frame
from dashboard.boards.tiles_schema import Tile
from dashboard.i18n import fmt_duration

STATE_ORDER = ("ringing", "on_call", "wrap_up", "available", "paused", "logged_off")
_RANK = {s: i for i, s in enumerate(STATE_ORDER)}
CELL_ASPECT = 3.2  # width / height of a cell that holds two short lines legibly
SCREEN_ASPECT = 16 / 9


def visible_agents(
    agents: list[Mapping[str, Any]], queues: tuple[str, ...] | None, *, show_logged_off: bool
) -> list[Mapping[str, Any]]:
    """The agents a tile shows: members of its queues, logged-off ones only when asked."""
    group = set(queues) if queues else None
    out = []
    for agent in agents:
        if agent.get("state") == "logged_off" and not show_logged_off:
            continue
        if group is not None and not group & set(agent.get("queues") or ()):
            continue
        out.append(agent)
    return out


def time_in_state(agent: Mapping[str, Any], frame: Frame) -> float | None:
    if agent.get("state") == "logged_off":
        return None
    since = agent.get("since")
    if frame.live and since:
        return max(0.0, frame.now - float(since))
    return agent.get("time_in_state")


def sort_agents(agents: list[Mapping[str, Any]], how: str, frame: Frame) -> list[Mapping[str, Any]]:
    """``state`` (busiest first, longest in state first), ``name`` or ``time`` (longest first)."""
    if how == "name":
        return sorted(agents, key=lambda a: str(a.get("agent", "")).lower())
    if how == "time":
        return sorted(agents, key=lambda a: -(time_in_state(a, frame) or 0))
    return sorted(
        agents,
        key=lambda a: (_RANK.get(a.get("state", ""), 9), -(time_in_state(a, frame) or 0)),
    )


def grid_shape(count: int, tile: Tile, grid: tuple[int, int]) -> tuple[int, int]:
    """Columns and rows of cells that fill the tile with cells of about ``CELL_ASPECT``."""
    if count <= 0:
        return 1, 1
    columns, rows = grid
    tile_aspect = (tile.w / columns) / (tile.h / rows) * SCREEN_ASPECT
    cols = max(1, min(count, round(math.sqrt(count * tile_aspect / CELL_ASPECT))))
    return cols, math.ceil(count / cols)


def _is_long(agent: Mapping[str, Any], seconds: float | None, tile: Tile) -> bool:
    if seconds is None:
        return False
    state = agent.get("state")
    if state == "on_call":
        return bool(seconds > tile.options.get("long_call_s", 600))
    if state == "paused":
        return bool(seconds > tile.options.get("long_pause_s", 900))
    return False


def _cell(agent: Mapping[str, Any], tile: Tile, frame: Frame) -> html.Div:
    state = str(agent.get("state", "logged_off"))
    seconds = time_in_state(agent, frame)
    if state == "paused":
        extra = agent.get("reason") or ""
    elif state in ("on_call", "ringing", "wrap_up"):
        extra = agent.get("queue") or ""
    else:
        extra = ""
    classes = f"agent st-{state}" + (" is-long" if _is_long(agent, seconds, tile) else "")
    label = frame.t(f"state.{state}")
    return html.Div(
        [
            html.Div(
                [
                    html.Span(agent.get("agent", ""), className="a-name"),
                    html.Span(
                        fmt_duration(seconds) if seconds is not None else "", className="a-time"
                    ),
                ],
                className="a-top",
            ),
            html.Div(f"{label} · {extra}" if extra else label, className="a-line"),
        ],
        className=classes,
        title=f"{agent.get('agent', '')}: {', '.join(agent.get('queues') or ())}",
    )


def _legend(frame: Frame, agents: list[Mapping[str, Any]]) -> html.Div:
    counts: dict[str, int] = {}
    for agent in agents:
        counts[agent.get("state", "")] = counts.get(agent.get("state", ""), 0) + 1
    return html.Div(
        [
            html.Span(f"{frame.t(f'state.{s}')} {counts[s]}", className=f"legend st-{s}")
            for s in STATE_ORDER
            if counts.get(s)
        ],
        className="legend-row",
    )


def agent_grid(tile: Tile, frame: Frame) -> html.Div:
    """The agent tile's body."""
    from dashboard.boards.render import head  # noqa: PLC0415 - render imports this module

    agents = visible_agents(
        list(frame.snapshot.get("agents") or []),
        tile.queues,
        show_logged_off=bool(tile.options.get("show_logged_off")),
    )
    agents = sort_agents(agents, str(tile.options.get("sort", "state")), frame)
    cols, rows = grid_shape(len(agents), tile, frame.grid)
    cells: list[Any] = [_cell(a, tile, frame) for a in agents]
    if not cells:
        cells = [html.Div(frame.t("board.no_agents"), className="empty")]
    return html.Div(
        [
            head(frame, tile.label or frame.t("live.agents"), frame.scope_label(tile.queues)),
            _legend(frame, agents),
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
