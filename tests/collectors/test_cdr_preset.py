"""Shipped CDR presets (collectors/cdr/preset.py, collectors/cdr/presets/*.yaml) and what they
need from the mapping format: ``header: auto``, optional columns, ``extract``, whole-record
durations, ``timezone: local``.

Each preset reads its fixture in tests/data/cdr/ (see that folder's README.md for the real-world
shape each imitates). Events are read back from a real Redis stream.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from cdr_factories import MASTER_18, MASTER_21, master_csv, queue_call

from collectors.cdr import ImportSummary, Mapping, MappingError, import_calls, parse_mapping
from collectors.cdr.importer import CdrFileError
from collectors.cdr.preset import load_preset, preset_names, resolve_mapping
from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer

CST = "Asia/Shanghai"
T0 = 1709514000.0  # 2024-03-04 09:00:00 in Beijing (01:00 UTC)


def run(
    client: redis.Redis, keys: Keys, path: Path, mapping: Mapping
) -> tuple[ImportSummary, list[Event]]:
    summary = import_calls(path=path, mapping=mapping, producer=EventProducer(client, keys=keys))
    assert summary.rows_read == summary.calls + summary.ignored + summary.rejected
    events = [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]
    return summary, events


def by_kind(events: list[Event]) -> dict[tuple[str, str], Event]:
    return {(e.call_id, e.kind): e for e in events}


def test_every_preset_loads_and_needs_a_time_zone() -> None:
    assert preset_names() == [
        "asterisk-cdr-table",
        "asterisk-master-csv",
        "asterisk-master-csv-18",
        "freeswitch-callcenter-csv",
        "freeswitch-cdr-csv",
        "generic-csv",
    ]
    for name in preset_names():
        if name == "freeswitch-callcenter-csv":  # mod_callcenter's epochs: UTC, no zone needed
            assert load_preset(name).time.timezone == "UTC"
            continue
        with pytest.raises(MappingError, match=f"preset {name}: time.timezone: .*--timezone"):
            load_preset(name)
        assert load_preset(name, timezone=CST).time.timezone == CST


def test_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(
        MappingError, match="unknown preset 'asterisk'; known presets: asterisk-cdr"
    ):
        load_preset("asterisk", timezone="UTC")


def test_mapping_and_preset_are_exclusive(data_dir: Path) -> None:
    yaml_file = data_dir / "cdr" / "generic_acd.yaml"
    with pytest.raises(MappingError, match="exclusive"):
        resolve_mapping(mapping_path=yaml_file, preset="generic-csv", timezone="UTC")
    with pytest.raises(MappingError, match="--preset NAME .*--mapping FILE"):
        resolve_mapping(mapping_path=None, preset=None)
    # --timezone replaces a file's zone too.
    assert resolve_mapping(mapping_path=yaml_file, preset=None, timezone=CST).time.timezone == CST


def test_master_csv_21_columns(redis_client: redis.Redis, keys: Keys, data_dir: Path) -> None:
    mapping = load_preset("asterisk-master-csv", timezone=CST)
    summary, events = run(redis_client, keys, data_dir / "cdr" / "asterisk_master_21.csv", mapping)
    # 8 rows: 5 ended in Queue(); the agent's AppQueue leg, an internal and an outbound call not.
    assert (summary.rows_read, summary.calls, summary.ignored, summary.rejected) == (8, 5, 3, 0)
    calls = by_kind(events)
    first = calls["1709514000.11", "complete"]
    assert (first.queue, first.agent, first.ts) == ("support", "8001", T0 + 210)
    assert calls["1709514000.11", "enqueue"].target == "13800138001"
    sales = calls["1709514120.15", "complete"]
    assert (sales.queue, sales.agent) == ("sales", "8002")  # Local/8002@from-queue-...;1
    assert ("1709514240.18", "abandon") in calls  # NO ANSWER
    assert summary.clock_warning is None  # the uniqueid epochs agree with Beijing time


def test_master_csv_with_an_added_header(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, tmp_path: Path
) -> None:
    text = (data_dir / "cdr" / "asterisk_master_21.csv").read_bytes()
    path = tmp_path / "Master.csv"
    path.write_bytes(",".join(n.upper() for n in MASTER_21).encode() + b"\n" + text)
    summary, _ = run(redis_client, keys, path, load_preset("asterisk-master-csv", timezone=CST))
    assert (summary.rows_read, summary.calls, summary.ignored, summary.rejected) == (8, 5, 3, 0)


def test_master_csv_18_columns(redis_client: redis.Redis, keys: Keys, data_dir: Path) -> None:
    mapping = load_preset("asterisk-master-csv-18", timezone=CST)
    summary, events = run(redis_client, keys, data_dir / "cdr" / "asterisk_master_18.csv", mapping)
    assert (summary.rows_read, summary.calls, summary.ignored, summary.rejected) == (7, 5, 2, 0)
    assert {e.queue for e in events} == {"support", "sales"}
    assert list(mapping.csv.fieldnames) == MASTER_18


def test_cdr_table_places_answer_and_end_from_durations(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    mapping = load_preset("asterisk-cdr-table", timezone=CST)
    summary, events = run(redis_client, keys, data_dir / "cdr" / "asterisk_cdr_table.csv", mapping)
    assert (summary.calls, summary.ignored, summary.rejected) == (3, 1, 0)
    calls = by_kind(events)
    # calldate 09:00:00, duration 222, billsec 210: answered at 09:00:12, ended at 09:03:42.
    assert calls["1709514000.11", "answer"].ts == T0 + 12
    assert calls["1709514000.11", "complete"].ts == T0 + 222
    # billsec (210) counts the queue wait too: the preset leaves talk unknown (issue 12.10).
    assert calls["1709514000.11", "complete"].talk is None
    assert calls["1709514060.13", "abandon"].ts == T0 + 60 + 45


def test_cdr_table_without_the_optional_columns(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, tmp_path: Path
) -> None:
    # An older table (no linkedid/peeraccount/sequence) still imports: they are optional.
    lines = (data_dir / "cdr" / "asterisk_cdr_table.csv").read_text().splitlines()
    path = tmp_path / "old_cdr.csv"
    path.write_text("\n".join([lines[0].replace(",linkedid,", ",linked,"), *lines[1:]]) + "\n")
    mapping = load_preset("asterisk-cdr-table", timezone=CST)
    summary, _ = run(redis_client, keys, path, mapping)
    assert summary.calls == 3
    # A missing required column is still a clear error.
    path.write_text("\n".join([lines[0].replace("uniqueid", "uid"), *lines[1:]]) + "\n")
    with pytest.raises(CdrFileError, match=r"'uniqueid' \(for call_id\)"):
        import_calls(path=path, mapping=mapping, producer=None)


def test_freeswitch_default_template(redis_client: redis.Redis, keys: Keys, data_dir: Path) -> None:
    mapping = load_preset("freeswitch-cdr-csv", timezone="Europe/Berlin")
    summary, events = run(redis_client, keys, data_dir / "cdr" / "freeswitch_cdr.csv", mapping)
    assert (summary.calls, summary.ignored, summary.rejected) == (4, 1, 0)  # LOSE_RACE ignored
    calls = {e.call_id[-4:]: e for e in events if e.kind not in ("enqueue", "answer")}
    assert [(k, calls[k].kind, calls[k].queue) for k in sorted(calls)] == [
        ("0001", "complete", "5000"),
        ("0002", "abandon", "5000"),
        ("0003", "transfer", "5001"),
        ("0005", "abandon", "5000"),
    ]
    assert calls["0001"].ts == T0 + 7 * 3600 + 240  # 09:04:00 CET


def test_generic_csv_with_only_some_columns(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    mapping = load_preset("generic-csv", timezone="Europe/Berlin")
    summary, events = run(redis_client, keys, data_dir / "cdr" / "generic_calls.csv", mapping)
    assert (summary.calls, summary.rejected) == (4, 0)
    calls = by_kind(events)
    assert calls["A-1", "answer"].wait == 20
    assert calls["A-3", "exit_timeout"].queue == "default"
    assert calls["A-4", "transfer"].agent == "ben"


def test_mapping_format_additions_are_validated() -> None:
    base = {
        "csv": {"header": "auto", "fieldnames": ["id", "start", "end", "r"]},
        "columns": {"call_id": "id", "enqueue_time": "start", "end_time": "end", "outcome": "r"},
        "time": {"formats": ["epoch"], "timezone": "UTC"},
        "outcomes": {"a": "abandoned"},
    }
    parse_mapping(base, origin="m.yaml")
    bad: list[tuple[dict[str, object], str]] = [
        ({"csv": {"header": "auto"}}, "csv.fieldnames: is required when csv.header is auto"),
        ({"optional_columns": ["call_id"]}, "optional_columns: 'call_id' is required"),
        ({"optional_columns": ["agent"]}, "optional_columns: 'agent' is not a key"),
        ({"extract": {"call_id": "[0-9]+"}}, r"extract.call_id: needs a group"),
        ({"extract": {"call_id": "("}}, "extract.call_id: invalid regular expression"),
        ({"extract": {"agent": "(x)"}}, "extract: unknown key"),
        ({"time": {"formats": ["epoch"], "timezone": "local"}}, "time.timezone: .*--timezone"),
    ]
    for change, message in bad:
        with pytest.raises(MappingError, match=message):
            parse_mapping(base | change, origin="m.yaml")


# --- issue 12 point 11: stray bytes ---------------------------------------------------------


def test_stray_bytes_in_an_unmapped_column_keep_the_row(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    rows = [queue_call(0), queue_call(1), queue_call(2)]
    path = tmp_path / "Master.csv"
    text = master_csv(rows).encode()
    # userfield of call 0 (unmapped) and src of call 1 (mapped as caller) hold Latin-1 bytes.
    text = text.replace(b'"1709514000.100",""', b'"1709514000.100","caf\xe9"')
    text = text.replace(b"13800138001,", b"1\xb9,")
    path.write_bytes(text)
    mapping = load_preset("asterisk-master-csv", timezone=CST)
    summary, events = run(redis_client, keys, path, mapping)
    assert (summary.calls, summary.rejected) == (2, 1)
    assert {e.call_id for e in events} == {"1709514000.100", "1709514120.102"}
    assert summary.samples[0].reason == (
        "undecodable: column 'src' has bytes not valid in utf-8-sig at character 2: '1\\xb9'"
    )


# --- issue 12 point 10 (part): the clock against the uniqueid ------------------------------


@pytest.mark.parametrize(
    ("zone", "warning"),
    [
        (CST, None),
        ("UTC", "times look 8 h off the uniqueid epochs (later in 84 of 84 calls): is --timezone "
         "right? The file looks written in UTC+08:00"),
        ("America/New_York", "times look 13 h off the uniqueid epochs (later in 84 of 84 calls)"),
        ("Asia/Kolkata", "times look 2.5 h off the uniqueid epochs (later in 84 of 84 calls)"),
    ],
)  # fmt: skip
def test_times_against_uniqueid_epochs(tmp_path: Path, zone: str, warning: str | None) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(master_csv([queue_call(i) for i in range(84)]))
    summary = import_calls(
        path=path, mapping=load_preset("asterisk-master-csv", timezone=zone), producer=None
    )
    assert summary.calls == 84
    if warning is None:
        assert summary.clock_warning is None
    else:
        assert summary.clock_warning is not None
        assert summary.clock_warning.startswith(warning)


def test_docs_show_every_preset_and_the_real_column_orders() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "cdr-mapping.md").read_text(encoding="utf-8")
    flat = " ".join(docs.replace("`", "").replace("**", "").split())
    for name in preset_names():
        assert f"| `{name}` |" in docs
        fieldnames = load_preset(name, timezone="UTC").csv.fieldnames
        if fieldnames:
            assert ", ".join(fieldnames[:16]) in flat, name
    assert "userfield if loguserfield = yes: 18 columns" in flat
    assert "add peeraccount, linkedid, sequence when newcdrcolumns = yes: 21 columns" in flat
    assert list(load_preset("asterisk-master-csv", timezone="UTC").csv.fieldnames) == MASTER_21
