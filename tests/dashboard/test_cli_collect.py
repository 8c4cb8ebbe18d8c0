"""``floorboard collect queue-log``: one-off runs, resume, --from-start, --follow, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.queue_log.decoder import parse_file
from collectors.queue_log.parser import default_source
from collectors.redis_server import EmbeddedRedis
from dashboard.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(redis_server: EmbeddedRedis, keys: Keys, tmp_path: Path) -> dict[str, str]:
    return {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_CENTER": keys.center,
        "FLOORBOARD_DATA_DIR": str(tmp_path / "data"),
        "FLOORBOARD_CONFIG": "",
    }


def invoke(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["collect", "queue-log", *args], env=env)


def stream(client: redis.Redis, keys: Keys) -> list[Event]:
    return [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]


def enqueue_lines(first: int, count: int) -> str:
    return "".join(
        f"{1710144000 + i}|{1710144000 + i}.{i}|support|NONE|ENTERQUEUE||555{i:04d}|1\n"
        for i in range(first, first + count)
    )


def test_collects_a_file_and_reports_rejects_by_reason(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = data_dir / "queue_log" / "malformed.log"
    result = invoke(env, str(path))
    assert result.exit_code == 0, result.output
    assert f"{path}: 28 lines, 15 events, 11 rejects" in result.output
    assert "rejected, bad number: 4" in result.output
    assert "rejected, undecodable bytes: 1" in result.output
    expected, _ = parse_file(path)
    assert stream(redis_client, keys) == expected
    assert redis_client.xlen(keys.dead_letter) == 11
    assert redis_client.hget(keys.offsets, default_source(path)) is not None


def test_custom_events_are_reported_once_as_ignored_not_as_rejects(
    env: dict[str, str], data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = data_dir / "queue_log" / "site_events.log"
    result = invoke(env, str(path), "--survey", "SURVEY:1", "--survey", "CSAT:1")
    assert result.exit_code == 0, result.output
    assert f"{path}: 20 lines, 10 events, 3 rejects" in result.output
    assert result.output.count("ignored: 7 lines of custom events (RINGING \u00d73, ") == 1
    assert "POSTCALLSURVEY \u00d71" in result.output
    assert "rejected, score out of range: 1" in result.output
    assert redis_client.xlen(keys.dead_letter) == 3
    bad = invoke(env, str(path), "--survey-scale", "5-1")
    assert bad.exit_code == 2 and "is not LOW-HIGH" in bad.output


def test_a_rerun_resumes_and_from_start_reads_again(
    env: dict[str, str], tmp_path: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = tmp_path / "queue_log"
    path.write_text(enqueue_lines(0, 5))
    assert invoke(env, str(path)).exit_code == 0
    with path.open("a") as out:
        out.write(enqueue_lines(5, 2) + "1710144999|c|q|")  # ends mid-line
    again = invoke(env, str(path), "--batch-lines", "1")
    assert again.exit_code == 0, again.output
    assert "7 lines" not in again.output and ": 2 lines, 2 events, 0 rejects" in again.output
    assert "last line incomplete (15 bytes" in again.output
    assert len(stream(redis_client, keys)) == 7
    full = invoke(env, str(path), "--from-start")
    assert ": 7 lines, 7 events" in full.output
    assert len(stream(redis_client, keys)) == 14  # same ids again: the aggregator drops them


def test_a_missing_file_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    result = invoke(env, str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert f"queue_log file not found: {tmp_path / 'nope'}" in result.output


def test_a_directory_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    result = invoke(env, str(tmp_path))
    assert result.exit_code == 1
    assert "is a directory, not a queue_log file" in result.output


def test_bad_options_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    result = invoke(env, str(tmp_path / "q"), "--batch-lines", "0")
    assert result.exit_code == 2
    assert "--batch-lines" in result.output


def test_follow_runs_until_sigterm_and_reports(
    env: dict[str, str], tmp_path: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = tmp_path / "queue_log"  # created only after the follower started
    command = [sys.executable, "-c", "from dashboard.cli import main; main()"]
    args = ["collect", "queue-log", str(path), "--follow", "--poll-interval", "0.05"]
    proc = subprocess.Popen(
        command + args,
        env={**os.environ, **env},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.5)
        assert proc.poll() is None
        path.write_text(enqueue_lines(0, 3))
        deadline = time.monotonic() + 15
        while len(stream(redis_client, keys)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(stream(redis_client, keys)) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert f"{path}: 3 lines, 3 events, 0 rejects" in out
    assert "following" in err
