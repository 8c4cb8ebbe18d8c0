"""``--max-rejects``: how many rejected rows an import may have (collectors/cdr/verdict.py)."""

from __future__ import annotations

import pytest

from collectors.cdr.verdict import RejectLimit, RejectLimitError


@pytest.mark.parametrize(
    ("text", "rows", "rejected", "fails"),
    [
        ("0", 100, 0, False),
        ("0", 100, 1, True),
        ("5", 100, 5, False),
        ("5", 100, 6, True),
        ("2%", 100, 2, False),
        ("2%", 100, 3, True),
        ("2%", 49, 1, True),  # 2% of 49 rows is 0.98: no row
        ("0.5%", 1000, 5, False),
        ("100%", 10, 9, False),
    ],
)
def test_limits(text: str, rows: int, rejected: int, fails: bool) -> None:
    failure = RejectLimit.parse(text).failure(rows_read=rows, rejected=rejected)
    assert (failure is not None) is fails
    if fails:
        assert f"{rejected} of {rows} rows rejected; --max-rejects {text}" in str(failure)


def test_a_file_whose_every_row_is_rejected_always_fails() -> None:
    for text in ("0", "1000", "100%"):
        failure = RejectLimit.parse(text).failure(rows_read=84, rejected=84)
        assert failure == "every row was rejected (84 of 84): nothing was imported"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("lots", "neither"), ("-1", "neither"), ("1.5", "whole number"), ("101%", "at most 100%")],
)
def test_bad_limits(text: str, problem: str) -> None:
    with pytest.raises(RejectLimitError, match=problem):
        RejectLimit.parse(text)
