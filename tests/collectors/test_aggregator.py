"""The aggregator against a real Redis: counting rules, exactly-once, restarts, snapshot."""

from __future__ import annotations

import json

import pytest
import redis
from event_factories import T0, abandoned_call, answered_call, by_time, ev, exited_call

from collectors.aggregator.consumer import Aggregator, ConsumerOptions
from collectors.aggregator.engine import AggregatorConfig
from collectors.aggregator.report import interval_records, read_days
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer


def run(
    client: redis.Redis,
    keys: Keys,
    events: list[Event],
    *,
    config: AggregatorConfig | None = None,
    now: float = T0 + 3600,
    history: list[dict[str, object]] | None = None,
) -> dict[str, object]:
    """Publish ``events``, drain the stream, return the snapshot."""
    EventProducer(client, keys=keys, frame_size=7).publish(events)
    sink = history.extend if history is not None else None
    Aggregator(client, keys=keys, config=config, history=sink, clock=lambda: now).drain()
    return json.loads(client.get(keys.snapshot))


def day_totals(client: redis.Redis, keys: Keys, queue: str = "*") -> dict[str, object]:
    aggregator = Aggregator(client, keys=keys)
    records = interval_records(
        read_days(client, keys), clock=aggregator.engine.clock, interval="day"
    )
    return next(r for r in records if r["queue"] == queue)


def test_spec_counting_rules(redis_client: redis.Redis, keys: Keys) -> None:
    events = by_time(
        answered_call("a", "sales", "alice", T0, wait=20, talk=100),  # within T (wait <= T)
        answered_call("b", "sales", "bob", T0 + 1, wait=21, talk=50),  # not within T
        abandoned_call("c", "sales", T0 + 2, wait=4.99),  # short: strictly below 5 s
        abandoned_call("d", "sales", T0 + 3, wait=5),  # abandoned, within T: neutral for SL
        abandoned_call("e", "sales", T0 + 4, wait=40),  # abandoned after T: counts against SL
        exited_call("f", "sales", T0 + 5, wait=300, kind=Kind.EXIT_TIMEOUT),
        exited_call("g", "sales", T0 + 6, wait=2, kind=Kind.EXIT_EMPTY),
        exited_call("h", "sales", T0 + 7, wait=9, kind=Kind.EXIT_KEY),
    )
    run(redis_client, keys, events)
    t = day_totals(redis_client, keys, "sales")
    assert (t["offered"], t["answered"], t["answered_within_t"]) == (8, 2, 1)
    assert (t["abandoned"], t["short_abandoned"], t["abandoned_after_t"]) == (2, 1, 1)
    assert (t["exited"], t["exited_timeout"], t["exited_empty"], t["exited_key"]) == (3, 1, 1, 1)
    assert t["service_level"] == pytest.approx(1 / (2 + 1))
    assert t["answer_rate"] == pytest.approx(2 / (2 + 2 + 3))
    assert t["abandon_rate"] == pytest.approx(2 / (2 + 2))
    assert t["asa"] == pytest.approx((20 + 21) / 2)
    assert t["aht"] == pytest.approx((100 + 50) / 2)
    assert t["aht_parts"] == ["talk"]


def test_rates_with_empty_denominators_are_null(redis_client: redis.Redis, keys: Keys) -> None:
    run(redis_client, keys, abandoned_call("x", "q", T0, wait=1))
    t = day_totals(redis_client, keys, "q")
    assert t["short_abandoned"] == 1
    assert t["service_level"] is None and t["abandon_rate"] is None and t["asa"] is None
    assert t["answer_rate"] is None and t["aht"] is None


def test_per_queue_threshold(redis_client: redis.Redis, keys: Keys) -> None:
    config = AggregatorConfig(sl_threshold=20, sl_thresholds={"vip": 10})
    events = by_time(
        answered_call("a", "vip", "alice", T0, wait=15, talk=10),
        answered_call("b", "sales", "bob", T0, wait=15, talk=10),
    )
    run(redis_client, keys, events, config=config)
    assert day_totals(redis_client, keys, "vip")["answered_within_t"] == 0
    assert day_totals(redis_client, keys, "sales")["answered_within_t"] == 1


def test_replaying_the_same_events_counts_once(redis_client: redis.Redis, keys: Keys) -> None:
    events = by_time(
        *(answered_call(f"c{i}", "q", "a", T0 + i * 60, wait=5, talk=30) for i in range(20))
    )
    run(redis_client, keys, events)
    run(redis_client, keys, events)
    run(redis_client, keys, events[5:12])
    t = day_totals(redis_client, keys, "q")
    assert (t["offered"], t["answered"], t["handled"]) == (20, 20, 20)
    stats = redis_client.hgetall(keys.stats)
    assert int(stats["duplicates"]) == len(events) + 7


def test_wrap_hold_and_transfer_feed_aht(redis_client: redis.Redis, keys: Keys) -> None:
    events = [
        ev(Kind.ENQUEUE, T0, call_id="a", queue="q"),
        ev(Kind.ANSWER, T0 + 5, call_id="a", queue="q", agent="ann", wait=5),
        ev(Kind.TRANSFER, T0 + 65, call_id="a", queue="q", agent="ann", wait=5, talk=60,
           hold=10, reason="blind", target="200@ctx"),
        ev(Kind.ACW_START, T0 + 65, agent="ann", queue="q"),
        ev(Kind.ACW_END, T0 + 95, agent="ann", queue="q", wrap=30),
    ]  # fmt: skip
    history: list[dict[str, object]] = []
    run(redis_client, keys, events, history=history)
    t = day_totals(redis_client, keys, "q")
    assert t["transferred"] == 1 and t["handled"] == 1
    assert t["aht"] == pytest.approx(60 + 10 + 30)
    assert t["aht_parts"] == ["talk", "hold", "wrap"]
    call = next(r for r in history if r["type"] == "call")
    assert call["outcome"] == "transferred" and call["transfer_target"] == "200@ctx"
    assert any(r["type"] == "wrap" and r["wrap"] == 30 for r in history)


def test_snapshot_live_state(redis_client: redis.Redis, keys: Keys) -> None:
    events = [
        ev(Kind.LOGIN, T0, agent="ann", queue="q"),
        ev(Kind.LOGIN, T0, agent="bob", queue="q"),
        ev(Kind.PAUSE, T0 + 10, agent="bob", queue="q", reason="lunch"),
        ev(Kind.ENQUEUE, T0 + 20, call_id="w1", queue="q"),
        ev(Kind.ENQUEUE, T0 + 30, call_id="w2", queue="q"),
        ev(Kind.ANSWER, T0 + 40, call_id="w2", queue="q", agent="ann", wait=10),
    ]
    snap = run(redis_client, keys, events, now=T0 + 100)
    now = snap["queues"]["q"]["now"]
    assert now["calls_waiting"] == 1 and now["connected"] == 1
    assert now["longest_wait"] == pytest.approx(80)
    assert now["waiting_over_t"] == 1
    assert now["agents"] == {"on_call": 1, "paused": 1}
    assert now["service_level"] == pytest.approx(1 / (1 + 1))  # the stuck call counts as missed
    agents = {a["agent"]: a for a in snap["agents"]}
    assert agents["bob"]["state"] == "paused" and agents["bob"]["reason"] == "lunch"
    assert agents["bob"]["time_in_state"] == pytest.approx(90)
    assert agents["ann"]["state"] == "on_call" and agents["ann"]["queue"] == "q"
    assert snap["generated_at"] == T0 + 100 and snap["last_event_at"] == T0 + 40


def test_occupancy_from_agent_state_time(redis_client: redis.Redis, keys: Keys) -> None:
    events = [
        ev(Kind.LOGIN, T0, agent="ann", queue="q"),
        *answered_call("c", "q", "ann", T0 + 100, wait=0, talk=300),
        ev(Kind.LOGOUT, T0 + 600, agent="ann"),
    ]
    run(redis_client, keys, by_time(events))
    t = day_totals(redis_client, keys)
    # available 0–100 and 400–600 (300 s), on call 100–400 (300 s)
    assert t["occupancy"] == pytest.approx(0.5)


def test_midnight_crossing_splits_days(redis_client: redis.Redis, keys: Keys) -> None:
    midnight = T0 + 86_400
    events = by_time(
        answered_call("late", "q", "ann", midnight - 30, wait=50, talk=100),
        answered_call("early", "q", "ann", midnight + 5, wait=5, talk=10),
    )
    run(redis_client, keys, events, now=midnight + 3600)
    aggregator = Aggregator(redis_client, keys=keys)
    records = interval_records(
        read_days(redis_client, keys), clock=aggregator.engine.clock, interval="day"
    )
    by_day = {(r["interval_start"][:10], r["queue"]): r for r in records}
    first, second = by_day[("2026-01-01", "q")], by_day[("2026-01-02", "q")]
    # offered counts at enqueue (day 1); answered and talk where they happened (day 2)
    assert (first["offered"], first["answered"], first["handled"]) == (1, 0, 0)
    assert (second["offered"], second["answered"], second["handled"]) == (1, 2, 2)


class CrashBeforeCommit(Aggregator):
    """Dies after applying a batch in memory but before its transaction: a kill -9 there."""

    def _commit(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        raise SystemExit("killed")


def test_crash_before_commit_loses_and_doubles_nothing(
    redis_client: redis.Redis, keys: Keys
) -> None:
    events = by_time(
        *(answered_call(f"c{i}", "q", "a", T0 + i * 30, wait=3, talk=20) for i in range(50))
    )
    producer = EventProducer(redis_client, keys=keys, frame_size=10)
    producer.publish(events)
    options = ConsumerOptions(read_count=3)
    crashing = CrashBeforeCommit(redis_client, keys=keys, options=options)
    crashing.ensure_group()
    crashing.load()
    with pytest.raises(SystemExit):
        crashing.step(block=False)
    # A new process with the same consumer name picks up its own pending entries first.
    Aggregator(redis_client, keys=keys, options=options).drain()
    t = day_totals(redis_client, keys, "q")
    assert (t["offered"], t["answered"], t["handled"]) == (50, 50, 50)
    pending = redis_client.xpending(keys.events, options.group)
    assert pending["pending"] == 0


def test_stale_entries_of_a_dead_consumer_are_claimed(
    redis_client: redis.Redis, keys: Keys
) -> None:
    events = by_time(
        *(answered_call(f"c{i}", "q", "a", T0 + i * 30, wait=3, talk=20) for i in range(10))
    )
    EventProducer(redis_client, keys=keys, frame_size=5).publish(events)
    dead = CrashBeforeCommit(redis_client, keys=keys, options=ConsumerOptions(consumer="dead"))
    dead.ensure_group()
    dead.load()
    with pytest.raises(SystemExit):
        dead.step(block=False)
    other = Aggregator(
        redis_client, keys=keys, options=ConsumerOptions(consumer="other", claim_idle_ms=0)
    )
    other.drain()
    assert day_totals(redis_client, keys, "q")["handled"] == 10


def test_trim_drops_only_applied_entries(redis_client: redis.Redis, keys: Keys) -> None:
    events = by_time(
        *(answered_call(f"c{i}", "q", "a", T0 + i, wait=1, talk=1) for i in range(200))
    )
    EventProducer(redis_client, keys=keys, frame_size=2).publish(events)
    aggregator = Aggregator(redis_client, keys=keys)
    aggregator.drain()
    aggregator.trim()
    assert redis_client.xlen(keys.events) < 300
    assert day_totals(redis_client, keys, "q")["handled"] == 200


def test_system_start_closes_calls_in_flight(redis_client: redis.Redis, keys: Keys) -> None:
    events = [
        ev(Kind.ENQUEUE, T0, call_id="a", queue="q"),
        ev(Kind.ENQUEUE, T0 + 1, call_id="b", queue="q"),
        # Logged in: an agent seen only through calls would show "no_session" (issue 18).
        ev(Kind.MEMBER_ADD, T0 + 1, queue="q", agent="ann"),
        ev(Kind.ANSWER, T0 + 2, call_id="b", queue="q", agent="ann", wait=1),
        ev(Kind.SYSTEM_START, T0 + 10),
    ]
    history: list[dict[str, object]] = []
    snap = run(redis_client, keys, events, history=history)
    assert snap["queues"]["q"]["now"]["calls_waiting"] == 0
    assert snap["queues"]["q"]["today"]["lost"] == 2
    assert {r["outcome"] for r in history if r["type"] == "call"} == {"lost"}
    assert {a["agent"]: a["state"] for a in snap["agents"]} == {"ann": "available"}


def test_restart_reloads_live_state(redis_client: redis.Redis, keys: Keys) -> None:
    first = [ev(Kind.ENQUEUE, T0, call_id="a", queue="q")]
    run(redis_client, keys, first)
    later = [ev(Kind.ANSWER, T0 + 30, call_id="a", queue="q", agent="ann", wait=30)]
    snap = run(redis_client, keys, later)  # a fresh Aggregator: state comes from Redis
    t = snap["queues"]["q"]["today"]
    assert (t["offered"], t["answered"], t["answered_within_t"]) == (1, 1, 0)


def test_calls_stuck_for_hours_are_closed_as_lost(redis_client: redis.Redis, keys: Keys) -> None:
    events = [
        ev(Kind.ENQUEUE, T0, call_id="stuck", queue="q"),
        ev(Kind.ENQUEUE, T0 + 10, call_id="talking", queue="q"),
        ev(Kind.ANSWER, T0 + 20, call_id="talking", queue="q", agent="ann", wait=10),
        ev(Kind.ENQUEUE, T0 + 5 * 3600, call_id="fresh", queue="q"),
    ]
    run(redis_client, keys, events)
    later = T0 + 5 * 3600 + 60
    aggregator = Aggregator(redis_client, keys=keys, clock=lambda: later)
    aggregator.ensure_group()
    aggregator.load()
    assert aggregator.expire_stale() == 1  # waiting > 4 h; connected for 5 h is still plausible
    aggregator.flush_history(everything=True)
    snap = aggregator.write_snapshot()
    now = snap["queues"]["q"]["now"]
    assert (now["calls_waiting"], now["connected"]) == (1, 1)
    assert snap["queues"]["q"]["today"]["lost"] == 1
    assert redis_client.hlen(keys.live_calls) == 2


def test_a_catching_up_aggregator_rewrites_the_snapshot_at_the_backlog_pace(
    redis_client: redis.Redis, keys: Keys
) -> None:
    events = by_time(
        *(answered_call(f"c{i}", "q", "a", T0 + i * 30, wait=3, talk=20) for i in range(40))
    )
    EventProducer(redis_client, keys=keys, frame_size=10).publish(events)
    assert redis_client.xlen(keys.events) > 6
    now = [T0]
    options = ConsumerOptions(read_count=3, snapshot_interval_ms=100, backlog_snapshot_ms=1000)
    aggregator = Aggregator(redis_client, keys=keys, options=options, clock=lambda: now[0])
    aggregator.ensure_group()
    aggregator.load()
    aggregator.write_snapshot()

    def generated_at() -> float:
        return float(json.loads(redis_client.get(keys.snapshot))["generated_at"])

    assert aggregator.step(block=False) == 3  # a full read: more is waiting
    now[0] = T0 + 0.5
    aggregator.housekeeping()
    assert generated_at() == T0  # not yet: a second between snapshots while catching up
    now[0] = T0 + 1.0
    aggregator.housekeeping()
    assert generated_at() == T0 + 1.0
    while aggregator.step(block=False) == 3:
        pass
    now[0] = T0 + 1.2  # caught up: back to the 100 ms pace
    aggregator.housekeeping()
    assert generated_at() == T0 + 1.2
