"""The metrics derived from raw counters: the one place the formulas of docs/METRICS.md are
written (docs/METRICS.md#rates-and-times).

Counters are integers (durations in milliseconds) so that Redis ``HINCRBY`` sums them exactly.
Every derived rate is ``None`` when its denominator is empty, never 0 and never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Raw counters kept per queue and interval (and per epoch minute for rolling windows).
QUEUE_COUNTERS = (
    "offered",
    "answered",
    "answered_within_t",
    "wait_answered_ms",
    "max_wait_answered_ms",
    "abandoned",
    "abandoned_after_t",
    "short_abandoned",
    "wait_abandoned_ms",
    "exited",
    "exited_timeout",
    "exited_empty",
    "exited_key",
    "handled",
    "talk_ms",
    "hold_ms",
    "hold_reported",
    "wrap_ms",
    "wrap_reported",
    "transferred",
    "ring_no_answer",
    "lost",
    "survey_answers",
    "survey_satisfied",
    "survey_score_sum_milli",
    # Calls whose source cannot know a duration (a CDR, issue 12.10): counted, but out of the
    # averages and rates that need it.
    "answered_wait_unknown",
    "abandoned_wait_unknown",
    "handled_talk_unknown",
)

# Counters whose value is a maximum, not a sum (merged with max() instead of +).
MAX_COUNTERS = frozenset({"max_wait_answered_ms"})

# Raw counters kept per agent and interval. ``t_<state>_ms`` is time spent in that state.
AGENT_COUNTERS = (
    "answered",
    "handled",
    "talk_ms",
    "hold_ms",
    "wrap_ms",
    "transferred",
    "ring_no_answer",
    "t_available_ms",
    "t_ringing_ms",
    "t_on_call_ms",
    "t_wrap_up_ms",
    "t_paused_ms",
    "handled_talk_unknown",
)

STATE_TIME = {
    "available": "t_available_ms",
    "ringing": "t_ringing_ms",
    "on_call": "t_on_call_ms",
    "wrap_up": "t_wrap_up_ms",
    "paused": "t_paused_ms",
}


def merge(target: dict[str, int], source: Mapping[str, int]) -> dict[str, int]:
    """Add ``source`` into ``target`` (maxima are merged with ``max``); returns ``target``."""
    for name, value in source.items():
        if name in MAX_COUNTERS:
            target[name] = max(target.get(name, 0), value)
        else:
            target[name] = target.get(name, 0) + value
    return target


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _seconds(ms: float, count: float) -> float | None:
    return ms / 1000.0 / count if count else None


def queue_metrics(c: Mapping[str, int], *, waiting_over_t: int = 0) -> dict[str, Any]:
    """Every interval metric of one queue (or the center) with its inputs (docs/METRICS.md).

    Args:
        c: raw counters (missing names count as 0).
        waiting_over_t: calls still waiting longer than T; only for the live ("now") service
            level, which counts them as missed so that a stuck queue shows at once.
    """
    g = c.get
    answered = g("answered", 0)
    abandoned = g("abandoned", 0)
    exited = g("exited", 0)
    handled = g("handled", 0)
    handle_ms = g("talk_ms", 0) + g("hold_ms", 0) + g("wrap_ms", 0)
    # Waits and talk times a source could not know are left out of what needs them.
    timed = answered - g("answered_wait_unknown", 0)
    talked = handled - g("handled_talk_unknown", 0)
    waited = abandoned + g("short_abandoned", 0) - g("abandoned_wait_unknown", 0)
    out: dict[str, Any] = {name: g(name, 0) for name in QUEUE_COUNTERS}
    out.update(
        service_level=_ratio(
            g("answered_within_t", 0), timed + g("abandoned_after_t", 0) + waiting_over_t
        )
        if timed or not answered
        else None,
        answer_rate=_ratio(answered, answered + abandoned + exited),
        abandon_rate=_ratio(abandoned, answered + abandoned),
        asa=_seconds(g("wait_answered_ms", 0), timed),
        max_wait_answered=g("max_wait_answered_ms", 0) / 1000.0 if timed else None,
        aht=_seconds(handle_ms, talked),
        avg_talk=_seconds(g("talk_ms", 0), talked),
        avg_wrap=_seconds(g("wrap_ms", 0), g("wrap_reported", 0)),
        avg_abandon_wait=_seconds(g("wait_abandoned_ms", 0), waited),
        csat=_ratio(g("survey_satisfied", 0), g("survey_answers", 0)),
        avg_survey_score=_ratio(g("survey_score_sum_milli", 0) / 1000.0, g("survey_answers", 0)),
        aht_parts=aht_parts(c),
        not_available=not_available(c),
    )
    if waiting_over_t:
        out["waiting_over_t"] = waiting_over_t
    return out


#: Metrics that need a known wait of answered calls, of abandoned calls, or a known talk time.
_NEED_WAIT = ("asa", "service_level", "max_wait_answered")
_NEED_ABANDON_WAIT = ("avg_abandon_wait", "short_abandoned")
_NEED_TALK = ("aht", "avg_talk")


def not_available(c: Mapping[str, int]) -> list[str]:
    """Metrics that are null because the source could not know what they need (a CDR that
    does not see the queue), as opposed to null because nothing happened: every call that
    would count has an unknown wait (or talk time)."""
    g = c.get
    out: list[str] = []
    if 0 < g("answered", 0) <= g("answered_wait_unknown", 0):
        out += _NEED_WAIT
    if 0 < g("abandoned", 0) + g("short_abandoned", 0) <= g("abandoned_wait_unknown", 0):
        out += _NEED_ABANDON_WAIT
    if 0 < g("handled", 0) <= g("handled_talk_unknown", 0):
        out += _NEED_TALK
    return out


def aht_parts(c: Mapping[str, int]) -> list[str]:
    """Which parts of handling time the sources reported (a missing part counts as 0:
    docs/METRICS.md#aht)."""
    parts = ["talk"]
    if c.get("hold_reported", 0):
        parts.append("hold")
    if c.get("wrap_reported", 0):
        parts.append("wrap")
    return parts


def occupancy(c: Mapping[str, int]) -> float | None:
    """Handling time / (handling + idle time) of logged-in agents, from agent state times.

    Ringing counts as idle: the agent is available, the call simply has not connected yet.
    Paused time is neither.
    """
    busy = c.get("t_on_call_ms", 0) + c.get("t_wrap_up_ms", 0)
    idle = c.get("t_available_ms", 0) + c.get("t_ringing_ms", 0)
    return _ratio(busy, busy + idle)


def agent_metrics(c: Mapping[str, int]) -> dict[str, Any]:
    """An agent's figures for a period: counts, AHT and occupancy."""
    out: dict[str, Any] = {name: c.get(name, 0) for name in AGENT_COUNTERS}
    handled = c.get("handled", 0) - c.get("handled_talk_unknown", 0)
    handle_ms = c.get("talk_ms", 0) + c.get("hold_ms", 0) + c.get("wrap_ms", 0)
    out["aht"] = _seconds(handle_ms, handled)
    out["occupancy"] = occupancy(c)
    return out
