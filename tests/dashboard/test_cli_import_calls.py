"""``floorboard import-calls`` through click's CliRunner against the real test Redis."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from cdr_factories import master_csv, queue_call
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
    # One rejected row fails the command by default (issue 12 point 7), dry run or not.
    assert result.exit_code == 3, result.output
    assert "dry run: nothing published" in result.output
    assert "unparseable time: 1" in result.output
    assert "broken.csv:3: unparseable time: enqueue_time: '31/04/2024 09:01:10'" in result.output
    assert "1 of 12 rows rejected; --max-rejects 0 allows 0" in result.output
    assert not redis_client.exists(keys.events, keys.dead_letter)
    mapping = ["--mapping", str(cdr / "generic_acd.yaml"), "--dry-run"]
    assert invoke(str(broken), *mapping, "--strict").exit_code == 3
    assert invoke(str(broken), *mapping, "--max-rejects", "1").exit_code == 0
    assert invoke(str(broken), *mapping, "--max-rejects", "10%").exit_code == 0  # 1.2 rows
    assert invoke(str(broken), *mapping, "--max-rejects", "5%").exit_code == 3  # 0.6 rows


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


# --- issue 12 points 7 and 8: silent failures, presets, --detect ---------------------------

# The 18-name list docs/cdr-mapping.md gave for a headerless Master.csv before issue 12.
OLD_18 = """csv: {header: false, fieldnames: [accountcode, src, dst, dcontext, clid, channel,
  dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
  uniqueid, userfield]}
columns: {call_id: uniqueid, caller: src, enqueue_time: start, answer_time: answer,
  end_time: end, outcome: disposition}
time: {formats: ["%Y-%m-%d %H:%M:%S"], timezone: Asia/Shanghai}
outcomes: {ANSWERED: answered, NO ANSWER: abandoned}
default_queue: support
"""


@pytest.fixture
def master_84(tmp_path: Path) -> Path:
    """84 calls as an Asterisk 16 Master.csv: 21 columns, no header."""
    path = tmp_path / "Master.csv"
    path.write_text(master_csv([queue_call(i) for i in range(84)]))
    return path


def test_every_row_rejected_fails_even_a_dry_run(
    invoke: Invoke, master_84: Path, tmp_path: Path
) -> None:
    mapping = tmp_path / "old18.yaml"
    mapping.write_text(OLD_18)
    result = invoke(str(master_84), "--mapping", str(mapping), "--dry-run")
    assert result.exit_code == 3, result.output  # was 0 (issue 12 point 7)
    allowed = invoke(str(master_84), "--mapping", str(mapping), "--dry-run", "--max-rejects", "99%")
    assert allowed.exit_code == 3, allowed.output  # every row rejected is always an error
    assert "rejected    84" in result.output
    assert "Master.csv:1: wrong column count: 21 cells, the header has 18" in result.output
    assert "Master.csv:10: wrong column count" in result.output
    assert "... and 74 more" in result.output
    assert "--detect" in result.output  # the hint
    assert "every row was rejected (84 of 84): nothing was imported" in result.output


def test_preset_imports_the_84_rows(
    invoke: Invoke, master_84: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    result = invoke(
        str(master_84), "--preset", "asterisk-master-csv", "--timezone", "Asia/Shanghai"
    )
    assert result.exit_code == 0, result.output
    assert "calls       84" in result.output
    assert "rejected    0" in result.output
    assert "warning" not in result.output
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    assert {e.queue for e in events} == {"support"}
    assert len(events) == 84 * 3


def test_a_wrong_timezone_is_warned_about(invoke: Invoke, master_84: Path) -> None:
    result = invoke(
        str(master_84), "--preset", "asterisk-master-csv", "--timezone", "UTC", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: times look 8 h off the uniqueid epochs (later in 84 of 84 calls): "
        "is --timezone right? The file looks written in UTC+08:00"
    ) in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "asterisk-master-csv"], "give the zone with --timezone"),
        (["--preset", "asterisk", "--timezone", "UTC"], "known presets: asterisk-cdr-table,"),
        (["--preset", "generic-csv", "--mapping", "MAPPING"], "--mapping and --preset are"),
        ([], "--preset NAME (asterisk-cdr-table, "),
        (["--detect", "--preset", "generic-csv"], "without --mapping/--preset"),
        (["--preset", "generic-csv", "--max-rejects", "a lot"], "neither a number of rows"),
    ],
)
def test_option_errors(
    invoke: Invoke, master_84: Path, cdr: Path, args: list[str], message: str
) -> None:
    args = [str(cdr / "generic_acd.yaml") if a == "MAPPING" else a for a in args]
    result = invoke(str(master_84), *args)
    assert result.exit_code != 0
    assert message in result.output


def test_detect_proposes_and_imports_nothing(
    invoke: Invoke, master_84: Path, cdr: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    result = invoke(str(master_84), "--detect")
    assert result.exit_code == 0, result.output
    assert "proposed preset: asterisk-master-csv" in result.output
    assert "look written in UTC+08:00" in result.output
    assert not redis_client.exists(keys.events)
    unknown = invoke(str(cdr / "generic_acd.csv"), "--detect")
    assert unknown.exit_code == 1
    assert "no preset fits this file" in unknown.output


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


@pytest.mark.parametrize(
    ("preset", "fixture", "zone"),
    [
        ("asterisk-master-csv", "MASTER_84", "Asia/Shanghai"),
        ("asterisk-master-csv", "asterisk16_legs.csv", "Europe/Berlin"),
        ("freeswitch-cdr-csv", "freeswitch_queue_default.csv", "Europe/Berlin"),
    ],
)
def test_show_preset_round_trips_through_mapping(
    invoke: Invoke, master_84: Path, cdr: Path, tmp_path: Path, preset: str, fixture: str, zone: str
) -> None:
    """A center whose export is almost a preset starts from it: `--show-preset NAME >
    mine.yaml`, then `--mapping mine.yaml` gives the same figures as `--preset NAME`."""
    shown = invoke("--show-preset", preset)  # no FILE needed
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("# ")  # its comments come along
    mine = tmp_path / "mine.yaml"
    mine.write_text(shown.output, encoding="utf-8")
    data = master_84 if fixture == "MASTER_84" else cdr / fixture
    by_preset = invoke(str(data), "--preset", preset, "--timezone", zone, "--dry-run")
    by_file = invoke(str(data), "--mapping", str(mine), "--timezone", zone, "--dry-run")
    assert by_preset.exit_code == 0, by_preset.output
    assert by_file.exit_code == 0, by_file.output
    assert "calls       " in by_file.output
    assert by_file.output == by_preset.output


def test_show_preset_of_an_unknown_name_lists_the_known_ones(invoke: Invoke) -> None:
    result = invoke("--show-preset", "freeswitch")
    assert result.exit_code == 2
    assert "unknown preset 'freeswitch'; known presets: asterisk-cdr-table," in result.output
