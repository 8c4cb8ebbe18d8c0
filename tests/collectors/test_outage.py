"""Riding out a Redis outage: back-off and its two log lines, the simulator carrying on across a
Redis restart without skipping or repeating an event, and the embedded Redis started again."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import redis
from support.waiting import wait_for

from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.pipeline.outage import OutageTracker
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.follower import QueueLogReader
from collectors.redis_server import EmbeddedRedis
from collectors.simulator import default_center, generate, run

START = 1_767_254_400.0  # 2026-01-01 08:00 UTC: the morning shift logs in
log = logging.getLogger("tests.outage")


class Clock:
    """Monotonic seconds that a test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_logged_when_it_begins_and_when_it_ends_with_capped_back_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    outage = OutageTracker("loop: Redis", log, initial=0.5, maximum=5.0, clock=clock)
    caplog.set_level(logging.INFO, logger=log.name)
    assert outage.recovered() is None  # no outage, nothing to say
    delays = []
    for _ in range(8):
        delays.append(outage.failed(redis.ConnectionError("refused")))
        clock.now += delays[-1]
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0]
    assert outage.ongoing
    assert outage.recovered() == pytest.approx(sum(delays))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0].startswith("loop: Redis unavailable (refused)")
    assert messages[1].startswith("loop: Redis is back after 27.5 s (8 failed attempts)")
    # the next outage starts from the first delay again, and is logged again
    assert outage.failed(redis.TimeoutError("timeout")) == 0.5
    assert len(caplog.records) == 3


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of the test's own (it is killed), restarted whenever it dies."""
    embedded = EmbeddedRedis(tmp_path / "redis", appendfsync="always").start()
    supervised = threading.Event()
    watcher = embedded.keep_running(supervised, every=0.05)
    yield embedded
    supervised.set()
    watcher.join(timeout=10)
    embedded.stop()


def test_the_embedded_redis_is_started_again_with_its_data_when_it_dies(
    server: EmbeddedRedis,
) -> None:
    client = redis.Redis(port=server.port, decode_responses=True)
    client.set("kept", "yes")
    assert server.process is not None
    first = server.process.pid
    assert int(server.pid_file.read_text()) == first
    server.process.kill()
    reply, deadline = None, time.monotonic() + 30  # a safety net, not a timing requirement
    while reply is None and time.monotonic() < deadline:
        with contextlib.suppress(redis.ConnectionError):  # until the watcher started it again
            reply = client.get("kept")
    assert reply == "yes"
    assert server.process is not None and server.process.pid != first


def test_the_simulator_rides_out_a_redis_restart_without_skipping_or_repeating(
    server: EmbeddedRedis, caplog: pytest.LogCaptureFixture
) -> None:
    keys = Keys(prefix="outage")
    client = redis.Redis(port=server.port, decode_responses=True, socket_timeout=2)
    producer = EventProducer(client, keys=keys)
    events = list(generate(config=default_center(agents=40), seed=3, start=START, end=START + 7200))
    batches = 0

    def sink(batch: Sequence[Event]) -> None:
        nonlocal batches
        batches += 1
        if batches == 5 and server.process is not None:
            server.process.kill()  # Redis dies under the simulator's fifth batch
        producer.publish(batch)

    caplog.set_level(logging.WARNING, logger=log.name)
    stats = run(
        events=events,
        sink=sink,
        start=START,
        speed=None,
        max_batch=100,
        retry=OutageTracker("simulator: Redis", log, initial=0.05),
    )
    assert stats.events == len(events)
    published = [
        event.event_id
        for _id, fields in client.xrange(keys.events)
        for event in decode_frame(fields["e"])
    ]
    # Each event once, in the simulator's order (a batch whose reply was lost with the server
    # would be there twice, and the aggregator would drop the repeat by its id).
    assert list(dict.fromkeys(published)) == [event.event_id for event in events]
    messages = [r.getMessage() for r in caplog.records if r.name == log.name]
    assert len(messages) == 2 and "is back" in messages[1], messages
    client.close()


def test_the_queue_log_follower_logs_an_outage_once_and_publishes_after_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always").start()
    keys = Keys(prefix="outage-follow")
    client = redis.Redis(port=server.port, decode_responses=True, socket_timeout=2)
    path = tmp_path / "queue_log"
    rows = [
        f"{1710144000 + i}|{1710144000 + i}.{i}|support|NONE|ENTERQUEUE||1380013{i:04d}|1\n"
        for i in range(40)
    ]
    path.write_text("".join(rows[:20]))
    reader = QueueLogReader(path, producer=EventProducer(client, keys=keys))
    reader.outage.initial = reader.outage.maximum = 0.02
    stop = threading.Event()
    caplog.set_level(logging.WARNING, logger="collectors.queue_log.follower")
    thread = threading.Thread(
        target=reader.run, kwargs={"follow": True, "poll_interval": 0.01, "stop": stop}
    )
    thread.start()
    try:
        wait_for(lambda: reader.summary.events == 20)
        server.stop(kill=True)
        with path.open("a") as out:
            out.writelines(rows[20:])
        wait_for(lambda: reader.outage.failures >= 5)  # several attempts while Redis is away
        server.start()
        wait_for(lambda: reader.summary.events == 40)
    finally:
        stop.set()
        thread.join(timeout=10)
        server.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages  # not one per attempt
    assert "unavailable" in messages[0] and "is back" in messages[1]
