"""A simulated call center: canonical events for demos, load tests and history backfills.

:func:`generate` yields the events of a center (see :func:`default_center`) from a start time,
deterministically for a seed; :func:`run` paces them in real or accelerated time into a sink
(``EventProducer.publish``, or a :class:`QueueLogFileSink` for a live queue_log file).
"""

from __future__ import annotations

from collectors.simulator.center import default_center
from collectors.simulator.engine import generate
from collectors.simulator.kernel import run_id_for
from collectors.simulator.model import (
    AgentConfig,
    CenterConfig,
    PauseConfig,
    QueueConfig,
    ShiftConfig,
)
from collectors.simulator.queue_log_writer import QueueLogFileSink, QueueLogWriter
from collectors.simulator.runner import RunStats, run

__all__ = [
    "AgentConfig",
    "CenterConfig",
    "PauseConfig",
    "QueueConfig",
    "QueueLogFileSink",
    "QueueLogWriter",
    "RunStats",
    "ShiftConfig",
    "default_center",
    "generate",
    "run",
    "run_id_for",
]
