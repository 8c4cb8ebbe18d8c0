"""The AMI collector against the fake AMI server, over real TCP on loopback, into a real Redis.

Every wait is bounded (see ``tests/ami_support.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
import redis
from ami_support import (
    collect,
    collector_for,
    dead_letters,
    engine_of,
    free_port,
    published_all,
    server_for,
    stream,
    totals,
    until,
)
from redis.backoff import NoBackoff
from redis.retry import Retry

from collectors.ami.client import AmiAuthError, AmiStats, Backoff
from collectors.ami.fake_server import FakeAmiServer
from collectors.ami.mapping import AmiMapper
from collectors.ami.protocol import Message
from collectors.ami.script import Block, Item, load_script
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.redis_server import EmbeddedRedis


def offline_ids(script: Sequence[Item]) -> list[str]:
    """The ids the session's events get when mapped without any connection."""
    mapper = AmiMapper(source="x", server="127.0.0.1:0")
    out: list[Event] = []
    for item in script:
        if isinstance(item, Block) and item.message is not None:
            out += mapper.map(item.message, now=0.0)
    return [e.event_id.split(":", 3)[3] for e in out]  # without the server part


def assert_session_counted_once(events: Sequence[Event], *, idle: str = "available") -> None:
    """``idle``: the state of the members after the session, ``no_session`` when no member
    list stated them and only their calls show them (issue 18)."""
    engine = engine_of(events)
    assert engine.calls == {}  # every call ended
    counts = totals(engine)
    assert (counts["offered"], counts["answered"], counts["abandoned"], counts["exited"]) == (
        7,
        4,
        1,
        2,
    )
    assert {a: engine.agents[a].state for a in ("Alice", "Bob", "Carol", "Dave")} == {
        "Alice": idle,
        "Bob": idle,
        "Carol": idle,
        "Dave": "logged_off",
    }


# -- a whole session --------------------------------------------------------------------------


def test_a_session_reaches_the_stream_after_the_queue_state(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    script = load_script(data_dir / "ami" / "session.txt")

    async def scenario() -> AmiStats:
        async with server_for(script, status=data_dir / "ami" / "status.txt") as server:
            collector = collector_for(server, redis_client, keys)
            stats = await collect(collector, published_all(collector, server))
            assert server.logins == 1 and server.actions["queuestatus"] == 1
            return stats

    stats = asyncio.run(scenario())
    events = stream(redis_client, keys)
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))
    assert all(e.source.startswith("ami:127.0.0.1:") for e in events)
    # the state first (what the agent grid needs at once), then the session as it happened
    state, live = events[:7], events[7:]
    assert Counter(e.kind for e in state) == {
        "member_add": 3,
        "pause": 1,
        "unpause": 2,
        "enqueue": 1,
    }
    [bob] = [e for e in state if e.kind == Kind.PAUSE]
    assert (bob.agent, bob.reason, bob.ts) == ("Bob", "training", 1700000300.0)
    assert [e.event_id.split(":", 3)[3] for e in live] == offline_ids(script)
    assert_session_counted_once(events)
    assert (stats.connections, stats.snapshots, stats.rejects, stats.lost_events) == (1, 1, 0, 0)
    assert stats.ignored >= 2  # Newchannel, QueueParams: read, not needed, not errors
    assert int(redis_client.hget(keys.stats, "ingested") or 0) == len(events)


def test_the_collector_reconnects_when_the_server_drops_the_line(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    script = load_script(data_dir / "ami" / "session.txt")
    # cut while call 12 waits in the queue; send in 9-byte pieces to split every block
    cut = next(
        i
        for i, item in enumerate(script)
        if isinstance(item, Block)
        and item.message is not None
        and item.message.event == "QueueCallerJoin"
        and item.message.get("Uniqueid") == "1700000430.12"
    )

    async def scenario() -> AmiStats:
        server = server_for(
            script, status=data_dir / "ami" / "status.txt", drop_after=[cut], chunk_size=9
        )
        async with server:
            collector = collector_for(server, redis_client, keys)
            stats = await collect(collector, published_all(collector, server))
            assert server.connections == 2 and server.actions["queuestatus"] == 2
            return stats

    stats = asyncio.run(scenario())
    events = stream(redis_client, keys)
    ids = [e.event_id for e in events]
    assert len(ids) == len(set(ids))  # the second state read added nothing already said
    assert [i.split(":", 3)[3] for i in ids[7:]] == offline_ids(script)
    assert_session_counted_once(events)
    assert (stats.connections, stats.disconnects, stats.snapshots) == (2, 2, 2)
    assert "closed" in stats.last_error


def test_a_new_collector_repeats_the_state_without_counting_it_again(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    script = load_script(data_dir / "ami" / "session.txt")
    joined_12 = next(
        i
        for i, item in enumerate(script)
        if isinstance(item, Block)
        and item.message is not None
        and item.message.get("Uniqueid") == "1700000430.12"
    )

    async def scenario() -> tuple[AmiStats, AmiStats]:
        async with server_for(
            script[: joined_12 + 1], status=data_dir / "ami" / "status.txt"
        ) as server:
            first = collector_for(server, redis_client, keys)
            a = await collect(first, published_all(first, server))
            second = collector_for(server, redis_client, keys)  # a restart: nothing remembered
            b = await collect(
                second,
                lambda: (
                    second.stats.snapshots == 1
                    and second.stats.published_events == second.stats.events
                ),
            )
            return a, b

    a, b = asyncio.run(scenario())
    events = stream(redis_client, keys)
    first_ids = {e.event_id for e in events[: a.published_events]}
    repeated = [e for e in events[a.published_events :] if e.event_id in first_ids]
    assert {e.kind for e in repeated} >= {"member_add", "unpause"}
    engine = engine_of(events)
    assert totals(engine)["offered"] == 3  # calls 9, 11 and 12, each once
    assert [c.call_id for c in engine.calls.values() if c.answered is None] == ["1700000430.12"]
    assert b.events > 0


# -- what must not stop it ---------------------------------------------------------------------


def test_bad_messages_become_dead_letters_and_collection_goes_on(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    async def scenario() -> tuple[AmiStats, int]:
        async with server_for(data_dir / "ami" / "garbage.txt", chunk_size=100) as server:
            collector = collector_for(server, redis_client, keys)
            stats = await collect(
                collector,
                lambda: (
                    published_all(collector, server)() and collector.stats.published_rejects == 3
                ),
            )
            return stats, server.port

    stats, port = asyncio.run(scenario())
    events = stream(redis_client, keys)
    assert [e.kind for e in events] == ["enqueue", "answer", "complete", "enqueue"]
    assert events[1].wait == 6.0 and events[3].target == "138001"
    letters = dead_letters(redis_client, keys)
    assert [d["reason"].split(":")[0] for d in letters] == [
        "malformed line",
        "message too long",
        "bad number",
    ]
    assert letters[2]["reason"] == "bad number: AgentConnect HoldTime='five'"
    assert all(d["location"].startswith(f"127.0.0.1:{port}#1:") for d in letters)
    assert all(d["source"] == f"ami:127.0.0.1:{port}" for d in letters)
    assert len(letters[1]["raw"]) <= 256
    counters = redis_client.hgetall(keys.stats)
    assert counters["rejected"] == "3" and counters["rejected:bad_number"] == "1"
    assert (stats.rejects, stats.connections) == (3, 1)


def test_a_wrong_secret_is_refused_without_retrying(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    async def scenario() -> FakeAmiServer:
        async with server_for(data_dir / "ami" / "session.txt") as server:
            collector = collector_for(server, redis_client, keys, secret="wrong")
            with pytest.raises(AmiAuthError, match="Authentication failed"):
                await collect(collector, lambda: False, timeout=5.0)
            return server

    server = asyncio.run(scenario())
    assert (server.connections, server.failed_logins, server.logins) == (1, 1, 0)
    assert stream(redis_client, keys) == []


def test_the_collector_waits_for_a_server_that_is_not_up_yet(
    data_dir: Path, redis_client: redis.Redis, keys: Keys
) -> None:
    port = free_port()

    async def scenario() -> tuple[AmiStats, FakeAmiServer]:
        server = server_for(data_dir / "ami" / "session.txt", port=port)
        collector = collector_for(server, redis_client, keys)
        stop = asyncio.Event()
        task = asyncio.create_task(collector.run(stop=stop))
        try:
            await until(lambda: "Refused" in collector.stats.last_error, timeout=5.0)
            await server.start()
            await until(collector.logged_in.is_set, timeout=5.0)
        finally:
            stop.set()
            stats = await asyncio.wait_for(task, timeout=10.0)
            await server.stop()
        return stats, server

    stats, server = asyncio.run(scenario())
    assert stats.connections == 1 and server.logins == 1


@pytest.mark.parametrize(
    ("greeting", "error"),
    [
        (b"Asterisk Call Manager/9.0.0\r\n", "no answer to Login"),
        (b"SSH-2.0-OpenSSH_9.6\r\n", "not an Asterisk manager banner"),
    ],
)
def test_a_server_that_does_not_speak_ami_is_left_and_retried(
    greeting: bytes, error: str, redis_client: redis.Redis, keys: Keys
) -> None:
    attempts: list[int] = []

    async def mute(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        attempts.append(1)
        writer.write(greeting)
        await writer.drain()
        await reader.read()  # never answers; ends when the client hangs up

    async def scenario() -> AmiStats:
        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        fake = server_for([], port=server.sockets[0].getsockname()[1])
        try:
            collector = collector_for(fake, redis_client, keys, action_timeout=0.2)
            return await collect(collector, lambda: len(attempts) >= 3, timeout=8.0)
        finally:
            server.close()

    stats = asyncio.run(scenario())
    assert error in stats.last_error
    assert stats.connections >= 3 and stats.events == 0


# -- calls decided later ---------------------------------------------------------------------


def call_blocks(*blocks: str) -> list[Item]:
    return [Block(b.replace("\n", "\r\n").encode() + b"\r\n", None) for b in blocks]


JOIN = "Event: QueueCallerJoin\nTimestamp: 1700000100\nUniqueid: 5.5\nQueue: q\nPosition: 1\n"
ABANDON = (
    "Event: QueueCallerAbandon\nTimestamp: 1700000110\nUniqueid: 5.5\nQueue: q\nPosition: 1\n"
    "HoldTime: 10\n"
)
LEAVE = "Event: QueueCallerLeave\nTimestamp: 1700000110\nUniqueid: 5.5\nQueue: q\nPosition: 1\n"


@pytest.mark.parametrize(
    ("blocks", "settle", "kind"),
    [
        ((JOIN, ABANDON, LEAVE), 0.3, "abandon"),  # no Hangup comes: settled by the clock
        ((JOIN, LEAVE), 60.0, "exit_key"),
    ],  # still undecided at stop: decided then
)
def test_an_undecided_end_is_published_after_settling_or_at_stop(
    blocks: tuple[str, ...], settle: float, kind: str, redis_client: redis.Redis, keys: Keys
) -> None:
    async def scenario() -> None:
        async with server_for(call_blocks(*blocks)) as server:
            collector = collector_for(server, redis_client, keys, settle_seconds=settle)
            await collect(
                collector,
                lambda: (
                    server.finished.is_set()
                    and (settle > 10 or collector.stats.published_events == 2)
                ),
            )

    asyncio.run(scenario())
    events = stream(redis_client, keys)
    assert [(e.kind, e.call_id, e.wait) for e in events] == [
        ("enqueue", "5.5", None),
        (kind, "5.5", 10.0),
    ]


def test_reconnect_delays_grow_to_the_cap_with_bounded_jitter() -> None:
    rng = random.Random(1)
    backoff = Backoff(initial=1.0, maximum=8.0, jitter=0.25)
    delays = [backoff.delay(n, rng) for n in range(8) for _ in range(50)]
    for n in range(8):
        base = min(8.0, 2.0**n)
        chunk = delays[n * 50 : (n + 1) * 50]
        assert all(0.75 * base <= d <= 1.25 * base for d in chunk)
        assert len(set(chunk)) > 1  # spread, not in step
    assert Backoff(initial=0.5, maximum=30, jitter=0).delay(100, rng) == 30.0


# -- Redis unavailable ---------------------------------------------------------------------------


def test_events_wait_for_redis_and_none_is_lost_when_it_comes_back(
    data_dir: Path, keys: Keys, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    late = EmbeddedRedis(tmp_path / "late-redis", port=port, appendonly=False)
    client = redis.Redis(port=port, decode_responses=True, socket_connect_timeout=0.2)
    try:

        async def scenario() -> AmiStats:
            async with server_for(data_dir / "ami" / "session.txt") as server:
                collector = collector_for(server, client, keys)
                stop = asyncio.Event()
                task = asyncio.create_task(collector.run(stop=stop))
                try:
                    await until(lambda: server.finished.is_set() and collector.stats.events > 0)
                    await until(lambda: collector.redis_outage.failures >= 3)  # a few attempts
                    assert collector.stats.published_events == 0
                    await asyncio.to_thread(late.start)
                    await until(lambda: collector.stats.published_events == collector.stats.events)
                finally:
                    stop.set()
                    stats = await asyncio.wait_for(task, timeout=10.0)
            return stats

        caplog.set_level(logging.WARNING, logger="collectors.ami.client")
        stats = asyncio.run(scenario())
        assert len(stream(client, keys)) == stats.events == stats.published_events == 28
        assert stats.lost_events == 0
        # one line when Redis went away and one when it came back, not one per attempt
        outage = [r.getMessage() for r in caplog.records if ": Redis " in r.getMessage()]
        assert len(outage) == 2 and "is back" in outage[1], outage
    finally:
        client.close()
        late.stop()


def test_stopping_while_redis_is_down_gives_up_after_the_shutdown_timeout(
    data_dir: Path, keys: Keys
) -> None:
    # no client-side retries: one publish attempt fails at once (redis-py's own retries would
    # make each attempt last seconds, and an attempt under way is finished before giving up)
    client = redis.Redis(port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))

    async def scenario() -> tuple[AmiStats, float]:
        async with server_for(data_dir / "ami" / "session.txt") as server:
            collector = collector_for(server, client, keys, shutdown_timeout=0.5)
            loop = asyncio.get_running_loop()
            stop = asyncio.Event()
            task = asyncio.create_task(collector.run(stop=stop))
            await until(lambda: server.finished.is_set() and collector.stats.events > 0)
            stopped = loop.time()
            stop.set()
            stats = await asyncio.wait_for(task, timeout=10.0)
            return stats, loop.time() - stopped

    stats, took = asyncio.run(scenario())
    client.close()
    assert stats.lost_events == stats.events == 28 and stats.published_events == 0
    assert took < 3.0


# -- timestampevents ----------------------------------------------------------------------------


def without_timestamps(script: Sequence[Item]) -> list[Item]:
    """The script as a server with ``timestampevents = no`` sends it."""
    out: list[Item] = []
    for item in script:
        if isinstance(item, Block) and item.message is not None:
            fields = [(k, v) for k, v in item.message.fields if k != "Timestamp"]
            raw = b"".join(f"{k}: {v}\r\n".encode() for k, v in fields) + b"\r\n"
            item = Block(raw, Message(tuple(fields), raw))
        out.append(item)
    return out


def status_record(client: redis.Redis, keys: Keys, server: FakeAmiServer) -> dict[str, object]:
    raw = client.hget(keys.sources, f"ami:127.0.0.1:{server.port}")
    assert raw is not None, "no status record"
    return dict(json.loads(raw))


def test_events_without_timestamp_are_warned_once_and_recorded_for_health(
    data_dir: Path, redis_client: redis.Redis, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    script = without_timestamps(load_script(data_dir / "ami" / "session.txt"))
    caplog.set_level(logging.WARNING, logger="collectors.ami.client")

    async def scenario() -> tuple[AmiStats, FakeAmiServer]:
        # two connections: the second one finds the same thing and does not warn again
        async with server_for(script, drop_after=[12]) as server:
            collector = collector_for(server, redis_client, keys)
            stats = await collect(collector, published_all(collector, server))
            assert server.connections == 2
            return stats, server

    stats, server = asyncio.run(scenario())
    warnings = [r for r in caplog.records if "timestampevents" in r.getMessage()]
    assert len(warnings) == 1
    assert f"AMI 127.0.0.1:{server.port}: AMI events carry no Timestamp" in warnings[0].message
    assert (stats.timestamps, stats.untimed_events) == ("missing", 41)
    record = status_record(redis_client, keys, server)
    assert record["timestamps"] == "missing" and record["untimed_events"] == 41
    assert record["connected"] is False  # written again when the collector stopped
    [warning] = record["warnings"]  # type: ignore[misc]
    assert "timestampevents = yes" in warning
    # still collected, dated on arrival
    # This server has no status file: its QueueStatus lists no member, so the members are
    # known by their calls only.
    assert_session_counted_once(stream(redis_client, keys), idle="no_session")


def test_events_with_timestamp_are_recorded_present_without_a_warning(
    data_dir: Path, redis_client: redis.Redis, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    script = load_script(data_dir / "ami" / "session.txt")
    caplog.set_level(logging.WARNING, logger="collectors.ami.client")

    async def scenario() -> tuple[AmiStats, FakeAmiServer]:
        # the state answer has no Timestamp (whatever the setting): it is not held against it
        async with server_for(script, status=data_dir / "ami" / "status.txt") as server:
            collector = collector_for(server, redis_client, keys)
            return await collect(collector, published_all(collector, server)), server

    stats, server = asyncio.run(scenario())
    assert not [r for r in caplog.records if "timestampevents" in r.getMessage()]
    assert (stats.timestamps, stats.untimed_events) == ("present", 0)
    record = status_record(redis_client, keys, server)
    assert (record["timestamps"], record["warnings"]) == ("present", [])
