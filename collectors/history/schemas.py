"""Typed inputs and outputs of the call history service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CallFilter:
    """Which calls to list: a time window on ``enqueued_at`` plus optional criteria."""

    start: datetime
    end: datetime
    queues: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    min_talk: float | None = None
    limit: int | None = None
