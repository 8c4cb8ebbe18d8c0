"""``floorboard report --calls``: a per-call export through the real pipeline; its rejected
rows decide the exit status (issue 12 point 7) and presets work there too (point 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cdr_factories import master_csv, queue_call
from click.testing import CliRunner, Result

from dashboard.cli import main


def report(*args: str) -> Result:
    return CliRunner().invoke(main, ["report", *args], env={"FLOORBOARD_CONFIG": ""})


@pytest.fixture
def master_84(tmp_path: Path) -> Path:
    path = tmp_path / "Master.csv"
    path.write_text(master_csv([queue_call(i) for i in range(84)]))
    return path


def test_a_file_whose_rows_are_all_rejected_fails(master_84: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "old18.yaml"
    mapping.write_text(
        "csv: {header: false, fieldnames: [accountcode, src, dst, dcontext, clid, channel, "
        "dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, "
        "amaflags, uniqueid, userfield]}\n"
        "columns: {call_id: uniqueid, enqueue_time: start, end_time: end, outcome: disposition}\n"
        "time: {formats: ['%Y-%m-%d %H:%M:%S'], timezone: UTC}\n"
        "outcomes: {'NO ANSWER': abandoned}\ndefault_queue: q\n"
    )
    result = report("--calls", str(master_84), "--mapping", str(mapping))
    assert result.exit_code == 3, result.output  # was 0 (issue 12 point 7)
    assert (
        report(
            "--calls", str(master_84), "--mapping", str(mapping), "--max-rejects", "90%"
        ).exit_code
        == 3
    )
    assert "84 input lines rejected (wrong column count: 84)" in result.stderr
    assert "every row was rejected (84 of 84): nothing was imported" in result.stderr


def test_preset_with_the_center_zone(master_84: Path) -> None:
    result = report(
        "--calls", str(master_84), "--preset", "asterisk-master-csv",
        "--timezone", "Asia/Shanghai", "--interval", "day", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    support = next(r for r in json.loads(result.stdout) if r["queue"] == "support")
    assert support["offered"] == 84
    assert support["interval_start"].startswith("2024-03-04T00:00:00+08:00")


def test_preset_zone_is_never_guessed(master_84: Path) -> None:
    result = report("--calls", str(master_84), "--preset", "asterisk-master-csv")
    assert result.exit_code != 0
    assert "give the zone with --timezone" in result.output
    wrong = report(
        "--calls", str(master_84), "--preset", "asterisk-master-csv", "--calls-timezone", "UTC"
    )
    assert wrong.exit_code == 0, wrong.output
    assert "warning: times look 8 h off the uniqueid epochs" in wrong.stderr


def test_report_of_a_multi_leg_cdr_says_what_it_cannot_know(data_dir: Path) -> None:
    """Issue 12.9/12.10: the 90-row Asterisk file is 30 calls; ASA and AHT are n/a, not 0."""
    folder = data_dir / "cdr"
    result = report(
        "--calls", str(folder / "asterisk16_legs.csv"), "--mapping",
        str(folder / "asterisk16_legs.yaml"), "--interval", "day",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = next(line.split() for line in result.stdout.splitlines() if " 400 " in line)
    # interval_start queue offered answered abandoned short exited SL answer_rate asa aht
    assert row[2:6] == ["30", "24", "5", "1"]
    assert row[7] == "n/a" and row[9:] == ["n/a", "n/a"]
    assert "not available from this source: ASA, service level, max wait" in result.stderr
