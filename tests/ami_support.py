"""Helpers for the AMI collector tests: the fake server, a collector tuned for tests, waits.

Every wait is bounded: ``until`` gives up after its timeout, and ``collect`` stops the collector
and awaits it with a timeout.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import redis

from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.ami.client import AmiCollector, AmiStats, Backoff
from collectors.ami.fake_server import FakeAmiServer
from collectors.ami.script import Item
from collectors.events import Event, decode_frame
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer

USER, SECRET = "wallboard", "s3cret-for-tests"


def server_for(script: Path | Sequence[Item], **kwargs: object) -> FakeAmiServer:
    return FakeAmiServer(script, username=USER, secret=SECRET, **kwargs)  # type: ignore[arg-type]


def collector_for(
    server: FakeAmiServer, client: redis.Redis, keys: Keys, **kwargs: object
) -> AmiCollector:
    options: dict[str, object] = {
        "batch_seconds": 0.02,
        "ping_interval": 1.0,
        "action_timeout": 2.0,
        "connect_timeout": 2.0,
        "backoff": Backoff(initial=0.05, maximum=0.2, jitter=0.2),
        "settle_seconds": 0.3,
        "rng": random.Random(7),
        **kwargs,
    }
    return AmiCollector(
        host="127.0.0.1",
        port=server.port,
        username=str(options.pop("username", USER)),
        secret=str(options.pop("secret", SECRET)),
        producer=EventProducer(client, keys=keys),
        **options,  # type: ignore[arg-type]
    )


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def collect(
    collector: AmiCollector, done: Callable[[], bool], timeout: float = 10.0
) -> AmiStats:
    """Run the collector until ``done()``; stop it and return its stats (or its error)."""
    stop = asyncio.Event()
    task = asyncio.create_task(collector.run(stop=stop))
    try:
        await until(lambda: done() or task.done(), timeout)
    finally:
        stop.set()
        stats = await asyncio.wait_for(task, timeout=10.0)
    return stats


def stream(client: redis.Redis, keys: Keys) -> list[Event]:
    return [e for _, f in client.xrange(keys.events) for e in decode_frame(f["e"])]


def dead_letters(client: redis.Redis, keys: Keys) -> list[dict[str, str]]:
    return [fields for _, fields in client.xrange(keys.dead_letter)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def engine_of(events: Sequence[Event]) -> Engine:
    """What the aggregator makes of the stream (it drops ids it has already applied)."""
    engine = Engine(AggregatorConfig())
    seen: set[str] = set()
    for e in events:
        if e.event_id not in seen:
            seen.add(e.event_id)
            engine.apply(e)
    return engine


def totals(engine: Engine) -> Counter[str]:
    out: Counter[str] = Counter()
    for (_, _, _, name), value in engine.take_changes().qdelta.items():
        out[name] += value
    return out


def published_all(collector: AmiCollector, server: FakeAmiServer) -> Callable[[], bool]:
    return lambda: (
        server.finished.is_set()
        and collector.stats.events > 0
        and collector.stats.published_events == collector.stats.events
    )
