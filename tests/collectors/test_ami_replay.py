"""A saved AMI capture through the live decoder and mapper: times, repeats, rejects, publishing."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from collectors.ami.replay import ReplayError, first_timestamp, replay_capture
from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer

T = 1796115600.0  # the captures' first Timestamp is T + 0.2 (2026-12-01 09:00 UTC)


def events_of(client: redis.Redis, keys: Keys) -> list[Event]:
    return [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]


def block(event: str, **fields: object) -> str:
    return "".join(f"{k}: {v}\n" for k, v in {"Event": event, **fields}.items()) + "\n"


def test_a_capture_is_published_with_its_own_times_whatever_untimed_at_says(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    producer = EventProducer(redis_client, keys=keys)
    summary = replay_capture(
        data_dir / "ami" / "capture.txt", producer=producer, server="pbx:5038", untimed_at=5.0
    )
    events = events_of(redis_client, keys)
    assert len(events) == sum(summary.events.values()) == 11
    assert min(e.ts for e in events) == T + 0.2 and summary.untimed_at is None
    assert {e.source for e in events} == {"ami:pbx:5038"}
    assert (summary.timestamps, summary.timed, summary.untimed) == ("present", 15, 0)
    assert (summary.ignored, summary.responses, summary.noise) == (2, 1, {"banner": 1})


def test_a_capture_without_timestamps_is_dated_untimed_at(data_dir: Path) -> None:
    summary = replay_capture(
        data_dir / "ami" / "capture-untimed.txt", producer=None, server="x", untimed_at=T + 9e4
    )
    assert summary.timestamps == "missing" and summary.untimed == 15
    assert summary.first_ts == summary.last_ts == summary.untimed_at == T + 9e4
    assert summary.events == {"enqueue": 3, "ring": 3, "answer": 2, "complete": 2, "abandon": 1}


def test_state_before_the_first_timestamp_is_dated_by_it_and_calls_settle_on_its_clock(
    tmp_path: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    path = tmp_path / "capture.txt"
    path.write_text(
        # a QueueStatus answer first: no Timestamp whatever manager.conf says
        block("QueueEntry", ActionID="1", Queue="q", Uniqueid="1.1", Position=1, Wait=30)
        + block(
            "QueueCallerAbandon",
            Timestamp=T + 40,
            Queue="q",
            Uniqueid="1.1",
            Position=1,
            OriginalPosition=1,
            HoldTime=40,
        )
        # no Hangup (the 'call' class not read): the abandon settles 3 s later on the capture's
        # clock, before the next call joins, not at the end of the file
        + block("QueueCallerJoin", Timestamp=T + 100, Queue="q", Uniqueid="2.2", Position=1)
    )
    producer = EventProducer(redis_client, keys=keys)
    summary = replay_capture(path, producer=producer, server="x", untimed_at=0.0)
    assert [(e.kind, e.ts) for e in events_of(redis_client, keys)] == [
        ("enqueue", T + 40 - 30),
        ("abandon", T + 40),
        ("enqueue", T + 100),
    ]
    assert summary.timestamps == "present"


def test_a_repeated_timestamped_block_is_mapped_once_an_untimed_one_twice(tmp_path: Path) -> None:
    ring = block("AgentCalled", Queue="q", Uniqueid="1.1", MemberName="Alice")
    timed = block("AgentCalled", Timestamp=T, Queue="q", Uniqueid="1.1", MemberName="Alice")
    path = tmp_path / "capture.txt"
    path.write_text(timed + timed + ring + ring)
    summary = replay_capture(path, producer=None, server="x", untimed_at=0.0)
    assert (summary.repeats, summary.events["ring"]) == (1, 3)
    assert summary.timestamps == "partial"


def test_an_unreadable_capture_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match=f"cannot read {tmp_path}"):
        replay_capture(tmp_path, producer=None, server="x", untimed_at=0.0)


def test_the_first_timestamp_is_found_across_chunks_and_only_at_a_line_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "capture.txt"
    filler = "Event: Newchannel\nX: " + "y" * (256 << 10) + "\n\n"
    path.write_text("OldTimestamp: 5\n" + filler + block("AgentCalled", Timestamp=T + 7, Queue="q"))
    assert first_timestamp(path) == T + 7
    path.write_text(block("AgentCalled", Timestamp=T, Queue="q"))
    assert first_timestamp(path) == T
