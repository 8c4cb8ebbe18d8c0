"""The metric catalogue: every figure a tile may show (docs/METRICS.md), where it exists, how
it is formatted and its default thresholds (the same on boards and in the supervisor's live
view).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.boards.thresholds import NO_THRESHOLDS, Thresholds
from dashboard.i18n import EN, t

NOW = "now"
PERIODS = ("interval", "today", "15m", "30m", "60m")
WINDOWS = (NOW, *PERIODS)

INT, PERCENT, DURATION, DECIMAL = "int", "percent", "duration", "decimal"
FORMATS = (INT, PERCENT, DURATION, DECIMAL)


@dataclass(frozen=True)
class Metric:
    """One figure.

    Args:
        name: the name layouts use.
        windows: the windows it exists in (``now`` and/or the periods).
        fmt: default number format.
        thresholds: default warn/alert limits.
        center_only: only for the whole center (``queues: all``).
    """

    name: str
    windows: tuple[str, ...]
    fmt: str
    thresholds: Thresholds = NO_THRESHOLDS
    center_only: bool = False

    @property
    def default_window(self) -> str:
        return NOW if NOW in self.windows else "today"


def _above(warn: float | None, alert: float | None) -> Thresholds:
    return Thresholds(warn=warn, alert=alert, direction="above")


def _below(warn: float | None, alert: float | None) -> Thresholds:
    return Thresholds(warn=warn, alert=alert, direction="below")


_NOW_ONLY = (NOW,)
_ALL = WINDOWS

CATALOGUE: dict[str, Metric] = {
    m.name: m
    for m in (
        # live ("now") figures
        Metric("calls_waiting", _NOW_ONLY, INT, _above(4, 9)),
        Metric("longest_wait", _NOW_ONLY, DURATION, _above(20, 60)),
        Metric("connected", _NOW_ONLY, INT),
        Metric("waiting_over_t", _NOW_ONLY, INT, _above(0, 3)),
        Metric("agents_logged_in", _NOW_ONLY, INT),
        Metric("agents_available", _NOW_ONLY, INT, _below(1, None)),
        Metric("agents_estimated", _NOW_ONLY, INT),
        Metric("agents_presence_unknown", _NOW_ONLY, INT),
        Metric("agents_ringing", _NOW_ONLY, INT),
        Metric("agents_on_call", _NOW_ONLY, INT),
        Metric("agents_wrap_up", _NOW_ONLY, INT),
        Metric("agents_paused", _NOW_ONLY, INT),
        Metric("lines_in_use", _NOW_ONLY, PERCENT, _above(0.8, 0.95), center_only=True),
        # period figures (current interval, today, rolling windows)
        Metric("offered", PERIODS, INT),
        Metric("answered", PERIODS, INT),
        Metric("abandoned", PERIODS, INT),
        Metric("short_abandoned", PERIODS, INT),
        Metric("exited", PERIODS, INT),
        Metric("handled", PERIODS, INT),
        Metric("transferred", PERIODS, INT),
        Metric("answer_rate", PERIODS, PERCENT, _below(0.9, 0.85)),
        Metric("abandon_rate", PERIODS, PERCENT, _above(0.05, 0.1)),
        Metric("asa", PERIODS, DURATION, _above(20, 40)),
        Metric("aht", PERIODS, DURATION),
        Metric("avg_talk", PERIODS, DURATION),
        Metric("avg_wrap", PERIODS, DURATION),
        Metric("max_wait_answered", PERIODS, DURATION, _above(60, 120)),
        Metric("avg_abandon_wait", PERIODS, DURATION),
        Metric("csat", PERIODS, PERCENT, _below(0.85, 0.75)),
        Metric("avg_survey_score", PERIODS, DECIMAL),
        # both
        Metric("service_level", _ALL, PERCENT, _below(0.8, 0.7)),
        Metric("occupancy", (NOW, "interval"), PERCENT, _above(0.9, 0.95)),
    )
}

#: Agent-state counters of the "now" block, by metric name.
AGENT_STATE_METRICS = {
    "agents_available": "available",
    "agents_ringing": "ringing",
    "agents_on_call": "on_call",
    "agents_wrap_up": "wrap_up",
    "agents_paused": "paused",
}


def valid_names() -> str:
    """The metric names, for error messages."""
    return ", ".join(sorted(CATALOGUE))


#: The definitions of the figures (every tooltip names the section of its figure).
METRICS_DOC = "docs/METRICS.md"

#: Where ``METRICS_DOC`` defines each metric: the anchor of its section.
ANCHORS: dict[str, str] = {
    "calls_waiting": "calls-waiting",
    "longest_wait": "longest-wait",
    "connected": "connected",
    "waiting_over_t": "waiting-over-t",
    "agents_logged_in": "what-each-presence-counts",
    "agents_available": "agents-by-state",
    "agents_estimated": "presence",
    "agents_presence_unknown": "presence",
    "agents_ringing": "agents-by-state",
    "agents_on_call": "agents-by-state",
    "agents_wrap_up": "agents-by-state",
    "agents_paused": "agents-by-state",
    "lines_in_use": "lines-in-use",
    "offered": "offered",
    "answered": "answered",
    "abandoned": "abandoned",
    "short_abandoned": "short-abandons",
    "exited": "exited",
    "handled": "handled",
    "transferred": "transferred",
    "answer_rate": "answer-rate",
    "abandon_rate": "abandon-rate",
    "asa": "asa",
    "aht": "aht",
    "avg_talk": "avg-talk",
    "avg_wrap": "avg-wrap-up",
    "max_wait_answered": "max-wait-answered",
    "avg_abandon_wait": "avg-wait-before-abandon",
    "csat": "csat",
    "avg_survey_score": "avg-survey-score",
    "service_level": "service-level",
    "occupancy": "occupancy",
}


def explain(text: str, anchor: str, locale: str) -> str:
    """A tooltip: ``text`` (may be empty) and, on its own line, where ``METRICS_DOC`` defines
    it (a ``title`` attribute shows the line break; the board itself stays uncluttered)."""
    see = t("def.see", locale, ref=f"{METRICS_DOC}#{anchor}")
    return f"{text}\n{see}" if text else see


def help_text(metric: str, locale: str) -> str:
    """A metric's tooltip: its one-line definition and the section that defines it in full
    ("" for a name the catalogue does not know)."""
    anchor = ANCHORS.get(metric)
    if anchor is None:
        return ""
    key = f"def.{metric}"
    return explain(t(key, locale) if key in EN else "", anchor, locale)
