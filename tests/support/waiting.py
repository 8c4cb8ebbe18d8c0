"""Waiting on a state, never on the clock: poll a condition until it holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

T = TypeVar("T")

#: A browser page re-rendered between finding an element and reading it: try again.
RETRIED = (StaleElementReferenceException, WebDriverException)


def wait_for(
    condition: Callable[[], T],
    what: str = "a condition",
    timeout: float = 30.0,
    *,
    poll: float = 0.2,
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that.

    Args:
        condition: what to wait for; a browser exception in it (a re-rendered element) counts
            as "not yet".
        what: named in the failure.
        timeout: seconds before failing: a safety net for a slow machine, not a timing
            requirement.
        poll: seconds between two looks.
    """
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value: T | None = condition()
        except RETRIED as exc:
            last, value = exc, None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}") from last
        time.sleep(poll)
