"""CDR import of multi-leg calls (issue 12.9) and of figures a source cannot know (12.10).

The multi-leg fixtures (``tests/data/cdr/asterisk1*_legs.csv``, README there) hold 30 queue
calls whose true figures are known by construction. Events go through a real Redis stream and
the real aggregator.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import redis
from event_factories import T0, ev
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.metrics import agent_metrics, queue_metrics
from collectors.aggregator.report import interval_records, read_days
from collectors.cdr import (
    CdrFileError,
    ImportSummary,
    MappingError,
    import_calls,
    load_mapping,
    parse_mapping,
)
from collectors.cdr.legs import Leg, LegGrouper
from collectors.cdr.mapping import IgnoreRule, LegSpec
from collectors.cdr.preset import load_preset
from collectors.cdr.schemas import CallRecord, Outcome
from collectors.events import TALK_UNKNOWN, WAIT_UNKNOWN, Event, Kind, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer

DAY = 1709539200.0  # 2024-03-04 09:00 Berlin, the fixtures' first call
TRUE = {
    "offered": 30,
    "answered": 24,
    "handled": 24,
    "transferred": 4,
    "abandoned": 5,
    "short_abandoned": 1,
    "exited": 0,
}


def _import(
    client: redis.Redis, keys: Keys, path: Path, mapping_path: Path, **kw: Any
) -> tuple[ImportSummary, list[Event]]:
    summary = import_calls(
        path=path,
        mapping=load_mapping(mapping_path),
        producer=EventProducer(client, keys=keys),
        **kw,
    )
    rows = summary.calls + summary.legs + summary.ignored + summary.rejected
    assert summary.rows_read == rows
    events = [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]
    return summary, events


def _day(client: redis.Redis, keys: Keys, queue: str = "*") -> dict[str, Any]:
    aggregator = Aggregator(client, keys=keys, clock=lambda: DAY + 86_400)
    aggregator.drain()
    records = interval_records(
        read_days(client, keys), clock=aggregator.engine.clock, interval="day"
    )
    return next(r for r in records if r["queue"] == queue)


# --- 12.9: one call, several rows ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "not_queue_calls"),
    [
        ("asterisk16_legs", 4),  # 2 IVR-only, 1 outbound, 1 attended-transfer consultation
        ("asterisk11_legs", 3),  # no linkedid: the consultation joins its call by channel
    ],
)
def test_multi_leg_calls_count_once_with_the_true_figures(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, name: str, not_queue_calls: int
) -> None:
    folder = data_dir / "cdr"
    summary, events = _import(redis_client, keys, folder / f"{name}.csv", folder / f"{name}.yaml")
    assert (summary.rows_read, summary.calls, summary.rejected) == (90, 30, 0)
    assert summary.not_queue_calls == not_queue_calls
    assert summary.late_events == 0
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    day = _day(redis_client, keys)
    assert {k: day[k] for k in TRUE} == TRUE
    assert _day(redis_client, keys, "400")["offered"] == 30  # no queue "s" from IVR rows
    answered_by = {}
    for e in events:
        if e.kind == Kind.ANSWER:
            answered_by[e.agent] = answered_by.get(e.agent, 0) + 1
    assert answered_by == {"1001": 5, "1002": 5, "1003": 5, "1004": 5, "1005": 4}
    targets = sorted(e.target for e in events if e.kind == Kind.TRANSFER)
    assert targets == ["1001", "1002", "1004", "1005"]
    abandon_waits = sorted(e.wait for e in events if e.kind == Kind.ABANDON)
    assert abandon_waits == [3, 9, 20, 48, 63, 95]


@pytest.mark.parametrize(
    ("preset", "name"),
    [("asterisk-master-csv", "asterisk16_legs"), ("asterisk-master-csv-18", "asterisk11_legs")],
)
def test_asterisk_presets_group_legs_and_say_what_they_cannot_know(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, preset: str, name: str
) -> None:
    """The shipped presets: one call per call; and since an Asterisk queue record may start
    when the call arrived (IVR included), the abandon wait is unknown too: the short abandon
    is an abandon, and short abandons say "not available" rather than 0."""
    summary = import_calls(
        path=data_dir / "cdr" / f"{name}.csv",
        mapping=load_preset(preset, timezone="Europe/Berlin"),
        producer=EventProducer(redis_client, keys=keys),
    )
    assert (summary.calls, summary.rejected) == (30, 0)
    day = _day(redis_client, keys)
    assert {k: day[k] for k in TRUE} == TRUE | {"abandoned": 6, "short_abandoned": 0}
    assert day["abandoned_wait_unknown"] == 6
    for metric in ("asa", "service_level", "aht", "short_abandoned", "avg_abandon_wait"):
        assert metric in day["not_available"]


def test_rows_taken_as_calls_is_what_went_wrong(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    """The same file read each row as a call (the only way before issue 12): the figures
    the issue reports as wrong. Kept so the docs' "before" figures stay true."""
    folder = data_dir / "cdr"
    _import(
        redis_client,
        keys,
        folder / "asterisk16_legs.csv",
        folder / "asterisk_rows_as_calls.yaml",
    )
    q400 = _day(redis_client, keys, "400")
    assert (q400["answered"], q400["abandoned"], q400["short_abandoned"]) == (30, 11, 8)
    assert q400["asa"] == 0.0
    assert _day(redis_client, keys)["offered"] == 63


def test_legs_in_start_order_with_no_reorder_window(
    redis_client: redis.Redis, keys: Keys, data_dir: Path, tmp_path: Path
) -> None:
    """A database export sorted by start time: calls wait for their legs, and the events
    they hold back keep the stream in time order even with a reorder window of 0."""
    folder = data_dir / "cdr"
    rows = list(csv.reader(io.StringIO((folder / "asterisk16_legs.csv").read_text())))
    rows.sort(key=lambda r: (r[9], int(r[20])))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path = tmp_path / "by_start.csv"
    path.write_text(buf.getvalue())
    summary, events = _import(
        redis_client, keys, path, folder / "asterisk16_legs.yaml", reorder_window=0
    )
    assert summary.calls == 30
    assert summary.late_events == 0
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    day = _day(redis_client, keys)
    assert {k: day[k] for k in TRUE} == TRUE


def _leg(group: str, start: float, end: float, *, queue: bool = True) -> Leg:
    record = CallRecord(
        call_id=group,
        queue="q",
        agent="",
        caller="",
        target="",
        outcome=Outcome.ANSWERED,
        enqueue=start,
        wait=None,
        talk=None,
        hold=None,
        wrap=None,
        answer=start,
        end=end,
    )
    return Leg(record=record, group=group, queue_leg=queue)


def test_grouping_holds_only_the_calls_within_the_window() -> None:
    """Memory: 10 000 calls of three legs, one call starting every 20 s, each lasting up to
    5 minutes: only the calls whose legs may still come are held."""
    grouper = LegGrouper(LegSpec(queue_leg=_rule("lastapp"), agent_leg=_rule("dstchannel")))
    done: list[list[Leg]] = []
    largest = 0
    for n in range(10_000):
        start = DAY + 20 * n
        end = start + 30 + (n * 37) % 270
        for leg in (_leg(f"c{n}", start, start + 10, queue=False), _leg(f"c{n}", start + 10, end)):
            done += grouper.add(leg)
        largest = max(largest, len(grouper.open))
    done += grouper.drain()
    assert len(done) == 10_000
    assert all(len(legs) == 2 for legs in done)
    # (longest call 300 s + window 300 s) / 20 s between calls, and a margin
    assert largest <= 35


def test_legs_further_apart_than_the_window_are_two_calls() -> None:
    spec = LegSpec(queue_leg=_rule("lastapp"), agent_leg=_rule("dstchannel"), window=60.0)
    grouper = LegGrouper(spec)
    closed = grouper.add(_leg("a", DAY, DAY + 10))
    closed += grouper.add(_leg("b", DAY + 100, DAY + 110))  # closes "a"
    closed += grouper.add(_leg("a", DAY + 200, DAY + 210))  # a late leg of "a": a new call
    closed += grouper.drain()
    assert [[leg.group for leg in legs] for legs in closed] == [["a"], ["b"], ["a"]]


def _rule(column: str) -> IgnoreRule:
    return IgnoreRule(column, values=frozenset({"x"}))


_LEGS_DOC: dict[str, Any] = {
    "time": {"formats": "epoch", "timezone": "UTC"},
    "outcomes": {"ok": "answered"},
    "legs": {
        "group_by": "linkedid",
        "queue_leg": {"column": "lastapp", "equals": "Queue"},
        "agent_leg": {"column": "dstchannel", "matches": r"^SIP/(\d+)-"},
    },
}


@pytest.mark.parametrize(
    ("legs", "expected"),
    [
        ({"queue_leg": {"column": "a", "equals": "Queue"}}, ["legs.agent_leg", "required"]),
        ({"agent_leg": {"column": "a", "equals": "x"}}, ["legs.queue_leg", "required"]),
        (_LEGS_DOC["legs"] | {"window": -1}, ["legs.window"]),
        (_LEGS_DOC["legs"] | {"channel": "channel"}, ["channel and peer_channel"]),
        (_LEGS_DOC["legs"] | {"grup_by": "x"}, ["legs", "'grup_by'"]),
        (
            _LEGS_DOC["legs"] | {"agent_leg": {"column": "dstchannel", "equals": "x"}},
            ["legs.agent_leg", "columns.agent"],
        ),
    ],
)
def test_legs_mapping_errors_name_the_key(legs: dict[str, Any], expected: list[str]) -> None:
    doc = copy.deepcopy(_BASE) | {"legs": legs}
    del doc["columns"]["agent"]  # the agent must then come from the agent-leg pattern
    with pytest.raises(MappingError) as err:
        parse_mapping(doc, origin="t.yaml")
    for part in expected:
        assert part in str(err.value)


def test_a_legs_column_missing_from_the_header_is_a_file_error(tmp_path: Path) -> None:
    doc = copy.deepcopy(_BASE) | {"legs": _LEGS_DOC["legs"]}
    path = tmp_path / "calls.csv"
    path.write_text("id,start,answer,end,agent,result,lastapp,dstchannel\n")
    with pytest.raises(CdrFileError, match=r"'linkedid' \(for legs.group_by\)"):
        import_calls(path=path, mapping=parse_mapping(doc, origin="t.yaml"), producer=None)


# --- 12.10: what a CDR cannot know -----------------------------------------------------------

_BASE: dict[str, Any] = {
    "columns": {
        "call_id": "id",
        "enqueue_time": "start",
        "answer_time": "answer",
        "end_time": "end",
        "agent": "agent",
        "outcome": "result",
    },
    "time": {"formats": "epoch", "timezone": "UTC"},
    "outcomes": {"ok": "answered", "gone": "abandoned"},
    "default_queue": "q",
}


@pytest.mark.parametrize(
    ("unknown", "expected"),
    [
        ("wait", ["unknown", "must be a list"]),
        (["asa"], ["unknown[0]", "'asa'", "wait, abandon_wait, talk"]),
    ],
)
def test_unknown_mapping_errors(unknown: object, expected: list[str]) -> None:
    with pytest.raises(MappingError) as err:
        parse_mapping(_BASE | {"unknown": unknown}, origin="t.yaml")
    for part in expected:
        assert part in str(err.value)


def _one_row_calls(tmp_path: Path) -> Path:
    # Answered with answer == start (as Asterisk's Queue() leaves it), and an abandon.
    s = int(DAY)
    path = tmp_path / "calls.csv"
    path.write_text(
        "id,start,answer,end,agent,result\n"
        f"c1,{s},{s},{s + 100},a1,ok\n"
        f"c2,{s + 10},{s + 10},{s + 70},a2,ok\n"
        f"c3,{s + 20},,{s + 23},,gone\n"
    )
    return path


def test_unknown_figures_are_null_not_zero(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    m = parse_mapping(_BASE | {"unknown": ["wait", "talk", "abandon_wait"]}, origin="t.yaml")
    summary = import_calls(
        path=_one_row_calls(tmp_path), mapping=m, producer=EventProducer(redis_client, keys=keys)
    )
    assert summary.unknown == {"wait", "talk", "abandon_wait"}
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    by_kind = {e.kind: e for e in events}
    assert by_kind["answer"].wait is None and by_kind["answer"].reason == WAIT_UNKNOWN
    assert by_kind["complete"].talk is None and by_kind["complete"].reason == TALK_UNKNOWN
    assert by_kind["abandon"].wait is None and by_kind["abandon"].reason == WAIT_UNKNOWN
    day = _day(redis_client, keys)
    assert (day["offered"], day["answered"], day["handled"]) == (3, 2, 2)
    # A 3 s abandon with an unknown wait is an abandon, not a short one: unknown is not 0.
    assert (day["abandoned"], day["short_abandoned"]) == (1, 0)
    for metric in ("asa", "service_level", "max_wait_answered", "aht", "avg_talk"):
        assert day[metric] is None, metric
        assert metric in day["not_available"]
    assert "avg_abandon_wait" in day["not_available"]
    assert day["abandon_rate"] == pytest.approx(1 / 3)  # counts are still exact


def test_the_same_calls_without_unknown_give_zero_asa(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    """What issue 12.10 reported: with answer == start, ASA comes out 0 and SL 100 %."""
    import_calls(
        path=_one_row_calls(tmp_path),
        mapping=parse_mapping(_BASE, origin="t.yaml"),
        producer=EventProducer(redis_client, keys=keys),
    )
    day = _day(redis_client, keys)
    assert (day["asa"], day["service_level"]) == (0.0, 1.0)
    assert day["not_available"] == []


def test_known_and_unknown_waits_mix(redis_client: redis.Redis, keys: Keys) -> None:
    """A window with live calls (known waits) and CDR calls (unknown): ASA and SL are those
    of the calls whose wait is known; AHT of the calls whose talk is known."""
    events = [
        ev(Kind.ENQUEUE, T0, call_id="live", queue="q"),
        ev(Kind.ANSWER, T0 + 30, call_id="live", queue="q", agent="a1", wait=30.0),
        ev(Kind.COMPLETE, T0 + 90, call_id="live", queue="q", agent="a1", talk=60.0),
        ev(Kind.ENQUEUE, T0 + 1, call_id="cdr", queue="q"),
        ev(Kind.ANSWER, T0 + 1, call_id="cdr", queue="q", agent="a2", reason=WAIT_UNKNOWN),
        ev(Kind.COMPLETE, T0 + 200, call_id="cdr", queue="q", agent="a2", reason=TALK_UNKNOWN),
    ]
    EventProducer(redis_client, keys=keys).publish(sorted(events, key=lambda e: e.ts))
    Aggregator(redis_client, keys=keys, clock=lambda: T0 + 3600).drain()
    records = interval_records(
        read_days(redis_client, keys),
        clock=Aggregator(redis_client, keys=keys).engine.clock,
        interval="day",
    )
    day = next(r for r in records if r["queue"] == "q")
    assert (day["answered"], day["answered_wait_unknown"]) == (2, 1)
    assert day["asa"] == 30.0 and day["service_level"] == 0.0  # T is 20 s
    assert day["aht"] == 60.0 and day["handled_talk_unknown"] == 1
    assert day["not_available"] == []
    snapshot = json.loads(redis_client.get(keys.snapshot))
    agents = {a["agent"]: a for a in snapshot["agents"]}
    assert agents["a2"]["today"]["aht"] is None and agents["a2"]["today"]["handled"] == 1


def test_metrics_say_what_is_not_available() -> None:
    assert queue_metrics({})["not_available"] == []  # nothing happened: not "unknown"
    some = {"answered": 3, "answered_wait_unknown": 1, "handled": 2, "handled_talk_unknown": 2}
    assert queue_metrics(some)["not_available"] == ["aht", "avg_talk"]
    assert agent_metrics({"handled": 1, "handled_talk_unknown": 1})["aht"] is None


def _legs_csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    header = ["id", "linkedid", "start", "answer", "end", "agent", "result", "lastapp"]
    csv.writer(buf, lineterminator="\n").writerows([header + ["dstchannel"], *rows])
    path = tmp_path / "legs.csv"
    path.write_text(buf.getvalue())
    return path


def test_an_abandon_ends_when_the_caller_left_not_when_a_member_stopped_ringing(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    """Asterisk may reuse the caller's record for the first member it rings: that leg is
    both the queue leg and a ring-no-answer; the caller's later queue record says when the
    caller hung up."""
    s = int(DAY)
    rows = [
        ["u1", "u1", f"{s}", "", f"{s + 15}", "", "gone", "Queue", "SIP/1001-01"],
        ["u1", "u1", f"{s + 15}", f"{s + 15}", f"{s + 40}", "", "ok", "Queue", ""],
    ]
    doc = copy.deepcopy(_BASE) | {"legs": _LEGS_DOC["legs"]}
    summary = import_calls(
        path=_legs_csv(tmp_path, rows),
        mapping=parse_mapping(doc, origin="t.yaml"),
        producer=EventProducer(redis_client, keys=keys),
    )
    assert (summary.calls, summary.legs) == (1, 1)
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    assert [e.kind for e in events] == ["enqueue", "abandon"]
    assert (events[1].ts, events[1].wait) == (s + 40, 40)


_cell = st.sampled_from(["", "u1", "u2", "Queue", "SIP/1001-01", "ok", "gone", "x", "9e99"])
_time = st.integers(min_value=int(DAY) - 5, max_value=int(DAY) + 900).map(str)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.one_of(
            st.lists(st.one_of(_cell, _time), min_size=9, max_size=9),
            st.lists(_cell, max_size=12),
        ),
        max_size=25,
    ),
    window=st.sampled_from([0, 30, 300]),
)
def test_garbage_legs_never_crash(rows: list[list[str]], window: int) -> None:
    import tempfile  # noqa: PLC0415 - hypothesis runs the body many times in one tmp dir

    doc = copy.deepcopy(_BASE) | {"legs": _LEGS_DOC["legs"] | {"window": window}}
    with tempfile.TemporaryDirectory() as folder:
        summary = import_calls(
            path=_legs_csv(Path(folder), rows),
            mapping=parse_mapping(doc, origin="t.yaml"),
            producer=None,
            reorder_window=0,
        )
    assert summary.rows_read == summary.calls + summary.legs + summary.ignored + summary.rejected
    assert summary.late_events == 0


# --- FreeSWITCH: answered means bridged (issue 12.8/12.10) -----------------------------------

# tests/data/cdr/freeswitch_queue_default.csv (README there): 8 calls to 5000 from 10:00
# Berlin; the dialplan answers every caller before the queue, so 3 of the 4 callers who gave
# up end NORMAL_CLEARING like the answered ones; only bleg_uuid tells them apart.
FS_DEFAULT_TRUE = {"offered": 8, "answered": 4, "handled": 4, "transferred": 1, "abandoned": 4}


def test_freeswitch_default_template_counts_only_bridged_calls_as_answered(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    summary = import_calls(
        path=data_dir / "cdr" / "freeswitch_queue_default.csv",
        mapping=load_preset("freeswitch-cdr-csv", timezone="Europe/Berlin"),
        producer=EventProducer(redis_client, keys=keys),
    )
    assert (summary.rows_read, summary.calls, summary.rejected) == (8, 8, 0)
    assert summary.unknown == {"wait", "talk", "abandon_wait", "agent"}
    day = _day(redis_client, keys, "5000")
    assert {k: day[k] for k in FS_DEFAULT_TRUE} == FS_DEFAULT_TRUE
    # The 5 s abandon's wait includes the ring and greeting: unknown, so not a short abandon.
    assert (day["short_abandoned"], day["abandoned_wait_unknown"]) == (0, 4)
    assert (day["answered_wait_unknown"], day["handled_talk_unknown"]) == (4, 4)
    for metric in ("asa", "service_level", "max_wait_answered", "aht", "avg_talk"):
        assert day[metric] is None, metric
        assert metric in day["not_available"]
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    abandoned = sorted(e.call_id[-4:] for e in events if e.kind == Kind.ABANDON)
    assert abandoned == ["a003", "a004", "a005", "a008"]  # NORMAL_CLEARING x3, ORIGINATOR_CANCEL
    assert {e.agent for e in events} == {""}  # nothing in the template names the agent
    assert all(e.wait is None for e in events if e.kind in (Kind.ANSWER, Kind.ABANDON))


# tests/data/cdr/freeswitch_callcenter.csv: 7 callers in mod_callcenter queue support, logged
# with the documented template of mod_callcenter's variables; waits and talk times are exact.
FS_CC_TRUE = {
    "offered": 7,
    "answered": 3,
    "handled": 3,
    "abandoned": 1,  # 45 s; the 3 s one is a short abandon
    "short_abandoned": 1,
    "exited": 2,
}


def test_freeswitch_callcenter_template_gives_exact_waits_and_talk(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    summary = import_calls(
        path=data_dir / "cdr" / "freeswitch_callcenter.csv",
        mapping=load_preset("freeswitch-callcenter-csv"),
        producer=EventProducer(redis_client, keys=keys),
    )
    # 3 agents' own calls (cc_side agent) and an internal call are not queue calls.
    assert (summary.rows_read, summary.calls, summary.ignored, summary.rejected) == (11, 7, 4, 0)
    assert summary.unknown == frozenset()
    day = _day(redis_client, keys, "support")
    assert {k: day[k] for k in FS_CC_TRUE} == FS_CC_TRUE
    assert day["asa"] == pytest.approx((20 + 10 + 60) / 3)  # answered - joined
    assert day["max_wait_answered"] == 60
    assert day["aht"] == pytest.approx((180 + 240 + 60) / 3)  # left - answered
    assert day["not_available"] == []
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    answered_by = sorted(e.agent for e in events if e.kind == Kind.ANSWER)
    assert answered_by == ["1001", "1001", "1002"]
    exits = sorted((e.kind, e.wait) for e in events if e.kind.startswith("exit"))
    assert exits == [("exit_empty", 30), ("exit_timeout", 300)]
    assert sorted(e.wait for e in events if e.kind == Kind.ABANDON) == [3, 45]


def test_an_unknown_agent_credits_no_one(
    redis_client: redis.Redis, keys: Keys, tmp_path: Path
) -> None:
    """``unknown: [agent]``: the calls count for the queue, no agent gets them; and it is what
    lets an agent-leg rule without a pattern or an agent column (FreeSWITCH bleg_uuid) load."""
    legs = {
        "queue_leg": {"column": "id", "empty": False},
        "agent_leg": {"column": "x", "empty": False},
    }
    doc = copy.deepcopy(_BASE)
    del doc["columns"]["agent"]
    with pytest.raises(MappingError, match=r"legs.agent_leg: .*unknown: \[agent\]"):
        parse_mapping(doc | {"legs": legs}, origin="t.yaml")
    parse_mapping(doc | {"legs": legs, "unknown": ["agent"]}, origin="t.yaml")
    summary = import_calls(
        path=_one_row_calls(tmp_path),
        mapping=parse_mapping(_BASE | {"unknown": ["agent"]}, origin="t.yaml"),
        producer=EventProducer(redis_client, keys=keys),
    )
    assert summary.unknown == {"agent"}
    events = [e for _, f in redis_client.xrange(keys.events) for e in decode_frame(f["e"])]
    assert {e.agent for e in events} == {""}
    day = _day(redis_client, keys)
    assert (day["answered"], day["handled"], day["short_abandoned"]) == (2, 2, 1)
    assert day["asa"] == 0.0  # wait is not declared unknown here: only the agent is
