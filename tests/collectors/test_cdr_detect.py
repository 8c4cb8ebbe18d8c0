"""``import-calls --detect`` (collectors/cdr/detect.py): a preset proposed from a file's shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from cdr_factories import MASTER_21, master_csv, queue_call

from collectors.cdr.detect import detect


@pytest.mark.parametrize(
    ("fixture", "preset"),
    [
        ("asterisk_master_21.csv", "asterisk-master-csv"),
        ("asterisk_master_18.csv", "asterisk-master-csv-18"),
        ("asterisk_cdr_table.csv", "asterisk-cdr-table"),
        ("freeswitch_cdr.csv", "freeswitch-cdr-csv"),
        ("freeswitch_queue_default.csv", "freeswitch-cdr-csv"),
        ("freeswitch_callcenter.csv", "freeswitch-callcenter-csv"),
        ("generic_calls.csv", "generic-csv"),
    ],
)
def test_each_fixture_gets_its_preset(data_dir: Path, fixture: str, preset: str) -> None:
    found = detect(data_dir / "cdr" / fixture)
    assert found.best is not None
    assert found.best.preset == preset
    assert f"proposed preset: {preset}" in found.text()
    assert f"--preset {preset} --timezone <IANA zone> --dry-run" in found.text()


def test_the_reasons_name_the_shape(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(master_csv([queue_call(i) for i in range(84)]))
    text = detect(path).text()
    assert "21 columns per row and no header" in text
    assert "uniqueid looks like <epoch>.<seq> in 100% (1709514000.100)" in text
    assert "start parses as %Y-%m-%d %H:%M:%S in 100%" in text
    assert "disposition words known in 100% (ANSWERED)" in text
    # Beijing times against UTC uniqueid epochs: the file's zone shows.
    assert "they look written in UTC+08:00" in text


def test_an_added_header_picks_the_21_column_preset(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(master_csv([queue_call(i) for i in range(5)], header=MASTER_21))
    found = detect(path)
    assert found.best is not None
    assert found.best.preset == "asterisk-master-csv"
    assert "the header names its columns" in found.text()


def test_no_preset_fits_a_custom_export(data_dir: Path) -> None:
    found = detect(data_dir / "cdr" / "generic_acd.csv")
    assert found.best is None
    text = found.text()
    assert "no preset fits this file" in text
    assert "asterisk-master-csv: rows have 14 columns, this preset reads 21" in text
    assert "write a mapping file" in text
