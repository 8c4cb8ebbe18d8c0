"""The counting helpers the engine's rules share: milliseconds, and the plain kind constants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.aggregator import call_rules
from collectors.aggregator.counting import to_ms
from collectors.events import Kind


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_to_ms_rounds_exactly_as_round_does(seconds: float) -> None:
    assert to_ms(seconds) == round(seconds * 1000)


@pytest.mark.parametrize("ms", [0.5, 1.5, 2.5, -0.5, -1.5, 12.5, 4_000_000.5, 0.4999999999999999])
def test_to_ms_sends_ties_to_the_even_millisecond(ms: float) -> None:
    assert to_ms(ms / 1000) == round(ms / 1000 * 1000)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_to_ms_of_half_milliseconds(half_ms: int) -> None:
    seconds = half_ms / 2000
    assert to_ms(seconds) == round(seconds * 1000)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_to_ms_refuses_what_round_refuses(bad: float) -> None:
    with pytest.raises((ValueError, OverflowError)):
        to_ms(bad)


def test_the_plain_kind_constants_are_the_kinds() -> None:
    assert Kind.TRANSFER.value == call_rules.TRANSFER
    assert Kind.ABANDON.value == call_rules.ABANDON
