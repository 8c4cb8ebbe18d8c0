"""``floorboard simulate``: live and backfill runs into Redis or a queue_log file, bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from collectors.events import Event, Kind, decode_frame
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis
from dashboard.cli import main
from dashboard.cli.simulate import parse_duration


@pytest.fixture
def env(redis_server: EmbeddedRedis, keys: Keys, tmp_path: Path) -> dict[str, str]:
    return {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_CENTER": keys.center,
        "FLOORBOARD_DATA_DIR": str(tmp_path / "data"),
        "FLOORBOARD_TIMEZONE": "Asia/Shanghai",
        "FLOORBOARD_CONFIG": "",
    }


def invoke(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, ["simulate", *args], env=env, catch_exceptions=False)


def stream(client: redis.Redis, keys: Keys) -> list[Event]:
    return [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]


def test_accelerated_run_publishes_to_the_center_stream(
    env: dict[str, str], redis_client: redis.Redis, keys: Keys
) -> None:
    args = ["--seed", "3", "--start", "2024-03-04T10:00", "--duration", "30m", "--speed", "18000"]
    result = invoke(env, *args, "--status-every", "0.1")
    assert result.exit_code == 0, result.output
    events = stream(redis_client, keys)
    kinds = Counter(e.kind for e in events)
    assert kinds[Kind.LOGIN] >= 8 and kinds[Kind.ENQUEUE] > 10
    # 10:00 in the center's zone (Asia/Shanghai) is 02:00 UTC.
    assert events[0].ts == 1709517600.0
    assert max(e.ts for e in events) < 1709517600.0 + 1800
    assert len({e.source for e in events}) == 1
    source = events[0].source
    assert redis_client.hget(keys.offsets, source) is not None
    assert f"offered {kinds[Kind.ENQUEUE]}" in result.output.splitlines()[-2]
    assert "sim 2024-03-04 10:30:00 CST" in result.output
    assert result.output.strip().endswith("done")


def test_a_rerun_of_the_same_period_has_the_same_event_ids(
    env: dict[str, str], redis_client: redis.Redis, keys: Keys
) -> None:
    args = ["--start", "2024-03-04T10:00", "--duration", "10m", "--speed", "100000"]
    assert invoke(env, *args).exit_code == 0
    assert invoke(env, *args).exit_code == 0
    assert invoke(env, *args, "--seed", "2").exit_code == 0
    events = stream(redis_client, keys)
    rerun = events[0].source
    assert len({e.source for e in events}) == 2
    ids = Counter(e.event_id for e in events)
    assert all(ids[e.event_id] == (2 if e.source == rerun else 1) for e in events)


def test_queue_log_output_and_backfill(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    args = ["--emit", "queue-log", "--queue-log-file", str(path), "--agents", "10"]
    result = invoke(env, *args, "--backfill-days", "1", "--queues", "sales,support")
    assert result.exit_code == 0, result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1000
    names = Counter(line.split("|")[4] for line in lines)
    assert names["ENTERQUEUE"] > 300 and names["CONNECT"] > 300
    assert {line.split("|")[2] for line in lines} == {"sales", "support", "NONE"}
    assert "1 day(s) of backfill" in result.output


def test_backfill_covers_whole_past_days(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    args = ["--emit", "queue-log", "--queue-log-file", str(path), "--backfill-days", "2"]
    assert invoke(env, *args, "--start", "2024-03-04").exit_code == 0
    epochs = [int(line.split("|")[0]) for line in path.read_text(encoding="utf-8").splitlines()]
    start = 1709481600  # 2024-03-04 00:00 in Asia/Shanghai
    assert min(epochs) == start and max(epochs) < start + 2 * 86400
    assert max(epochs) > start + 2 * 86400 - 3600


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--duration", "soon"], "--duration"),
        (["--duration", "0m"], "--duration"),
        (["--start", "yesterday"], "--start"),
        (["--queues", "sales,,vip"], "--queues"),
        (["--queues", "sales,sales"], "--queues"),
        (["--agents", "0"], "--agents"),
        (["--speed", "0"], "--speed"),
        (["--emit", "queue-log"], "--queue-log-file"),
        (["--backfill-days", "1", "--duration", "1h"], "--backfill-days"),
        (["--emit", "kafka"], "--emit"),
    ],
)
def test_bad_input_names_the_option(env: dict[str, str], args: list[str], message: str) -> None:
    result = invoke(env, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_an_unwritable_queue_log_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "missing" / "queue_log"
    args = ["--emit", "queue-log", "--queue-log-file", str(target), "--backfill-days", "1"]
    result = invoke(env, *args)
    assert result.exit_code != 0
    assert f"cannot write {target}" in result.output


def test_durations() -> None:
    assert parse_duration("8h") == 8 * 3600
    assert parse_duration("1h30m") == 5400
    assert parse_duration("90s") == 90
    assert parse_duration("2d") == 2 * 86400
    assert parse_duration("0.5h") == 1800
