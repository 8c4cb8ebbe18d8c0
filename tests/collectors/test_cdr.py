"""CDR import: mapping validation, row -> events, time zones, encodings, rejects, idempotence.

Events are read back from a real Redis stream (the ``redis_client``/``keys`` fixtures).
"""

from __future__ import annotations

import copy
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml_bombs import BOMB

from collectors.cdr import (
    CdrFileError,
    ImportSummary,
    Mapping,
    MappingError,
    import_calls,
    load_mapping,
    parse_duration,
    parse_mapping,
)
from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer

HEADER = ["id", "dir", "queue", "agent", "caller", "start", "answer", "end"]
HEADER += ["wait", "talk", "hold", "wrap", "result", "xfer"]
BASE: dict[str, Any] = {
    "columns": {
        "call_id": "id",
        "queue": "queue",
        "agent": "agent",
        "caller": "caller",
        "enqueue_time": "start",
        "answer_time": "answer",
        "end_time": "end",
        "wait": "wait",
        "talk": "talk",
        "hold": "hold",
        "wrap": "wrap",
        "outcome": "result",
        "transfer_target": "xfer",
    },
    "time": {"formats": ["%Y-%m-%d %H:%M:%S", "epoch"], "timezone": "UTC"},
    "outcomes": {
        "ok": "answered",
        "aband": "abandoned",
        "timeout": "exit_timeout",
        "empty": "exit_empty",
        "key": "exit_key",
        "xfer": "transferred",
        "vm": "ignored",
    },
    "ignore": [{"column": "dir", "equals": "out"}, {"column": "queue", "matches": "^test"}],
}
T0 = "2024-01-15 09:00:00"
TS0 = datetime(2024, 1, 15, 9, tzinfo=UTC).timestamp()


def mapping(**changes: Any) -> Mapping:
    """The base mapping with top-level keys replaced (``None`` removes a key)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_mapping(data, origin="test.yaml")


def row(**cells: str) -> list[str]:
    values = {"id": "c1", "dir": "in", "queue": "q1", "start": T0, "result": "ok"} | cells
    return [values.get(name, "") for name in HEADER]


def write_csv(
    folder: Path, rows: list[list[str]], *, name: str = "calls.csv", encoding: str = "utf-8"
) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([HEADER, *rows])
    path = folder / name
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def stream_events(client: redis.Redis, keys: Keys) -> list[Event]:
    return [ev for _, f in client.xrange(keys.events) for ev in decode_frame(f["e"])]


def run(
    client: redis.Redis, keys: Keys, path: Path, m: Mapping | None = None, **kw: Any
) -> tuple[ImportSummary, list[Event]]:
    producer = EventProducer(client, keys=keys)
    summary = import_calls(path=path, mapping=m or mapping(), producer=producer, **kw)
    assert summary.rows_read == summary.calls + summary.ignored + summary.rejected
    return summary, stream_events(client, keys)


# --- mapping validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"colour": "red"}, ["test.yaml", "mapping", "'colour'"]),
        ({"columns": BASE["columns"] | {"wiat": "w"}}, ["columns", "'wiat'"]),
        ({"columns": {"queue": "q", "enqueue_time": "s"}}, ["columns", "call_id", "outcome"]),
        ({"outcomes": {"OK": "answerd"}}, ["outcomes['OK']", "'answerd'", "exit_timeout"]),
        ({"outcomes": {True: "answered"}}, ["outcomes[True]", "quote it"]),
        ({"time": {"formats": "%H", "timezone": "Mars/Olympus"}}, ["time.timezone", "Mars"]),
        ({"time": {"formats": "%H"}}, ["time.timezone", "is required"]),
        ({"time": {"formats": "yyyy-mm-dd", "timezone": "UTC"}}, ["time.formats[0]"]),
        ({"csv": {"encoding": "klingon"}}, ["csv.encoding", "klingon"]),
        ({"csv": {"header": False}}, ["csv.fieldnames", "required"]),
        ({"csv": {"delimiter": ";;"}}, ["csv.delimiter"]),
        ({"csv": {"skip_lines": -1}}, ["csv.skip_lines"]),
        ({"ignore": [{"column": "dir", "matches": "("}]}, ["ignore[0].matches", "regular"]),
        ({"ignore": [{"column": "dir", "equals": "a", "empty": True}]}, ["ignore[0]", "one of"]),
        ({"ignore": [{"equals": "a"}]}, ["ignore[0].column", "required"]),
        ({"outcomes": None}, ["outcomes", "required"]),
    ],
)
def test_mapping_errors_name_file_and_key(changes: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(MappingError) as err:
        mapping(**changes)
    message = str(err.value)
    assert message.startswith("test.yaml: ")
    for part in expected:
        assert part in message


def test_mapping_needs_a_way_to_place_answers() -> None:
    columns = {k: v for k, v in BASE["columns"].items() if k not in {"answer_time", "wait"}}
    with pytest.raises(MappingError, match="answer_time or wait"):
        mapping(columns=columns)
    # Without answered outcomes the same columns are enough.
    mapping(columns=columns, outcomes={"aband": "abandoned"})


def test_load_mapping_reports_the_file(tmp_path: Path, data_dir: Path) -> None:
    bad = tmp_path / "acd.yaml"
    bad.write_text("columns: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"acd\.yaml: not valid YAML"):
        load_mapping(bad)
    with pytest.raises(MappingError, match=r"missing\.yaml: cannot read"):
        load_mapping(tmp_path / "missing.yaml")
    for name in ("generic_acd", "asterisk_cn"):
        assert load_mapping(data_dir / "cdr" / f"{name}.yaml").outcomes


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("42", 42.0), ("42.5", 42.5), ("42,5", 42.5), ("1:02", 62.0), ("01:02:03", 3723.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    assert parse_duration("1e3") is None


# --- outcomes ------------------------------------------------------------------------------


def test_answered_call_events(redis_client: redis.Redis, keys: Keys, tmp_path: Path) -> None:
    cells = row(agent="a7", caller="555", answer="2024-01-15 09:00:12", end="2024-01-15 09:04:00")
    cells[HEADER.index("hold")] = "20"
    summary, events = run(redis_client, keys, write_csv(tmp_path, [cells]))
    assert [e.kind for e in events] == ["enqueue", "answer", "complete"]
    enqueue, answer, complete = events
    assert (enqueue.ts, enqueue.target, enqueue.agent, enqueue.wait) == (TS0, "555", "", None)
    assert (answer.ts, answer.agent, answer.wait) == (TS0 + 12, "a7", 12.0)
    assert (complete.ts, complete.wait, complete.talk, complete.hold) == (TS0 + 240, 12, 228, 20)
    assert complete.wrap is None  # not reported is not zero
    assert [e.event_id for e in events] == [
        f"cdr:c1:q1:{k}" for k in ("enqueue", "answer", "complete")
    ]
    assert {e.source for e in events} == {"cdr:calls.csv"}
    assert (summary.calls, summary.events) == (1, 3)


@pytest.mark.parametrize(
    ("result", "kind"),
    [
        ("aband", "abandon"),
        ("timeout", "exit_timeout"),
        ("empty", "exit_empty"),
        ("key", "exit_key"),
    ],
)
def test_calls_that_leave_the_queue(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path, result: str, kind: str
) -> None:
    rows = [row(result=result, end="2024-01-15 09:00:40"), row(id="c2", result=result, wait="7")]
    _, events = run(redis_client, keys, write_csv(tmp_path, rows))
    assert [(e.call_id, e.kind) for e in events] == [
        ("c1", "enqueue"),
        ("c2", "enqueue"),
        ("c2", kind),  # no end time: placed at enqueue + wait
        ("c1", kind),
    ]
    assert [(e.ts - TS0, e.wait) for e in events[2:]] == [(7, 7), (40, 40)]


def test_transfers(redis_client: redis.Redis, keys: Keys, tmp_path: Path) -> None:
    times = {"answer": "2024-01-15 09:00:05", "end": "2024-01-15 09:01:00"}
    rows = [
        row(id="t1", result="xfer", agent="a1", xfer="5001", wrap="9", **times),
        row(id="t2", result="ok", agent="a2", xfer="5002", **times),  # target alone means transfer
    ]
    _, events = run(redis_client, keys, write_csv(tmp_path, rows))
    transfers = [e for e in events if e.kind == "transfer"]
    assert [(e.call_id, e.target, e.reason, e.agent) for e in transfers] == [
        ("t1", "5001", "transfer", "a1"),
        ("t2", "5002", "transfer", "a2"),
    ]
    assert (transfers[0].wait, transfers[0].talk, transfers[0].wrap) == (5, 55, 9)
    assert not [e for e in events if e.kind == "complete"]


def test_durations_derive_times_when_times_are_missing(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    rows = [row(wait="00:00:15", talk="1:30")]
    _, events = run(redis_client, keys, write_csv(tmp_path, rows))
    assert [(e.kind, e.ts - TS0) for e in events] == [
        ("enqueue", 0),
        ("answer", 15),
        ("complete", 105),
    ]


def test_ignored_rows(redis_client: redis.Redis, keys: Keys, data_dir: Path) -> None:
    m = load_mapping(data_dir / "cdr" / "generic_acd.yaml")
    summary, events = run(redis_client, keys, data_dir / "cdr" / "generic_acd.csv", m)
    assert (summary.rows_read, summary.calls, summary.ignored, summary.rejected) == (12, 9, 3, 0)
    calls = {e.call_id for e in events}
    assert not calls & {"G-1008", "G-1009", "G-1012"}  # outbound, TEST queue, voicemail
    assert {e.queue for e in events if e.call_id == "G-1010"} == {"General"}
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    first = events[0]  # 09:00:05 EST
    assert first.ts == datetime(2024, 3, 4, 14, 0, 5, tzinfo=UTC).timestamp()


# --- time zones ----------------------------------------------------------------------------


def _zoned(tz: str) -> Mapping:
    return mapping(time={"formats": ["%Y-%m-%d %H:%M:%S", "iso8601", "epoch_ms"], "timezone": tz})


@pytest.mark.parametrize(
    ("tz", "local", "utc"),
    [
        ("America/New_York", "2024-01-15 09:00:00", datetime(2024, 1, 15, 14, tzinfo=UTC)),
        ("America/New_York", "2024-07-15 09:00:00", datetime(2024, 7, 15, 13, tzinfo=UTC)),
        ("Asia/Shanghai", "2024-07-15 09:00:00", datetime(2024, 7, 15, 1, tzinfo=UTC)),
        ("Asia/Shanghai", "2024-07-15T09:00:00+02:00", datetime(2024, 7, 15, 7, tzinfo=UTC)),
        ("Asia/Shanghai", "1721034000000", datetime(2024, 7, 15, 9, tzinfo=UTC)),
    ],
)
def test_times_become_utc(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path, tz: str, local: str, utc: datetime
) -> None:
    _, events = run(
        redis_client,
        keys,
        write_csv(tmp_path, [row(start=local, wait="3", result="aband")]),
        _zoned(tz),
    )
    assert events[0].ts == utc.timestamp()
    assert events[1].ts == utc.timestamp() + 3


def test_dst_fall_back_keeps_a_call_in_order(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    # 01:50 EDT, then clocks go back at 02:00 EDT; the abandon at 01:10 is the second 01:10 (EST).
    rows = [row(start="2024-11-03 01:50:00", end="2024-11-03 01:10:00", result="aband")]
    summary, events = run(redis_client, keys, write_csv(tmp_path, rows), _zoned("America/New_York"))
    assert summary.rejected == 0
    assert events[0].ts == datetime(2024, 11, 3, 5, 50, tzinfo=UTC).timestamp()
    assert events[1].wait == 1200


def test_dst_gap_time_is_rejected(redis_client: redis.Redis, keys: Keys, tmp_path: Path) -> None:
    rows = [
        row(start="2024-03-10 02:30:00", wait="1", result="aband"),
        row(id="c2", start="2024-03-10 03:30:00", wait="1", result="aband"),
    ]
    summary, events = run(redis_client, keys, write_csv(tmp_path, rows), _zoned("America/New_York"))
    assert summary.rejects == {"unparseable time": 1}
    assert "does not exist in America/New_York" in summary.samples[0].reason
    assert {e.call_id for e in events} == {"c2"}


# --- encodings and Chinese headers ---------------------------------------------------------


def _cn_expected(events: list[Event]) -> None:
    by_call = {(e.call_id, e.kind): e for e in events}
    answered = by_call["1709514000.101", "complete"]
    assert (answered.queue, answered.agent, answered.wait, answered.talk) == (
        "客服热线",
        "8001",
        9,
        201,
    )
    assert (
        by_call["1709514000.101", "enqueue"].ts == datetime(2024, 3, 4, 1, tzinfo=UTC).timestamp()
    )
    assert by_call["1709514060.103", "complete"].wait == 20  # derived: 接听时间 - 进线时间
    assert by_call["1709514180.107", "transfer"].target == "8100"  # the 2024/03/04 format
    assert by_call["1709514270.110", "answer"].queue == "客服热线"  # default_queue
    kinds = {k for (_, k) in by_call}
    assert kinds == {
        "enqueue",
        "answer",
        "complete",
        "abandon",
        "exit_timeout",
        "exit_empty",
        "exit_key",
        "transfer",
    }
    assert not {c for (c, _) in by_call} & {"1709514210.108", "1709514240.109", "1709514330.112"}


def test_gbk_export_with_chinese_headers(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    m = load_mapping(data_dir / "cdr" / "asterisk_cn.yaml")
    summary, events = run(redis_client, keys, data_dir / "cdr" / "asterisk_cn.csv", m)
    assert (summary.calls, summary.ignored, summary.rejected) == (9, 3, 0)
    _cn_expected(events)


def test_utf8_bom_export(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, tmp_path: Path
) -> None:
    text = (data_dir / "cdr" / "asterisk_cn.csv").read_bytes().decode("gbk")
    path = tmp_path / "asterisk_cn.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    raw = yaml.safe_load((data_dir / "cdr" / "asterisk_cn.yaml").read_text(encoding="utf-8"))
    raw["csv"]["encoding"] = "utf-8-sig"
    summary, events = run(redis_client, keys, path, parse_mapping(raw, origin="cn.yaml"))
    assert summary.calls == 9
    _cn_expected(events)


def test_wrong_encoding_is_a_clear_file_error(data_dir: Path) -> None:
    raw = yaml.safe_load((data_dir / "cdr" / "asterisk_cn.yaml").read_text(encoding="utf-8"))
    raw["csv"]["encoding"] = "utf-8"
    with pytest.raises(CdrFileError, match="asterisk_cn.csv:2: .*'呼叫编号'.*check csv.encoding"):
        import_calls(
            path=data_dir / "cdr" / "asterisk_cn.csv",
            mapping=parse_mapping(raw, origin="cn.yaml"),
            producer=None,
        )


# --- bad rows ------------------------------------------------------------------------------


def test_bad_rows_become_rejects_with_line_numbers(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    bad = {
        3: (row(id="b1", start="15/01/2024 09:00", wait="1"), "unparseable time"),
        4: (row(id="b2", answer="2024-01-15 08:59:00", end=T0), "answer before enqueue"),
        5: (row(id="b3", result="aband", wait="-4"), "negative duration"),
        6: (row(id="b4", result="busy", wait="4"), "unknown outcome"),
        7: (row(id="", wait="4", talk="5"), "missing call id"),
        8: (row(id="b6")[:5], "wrong column count"),
        9: (row(id="b7", result="aband", end="2024-01-15 08:00:00"), "end before enqueue"),
        10: (row(id="b8", wait="soon", talk="5"), "bad duration"),
        11: (row(id="b9", queue="", wait="1", talk="1"), "missing queue"),
        12: (row(id="b10", wait="1", talk="999999"), "implausible duration"),
        13: (row(id="b11", wait="4"), "missing time"),
        14: (row(id="b12", answer=T0, end="2024-01-15 08:00:00"), "end before answer"),
    }
    rows = [row(id="good1", wait="2", talk="3")]
    rows += [cells for cells, _ in bad.values()]
    rows.append(row(id="good2", result="aband", wait="5"))
    summary, events = run(redis_client, keys, write_csv(tmp_path, rows))
    assert summary.calls == 2
    assert {e.call_id for e in events} == {"good1", "good2"}
    letters = [f for _, f in redis_client.xrange(keys.dead_letter)]
    assert [(f["location"], f["reason"].split(":")[0]) for f in letters] == [
        (f"calls.csv:{line}", reason) for line, (_, reason) in bad.items()
    ]
    assert letters[0]["raw"].startswith("b1,in,q1,")
    assert letters[0]["source"] == "cdr:calls.csv"
    assert summary.rejects == {reason: 1 for _, reason in bad.values()}
    assert int(redis_client.hget(keys.stats, "rejected") or 0) == len(bad)


def test_stray_bytes_only_matter_in_mapped_columns(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    # Issue 12 point 11: a Latin-1 byte in a column the mapping does not read keeps the row; one
    # in a mapped column rejects it, naming the column.
    buf = io.StringIO()
    rows = [
        row(id="c1", wait="1", talk="2") + ["caf\udce9"],
        row(id="c2", caller="55\udcb9", wait="1", talk="2") + [""],
    ]
    csv.writer(buf, lineterminator="\n").writerows([[*HEADER, "note"], *rows])
    path = tmp_path / "calls.csv"
    path.write_bytes(buf.getvalue().encode("utf-8", "surrogateescape"))
    summary, events = run(redis_client, keys, path)
    assert {e.call_id for e in events} == {"c1"}
    assert summary.rejects == {"undecodable": 1}
    assert summary.samples[0].location == "calls.csv:3"
    assert summary.samples[0].reason == (
        "undecodable: column 'caller' has bytes not valid in utf-8-sig at character 3: '55\\xb9'"
    )


def test_line_numbers_count_skipped_lines_and_multiline_cells(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    good = ",".join(row(wait="1", talk="1"))
    path.write_text(f'Report\nof calls\n{",".join(HEADER)}\n{good}\n\n"c\nx",in\n{good}\nbad\n')
    m = mapping(csv={"skip_lines": 2})
    summary, _ = run(redis_client, keys, path, m)
    assert [r.location for r in summary.samples] == ["export.csv:6", "export.csv:9"]


def test_headerless_export_with_fieldnames(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    path = tmp_path / "Master.csv"
    path.write_text("\t".join(row(wait="4", result="aband")) + "\n")
    m = mapping(csv={"header": False, "fieldnames": HEADER, "delimiter": "tab"})
    _, events = run(redis_client, keys, path, m)
    assert [e.kind for e in events] == ["enqueue", "abandon"]
    with pytest.raises(MappingError, match="columns.queue"):
        mapping(csv={"header": False, "fieldnames": HEADER[:2]})


def test_header_without_a_mapped_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,start\n1,2\n")
    with pytest.raises(
        CdrFileError, match=r"x\.csv:1: test\.yaml names column\(s\) not in the header"
    ):
        import_calls(path=path, mapping=mapping(), producer=None)
    with pytest.raises(CdrFileError, match="cannot read"):
        import_calls(path=tmp_path / "none.csv", mapping=mapping(), producer=None)


# --- idempotence and ordering --------------------------------------------------------------


def test_reimport_gives_the_same_event_ids(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, tmp_path: Path
) -> None:
    m = load_mapping(data_dir / "cdr" / "generic_acd.yaml")
    path = data_dir / "cdr" / "generic_acd.csv"
    _, first = run(redis_client, keys, path, m)
    _, both = run(redis_client, keys, path, m)
    assert [e.event_id for e in both] == [e.event_id for e in first] * 2
    assert len({e.event_id for e in first}) == len(first)
    # An overlapping export under another name: same ids for the calls both hold.
    lines = path.read_text().splitlines()
    overlap = tmp_path / "march.csv"
    overlap.write_text("\n".join([lines[0], *lines[3:6]]) + "\n")
    redis_client.delete(keys.events)
    _, again = run(redis_client, keys, overlap, m)
    assert {e.event_id for e in again} < {e.event_id for e in first}
    assert {e.source for e in again} == {"cdr:march.csv"}


def _end_ordered_rows(n: int) -> list[list[str]]:
    # Long calls first: written at hang-up, so the file is in end order, not start order.
    rows = [
        row(id=f"c{i}", start=str(int(TS0) + 10 * i), wait="1", talk=str(600 - 20 * i))
        for i in range(n)
    ]
    return sorted(rows, key=lambda r: int(r[5]) + 1 + int(r[9]))


def test_events_are_published_in_time_order(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, _end_ordered_rows(20))
    summary, events = run(redis_client, keys, path, batch_size=7)
    assert summary.late_events == 0
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert redis_client.xlen(keys.events) > 1
    assert len(events) == 60


def test_a_too_small_window_counts_late_events(tmp_path: Path) -> None:
    path = write_csv(tmp_path, _end_ordered_rows(20))
    narrow = import_calls(path=path, mapping=mapping(), producer=None, reorder_window=0)
    whole = import_calls(path=path, mapping=mapping(), producer=None, reorder_window=None)
    assert narrow.late_events > 0
    assert whole.late_events == 0
    assert narrow.events == whole.events == 60


# --- garbage never crashes -----------------------------------------------------------------

_cells = st.text(st.characters(codec="utf-8"), max_size=25)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.one_of(
            st.lists(_cells, min_size=len(HEADER), max_size=len(HEADER)),
            st.lists(_cells, max_size=20),
            st.builds(
                lambda d: row(**d),
                st.dictionaries(
                    st.sampled_from(HEADER),
                    st.sampled_from(["", "-1", "x", T0, "9e99", "1:2:3", "ok"]),
                ),
            ),
        ),
        max_size=15,
    ),
    junk=st.binary(max_size=60),
)
def test_garbage_rows_never_crash(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path, rows: list[list[str]], junk: bytes
) -> None:
    path = write_csv(tmp_path, rows)
    with path.open("ab") as fh:
        fh.write(junk)
    summary, _ = run(redis_client, keys, path)
    assert summary.rows_read >= summary.rejected


def test_a_mapping_file_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "acd.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    with pytest.raises(MappingError, match=r"acd\.yaml:\d+: aliases .* expand to more than"):
        load_mapping(bomb)
