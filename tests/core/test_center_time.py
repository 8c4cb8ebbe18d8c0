"""The one formatter of user-facing times (:mod:`core.center_time`): the center's zone,
labelled, across DST changes (issue 11.18)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core.center_time import center_date, center_time, to_center


def test_a_stored_utc_time_shows_in_the_center_zone_with_its_label() -> None:
    saved = datetime(2026, 12, 7, 10, 42, 45)  # naive UTC, as the tables store it
    assert center_time(saved, "Asia/Shanghai", style="time") == "18:42:45 CST"
    assert center_time(saved, "Asia/Shanghai") == "2026-12-07 18:42 CST"
    assert center_time(saved, "Asia/Shanghai", style="seconds") == "2026-12-07 18:42:45 CST"
    assert center_time(saved, "Asia/Shanghai", style="minute", label=False) == "18:42"
    assert center_time(saved, "UTC", style="minute") == "10:42 UTC"


def test_aware_times_and_epoch_seconds_are_converted_too() -> None:
    aware = datetime(2026, 12, 7, 11, 42, 45, tzinfo=timezone(timedelta(hours=1)))
    assert center_time(aware, "Asia/Shanghai", style="time") == "18:42:45 CST"
    epoch = datetime(2026, 12, 7, 10, 42, 45, tzinfo=UTC).timestamp()
    assert center_time(epoch, "Europe/Berlin", style="time") == "11:42:45 CET"


def test_the_two_half_past_ones_of_a_dst_fall_back_are_told_apart() -> None:
    # New York, 1 Nov 2026: 01:00-02:00 happens twice (EDT, then EST).
    first = center_time(datetime(2026, 11, 1, 5, 30), "America/New_York", style="minute")
    second = center_time(datetime(2026, 11, 1, 6, 30), "America/New_York", style="minute")
    assert (first, second) == ("01:30 EDT", "01:30 EST")


def test_the_spring_forward_gap_is_never_shown() -> None:
    # Berlin, 29 Mar 2026: 02:00 jumps to 03:00 CEST; one UTC minute apart across the gap.
    before = center_time(datetime(2026, 3, 29, 0, 59), "Europe/Berlin", style="minute")
    after = center_time(datetime(2026, 3, 29, 1, 0), "Europe/Berlin", style="minute")
    assert (before, after) == ("01:59 CET", "03:00 CEST")


def test_zones_without_an_abbreviation_show_their_offset() -> None:
    moment = datetime(2026, 12, 7, 10, 0)
    assert center_time(moment, "Asia/Dubai", style="minute") == "14:00 UTC+04"
    assert center_time(moment, "Asia/Kathmandu", style="minute") == "15:45 UTC+05:45"


def test_dates_are_the_center_day_and_unlabelled() -> None:
    late = datetime(2026, 12, 7, 20, 0)  # already the 8th in Shanghai
    assert center_time(late, "Asia/Shanghai", style="date") == "2026-12-08"
    assert center_date(late, "Asia/Shanghai").isoformat() == "2026-12-08"
    assert to_center(late, "Asia/Shanghai").utcoffset() == timedelta(hours=8)


def test_nothing_shows_a_dash() -> None:
    assert center_time(None, "Asia/Shanghai") == "—"
