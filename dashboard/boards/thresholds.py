"""Threshold colours: a value is ``ok``, ``warn`` or ``alert`` (or ``none`` without a value).

``above``: the level is reached when the value is strictly greater than the threshold (calls
waiting ``warn: 4`` warns from 5 calls). ``below``: strictly less (service level ``warn: 0.8``
warns under 80 %, not at 80 %). Alert wins over warn.
"""

from __future__ import annotations

from dataclasses import dataclass

OK, WARN, ALERT, NONE = "ok", "warn", "alert", "none"
DIRECTIONS = ("above", "below")
_RANK = {NONE: 0, OK: 1, WARN: 2, ALERT: 3}


@dataclass(frozen=True)
class Thresholds:
    """Warn and alert limits of one figure.

    Args:
        warn: the warning limit (amber), or ``None``.
        alert: the alert limit (red), or ``None``.
        direction: ``above`` (high is bad) or ``below`` (low is bad).
    """

    warn: float | None = None
    alert: float | None = None
    direction: str = "above"

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'above' or 'below', not {self.direction!r}")
        if self.warn is not None and self.alert is not None:
            inverted = (
                self.alert < self.warn if self.direction == "above" else self.alert > self.warn
            )
            if inverted:
                word = "at or above" if self.direction == "above" else "at or below"
                raise ValueError(
                    f"alert ({self.alert}) must be {word} warn ({self.warn}) "
                    f"for direction '{self.direction}'"
                )

    def level(self, value: float | None) -> str:
        """The colour level of ``value``."""
        if value is None:
            return NONE
        if self._past(value, self.alert):
            return ALERT
        if self._past(value, self.warn):
            return WARN
        return OK

    def _past(self, value: float, limit: float | None) -> bool:
        if limit is None:
            return False
        return value > limit if self.direction == "above" else value < limit


NO_THRESHOLDS = Thresholds()


def worst(levels: list[str]) -> str:
    """The most severe of several levels (a board's alert state)."""
    return max(levels, key=_RANK.__getitem__, default=NONE)
