"""Limited text controls and the too-long message in the reader's language (issue 11, point
10); the limits through the server are in ``test_text_limits.py``."""

from __future__ import annotations

import pytest
from dash import dcc

from dashboard.forms import limited, too_long_text
from qa.limits import Field, check_length


def test_the_message_and_the_counter_speak_the_readers_language() -> None:
    with pytest.raises(ValueError) as caught:
        check_length("x" * 2001, Field.DISPUTE_REASON, error=ValueError)
    assert too_long_text(caught.value, "zh") == "申诉理由长度为 2,001 个字符，最多允许 2,000 个。"
    assert too_long_text(ValueError("other"), "en") is None

    box = limited(dcc.Textarea(id="x", value="abc"), Field.COMMENT, "zh")
    assert box.children[0].maxLength == 2000
    assert box.children[1].children == "3 / 2000" and box.children[1].title == "最多 2,000 个字符"
