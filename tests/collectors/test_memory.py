"""The aggregator's timed garbage collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from collectors.aggregator.memory import GarbagePolicy, collector_thresholds


@pytest.fixture
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.enable()
    gc.set_threshold(*thresholds)


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_policy_turns_automatic_collection_off_and_collects_on_its_timer(
    restore_gc: None,
) -> None:
    now = [0.0]
    policy = GarbagePolicy(young_s=10, full_s=300, clock=lambda: now[0])
    policy.start()
    assert not gc.isenabled()
    for _ in range(1000):
        Cycle()  # garbage only a collection can free
    policy()
    assert policy.collections == 0  # not due yet
    assert gc.get_count()[0] >= 1000
    now[0] = 10.0
    policy()
    assert policy.collections == 1
    assert gc.get_count()[0] < 1000  # the young generation was collected
    now[0] = 301.0
    frozen = gc.get_freeze_count()
    policy()
    assert policy.collections == 2
    assert gc.get_freeze_count() >= frozen  # the full collection froze what survived


def test_collectors_keep_automatic_collection_but_of_far_fewer_young_objects(
    restore_gc: None,
) -> None:
    collector_thresholds(young=50_000)
    assert gc.isenabled()
    assert gc.get_threshold()[0] == 50_000
    Cycle()
    assert gc.collect() >= 1  # cycles are still found
