"""``floorboard import-calls`` through click's CliRunner against the real test Redis."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from collectors.events import decode_frame
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis
from dashboard.cli import main

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(redis_server: EmbeddedRedis, keys: Keys, tmp_path: Path) -> Invoke:
    env = {
        "FLOORBOARD_REDIS_URL": redis_server.url,
        "FLOORBOARD_KEY_PREFIX": keys.prefix,
        "FLOORBOARD_CENTER": keys.center,
        "FLOORBOARD_DATA_DIR": str(tmp_path / "data"),
        "FLOORBOARD_CONFIG": "",
        "FLOORBOARD_TIMEZONE": "Asia/Shanghai",
    }

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["import-calls", *args], env=env)

    return run


@pytest.fixture
def cdr(data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the shipped examples (tests may add files beside them)."""
    folder = tmp_path / "cdr"
    shutil.copytree(data_dir / "cdr", folder)
    return folder


def test_import_publishes_and_summarises(
    invoke: Invoke, cdr: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    result = invoke(str(cdr / "asterisk_cn.csv"), "--mapping", str(cdr / "asterisk_cn.yaml"))
    assert result.exit_code == 0, result.output
    assert "rows read   12" in result.output
    assert "calls       9" in result.output
    assert "ignored     3" in result.output
    # 01:00 UTC: shown in the center's zone, labelled (issue 11.18)
    assert "2024-03-04 09:00:00 CST .. 2024-03-04 09:08:00 CST" in result.output
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    assert len(events) == 22
    assert {e.source for e in events} == {"cdr:asterisk_cn.csv"}


def test_dry_run_reports_rejects_and_publishes_nothing(
    invoke: Invoke, cdr: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    broken = cdr / "broken.csv"
    lines = (cdr / "generic_acd.csv").read_text().splitlines()
    lines[2] = lines[2].replace("03/04/2024 09:01:10", "31/04/2024 09:01:10")
    broken.write_text("\n".join(lines) + "\n")
    result = invoke(str(broken), "--mapping", str(cdr / "generic_acd.yaml"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing published" in result.output
    assert "unparseable time: 1" in result.output
    assert "broken.csv:3: unparseable time: enqueue_time: '31/04/2024 09:01:10'" in result.output
    assert not redis_client.exists(keys.events, keys.dead_letter)
    strict = invoke(
        str(broken), "--mapping", str(cdr / "generic_acd.yaml"), "--dry-run", "--strict"
    )
    assert strict.exit_code == 3


def test_invalid_mapping_is_a_clear_error(invoke: Invoke, cdr: Path) -> None:
    mapping = cdr / "bad.yaml"
    text = (cdr / "generic_acd.yaml").read_text().replace("NOAGENTS: exit_empty", "NOAGENTS: empty")
    mapping.write_text(text)
    result = invoke(str(cdr / "generic_acd.csv"), "--mapping", str(mapping))
    assert result.exit_code != 0
    assert (
        f"invalid mapping: {mapping}: outcomes['NOAGENTS']: unknown outcome 'empty'"
        in result.output
    )


def test_unreadable_file_is_a_clear_error(invoke: Invoke, cdr: Path) -> None:
    result = invoke(str(cdr / "nope.csv"), "--mapping", str(cdr / "generic_acd.yaml"))
    assert result.exit_code != 0
    assert "nope.csv" in result.output
    assert "does not exist" in result.output


def test_header_that_does_not_fit_the_mapping(invoke: Invoke, cdr: Path) -> None:
    # The GBK export read with the generic mapping: the message names the missing columns.
    result = invoke(str(cdr / "asterisk_cn.csv"), "--mapping", str(cdr / "generic_acd.yaml"))
    assert result.exit_code != 0
    assert "asterisk_cn.csv:1:" in result.output
    assert "'CallID' (for call_id)" in result.output


def test_multi_leg_import_says_what_this_source_cannot_know(invoke: Invoke, cdr: Path) -> None:
    """Issue 12.9/12.10: 90 Asterisk rows are 30 calls, and the summary says that ASA and
    AHT are not available from this source instead of leaving them to come out as 0."""
    result = invoke(
        str(cdr / "asterisk16_legs.csv"), "--mapping", str(cdr / "asterisk16_legs.yaml")
    )
    assert result.exit_code == 0, result.output
    assert "rows read   90" in result.output
    assert "calls       30" in result.output
    assert "legs        56 more rows were legs of these calls" in result.output
    assert "not queued  4 calls never reached a queue" in result.output
    assert "not available from this source: ASA, service level, max wait" in result.output
    assert "not available from this source: AHT, average talk" in result.output
