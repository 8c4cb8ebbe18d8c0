"""The snapshot's rolling windows: the last 15, 30 and 60 minutes by the wall clock."""

from __future__ import annotations

from typing import Any

from collectors.aggregator.counters import Mirror
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.snapshot import build_snapshot
from collectors.events import Event, Kind
from collectors.keys import Keys

NOW = 1_767_225_600.0 + 5 * 3600 + 30  # 05:00:30 UTC


def _snapshot_after(answers: list[tuple[float, str, float]]) -> dict[str, Any]:
    """Calls answered ``age`` minutes before NOW in ``queue`` after ``wait`` seconds."""
    engine, mirror = Engine(AggregatorConfig()), Mirror(Keys(prefix="t"))
    for i, (age, queue, wait) in enumerate(answers):
        ts = NOW - age * 60
        engine.apply(Event(Kind.ENQUEUE, ts - wait, "t", f"e{i}", call_id=f"c{i}", queue=queue))
        engine.apply(Event(Kind.ANSWER, ts, "t", f"a{i}", call_id=f"c{i}", queue=queue, wait=wait))
    changes = engine.take_changes()
    mirror.apply(changes.qdelta, changes.adelta, changes.mdelta)
    return build_snapshot(engine=engine, mirror=mirror, now=NOW, stats={}, center="c")


def _answered(doc: dict[str, Any], queue: str) -> dict[str, int]:
    rolling = doc["queues"][queue]["rolling"]
    return {span: rolling[span]["answered"] for span in ("15m", "30m", "60m")}


def test_each_window_holds_the_minutes_up_to_now_and_not_its_first_minute() -> None:
    # Ages in minutes: the current minute counts; a window of 15 holds ages 0..14.
    doc = _snapshot_after([(0, "sales", 1), (14, "sales", 1), (15, "sales", 1),
                           (29, "sales", 1), (59, "support", 1), (60, "support", 1),
                           (-3, "sales", 1)])  # fmt: skip
    assert _answered(doc, "sales") == {"15m": 2, "30m": 4, "60m": 4}
    assert _answered(doc, "support") == {"15m": 0, "30m": 0, "60m": 1}
    assert _answered(doc, "*") == {"15m": 2, "30m": 4, "60m": 5}


def test_windows_sum_counts_and_keep_the_longest_wait_as_a_maximum() -> None:
    doc = _snapshot_after([(1, "sales", 10), (20, "sales", 40), (2, "support", 30)])
    fifteen = doc["queues"]["*"]["rolling"]["15m"]
    assert fifteen["answered"] == 2
    assert fifteen["asa"] == 20.0  # (10 + 30) / 2
    assert fifteen["max_wait_answered"] == 30.0
    assert doc["queues"]["*"]["rolling"]["30m"]["max_wait_answered"] == 40.0


def test_minutes_held_for_a_backfill_far_from_now_stay_out_of_the_windows() -> None:
    doc = _snapshot_after([(24 * 60, "sales", 1), (-24 * 60, "sales", 1)])
    assert _answered(doc, "*") == {"15m": 0, "30m": 0, "60m": 0}
