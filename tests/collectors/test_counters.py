"""The aggregator's in-memory mirror of the Redis counters: what it keeps, and what it writes."""

from __future__ import annotations

from collectors.aggregator.counters import Mirror
from collectors.keys import Keys


def _mirror_with_hours(hours: range) -> Mirror:
    mirror = Mirror(Keys(prefix="t"), keep_minutes=120)
    for hour in hours:
        for minute in (hour * 60, hour * 60 + 59):
            mirror.minutes[(minute, "sales", "offered")] = 1
        mirror.known_hours.add(hour)
    return mirror


def test_pruning_keeps_the_hours_either_clock_needs_and_whole_hours_only() -> None:
    mirror = _mirror_with_hours(range(11))
    # Events reached 10:30; the wall clock says 02:10 (a source ahead of this machine).
    mirror.prune_minutes(newest_minute=10 * 60 + 30, now_minute=2 * 60 + 10)
    kept = sorted({minute // 60 for minute, _, _ in mirror.minutes})
    assert kept == [0, 1, 2, 8, 9, 10]
    assert mirror.known_hours == {0, 1, 2, 8, 9, 10}
    assert len(mirror.minutes) == 2 * len(kept)  # never half an hour


def test_a_backfill_far_behind_the_wall_clock_keeps_its_own_recent_hours() -> None:
    mirror = _mirror_with_hours(range(48))
    mirror.prune_minutes(newest_minute=47 * 60 + 5, now_minute=10_000 * 60)
    assert mirror.known_hours == {45, 46, 47}


def test_pruning_scans_only_when_the_event_clock_passes_an_hour() -> None:
    mirror = _mirror_with_hours(range(6))
    mirror.prune_minutes(newest_minute=5 * 60, now_minute=5 * 60)
    assert mirror.known_hours == {3, 4, 5}
    mirror.minutes[(60, "sales", "offered")] = 1  # a late count for an old hour
    mirror.prune_minutes(newest_minute=5 * 60 + 59, now_minute=5 * 60 + 59)
    assert (60, "sales", "offered") in mirror.minutes
    mirror.prune_minutes(newest_minute=6 * 60, now_minute=6 * 60)
    assert (60, "sales", "offered") not in mirror.minutes
