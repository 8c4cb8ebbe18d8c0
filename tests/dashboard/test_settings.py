"""The settings file (``FLOORBOARD_CONFIG``, dashboard/settings.py): read through the one YAML
loader, per-queue settings checked by type, and every refusal a message with a non-zero exit
from the command line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from yaml_bombs import BOMB

from dashboard.cli import main
from dashboard.settings import SettingsError, load_settings

GOLDEN = Path(__file__).parents[1] / "data" / "queue_log" / "morning_two_queues.log"


def config(tmp_path: Path, text: str | bytes) -> dict[str, str]:
    path = tmp_path / "floorboard.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return {"FLOORBOARD_CONFIG": str(path), "FLOORBOARD_ENV": "test"}


def report(env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, ["report", str(GOLDEN), "--json"], env=env)


def refused(result: Result) -> str:
    """The command failed with a message (click's exit 1), not with an exception."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


def test_an_alias_bomb_in_the_settings_file_is_refused(tmp_path: Path) -> None:
    env = config(tmp_path, BOMB)
    with pytest.raises(SettingsError, match=r"floorboard\.yaml:\d+: aliases .* expand"):
        load_settings(env)
    assert "expand to more than" in refused(report(env))


def test_an_oversized_settings_file_is_refused(tmp_path: Path) -> None:
    env = config(tmp_path, "center: main\n# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(SettingsError, match=r"floorboard\.yaml: the file is larger than"):
        load_settings(env)


def test_a_settings_file_that_is_not_utf8_is_a_message(tmp_path: Path) -> None:
    env = config(tmp_path, "center: main\nqueues:\n  售后: {name: 售后}\n".encode("gbk"))
    with pytest.raises(SettingsError, match=r"floorboard\.yaml:3: not UTF-8 text"):
        load_settings(env)
    assert "not UTF-8 text" in refused(report(env))


@pytest.mark.parametrize(
    ("queue", "message"),
    [
        ("{sl_threshold: abc}", "queues.support.sl_threshold must be a number of seconds > 0"),
        ("{sl_threshold: -5}", "queues.support.sl_threshold must be a number of seconds > 0"),
        ("{sl_threshold: .nan}", "queues.support.sl_threshold must be a number of seconds > 0"),
        ("{sl_threshold: true}", "queues.support.sl_threshold must be a number of seconds > 0"),
        ("{sl_target: 80}", "queues.support.sl_target must be a fraction between 0 and 1"),
        ("{sl_target: [0.8]}", "queues.support.sl_target must be a fraction between 0 and 1"),
        ("{name: [a, b]}", "queues.support.name must be text"),
        ("5", "queues.support must be a mapping"),
    ],
)
def test_per_queue_settings_are_checked_by_type(tmp_path: Path, queue: str, message: str) -> None:
    env = config(tmp_path, f"queues:\n  support: {queue}\n")
    with pytest.raises(SettingsError, match=message):
        load_settings(env)
    assert message in refused(report(env))


def test_good_per_queue_settings_are_numbers(tmp_path: Path) -> None:
    text = "queues:\n  support: {sl_threshold: 30, sl_target: 0.9, name: Support}\n  sales:\n"
    settings = load_settings(config(tmp_path, text))
    assert settings.queues["support"].sl_threshold == 30.0
    assert settings.sl_threshold_for("support") == 30.0
    assert settings.sl_threshold_for("sales") == settings.sl_threshold
