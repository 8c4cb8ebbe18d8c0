"""Figures per tile scope, from a snapshot the real aggregator wrote."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.boards import scope
from dashboard.boards.agents import grid_shape, visible_agents
from dashboard.boards.staffing import estimate
from dashboard.boards.tiles_schema import Tile


def test_center_and_single_queue_come_straight_from_the_snapshot(
    snapshot: dict[str, Any],
) -> None:
    center = scope.figures(snapshot, None)
    assert center["now"]["calls_waiting"] == 1
    assert center["now"]["agents_on_call"] == 1
    assert center["now"]["agents_paused"] == 1
    assert center["today"]["offered"] == 4
    sales = scope.figures(snapshot, ("sales",))
    assert sales["today"]["offered"] == 3
    assert sales["today"]["service_level"] == pytest.approx(0.5)
    assert sales["today"]["asa"] == pytest.approx(5.0)
    assert scope.figures(snapshot, ("nowhere",))["today"]["offered"] == 0


def test_a_group_recomputes_rates_and_counts_each_agent_once(snapshot: dict[str, Any]) -> None:
    group = scope.figures(snapshot, ("sales", "support"))
    # Alice serves both queues: one agent, not two.
    assert group["now"]["agents_logged_in"] == 4
    assert group["now"]["agents_available"] == 2
    assert group["now"]["calls_waiting"] == 1
    today = group["today"]
    assert today["offered"] == 4 and today["answered"] == 2 and today["abandoned"] == 1
    # Answer rate from summed counters: 2 / (2 + 1), not the mean of the queues' rates.
    assert today["answer_rate"] == pytest.approx(2 / 3)
    assert group["now"]["lines_in_use"] is None


def test_agent_filter_and_grid_shape(snapshot: dict[str, Any]) -> None:
    agents = snapshot["agents"]
    assert {a["agent"] for a in visible_agents(agents, ("vip",), show_logged_off=False)} == {"Dana"}
    tile = Tile(kind="agents", index=0, line=1, w=12, h=10)
    cols, rows = grid_shape(64, tile, (12, 12))
    assert cols * rows >= 64 and cols >= 6 and rows >= 6


def test_staffing_estimate_uses_erlang_c_on_the_last_15_minutes() -> None:
    figs = {
        "now": {"agents_logged_in": 10, "agents_paused": 2},
        "15m": {"offered": 60},
        "60m": {"aht": 240.0},
        "today": {"aht": 200.0},
    }
    est = estimate(figs, interval_minutes=15, sl_target=0.8, sl_threshold=20)
    # 60 calls x 240 s / 900 s = 16 Erlangs: Erlang C needs 20 agents for 80 % in 20 s.
    assert est.calls == 60 and est.aht == 240.0
    assert est.required == 20 and est.staffed == 8 and est.short_by == 12
    quiet = estimate(
        {"now": {}, "15m": {"offered": 0}}, interval_minutes=15, sl_target=0.8, sl_threshold=20
    )
    assert quiet.required == 0
    unknown = estimate(
        {"now": {}, "15m": {"offered": 5}}, interval_minutes=15, sl_target=0.8, sl_threshold=20
    )
    assert unknown.required is None
