"""What one board refresh knows: the snapshot reading, the locale, the time, the settings.

Figures are computed once per queue scope per refresh, however many tiles share it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from collectors.aggregator.snapshot_schema import AgentRow, Snapshot
from collectors.forecast.schemas import ForecastProvider
from dashboard.boards import metrics, scope
from dashboard.boards.forecast import no_forecast
from dashboard.boards.source import Reading
from dashboard.boards.thresholds import NONE
from dashboard.i18n import t
from dashboard.settings import Settings


def no_poster(locale: str) -> tuple[str, Any]:
    """The poster tile's badge and body where no poster is wired: nothing."""
    return "", []


@dataclass
class Frame:
    """Inputs of one refresh.

    Args:
        reading: the snapshot read.
        locale: the board's language.
        now: wall-clock epoch seconds.
        settings: the app settings (queue names, SL target and T).
        forecast: the forecast provider (cached).
        grid: the board's columns and rows (tiles size their content to their share).
        board_queues: the board's default queues (tiles with other queues say which).
        teams: returns the agent → team table (in memory; only tiles that filter or sort
            by team call it).
        poster: the poster tile's badge and body in a locale (HR's wall poster, from memory:
            a refresh runs no SQL).
        levels: threshold levels met while rendering (the board's alert state).
    """

    reading: Reading
    locale: str
    now: float
    settings: Settings
    forecast: ForecastProvider = no_forecast
    grid: tuple[int, int] = (12, 8)
    board_queues: tuple[str, ...] | None = None
    teams: Callable[[], Mapping[str, str]] = dict
    poster: Callable[[str], tuple[str, Any]] = no_poster
    levels: list[str] = field(default_factory=list)
    _figs: dict[tuple[str, ...] | None, dict[str, Any]] = field(default_factory=dict)

    @property
    def snapshot(self) -> Snapshot | None:
        return self.reading.snapshot

    @property
    def agents(self) -> list[AgentRow]:
        """The snapshot's agents (none without a snapshot)."""
        snap = self.reading.snapshot
        return snap.get("agents", []) if snap else []

    @property
    def day(self) -> str:
        """The snapshot's day, ``YYYYMMDD`` ("" without a snapshot)."""
        snap = self.reading.snapshot
        return str(snap.get("day", "")) if snap else ""

    @property
    def interval_minutes(self) -> int:
        snap = self.reading.snapshot
        minutes = snap.get("interval_minutes") if snap else None
        return int(minutes or self.settings.interval_minutes)

    @property
    def interval_index(self) -> int:
        """The current interval of the snapshot's day (0 without a snapshot)."""
        snap = self.reading.snapshot
        return int(snap.get("interval_index", 0)) if snap else 0

    @property
    def live(self) -> bool:
        return self.reading.live

    def figs(self, queues: tuple[str, ...] | None) -> dict[str, Any]:
        if queues not in self._figs:
            self._figs[queues] = scope.figures(self.snapshot, queues)
        return self._figs[queues]

    def level(self, level: str) -> str:
        if level != NONE:
            self.levels.append(level)
        return level

    def t(self, key: str, **values: object) -> str:
        return t(key, self.locale, **values)

    def definition(self, metric: str) -> str:
        """The metric's tooltip: its definition and its section of docs/METRICS.md."""
        return metrics.help_text(metric, self.locale)

    def explain(self, key: str, anchor: str) -> str:
        """A tile's tooltip: the message ``key`` and the section ``anchor`` of docs/METRICS.md."""
        return metrics.explain(self.t(key), anchor, self.locale)

    def queue_label(self, queue: str) -> str:
        if queue == scope.ALL:
            return self.t("board.center")
        configured = self.settings.queues.get(queue)
        return configured.name if configured and configured.name else queue

    def scope_label(self, queues: tuple[str, ...] | None) -> str:
        if not queues:
            return self.t("board.center")
        return ", ".join(self.queue_label(q) for q in queues)

    def freshness(self) -> str:
        age = self.reading.age
        if not self.live or age is None:
            return self.t("board.stale")
        return self.t("board.age", age=int(age))

    def sl_threshold(self, queues: tuple[str, ...] | None) -> float:
        if queues and len(queues) == 1:
            return self.settings.sl_threshold_for(queues[0])
        snap = self.reading.snapshot
        config = snap.get("config") if snap else None
        return float((config and config.get("sl_threshold")) or self.settings.sl_threshold)

    def sl_target(self) -> float:
        snap = self.reading.snapshot
        config = snap.get("config") if snap else None
        return float((config and config.get("sl_target")) or self.settings.sl_target)
