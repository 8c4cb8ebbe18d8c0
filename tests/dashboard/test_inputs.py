"""The shape checks callbacks apply to their inputs (issue 11, point 8); the requests of the
outside review are in ``test_bad_input.py``."""

from __future__ import annotations

import pytest

from dashboard import inputs

TOO_BIG = 2**63


def test_input_helpers_name_the_input() -> None:
    with pytest.raises(inputs.BadInput, match="boards must be a list of text values"):
        inputs.texts([{}], "boards")
    with pytest.raises(inputs.BadInput, match="entry must be between 1 and"):
        inputs.record_id(TOO_BIG, "entry")
    with pytest.raises(inputs.BadInput, match="height must be a finite number"):
        inputs.number(float("nan"), "height")
    assert inputs.record_id("42", "entry") == 42
    assert inputs.texts(None, "boards") == []
    assert inputs.choice(None, "level", ("info", "alert"), default="info") == "info"
