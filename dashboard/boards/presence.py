"""How much of the floor a presence figure covers (issue 18): every tile and report showing a
figure built on agent presence says over how many agents it is computed and how many agents
have no session data (static queue members seen through their calls only).

The rule (docs/METRICS.md): agents whose presence no source stated are not logged in and not
available; occupancy is computed over the agents with stated presence only. Agents present by
a call-activity estimate are counted apart and labelled as an estimate.

Snapshots written before presence was tracked lack the counts: they read as 0 (all known).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dashboard.boards.metrics import AGENT_STATE_METRICS, NOW

#: Figures that depend on which agents are present (their tiles carry the presence note): the
#: agent-state counts are over agents with session data only, like "logged in".
PRESENCE_METRICS = frozenset(
    {
        "occupancy",
        "agents_logged_in",
        "agents_estimated",
        "agents_presence_unknown",
        *AGENT_STATE_METRICS,
    }
)


def _count(now: Mapping[str, Any], key: str) -> int:
    value = now.get(key)
    return int(value) if isinstance(value, int | float) else 0


def counts(figs: Mapping[str, Mapping[str, Any]]) -> tuple[int, int, int | None]:
    """``(estimated, unknown, occupancy_agents)`` of a scope's live figures.

    ``estimated`` are agents present by a call-activity estimate only, ``unknown`` agents seen
    today whose presence is unknown now; both have no session data. ``occupancy_agents`` is
    ``None`` when the snapshot does not say.
    """
    now = figs.get(NOW) or {}
    over = now.get("occupancy_agents")
    return (
        _count(now, "agents_estimated"),
        _count(now, "agents_presence_unknown"),
        int(over) if isinstance(over, int | float) else None,
    )


def has_unknown(figs: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether some agents of the scope have no session data."""
    estimated, unknown, _ = counts(figs)
    return bool(estimated or unknown)


def note(figs: Mapping[str, Mapping[str, Any]], metric: str, tr: Callable[..., str]) -> str:
    """The presence note of a figure ("" for figures that do not depend on presence).

    Occupancy says over how many agents it is computed; every presence figure says how many
    agents have no session data, and how many of them are estimated present from calls.

    Args:
        figs: the scope's figures (:func:`dashboard.boards.scope.figures`).
        metric: the figure's metric name.
        tr: the translation function of the screen (``frame.t``).
    """
    if metric not in PRESENCE_METRICS:
        return ""
    estimated, unknown, over = counts(figs)
    parts = []
    if metric == "agents_estimated":
        parts.append(tr("presence.estimate"))
    if metric == "occupancy" and over is not None:
        parts.append(tr("presence.over", n=over))
    if estimated and metric != "agents_estimated":
        parts.append(tr("presence.unknown_estimated", n=estimated + unknown, e=estimated))
    elif estimated or unknown:
        parts.append(tr("presence.unknown", n=estimated + unknown))
    return tr("presence.sep").join(parts)
