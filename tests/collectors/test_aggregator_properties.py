"""Property tests: invariants of the counters and independence from how input is chunked."""

from __future__ import annotations

import uuid

import redis
from event_factories import T0, ev
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.aggregator.consumer import Aggregator, ConsumerOptions
from collectors.aggregator.report import interval_records, read_days
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer

QUEUES = ("sales", "support")
ENDINGS = ("answered", "transferred", "abandon", "timeout", "empty", "key", "waiting", "connected")


@st.composite
def call_lifecycles(draw: st.DrawFn) -> list[Event]:
    """Calls with random arrival, wait, talk and fate, across two queues and midnight."""
    events: list[Event] = []
    for n in range(draw(st.integers(min_value=1, max_value=40))):
        cid, queue = f"c{n}", draw(st.sampled_from(QUEUES))
        at = T0 + 86_400 - 3_600 + draw(st.integers(min_value=0, max_value=7_200))
        wait = draw(st.integers(min_value=0, max_value=120))
        talk = draw(st.integers(min_value=1, max_value=600))
        fate = draw(st.sampled_from(ENDINGS))
        events.append(ev(Kind.ENQUEUE, at, call_id=cid, queue=queue))
        if fate in ("answered", "transferred", "connected"):
            events.append(
                ev(Kind.ANSWER, at + wait, call_id=cid, queue=queue, agent=f"a{n}", wait=wait)
            )
            if fate != "connected":
                kind = Kind.COMPLETE if fate == "answered" else Kind.TRANSFER
                events.append(ev(kind, at + wait + talk, call_id=cid, queue=queue,
                                 agent=f"a{n}", wait=wait, talk=talk))  # fmt: skip
        elif fate != "waiting":
            kind = {"abandon": Kind.ABANDON, "timeout": Kind.EXIT_TIMEOUT,
                    "empty": Kind.EXIT_EMPTY, "key": Kind.EXIT_KEY}[fate]  # fmt: skip
            events.append(ev(kind, at + wait, call_id=cid, queue=queue, wait=wait))
    return sorted(events, key=lambda e: e.ts)


def totals(client: redis.Redis, keys: Keys) -> dict[str, int]:
    aggregator = Aggregator(client, keys=keys)
    records = interval_records(
        read_days(client, keys), clock=aggregator.engine.clock, interval="day"
    )
    out: dict[str, int] = {}
    for record in records:
        if record["queue"] == "*":
            for name, value in record.items():
                if isinstance(value, int):
                    out[name] = out.get(name, 0) + value
    return out


def aggregate(
    client: redis.Redis, events: list[Event], cuts: list[int], frame: int, reads: int
) -> tuple[Keys, dict[str, object]]:
    keys = Keys(prefix=f"p{uuid.uuid4().hex[:8]}")
    producer = EventProducer(client, keys=keys, frame_size=frame)
    options = ConsumerOptions(read_count=reads)
    bounds = [0, *sorted(c % (len(events) + 1) for c in cuts), len(events)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        producer.publish(events[lo:hi])
        # Aggregating between chunks: batches end anywhere, restarts happen anywhere.
        Aggregator(client, keys=keys, options=options, clock=lambda: T0 + 2 * 86_400).drain()
    snapshot = Aggregator(client, keys=keys, clock=lambda: T0 + 2 * 86_400)
    snapshot.load()
    return keys, snapshot.write_snapshot()


def cleanup(client: redis.Redis, keys: Keys) -> None:
    stale = list(client.scan_iter(match=f"{keys.prefix}:*", count=1000))
    if stale:
        client.delete(*stale)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    events=call_lifecycles(),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=4),
    frame=st.integers(min_value=1, max_value=9),
    reads=st.integers(min_value=1, max_value=4),
    replay=st.booleans(),
)
def test_every_offered_call_is_accounted_for_in_any_chunking(
    redis_client: redis.Redis,
    events: list[Event],
    cuts: list[int],
    frame: int,
    reads: int,
    replay: bool,
) -> None:
    # The same events in one go, as the reference.
    ref_keys, _ = aggregate(redis_client, events, [], 1000, 100)
    reference = totals(redis_client, ref_keys)
    cleanup(redis_client, ref_keys)

    chunked = events + events[: len(events) // 2] if replay else events
    keys, snap = aggregate(redis_client, chunked, cuts, frame, reads)
    got = totals(redis_client, keys)
    waiting = sum(q["now"]["calls_waiting"] for name, q in snap["queues"].items() if name != "*")
    connected = sum(q["now"]["connected"] for name, q in snap["queues"].items() if name != "*")
    cleanup(redis_client, keys)

    assert got == reference
    ended = (
        got["answered"]
        + got["abandoned"]
        + got["short_abandoned"]
        + got["exited"]
        + got.get("lost", 0)
    )
    assert ended + waiting == got["offered"]
    assert got["handled"] + connected == got["answered"]
    assert got["answered_within_t"] <= got["answered"]
    assert got["abandoned_after_t"] <= got["abandoned"]
    assert got["exited"] == got["exited_timeout"] + got["exited_empty"] + got["exited_key"]
