"""The queue_log follower on a real Redis: exact resume, partial lines, rotation, truncation."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import redis
from support.waiting import wait_for

from collectors.events import Event, Kind, Reject, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import parse_bytes
from collectors.queue_log.follower import QueueLogReader, follow
from collectors.queue_log.offset import Offset, head_hash
from collectors.queue_log.parser import default_source


def lines(first: int, count: int, *, queue: str = "support") -> list[str]:
    """``count`` distinct valid queue_log lines (an enqueue each), numbered from ``first``."""
    return [
        f"{1710144000 + i}|{1710144000 + i}.{i}|{queue}|NONE|ENTERQUEUE||1380013{i:04d}|1"
        for i in range(first, first + count)
    ]


def append(path: Path, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    with path.open("ab") as out:
        out.write(data)


def block(rows: Sequence[str]) -> str:
    return "".join(row + "\n" for row in rows)


def published(client: redis.Redis, keys: Keys) -> list[Event]:
    return [e for _, fields in client.xrange(keys.events) for e in decode_frame(fields["e"])]


def dead_letters(client: redis.Redis, keys: Keys) -> list[dict[str, str]]:
    return [fields for _, fields in client.xrange(keys.dead_letter)]


def ids_of(rows: Sequence[str]) -> list[str]:
    events, _ = parse_bytes(block(rows).encode(), source="x", path_label="x")
    return [e.event_id for e in events]


@pytest.fixture
def producer(redis_client: redis.Redis, keys: Keys) -> EventProducer:
    return EventProducer(redis_client, keys=keys, frame_size=7)


@pytest.fixture
def qlog(tmp_path: Path) -> Path:
    return tmp_path / "queue_log"


class CrashingProducer(EventProducer):
    """A real producer that dies on its ``crash_at``-th publish, before or after committing."""

    def __init__(self, *args: Any, crash_at: int, after_commit: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = 0
        self.crash_at = crash_at
        self.after_commit = after_commit

    def publish(
        self,
        events: Sequence[Event],
        *,
        rejects: Sequence[Reject] = (),
        source: str | None = None,
        offset: Mapping[str, Any] | None = None,
    ) -> None:
        self.calls += 1
        if self.calls == self.crash_at and not self.after_commit:
            raise RuntimeError("killed before commit")
        super().publish(events, rejects=rejects, source=source, offset=offset)
        if self.calls == self.crash_at:
            raise RuntimeError("killed after commit")


def test_reads_the_file_once_with_rejects_and_stores_the_offset(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    rows = [*lines(0, 3), "", "1710144100|c|q|a|no such event|", *lines(3, 2)]
    append(qlog, block(rows))
    summary = QueueLogReader(qlog, producer=producer).run()
    assert (summary.lines, summary.events, summary.rejects) == (7, 5, 1)
    assert summary.rejects_by_reason == {"unknown event": 1}
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(rows)
    [dead] = dead_letters(redis_client, keys)
    assert dead["location"] == f"{qlog}:5"
    assert summary.ignored == {}
    offset = Offset.from_dict(producer.load_offset(default_source(qlog)))
    assert offset is not None
    size = qlog.stat().st_size
    assert (offset.position, offset.lineno, offset.inode) == (size, 7, qlog.stat().st_ino)
    assert (offset.fingerprint_bytes, offset.path) == (256, str(qlog))


def test_a_second_run_reads_only_what_was_appended(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    append(qlog, block(lines(0, 4)))
    QueueLogReader(qlog, producer=producer).run()
    again = QueueLogReader(qlog, producer=producer).run()
    assert (again.lines, again.events, again.resumed_at) == (0, 0, qlog.stat().st_size)
    append(qlog, block(lines(4, 3)))
    third = QueueLogReader(qlog, producer=producer).run()
    assert third.events == 3
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(lines(0, 7))
    # line numbers continue across runs
    append(qlog, "garbage\n")
    QueueLogReader(qlog, producer=producer).run()
    assert dead_letters(redis_client, keys)[0]["location"] == f"{qlog}:8"


@pytest.mark.parametrize("after_commit", [False, True])
def test_resume_after_a_crash_mid_file_publishes_exactly_the_rest(
    qlog: Path, redis_client: redis.Redis, keys: Keys, after_commit: bool
) -> None:
    rows = lines(0, 200)
    append(qlog, block(rows))
    crashing = CrashingProducer(redis_client, keys=keys, crash_at=4, after_commit=after_commit)
    reader = QueueLogReader(qlog, producer=crashing, batch_lines=25, read_size=500)
    with pytest.raises(RuntimeError):
        reader.run()
    before = len(published(redis_client, keys))
    assert 0 < before < 200
    summary = QueueLogReader(qlog, producer=EventProducer(redis_client, keys=keys)).run()
    assert summary.events == 200 - before
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(rows)


def test_every_publish_stores_the_offset_of_exactly_its_events(
    qlog: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    rows = [*lines(0, 60), "bad line", "", *lines(60, 60)]
    append(qlog, block(rows))
    data = qlog.read_bytes()
    checked: list[int] = []

    class Checking(EventProducer):
        def publish(self, events: Sequence[Event], **kwargs: Any) -> None:
            super().publish(events, **kwargs)
            stored = self.load_offset(default_source(qlog))
            assert stored is not None
            head = data[: stored["position"]]
            assert head.endswith(b"\n")
            want_events, want_rejects = parse_bytes(head, source="x", path_label=str(qlog))
            assert [e.event_id for e in published(redis_client, keys)] == [
                e.event_id for e in want_events
            ]
            assert len(dead_letters(redis_client, keys)) == len(want_rejects)
            assert stored["lineno"] == head.count(b"\n")
            checked.append(stored["position"])

    QueueLogReader(
        qlog, producer=Checking(redis_client, keys=keys), batch_lines=16, read_size=300
    ).run()
    assert len(checked) > 5
    assert checked == sorted(checked)
    assert checked[-1] == len(data)


def test_a_partial_last_line_waits_for_its_end(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    full = lines(0, 3)
    append(qlog, block(full[:2]) + full[2][:20])
    first = QueueLogReader(qlog, producer=producer).run()
    assert (first.events, first.pending_bytes) == (2, 20)
    stored = producer.load_offset(default_source(qlog))
    assert stored is not None and stored["position"] == len(block(full[:2]))
    append(qlog, full[2][20:] + "\n")
    second = QueueLogReader(qlog, producer=producer).run()
    assert (second.events, second.rejects, second.pending_bytes) == (1, 0, 0)
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(full)


def test_an_offset_for_another_file_starts_at_zero_and_from_start_rereads(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    append(qlog, block(lines(0, 5)))
    QueueLogReader(qlog, producer=producer).run()
    qlog.unlink()
    append(qlog, block(lines(100, 3)))  # same path and size class, other content
    summary = QueueLogReader(qlog, producer=producer).run()
    assert (summary.resumed_at, summary.events) == (0, 3)
    rerun = QueueLogReader(qlog, producer=producer, from_start=True).run()
    assert rerun.events == 3  # same ids again: the aggregator drops them
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(
        [*lines(0, 5), *lines(100, 3), *lines(100, 3)]
    )


def test_a_missing_file_is_an_error_without_follow(qlog: Path, producer: EventProducer) -> None:
    with pytest.raises(FileNotFoundError, match="queue_log"):
        QueueLogReader(qlog, producer=producer).run()


def test_rotation_reads_the_old_file_to_its_end_then_the_new_one(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    reader = QueueLogReader(qlog, producer=producer)
    append(qlog, block(lines(0, 5)))
    reader.poll()
    rotated = qlog.with_name("queue_log.1")
    qlog.rename(rotated)
    append(rotated, block(lines(5, 2)))  # Asterisk still writes to its open file
    reader.poll()  # the path is gone for a moment: keep reading the old file
    append(rotated, block(lines(7, 1)) + lines(8, 1)[0])  # ends without a newline
    append(qlog, block(lines(100, 4)))
    reader.poll()
    append(qlog, block(lines(104, 1)))
    reader.poll()
    want = [*lines(0, 9), *lines(100, 5)]
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(want)
    assert reader.summary.rotations == 1
    stored = Offset.from_dict(producer.load_offset(reader.source))
    assert stored is not None
    assert (stored.inode, stored.position, stored.lineno) == (
        qlog.stat().st_ino,
        qlog.stat().st_size,
        5,
    )


def test_custom_events_are_counted_in_the_summary_across_rotation_not_rejected(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    ringing = "1710144001|1710144001.1|support|NONE|RINGING|"
    reader = QueueLogReader(qlog, producer=producer)
    append(qlog, block([*lines(0, 2), ringing, "1710144002|c|support|a|SURVEY|4"]))
    reader.poll()
    rotated = qlog.with_name("queue_log.1")
    qlog.rename(rotated)
    append(rotated, ringing)  # the old file's last line, without a newline
    append(qlog, block([ringing, "1710144003|c|support|a|WRAPUP|", *lines(5, 1)]))
    reader.poll()
    s = reader.summary
    assert (s.lines, s.events, s.rejects) == (8, 4, 0)
    assert s.ignored == {"RINGING": 3, "WRAPUP": 1}
    assert [e.kind for e in published(redis_client, keys)].count(Kind.SURVEY) == 1
    assert dead_letters(redis_client, keys) == []


def test_copytruncate_restarts_the_same_file_at_zero(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    reader = QueueLogReader(qlog, producer=producer)
    append(qlog, block(lines(0, 6)))
    reader.poll()
    shutil.copy(qlog, qlog.with_name("queue_log.1"))
    with qlog.open("wb"):
        pass  # truncate in place, as logrotate's copytruncate does
    append(qlog, block(lines(50, 2)))  # shorter than what was read
    reader.poll()
    assert reader.summary.truncations == 1
    # rewritten in place and already longer than what was read: the head gives it away
    qlog.write_text(block(lines(200, 10)))
    reader.poll()
    assert reader.summary.truncations == 2
    want = [*lines(0, 6), *lines(50, 2), *lines(200, 10)]
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(want)
    stored = Offset.from_dict(producer.load_offset(reader.source))
    assert stored is not None and stored.lineno == 10
    with qlog.open("rb") as fh:
        assert head_hash(fh.fileno(), 256) == stored.fingerprint


def test_follow_waits_for_the_file_and_stops_when_asked(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    stop = threading.Event()
    result: list[Any] = []
    thread = threading.Thread(
        target=lambda: result.append(
            follow(qlog, producer=producer, poll_interval=0.02, stop=stop, batch_seconds=0.05)
        )
    )
    thread.start()
    try:
        time.sleep(0.1)
        append(qlog, block(lines(0, 3)))
        wait_for(lambda: len(published(redis_client, keys)) == 3)
        append(qlog, block(lines(3, 2)) + "1710144999|c|q|a|bogus|\n")
        wait_for(lambda: len(dead_letters(redis_client, keys)) == 1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    [summary] = result
    assert (summary.lines, summary.events, summary.rejects) == (6, 5, 1)


def test_follow_survives_read_and_redis_errors(
    qlog: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    class Flaky(EventProducer):
        failures = 2

        def publish(self, events: Sequence[Event], **kwargs: Any) -> None:
            if events and self.failures:
                self.failures -= 1
                raise redis.ConnectionError("Redis went away")
            super().publish(events, **kwargs)

    append(qlog, block(lines(0, 4)))
    stop = threading.Event()
    reader = QueueLogReader(qlog, producer=Flaky(redis_client, keys=keys))
    thread = threading.Thread(
        target=reader.run, kwargs={"follow": True, "poll_interval": 0.02, "stop": stop}
    )
    thread.start()
    try:
        wait_for(lambda: len(published(redis_client, keys)) == 4)
        # the path turns into a directory for a while: open fails, the reader retries
        rotated = qlog.with_name("queue_log.1")
        qlog.rename(rotated)
        qlog.mkdir()
        time.sleep(0.15)
        assert thread.is_alive()
        qlog.rmdir()
        append(qlog, block(lines(10, 3)))
        wait_for(lambda: len(published(redis_client, keys)) == 7)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert [e.event_id for e in published(redis_client, keys)] == ids_of(
        [*lines(0, 4), *lines(10, 3)]
    )


def test_an_oversized_line_in_the_file_is_rejected_and_skipped(
    qlog: Path, producer: EventProducer, redis_client: redis.Redis, keys: Keys
) -> None:
    append(qlog, block(lines(0, 1)) + "1710144001|c|q|a|INFO|" + "x" * 200_000 + "\n")
    append(qlog, block(lines(2, 1)))
    summary = QueueLogReader(qlog, producer=producer, read_size=4096).run()
    assert (summary.events, summary.rejects) == (2, 1)
    assert summary.rejects_by_reason == {"line too long": 1}
    [dead] = dead_letters(redis_client, keys)
    assert dead["location"] == f"{qlog}:2"
    assert len(dead["raw"]) == 256
