"""Threshold levels: strict comparisons, alert before warn, no value → no colour."""

from __future__ import annotations

import pytest

from dashboard.boards.thresholds import Thresholds, worst


def test_above_is_strictly_greater() -> None:
    limits = Thresholds(warn=4, alert=9, direction="above")
    assert [limits.level(v) for v in (0, 4, 5, 9, 10)] == ["ok", "ok", "warn", "warn", "alert"]


def test_below_is_strictly_less() -> None:
    limits = Thresholds(warn=0.8, alert=0.7, direction="below")
    assert [limits.level(v) for v in (0.9, 0.8, 0.79, 0.7, 0.69)] == [
        "ok",
        "ok",
        "warn",
        "warn",
        "alert",
    ]


def test_missing_value_and_missing_limits() -> None:
    assert Thresholds(warn=1, alert=2).level(None) == "none"
    assert Thresholds(warn=None, alert=5).level(3) == "ok"
    assert Thresholds(warn=None, alert=5).level(6) == "alert"
    assert Thresholds().level(10**9) == "ok"


@pytest.mark.parametrize(("warn", "alert", "direction"), [(5, 3, "above"), (0.7, 0.8, "below")])
def test_inverted_limits_are_refused(warn: float, alert: float, direction: str) -> None:
    with pytest.raises(ValueError, match="alert"):
        Thresholds(warn=warn, alert=alert, direction=direction)


def test_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="direction"):
        Thresholds(warn=1, direction="sideways")


def test_worst_level_of_a_board() -> None:
    assert worst(["ok", "warn", "none"]) == "warn"
    assert worst(["ok", "alert", "warn"]) == "alert"
    assert worst([]) == "none"
