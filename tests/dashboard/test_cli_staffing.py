"""``floorboard staffing`` through click's CliRunner: output, JSON shape, exit codes, messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dashboard.cli import main

BASE = ["--calls", "100", "--interval-minutes", "30", "--aht", "180"]


def run(*args: str) -> Result:
    # A settings variable that would make load_settings() fail proves the command never reads
    # settings, i.e. needs neither Redis nor configuration.
    env = {"FLOORBOARD_ENV": "not-an-env"}
    return CliRunner().invoke(main, ["staffing", *args], env=env)


def run_json(*args: str) -> dict[str, Any]:
    result = run(*BASE, *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


@pytest.mark.parametrize("level", ["0.8", "80"])
def test_service_level_target_as_fraction_or_percent(level: str) -> None:
    data = run_json("--target-sl", level, "--target-time", "20", "--shrinkage", "0.3")
    assert data["target"] == "service_level"
    assert data["target_sl"] == pytest.approx(0.8)
    assert data["traffic_erlangs"] == pytest.approx(10.0)
    assert data["agents_required"] == 14
    assert data["scheduled"] == 20
    assert data["service_level"] == pytest.approx(0.888350, abs=5e-7)
    assert data["wait_probability"] == pytest.approx(0.174132, abs=5e-7)
    assert data["asa"] == pytest.approx(7.836, abs=5e-4)
    assert data["occupancy"] == pytest.approx(0.714, abs=5e-4)
    assert (data["calls"], data["interval_minutes"], data["aht"]) == (100, 30, 180)
    assert data["shrinkage"] == 0.3


def test_target_time_defaults_to_20_seconds() -> None:
    data = run_json("--target-sl", "80")
    assert data["target_time"] == 20
    assert data["agents_required"] == 14


def test_no_scheduled_without_shrinkage() -> None:
    data = run_json("--target-sl", "80")
    assert "scheduled" not in data
    assert data["shrinkage"] is None


def test_wait_probability_and_asa_targets() -> None:
    wait = run_json("--max-wait-probability", "0.2")
    asa = run_json("--max-asa", "20")
    assert (wait["target"], wait["agents_required"]) == ("wait_probability", 14)
    assert (asa["target"], asa["agents_required"]) == ("asa", 13)
    assert asa["asa"] == pytest.approx(17.116, abs=1e-3)
    assert asa["service_level"] == pytest.approx(0.7956, abs=5e-5)  # reported at the default T


def test_max_occupancy_and_fractional_calls() -> None:
    capped = run_json("--target-sl", "80", "--max-occupancy", "0.6")
    assert (capped["agents_required"], capped["limited_by"]) == (17, "occupancy")
    fractional = run(
        "--calls",
        "37.5",
        "--interval-minutes",
        "15",
        "--aht",
        "240",
        "--target-sl",
        "0.8",
        "--json",
    )
    assert fractional.exit_code == 0, fractional.output
    assert json.loads(fractional.output)["traffic_erlangs"] == pytest.approx(10.0)


def test_zero_calls_need_zero_agents() -> None:
    result = run("--calls", "0", "--interval-minutes", "15", "--aht", "180", "--max-asa", "10")
    assert result.exit_code == 0, result.output
    assert "Agents required  0" in result.output


def test_human_table() -> None:
    result = run(*BASE, "--target-sl", "80", "--shrinkage", "0.3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Agents required  14" in lines
    assert "Scheduled        20 (30.0% shrinkage)" in lines
    assert "Service level    88.8% within 20 s" in lines
    assert "ASA              7.8 s" in lines
    assert not result.output.lstrip().startswith("{")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give exactly one target"),
        (["--target-sl", "80", "--max-asa", "5"], "got --target-sl and --max-asa"),
        (["--max-wait-probability", "0.2", "--max-asa", "5"], "Give exactly one target"),
        (["--target-sl", "100"], "Invalid value for '--target-sl'"),
        (["--target-sl", "1"], "Erlang C never reaches 100 %"),
        (["--target-sl", "0"], "Invalid value for '--target-sl'"),
        (["--target-sl", "abc"], "'abc' is not a valid number"),
        (["--target-sl", "80", "--target-time", "-1"], "Invalid value for '--target-time'"),
        (["--max-wait-probability", "1.5"], "Invalid value for '--max-wait-probability'"),
        (["--max-asa", "0"], "Invalid value for '--max-asa'"),
        (["--target-sl", "80", "--shrinkage", "1"], "Invalid value for '--shrinkage'"),
        (["--target-sl", "80", "--max-occupancy", "0"], "Invalid value for '--max-occupancy'"),
    ],
)
def test_bad_targets_and_options_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = run(*BASE, *args)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calls", "-1", "--interval-minutes", "30", "--aht", "180"], "'--calls'"),
        (["--calls", "nan", "--interval-minutes", "30", "--aht", "180"], "not a finite number"),
        (["--calls", "10", "--interval-minutes", "0", "--aht", "180"], "'--interval-minutes'"),
        (["--calls", "10", "--interval-minutes", "30", "--aht", "inf"], "not a finite number"),
        (["--interval-minutes", "30", "--aht", "180"], "Missing option '--calls'"),
    ],
)
def test_bad_volume_inputs_exit_2_naming_the_option(args: list[str], message: str) -> None:
    result = run(*args, "--target-sl", "80")
    assert result.exit_code == 2
    assert message in result.output
