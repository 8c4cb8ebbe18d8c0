"""The snapshot's contract: the JSON document the aggregator writes and every screen reads.

:func:`collectors.aggregator.snapshot.build_snapshot` writes a :class:`Snapshot`;
:func:`parse_snapshot` is the one way to read one back. A document of another
:data:`SCHEMA_VERSION` (an aggregator older or newer than the screens) is refused with
:class:`SnapshotVersionError`, never navigated as if it had this shape.

The types are ``TypedDict``: the document stays the plain JSON it always was (the bytes written
do not change); the types only say what is in it. Keys marked ``NotRequired`` are the ones a
document of this version may lack: a writer older than the key (presence counts, an agent's
presence), or a key only some blocks carry (the center's ``lines_in_use``, a partitioned
center's ``partitions``). Metric definitions: docs/METRICS.md.
"""

# No ``from __future__ import annotations``: TypedDict must see ``NotRequired`` at run time
# (``__required_keys__``), and the contract test reads it.
import json
from typing import Any, NotRequired, TypedDict, cast

SCHEMA_VERSION = 1

Figures = dict[str, Any]
"""A period's figures: metric name → value, with the raw counters they come from
(:func:`collectors.aggregator.metrics.queue_metrics`); ``not_available`` lists the metrics the
source cannot know."""


class NowFigures(TypedDict):
    """What is true now in a queue (or the center): calls waiting, agents by state."""

    calls_waiting: int
    longest_wait: float
    connected: int
    waiting_over_t: int
    agents_logged_in: int
    agents: dict[str, int]
    occupancy: float | None
    occupancy_agents: int
    agents_estimated: NotRequired[int]
    agents_presence_unknown: NotRequired[int]
    service_level: float | None
    lines_in_use: NotRequired[float]


class ChartPoint(TypedDict):
    """One interval of today, for the intraday chart (older writers left out the raw counts a
    group's service level needs: the chart then draws no such line)."""

    offered: int
    answered: int
    answered_within_t: NotRequired[int]
    abandoned: int
    abandoned_after_t: NotRequired[int]
    short_abandoned: int
    exited: int
    handled: int
    answered_wait_unknown: NotRequired[int]
    service_level: float | None
    asa: float | None
    aht: float | None


class QueueBlock(TypedDict):
    """One queue, or the center (``*``): now, the current interval, today, rolling windows
    (``15m``, ``30m``, ``60m``) and today's intervals (interval index as text → point)."""

    now: NowFigures
    interval: Figures
    today: Figures
    rolling: dict[str, Figures]
    intervals: dict[str, ChartPoint]
    sl_threshold: float | None


class AgentToday(TypedDict):
    answered: int
    handled: int
    aht: float | None
    occupancy: float | None


class AgentRow(TypedDict):
    """One agent on the floor (or seen today)."""

    agent: str
    state: str
    presence: NotRequired[str]
    since: float
    time_in_state: float | None
    reason: str
    call_id: str
    queue: str
    queues: list[str]
    today: AgentToday


class WaitingCall(TypedDict):
    call_id: str
    queue: str
    enqueued: float
    caller: str


class SnapshotConfig(TypedDict):
    sl_threshold: float
    sl_target: float
    short_abandon: float
    trunk_capacity: int


class Partitions(TypedDict):
    """A partitioned center's merge: how many parts exist and report, the oldest one's time."""

    count: int
    reporting: int
    oldest_part_at: float


class Snapshot(TypedDict):
    """The whole live picture of one center at ``generated_at`` (epoch seconds)."""

    version: int
    center: str
    generated_at: float
    timezone: str
    day: str
    interval_minutes: int
    interval_index: int
    interval_start: float
    interval_end: float
    last_event_at: float | None
    config: SnapshotConfig
    pipeline: dict[str, int | float]
    queues: dict[str, QueueBlock]
    agents: list[AgentRow]
    waiting: list[WaitingCall]
    recent_abandons: list[dict[str, Any]]
    partitions: NotRequired[Partitions]


class SnapshotError(ValueError):
    """A stored snapshot that cannot be read as this version's :class:`Snapshot`."""


class SnapshotVersionError(SnapshotError):
    """A snapshot of another schema version (the aggregator and the screens disagree).

    Args:
        found: the version the document carries (``None`` when it has none).
    """

    def __init__(self, found: object) -> None:
        super().__init__(f"snapshot version {found!r}; this version reads {SCHEMA_VERSION}")
        self.found = found


def parse_snapshot(raw: str | bytes) -> Snapshot:
    """The snapshot stored as ``raw`` (the JSON the aggregator wrote).

    Raises:
        SnapshotVersionError: the document is of another schema version.
        SnapshotError: not a JSON object, or without a numeric ``generated_at``.
    """
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise SnapshotError(f"snapshot is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise SnapshotError("snapshot is not a JSON object")
    version = doc.get("version")
    if type(version) is not int or version != SCHEMA_VERSION:
        raise SnapshotVersionError(version)
    generated = doc.get("generated_at")
    if isinstance(generated, bool) or not isinstance(generated, int | float):
        raise SnapshotError("snapshot without a numeric generated_at")
    # The rest is the writer's side of the contract for this version (build_snapshot).
    return cast(Snapshot, doc)
