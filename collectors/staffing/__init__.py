"""Staffing maths (docs/METRICS.md#erlang-c): Erlang C agents required for a service target."""

from __future__ import annotations

from collectors.staffing.erlang import (
    agents_required,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    evaluate,
    occupancy,
    scheduled_agents,
    service_level,
    staff,
    traffic_erlangs,
)
from collectors.staffing.schemas import (
    AsaTarget,
    ServiceLevelTarget,
    StaffingLevel,
    StaffingResult,
    Target,
    WaitProbabilityTarget,
)

__all__ = [
    "AsaTarget",
    "ServiceLevelTarget",
    "StaffingLevel",
    "StaffingResult",
    "Target",
    "WaitProbabilityTarget",
    "agents_required",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "occupancy",
    "scheduled_agents",
    "service_level",
    "staff",
    "traffic_erlangs",
]
