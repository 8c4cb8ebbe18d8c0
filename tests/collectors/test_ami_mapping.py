"""AMI events → canonical events: the same as queue_log for the same call, stable ids, state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.ami.fake_server import Block, load_script
from collectors.ami.mapping import AmiMapper, MappingError
from collectors.ami.protocol import Message
from collectors.events import Event, Kind
from collectors.queue_log.decoder import parse_file

NOW = 1_800_000_000.0
CALL_FIELDS = (
    "kind",
    "call_id",
    "queue",
    "agent",
    "wait",
    "talk",
    "ring",
    "position",
    "reason",
    "target",
)


def mapper(**kwargs: float) -> AmiMapper:
    return AmiMapper(source="ami:pbx:5038", server="pbx:5038", **kwargs)


def msg(event: str, **fields: object) -> Message:
    return Message((("Event", event), *((k, str(v)) for k, v in fields.items())))


def script_messages(path: Path) -> list[Message]:
    return [i.message for i in load_script(path) if isinstance(i, Block) and i.message is not None]


def feed(m: AmiMapper, messages: Iterable[Message], now: float = NOW) -> list[Event]:
    out: list[Event] = []
    for message in messages:
        out += m.map(message, now=now)
    return out


def row(e: Event) -> tuple[object, ...]:
    return tuple(getattr(e, name) for name in CALL_FIELDS)


def counters(events: Sequence[Event]) -> Counter[str]:
    """Per-counter totals the aggregator's engine derives (queue counters, all intervals)."""
    engine = Engine(AggregatorConfig())
    for e in events:
        engine.apply(e)
    totals: Counter[str] = Counter()
    for (_, _, _, name), value in engine.take_changes().qdelta.items():
        totals[name] += value
    return totals


# -- the same call through AMI and through queue_log ------------------------------------------


def test_a_session_maps_to_the_same_events_as_its_queue_log(data_dir: Path) -> None:
    ami = feed(mapper(), script_messages(data_dir / "ami" / "session.txt"))
    logged, rejects = parse_file(data_dir / "ami" / "session.queue_log")
    assert rejects == []
    # queue_log has no event for a member being rung; everything else must match.
    ami = [e for e in ami if e.kind != Kind.RING]
    assert [row(e) for e in ami] == [row(e) for e in logged]
    # queue_log times are whole seconds; AMI's Timestamp has microseconds.
    assert all(int(a.ts) == int(q.ts) for a, q in zip(ami, logged, strict=True))


def test_the_aggregator_counts_the_ami_session_like_its_queue_log(data_dir: Path) -> None:
    ami = feed(mapper(), script_messages(data_dir / "ami" / "session.txt"))
    logged, _ = parse_file(data_dir / "ami" / "session.queue_log")
    from_ami, from_log = counters(ami), counters(logged)
    assert from_ami == from_log
    assert from_ami["answered"] == 4 and from_ami["handled"] == 4
    assert from_ami["abandoned"] == 1 and from_ami["exited"] == 2
    assert from_ami["transferred"] == 1 and from_ami["ring_no_answer"] == 1


# -- how an unanswered call ends -----------------------------------------------------------------


def join(uid: str = "1.1", ts: float = 100.0) -> Message:
    return msg(
        "QueueCallerJoin", Timestamp=ts, Uniqueid=uid, Queue="q", Position=1, CallerIDNum="555"
    )


def abandon(uid: str = "1.1", ts: float = 130.0, hold: int = 30) -> Message:
    return msg(
        "QueueCallerAbandon",
        Timestamp=ts,
        Uniqueid=uid,
        Queue="q",
        Position=1,
        OriginalPosition=1,
        HoldTime=hold,
    )


def leave(uid: str = "1.1", ts: float = 130.0) -> Message:
    return msg("QueueCallerLeave", Timestamp=ts, Uniqueid=uid, Queue="q", Position=1, Count=0)


def hangup(uid: str = "1.1") -> Message:
    return msg("Hangup", Timestamp=131, Uniqueid=uid, Cause=16)


def queuestatus(value: str, uid: str = "1.1") -> Message:
    return msg("VarSet", Timestamp=130.1, Uniqueid=uid, Variable="QUEUESTATUS", Value=value)


def connect(uid: str = "1.1") -> Message:
    return msg(
        "AgentConnect",
        Timestamp=130.2,
        Uniqueid=uid,
        Queue="q",
        MemberName="Ann",
        Interface="PJSIP/1",
        HoldTime=30,
        RingTime=2,
    )


@pytest.mark.parametrize(
    ("blocks", "kind", "reason"),
    [
        ([abandon(), leave(), hangup()], Kind.ABANDON, ""),
        ([abandon(), leave(), queuestatus("TIMEOUT")], Kind.EXIT_TIMEOUT, ""),
        ([abandon(), leave(), queuestatus("LEAVEEMPTY")], Kind.EXIT_EMPTY, ""),
        ([leave(), queuestatus("LEAVEUNAVAIL")], Kind.EXIT_EMPTY, ""),
        (
            [msg("DTMFEnd", Uniqueid="1.1", Digit=5, Direction="Received"), leave(), hangup()],
            Kind.EXIT_KEY,
            "5",
        ),
    ],
)
def test_what_follows_the_leave_decides_how_the_call_ended(
    blocks: list[Message], kind: str, reason: str
) -> None:
    m = mapper()
    events = feed(m, [join(), *blocks])
    assert [(e.kind, e.wait, e.position, e.reason) for e in events[1:]] == [(kind, 30.0, 1, reason)]
    assert events[1].ts == 130.0
    assert m.calls == {}


def test_an_answered_call_ends_with_no_exit_although_it_left_the_queue() -> None:
    m = mapper()
    events = feed(m, [join(), leave(), connect(), hangup()])
    assert [e.kind for e in events] == [Kind.ENQUEUE, Kind.ANSWER]
    assert m.expire(now=NOW + 3600) == []


def test_an_undecided_end_settles_after_settle_seconds() -> None:
    m = mapper(settle_seconds=3.0)
    feed(m, [join("a"), abandon("a"), join("b"), leave("b")], now=NOW)
    assert m.expire(now=NOW + 2.9) == []
    settled = m.expire(now=NOW + 3.0)
    assert sorted((e.call_id, e.kind) for e in settled) == [("a", "abandon"), ("b", "exit_key")]


def test_the_end_id_is_the_same_whichever_event_decided_it() -> None:
    by_hangup = feed(mapper(), [join(), abandon(), hangup()])[-1]
    settled = mapper(settle_seconds=1.0)
    feed(settled, [join(), abandon()])
    [by_clock] = settled.expire(now=NOW + 5)
    assert by_hangup.event_id == by_clock.event_id
    assert by_hangup.event_id.startswith("ami:pbx:5038:1.1:end:")


def test_a_transfer_takes_its_kind_and_target_from_the_transfer_event() -> None:
    attended = msg(
        "AttendedTransfer",
        Result="Success",
        TransfereeUniqueid="1.1",
        DestType="App",
        DestApp="VoiceMail",
    )
    complete = msg(
        "AgentComplete",
        Timestamp=200,
        Uniqueid="1.1",
        Queue="q",
        MemberName="Ann",
        HoldTime=30,
        TalkTime=60,
        Reason="transfer",
    )
    [event] = feed(mapper(), [attended, complete])
    assert (event.kind, event.reason, event.target, event.talk) == (
        Kind.TRANSFER,
        "attended",
        "VoiceMail",
        60.0,
    )
    [plain] = feed(mapper(), [complete])
    assert (plain.kind, plain.reason, plain.target) == (Kind.TRANSFER, "transfer", "")


# -- ids ------------------------------------------------------------------------------------------


def test_the_same_block_replayed_gives_the_same_id(data_dir: Path) -> None:
    messages = script_messages(data_dir / "ami" / "session.txt")
    first = [e.event_id for e in feed(mapper(), messages)]
    again = [e.event_id for e in feed(mapper(), messages, now=NOW + 999)]
    assert first == again
    assert len(set(first)) == len(first)
    assert (
        feed(mapper(), [join(ts=100.0)])[0].event_id != feed(mapper(), [join(ts=100.5)])[0].event_id
    )


def test_events_carry_the_source_and_the_receive_time_without_timestamp() -> None:
    no_stamp = msg("QueueCallerJoin", Uniqueid="9.9", Queue="q")
    [event] = mapper().map(no_stamp, now=NOW)
    assert (event.source, event.ts, event.position, event.target) == ("ami:pbx:5038", NOW, None, "")


# -- state from QueueStatus ---------------------------------------------------------------------


def status(data_dir: Path) -> list[Message]:
    return [*script_messages(data_dir / "ami" / "status.txt"), msg("QueueStatusComplete")]


def test_queue_status_sets_the_agent_grid_and_the_waiting_callers(data_dir: Path) -> None:
    m = mapper()
    m.begin_snapshot()
    events = feed(m, status(data_dir))
    kinds = Counter(e.kind for e in events)
    assert kinds == {Kind.MEMBER_ADD: 3, Kind.PAUSE: 1, Kind.UNPAUSE: 2, Kind.ENQUEUE: 1}
    [pause] = [e for e in events if e.kind == Kind.PAUSE]
    assert (pause.agent, pause.reason, pause.ts) == ("Bob", "training", 1700000300.0)
    [enqueue] = [e for e in events if e.kind == Kind.ENQUEUE]
    assert (enqueue.call_id, enqueue.ts, enqueue.position) == ("1700000395.9", NOW - 15, 1)
    engine = Engine(AggregatorConfig())
    for e in events:
        engine.apply(e)
    assert engine.agents["Bob"].state == "paused" and engine.agents["Bob"].reason == "training"
    assert engine.agents["Alice"].state == "available"
    assert len(engine.calls) == 1


def test_state_read_again_says_nothing_new_and_a_new_reader_repeats_its_ids(
    data_dir: Path,
) -> None:
    m = mapper()
    m.begin_snapshot()
    first = feed(m, status(data_dir))
    m.begin_snapshot()
    assert feed(m, status(data_dir), now=NOW + 60) == []
    fresh = mapper()
    fresh.begin_snapshot()
    again = feed(fresh, status(data_dir), now=NOW + 60)
    assert [e.event_id for e in again] == [e.event_id for e in first]


def test_a_caller_seen_joining_is_not_enqueued_again_by_the_state() -> None:
    m = mapper()
    feed(m, [join("7.7")])
    entry = msg("QueueEntry", Queue="q", Position=1, Uniqueid="7.7", Wait=12, ActionID="fb-1-3")
    m.begin_snapshot()
    assert feed(m, [entry, msg("QueueStatusComplete")]) == []


def test_members_and_callers_gone_while_away_are_dropped_at_the_end_of_the_state(
    data_dir: Path,
) -> None:
    m = mapper()
    m.begin_snapshot()
    feed(m, status(data_dir))
    feed(m, [join("8.8")])
    without_bob = [
        s for s in status(data_dir) if s.get("Name") != "Bob" and s.event != "QueueEntry"
    ]
    m.begin_snapshot()
    events = feed(m, without_bob, now=NOW + 60)
    assert [(e.kind, e.agent) for e in events] == [(Kind.MEMBER_REMOVE, "Bob")]
    assert m.calls == {} and m.vanished_calls == 2


def test_a_pause_learnt_from_state_and_from_the_event_has_one_id() -> None:
    fields = {
        "Queue": "q",
        "MemberName": "Ann",
        "Interface": "PJSIP/1",
        "Paused": 1,
        "PausedReason": "break",
        "LastPause": 1700000500,
        "LoginTime": 1700000000,
    }
    [live] = mapper().map(msg("QueueMemberPause", Timestamp=1700000500.25, **fields), now=NOW)
    state = mapper().map(msg("QueueMemberStatus", **fields), now=NOW)
    assert [e.kind for e in state] == [Kind.MEMBER_ADD, Kind.PAUSE]
    assert state[1].event_id == live.event_id
    assert state[1].ts == 1700000500.0 and state[1].reason == "break"


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            msg("AgentConnect", Queue="q", MemberName="A", HoldTime=1),
            "missing field: AgentConnect needs Uniqueid",
        ),
        (
            msg("AgentConnect", Uniqueid="1", Queue="q", MemberName="A", HoldTime="soon"),
            "bad number: AgentConnect HoldTime='soon'",
        ),
        (
            msg("AgentComplete", Uniqueid="1", Queue="q", HoldTime=1, TalkTime=2),
            "missing field: AgentComplete needs MemberName or Interface",
        ),
        (
            msg("QueueCallerJoin", Uniqueid="1", Queue="q", Position="-1"),
            "bad number: QueueCallerJoin Position",
        ),
        (
            msg("QueueCallerJoin", Uniqueid="1", Queue="q", Timestamp="1e300"),
            "bad number: QueueCallerJoin Timestamp",
        ),
    ],
)
def test_a_missing_or_malformed_field_is_a_mapping_error(message: Message, reason: str) -> None:
    with pytest.raises(MappingError, match="^" + reason.replace("(", r"\(")):
        mapper().map(message, now=NOW)


def test_events_the_mapping_does_not_need_are_ignored() -> None:
    m = mapper()
    assert "Newchannel" not in m.handled and "QueueParams" not in m.handled
    assert m.map(msg("Newchannel", Uniqueid="1"), now=NOW) == []
