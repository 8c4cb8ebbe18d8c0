"""`floorboard report` over the hand-written golden queue_log files (tests/data/queue_log).

Expected figures are worked out by hand from the call tables in that folder's README.md,
following SPEC §3 (T = 20 s, short abandon < 5 s).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dashboard.cli import main

GOLDEN = Path(__file__).parents[1] / "data" / "queue_log"


def report(*args: str) -> tuple[list[dict[str, Any]], str]:
    runner = CliRunner()
    result = runner.invoke(main, ["report", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def pick(records: list[dict[str, Any]], queue: str, start: str) -> dict[str, Any]:
    return next(r for r in records if r["queue"] == queue and r["interval_start"].startswith(start))


def test_morning_two_queues_day_totals() -> None:
    records, _ = report(str(GOLDEN / "morning_two_queues.log"), "--interval", "day")
    support = pick(records, "support", "2024-03-11")
    assert (support["offered"], support["answered"], support["answered_within_t"]) == (24, 17, 14)
    assert (support["abandoned"], support["abandoned_after_t"], support["short_abandoned"]) == (
        2,
        1,
        2,
    )
    assert (
        support["exited"],
        support["exited_timeout"],
        support["exited_key"],
        support["exited_empty"],
    ) == (3, 1, 1, 1)
    assert support["service_level"] == pytest.approx(14 / 18)
    assert support["answer_rate"] == pytest.approx(17 / 22)
    assert support["abandon_rate"] == pytest.approx(2 / 19)
    assert support["asa"] == pytest.approx(383 / 17)
    assert (support["handled"], support["transferred"]) == (17, 5)
    assert support["aht"] == pytest.approx(5378 / 17)
    assert support["aht_parts"] == ["talk"]  # queue_log has neither hold nor wrap-up
    assert (support["survey_answers"], support["survey_satisfied"]) == (4, 2)  # 5, 4, 2, 3
    assert support["csat"] == pytest.approx(0.5)

    sales = pick(records, "sales", "2024-03-11")
    assert (sales["offered"], sales["answered"], sales["answered_within_t"]) == (14, 11, 8)
    assert (sales["abandoned"], sales["short_abandoned"], sales["exited_timeout"]) == (1, 1, 1)
    assert sales["service_level"] == pytest.approx(8 / 12)
    assert sales["answer_rate"] == pytest.approx(11 / 13)
    assert sales["asa"] == pytest.approx(243 / 11)
    assert sales["aht"] == pytest.approx(4697 / 11)

    center = pick(records, "*", "2024-03-11")
    assert center["offered"] == 38 and center["answered"] == 28
    assert center["service_level"] == pytest.approx((14 + 8) / (18 + 12))
    # Offered calls are all accounted for: answered + abandoned + short + exited.
    assert (
        center["answered"] + center["abandoned"] + center["short_abandoned"] + center["exited"]
        == 38
    )
    assert center["occupancy"] is not None and 0 < center["occupancy"] < 1


def test_intervals_count_offered_at_enqueue() -> None:
    records, _ = report(str(GOLDEN / "morning_two_queues.log"))
    first = pick(records, "support", "2024-03-11T08:00")
    # enqueues at 08:02:10, 08:04:00, 08:06:30, 08:08:00, 08:10:00
    assert first["offered"] == 5
    # 08:30–08:45: eight enqueues 08:40:00–08:43:10; four of them connect before 08:45; the
    # 100 s abandon (08:43:40) and the key exit (08:43:55) end in it too.
    rush = pick(records, "support", "2024-03-11T08:30")
    assert (rush["offered"], rush["answered"], rush["abandoned"], rush["exited_key"]) == (
        8,
        4,
        1,
        1,
    )
    # 08:45–09:00: one enqueue (08:47:40); the 218 s wait connects at 08:46:08 and the new
    # call at 08:47:45; the 240 s timeout exits at 08:47:00.
    later = pick(records, "support", "2024-03-11T08:45")
    assert (later["offered"], later["answered"], later["exited_timeout"]) == (1, 2, 1)
    assert later["answered_within_t"] == 1 and later["max_wait_answered"] == 218


def test_midnight_crossing() -> None:
    records, _ = report(str(GOLDEN / "midnight.log"), "--interval", "day")
    first, second = pick(records, "support", "2024-03-11"), pick(records, "support", "2024-03-12")
    assert (first["offered"], first["answered"], first["handled"]) == (4, 2, 1)
    assert first["talk_ms"] == 46_000
    assert (second["offered"], second["answered"], second["abandoned"]) == (4, 3, 1)
    assert (second["short_abandoned"], second["exited_key"], second["handled"]) == (1, 1, 4)
    assert second["talk_ms"] == (444 + 348 + 355 + 146) * 1000
    assert second["service_level"] == pytest.approx(2 / 4)
    assert second["answer_rate"] == pytest.approx(3 / 5)


def test_malformed_lines_are_rejected_and_reported_and_good_ones_counted() -> None:
    records, stderr = report(str(GOLDEN / "malformed.log"), "--interval", "day")
    day = pick(records, "support", "2024-03-12")
    assert (day["offered"], day["answered"], day["abandoned"]) == (3, 2, 1)
    assert day["service_level"] == pytest.approx(2 / 3)
    assert "11 input lines rejected" in stderr
    for reason in (
        "unknown event",
        "too few fields",
        "bad epoch",
        "bad number",
        "undecodable bytes",
    ):
        assert reason in stderr
    assert "malformed.log:6: unknown event: 'John' is not an event verb" in stderr


def test_the_same_file_twice_counts_once() -> None:
    once, _ = report(str(GOLDEN / "morning_two_queues.log"), "--interval", "day")
    twice, stderr = report(
        str(GOLDEN / "morning_two_queues.log"), str(GOLDEN / "morning_two_queues.log"),
        "--interval", "day",
    )  # fmt: skip
    assert twice == once
    assert "162 duplicates dropped" in stderr


def test_options_change_the_rules() -> None:
    records, _ = report(
        str(GOLDEN / "morning_two_queues.log"), "--interval", "day", "--sl-threshold", "10",
        "--short-abandon", "2", "--queue", "support", "--timezone", "Asia/Shanghai",
    )  # fmt: skip
    assert {r["queue"] for r in records} == {"support", "*"}
    support = pick(records, "support", "2024-03-11")
    assert support["interval_start"] == "2024-03-11T00:00:00+08:00"
    # within 10 s: waits 4 4 5 5 6 6 7 8 8 9 10 → 11
    assert support["answered_within_t"] == 11
    # short now < 2 s: none; the 3 s and 2 s abandons become abandons within T
    assert (support["short_abandoned"], support["abandoned"]) == (0, 4)


def test_unreadable_input_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path / "missing.log"), "--json"])
    assert result.exit_code != 0
    assert "missing.log" in result.output and "no such file" in result.output
