"""The shapes of callback inputs, checked.

A callback's inputs arrive as JSON from the browser and a crafted request may send any JSON
value for any of them: a list where a board name belongs, a dict for a date, 2**70 for an id.
Callbacks turn each input into the shape they need with these helpers, which raise
:class:`BadInput` naming the input; :func:`dashboard.auth.guard.callback` answers ``BadInput``
with 400 and its message (and nothing else: a real bug still shows as one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from core.db import MAX_ID


class BadInput(ValueError):
    """A callback input of the wrong shape; the message names the input."""


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else type(value).__name__


def text(value: Any, name: str) -> str:
    """A text input: ``None`` is empty; anything but a string is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"{name} must be text, not {_kind(value)}")
    return value


def optional_text(value: Any, name: str) -> str | None:
    """A text input that may be absent (``None`` stays ``None``)."""
    return None if value is None else text(value, name)


def texts(value: Any, name: str) -> list[str]:
    """A multi-choice input (a list of strings); ``None`` is no choice."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"{name} must be a list of text values")
    return list(value)


def number(value: Any, name: str) -> float | None:
    """A finite number (``None`` when empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{name} must be a number, not {_kind(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadInput(f"{name} must be a finite number")
    return value


def integer(value: Any, name: str, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number within ``[low, high]`` (``None`` when empty); text digits are accepted."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be a whole number, not {_kind(value)}")
    if not low <= value <= high:
        raise BadInput(f"{name} must be between {low} and {high}")
    return value


def record_id(value: Any, name: str) -> int | None:
    """An id of a stored row (1..2**63-1), or ``None`` when absent."""
    return integer(value, name, low=1)


def choice(value: Any, name: str, options: Iterable[str], default: str | None = None) -> str:
    """One of ``options`` (``default`` when empty)."""
    allowed = tuple(options)
    if (value is None or value == "") and default is not None:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise BadInput(f"{name} must be one of {', '.join(allowed)}")
    return value


def mapping(value: Any, name: str) -> dict[str, Any]:
    """A JSON object (``None`` is empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInput(f"{name} must be an object, not {_kind(value)}")
    return value
