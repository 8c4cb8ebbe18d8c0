"""The callback envelope the guard checks before Dash reads a request (issue 11, point 8)."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.auth.shapes import check_callback_body


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "must be an object naming its output"),
        ({"output": "x", "outputs": {}, "inputs": {}}, "inputs must be a list"),
        ({"output": "x", "outputs": {}, "inputs": [{"id": "b", "property": "n_clicks",
                                                     "value": -1}]}, "b: n_clicks must be a count"),
        ({"output": "x", "outputs": {}, "inputs": [{"id": "u", "property": "contents",
                                                     "value": ["a"]}]}, "contents must be text"),
        ({"output": "x", "outputs": {}, "inputs": [], "changedPropIds": [1]}, "changedPropIds"),
    ],
)  # fmt: skip
def test_the_callback_envelope_is_checked(body: Any, problem: str) -> None:
    assert problem in (check_callback_body(body) or "")
