"""Both languages have every message; numbers and times are formatted for the locale."""

from __future__ import annotations

from datetime import datetime

from dashboard.boards.metrics import CATALOGUE
from dashboard.i18n import (
    EN,
    ZH,
    fmt_date,
    fmt_duration,
    fmt_int,
    fmt_percent,
    fmt_value,
    t,
)
from dashboard.i18n_catalogue import AREAS


def test_both_catalogues_have_the_same_keys() -> None:
    assert set(EN) == set(ZH)
    assert all(ZH[k].strip() for k in ZH)


def test_every_key_belongs_to_exactly_one_area() -> None:
    # The merge would silently let a later area override an earlier one's text.
    assert sum(len(area.EN) for area in AREAS) == len(EN)
    for area in AREAS:
        assert set(area.EN) == set(area.ZH), area.__name__


def test_every_metric_and_state_has_a_label_in_both_languages() -> None:
    for name in CATALOGUE:
        assert f"m.{name}" in EN and f"m.{name}" in ZH
    for state in ("available", "ringing", "on_call", "wrap_up", "paused", "logged_off"):
        assert t(f"state.{state}", "zh") != t(f"state.{state}", "en")


def test_lookup_fallbacks_and_placeholders() -> None:
    assert t("board.not_found", "zh", name="x") == "没有名为“x”的大屏。"
    assert t("no.such.key", "zh") == "no.such.key"
    assert t("m.answer_rate", "fr") == "Answer rate"


def test_number_formats() -> None:
    assert fmt_int(12345.4) == "12,345"
    assert fmt_percent(0.853) == "85%"
    assert fmt_percent(None) == "—"
    assert fmt_duration(65) == "1:05"
    assert fmt_duration(3725) == "1:02:05"
    assert fmt_value(0.5, "percent") == "50%"
    assert fmt_value(None, "duration") == "—"


def test_dates_per_locale() -> None:
    day = datetime(2026, 11, 25, 14, 3)
    assert fmt_date(day, "en") == "Wed 25 Nov 2026"
    assert fmt_date(day, "zh") == "2026年11月25日 星期三"
