"""Live state, counter deltas and the counting helpers that the engine's rules share."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from collectors.aggregator.clock import Clock
from collectors.aggregator.metrics import MAX_COUNTERS, STATE_TIME
from collectors.aggregator.roster import Shift
from collectors.aggregator.state import (
    Handoff,
    LiveAgent,
    LiveCall,
)

QKey = tuple[str, str, int, str]  # (day, queue, interval index, counter)
MKey = tuple[int, str, str]  # (epoch minute, queue, counter)


@dataclass(frozen=True)
class AggregatorConfig:
    """Counting rules that a center configures (defaults: docs/METRICS.md#settings).

    Args:
        timezone: the center's IANA time zone; days and intervals are local.
        interval_minutes: interval length (15 by default).
        sl_threshold: T in seconds for the service level: answered with wait <= T is "within".
        sl_thresholds: per-queue T overriding ``sl_threshold``.
        sl_target: the service level target shown against the figure.
        short_abandon: an abandon with wait strictly below this many seconds is a short abandon.
        csat_satisfied_min: survey scores at or above this count as satisfied.
        trunk_capacity: lines available, for "lines in use" when no channel source says.
        presence_idle_gap_s: an agent shown only by call activity counts as present (by
            estimate, presence ``calls``) until this many seconds pass without activity
            (docs/METRICS.md#presence).
        roster: per queue, static members with shift hours (``roster.parse_roster``): on
            shift they are in session without any event.
    """

    timezone: str = "UTC"
    interval_minutes: int = 15
    sl_threshold: float = 20.0
    sl_thresholds: Mapping[str, float] = field(default_factory=dict)
    sl_target: float = 0.8
    short_abandon: float = 5.0
    csat_satisfied_min: float = 4.0
    trunk_capacity: int = 30
    presence_idle_gap_s: float = 1800.0
    roster: Mapping[str, tuple[Shift, ...]] = field(default_factory=dict)

    def threshold(self, queue: str) -> float:
        return self.sl_thresholds.get(queue, self.sl_threshold)


def to_ms(seconds: float) -> int:
    """Seconds to whole milliseconds, rounding half to even exactly as ``round()`` does.

    Written out because compiled code calls ``round`` as a Python builtin, and this runs
    several times per event. ``scaled - whole`` is exact (Sterbenz), so ties are seen exactly.
    """
    scaled = seconds * 1000.0
    whole = int(scaled)  # toward zero; raises on nan and inf as round() does
    frac = scaled - whole
    if frac > 0.5 or (frac == 0.5 and whole % 2):
        return whole + 1
    if frac < -0.5 or (frac == -0.5 and whole % 2):
        return whole - 1
    return whole


class Counting:
    """Live state plus the counter deltas of the batch being applied."""

    def __init__(self, config: AggregatorConfig) -> None:
        self.config = config
        self.clock = Clock(timezone=config.timezone, interval_minutes=config.interval_minutes)
        self.calls: dict[str, LiveCall] = {}
        self.agents: dict[str, LiveAgent] = {}
        self.adelta: dict[QKey, int] = {}
        self.mdelta: dict[MKey, int] = {}
        self.dirty_calls: set[str] = set()
        self.dirty_agents: set[str] = set()
        self.outbox: list[dict[str, Any]] = []
        self.recent_abandons: deque[dict[str, Any]] = deque(maxlen=50)
        self.last_event_ts = 0.0
        # Newest event time per source: how far each source's own clock has got.
        self.source_clock: dict[str, float] = {}
        self._bucket_ts, self._bucket = -1.0, ("", 0, 0)
        self._tick_minute = -1  # the newest event minute presence was reckoned at
        # Agents present by call activity alone (a superset): the idle gap is checked on
        # them only, not on every agent once a minute.
        self.estimated: set[str] = set()
        self._ringing: dict[str, set[str]] = {}  # call id → agents ringing for it
        # Calls that left a queue by a transfer, by original call id (``handoff_rules``),
        # and the consultation call id → original call id index over them.
        self.handoffs: dict[str, Handoff] = {}
        self.dirty_handoffs: set[str] = set()
        self._consults: dict[str, str] = {}

    # -- counting helpers ---------------------------------------------------------------

    # The bucket of the event being applied is computed once in ``apply``; nearly every count
    # lands there, and this is the aggregator's hottest path.

    def _inc(self, queue: str, ts: float, counter: str, n: int = 1) -> None:
        # Counted per epoch minute only; the interval counters are the minutes folded
        # together once per batch (``interval_deltas``): half the work per count.
        minute = self._bucket[2] if ts == self._bucket_ts else int(ts // 60)
        key = (minute, queue, counter)
        mdelta = self.mdelta
        if counter in MAX_COUNTERS:
            mdelta[key] = max(mdelta.get(key, 0), n)
        else:
            mdelta[key] = mdelta.get(key, 0) + n

    def interval_deltas(self) -> dict[QKey, int]:
        """The batch's queue counts per local day and interval, from its per-minute counts."""
        qdelta: dict[QKey, int] = {}
        clock = self.clock
        for (minute, queue, counter), n in self.mdelta.items():
            day, idx, _ = clock.bucket(minute * 60)
            key = (day, queue, idx, counter)
            if counter in MAX_COUNTERS:
                qdelta[key] = max(qdelta.get(key, 0), n)
            else:
                qdelta[key] = qdelta.get(key, 0) + n
        return qdelta

    def _ainc(self, agent: str, ts: float, counter: str, n: int = 1) -> None:
        day, idx, _ = self._bucket if ts == self._bucket_ts else self.clock.bucket(ts)
        key = (day, agent, idx, counter)
        self.adelta[key] = self.adelta.get(key, 0) + n

    def _agent_time(self, agent: str, state: str, start: float, end: float) -> None:
        """Add time in ``state`` to the agent's intervals, split at interval boundaries.

        Counts straight into ``adelta``, not through ``_ainc``: whoever overrides one (to
        count only some agents) overrides both.
        """
        counter = STATE_TIME.get(state)
        if counter is None or end <= start:
            return
        adelta, clock = self.adelta, self.clock
        while start < end:  # once, unless the time spans an interval boundary
            day, idx, boundary = clock.place(start)
            stop = min(end, boundary)
            key = (day, agent, idx, counter)
            adelta[key] = adelta.get(key, 0) + to_ms(stop - start)
            start = stop


@dataclass
class Changes:
    """Everything a batch changed: counter deltas, touched live records, finished calls.

    ``calls`` maps a live-call key to the call, or to ``None`` when the call ended;
    ``handoffs`` maps an original call id to its hand-off record, or ``None`` when forgotten.
    """

    qdelta: dict[QKey, int]
    adelta: dict[QKey, int]
    mdelta: dict[MKey, int]
    calls: dict[str, LiveCall | None]
    agents: dict[str, LiveAgent]
    outbox: list[dict[str, Any]]
    handoffs: dict[str, Handoff | None] = field(default_factory=dict)
