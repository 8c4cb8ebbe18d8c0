"""A caller transferred from one queue into another under another call id (FreePBX shape).

The fixtures (tests/data/queue_log/*transfer*_into_queue.log, described in that folder's
README.md) go through the real queue_log decoder, the Redis stream and the aggregator; the
expected figures are worked out by hand there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner
from event_factories import T0, answered_call, ev

from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.handoff_rules import MAX_HANDOFFS, extension, same_agent
from collectors.aggregator.report import interval_records, read_days
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import LineDecoder
from dashboard.cli import main

DATA = Path(__file__).parents[1] / "data" / "queue_log"
NOW = 1_710_280_800.0  # 2024-03-12 22:00 UTC, after every fixture's last line


@dataclass(frozen=True)
class Figures:
    offered: int
    answered: int
    handled: int
    transferred: int
    wait: int  # seconds, summed over answered calls
    talk: int  # seconds, summed over handled calls


# (queue, call id, outcome, wait, talk, transfer target, caller) of every finished call
Row = tuple[str, str, str, float, float, str, str]

EXPECTED: dict[str, tuple[dict[str, Figures], list[Row]]] = {
    "transfer_into_queue_after.log": (
        {"support": Figures(2, 2, 2, 2, 6 + 4, 126 + 196),
         "billing": Figures(3, 3, 3, 0, 12 + 25 + 20, 240 + 360 + 100)},
        [("support", "1710237600.101", "transferred", 6, 126, "billing", "13800138001"),
         ("billing", "1710237600.101", "answered", 12, 240, "", "13800138001"),
         ("billing", "1710237725.112", "answered", 25, 360, "", "13911112222"),
         ("support", "1710238200.120", "transferred", 4, 196, "billing", "13700137002"),
         ("billing", "1710238200.120", "answered", 20, 100, "", "13700137002")],
    ),
    "transfer_into_queue_before.log": (
        {"support": Figures(2, 2, 2, 2, 5 + 8, 185 + 142),
         "billing": Figures(2, 2, 2, 0, 15 + 40, 300 + 440)},
        [("support", "1710241200.201", "transferred", 5, 185, "5d3c1e2a-bridge-3", "13800138003"),
         ("billing", "1710241200.201", "answered", 15, 300, "", "13800138003"),
         ("support", "1710241800.220", "transferred", 8, 142, "5d3c1e2a-bridge-4", "13700137004"),
         ("billing", "1710241800.220", "answered", 40, 440, "", "13700137004")],
    ),
    "blind_transfer_into_queue.log": (
        {"support": Figures(2, 2, 2, 2, 7 + 3, 173 + 127),
         "billing": Figures(3, 3, 3, 0, 180 + 30 + 10, 300 + 360 + 180)},
        [("support", "1710244800.301", "transferred", 7, 173, "500@from-internal", "13500135005"),
         ("billing", "1710244860.305", "answered", 180, 300, "", "13922223333"),
         ("billing", "1710244800.301", "answered", 30, 360, "", "13500135005"),
         ("support", "1710245400.320", "transferred", 3, 127, "billing", "13600136006"),
         ("billing", "1710245400.320", "answered", 10, 180, "", "13600136006")],
    ),
    "two_transfers_into_queue.log": (
        {"support": Figures(2, 2, 2, 2, 5 + 4, 185 + 166),
         "billing": Figures(4, 4, 4, 0, 160 + 20 + 35 + 130, 80 + 300 + 240 + 300)},
        [("support", "1710248400.401", "transferred", 5, 185, "5d3c1e2a-bridge-7", "13100131007"),
         ("support", "1710248430.405", "transferred", 4, 166, "billing", "13200132008"),
         ("billing", "1710248390.399", "answered", 160, 80, "", ""),
         ("billing", "1710248400.401", "answered", 35, 240, "", "13100131007"),
         ("billing", "1710248430.405", "answered", 20, 300, "", "13200132008"),
         ("billing", "1710248520.410", "answered", 130, 300, "", "13933334444")],
    ),
}  # fmt: skip
FIXTURES = sorted(EXPECTED)


def lines_of(name: str) -> list[list[Event]]:
    """The events of each line of a fixture, through the real decoder."""
    decoder = LineDecoder(source="freepbx", path_label=name)
    out: list[list[Event]] = []
    for raw in (DATA / name).read_bytes().splitlines(keepends=True):
        events, rejects = decoder.feed(raw)
        assert not rejects, rejects
        out.append(events)
    events, rejects = decoder.finish()
    assert not rejects and not events
    return out


def drain(client: redis.Redis, keys: Keys, events: list[Event], history: list[Any]) -> Aggregator:
    """Publish ``events`` and apply them with a new aggregator (state loaded from Redis)."""
    EventProducer(client, keys=keys, frame_size=3).publish(events)
    aggregator = Aggregator(client, keys=keys, history=history.extend, clock=lambda: NOW)
    aggregator.drain()
    return aggregator


def figures(client: redis.Redis, keys: Keys) -> dict[str, Figures]:
    records = interval_records(
        read_days(client, keys), clock=Aggregator(client, keys=keys).engine.clock, interval="day"
    )
    return {r["queue"]: _figures(r) for r in records if r["queue"] != "*"}


def _figures(r: dict[str, Any]) -> Figures:
    wait = round((r["asa"] or 0) * r["answered"])
    talk = round((r["aht"] or 0) * r["handled"])
    return Figures(r["offered"], r["answered"], r["handled"], r["transferred"], wait, talk)


def rows(history: list[dict[str, Any]]) -> list[Row]:
    return [
        (r["queue"], r["call_id"], r["outcome"], r["wait"], r["talk"], r["transfer_target"],
         r["caller"])
        for r in history
        if r["type"] == "call"
    ]  # fmt: skip


def assert_nothing_in_flight(client: redis.Redis, keys: Keys) -> None:
    snapshot = json.loads(str(client.get(keys.snapshot)))
    for queue, block in snapshot["queues"].items():
        assert (queue, block["now"]["calls_waiting"], block["now"]["connected"]) == (queue, 0, 0)
    assert snapshot["waiting"] == []
    assert client.hlen(keys.live_calls) == 0
    # Idle: "available", or "no_session" for an agent seen only through calls (issue 18).
    idle = ("available", "no_session")
    assert {a["agent"]: a["state"] for a in snapshot["agents"] if a["state"] not in idle} == {}


@pytest.mark.parametrize("name", FIXTURES)
def test_one_offer_and_one_answer_per_queue_and_a_transfer_out(
    redis_client: redis.Redis, keys: Keys, name: str
) -> None:
    history: list[Any] = []
    drain(redis_client, keys, [e for line in lines_of(name) for e in line], history)
    per_queue, expected_rows = EXPECTED[name]
    assert figures(redis_client, keys) == per_queue
    assert sorted(rows(history)) == sorted(expected_rows)
    assert_nothing_in_flight(redis_client, keys)


@pytest.mark.parametrize("name", FIXTURES)
def test_the_same_with_the_aggregator_restarted_after_every_line(
    redis_client: redis.Redis, keys: Keys, name: str
) -> None:
    history: list[Any] = []
    for events in lines_of(name):
        drain(redis_client, keys, events, history)
    per_queue, expected_rows = EXPECTED[name]
    assert figures(redis_client, keys) == per_queue
    assert sorted(rows(history)) == sorted(expected_rows)
    assert_nothing_in_flight(redis_client, keys)


@pytest.mark.parametrize("name", FIXTURES)
def test_floorboard_report_gives_the_same_figures(name: str) -> None:
    result = CliRunner().invoke(
        main, ["report", str(DATA / name), "--interval", "day", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {r["queue"]: _figures(r) for r in records if r["queue"] != "*"} == EXPECTED[name][0]


def test_hand_offs_are_kept_with_the_live_state_and_forgotten_when_stale(
    redis_client: redis.Redis, keys: Keys
) -> None:
    history: list[Any] = []
    events = [e for line in lines_of("two_transfers_into_queue.log") for e in line]
    drain(redis_client, keys, events, history)
    assert sorted(redis_client.hkeys(keys.live_handoffs)) == ["1710248400.401", "1710248430.405"]
    # The source's clock moves past the stale-waiting limit: no consultation can still pair.
    later = 1710248950 + 4 * 3600 + 1
    logoff = ev(Kind.LOGOUT, later, source="freepbx", agent="Local/2003@from-queue/n")
    aggregator = drain(redis_client, keys, [logoff], history)
    assert aggregator.expire_stale() == 0  # no call was stuck: only the memory goes
    aggregator.drain()
    assert redis_client.hlen(keys.live_handoffs) == 0


def test_the_memory_is_bounded_whatever_the_expiry() -> None:
    engine = Engine(AggregatorConfig())
    for i in range(MAX_HANDOFFS + 5):
        at = T0 + i
        engine.apply(ev(Kind.ENQUEUE, at, call_id=f"c{i}", queue="support"))
        engine.apply(ev(Kind.ANSWER, at, call_id=f"c{i}", queue="support", agent="ann", wait=0))
        engine.apply(ev(Kind.TRANSFER, at, call_id=f"c{i}", queue="support", agent="ann",
                        wait=0, talk=0, reason="blind", target="200@ctx"))  # fmt: skip
    assert len(engine.handoffs) == MAX_HANDOFFS
    assert "c4" not in engine.handoffs and f"c{MAX_HANDOFFS + 4}" in engine.handoffs


def test_the_ring_of_the_consultation_pairs_it_without_any_other_evidence(
    redis_client: redis.Redis, keys: Keys
) -> None:
    # AGENTCALLED (a ``ring``) for the consultation entry, then the agent's CONNECT under an id
    # seen nowhere else: the entry it was rung for is the one it answered.
    events = [
        ev(Kind.ENQUEUE, T0, call_id="k", queue="billing", target="Alice"),
        ev(Kind.ENQUEUE, T0 + 1, call_id="n", queue="billing", target="5550100"),
        ev(Kind.RING, T0 + 2, call_id="k", queue="billing", agent="bob"),
        ev(Kind.ANSWER, T0 + 9, call_id="o", queue="billing", agent="bob", wait=9),
        *answered_call("n", "billing", "carol", T0 + 1, wait=11, talk=50)[1:],
        ev(Kind.COMPLETE, T0 + 100, call_id="o", queue="billing", agent="bob", wait=9, talk=91),
    ]
    history: list[Any] = []
    drain(redis_client, keys, sorted(events, key=lambda e: e.ts), history)
    assert figures(redis_client, keys)["billing"] == Figures(2, 2, 2, 0, 9 + 11, 91 + 50)
    assert_nothing_in_flight(redis_client, keys)


def test_an_unknown_connect_with_no_evidence_is_offered_at_ts_minus_wait(
    redis_client: redis.Redis, keys: Keys
) -> None:
    # Two entries wait in billing; the call connected is connected nowhere else and no agent
    # was rung for either: the reader started mid-call, nothing is paired.
    events = [
        ev(Kind.ENQUEUE, T0, call_id="a", queue="billing", target="1001"),
        ev(Kind.ENQUEUE, T0 + 1, call_id="b", queue="billing", target="5550100"),
        ev(Kind.ANSWER, T0 + 5, call_id="x", queue="billing", agent="bob", wait=30),
    ]
    engine = Engine(AggregatorConfig())
    engine.apply_all(events)
    assert sorted(c.call_id for c in engine.calls.values() if c.answered is None) == ["a", "b"]
    assert engine.calls["billing\x1fx"].enqueued == T0 + 5 - 30
    offered = sum(n for (_m, _q, counter), n in engine.mdelta.items() if counter == "offered")
    assert offered == 3


def test_a_second_line_about_a_transfer_counts_nothing(
    redis_client: redis.Redis, keys: Keys
) -> None:
    # Lines under both ids in the queue the call left, before and after the CONNECT elsewhere.
    events = [
        ev(Kind.ENQUEUE, T0, call_id="o", queue="support", target="5550100"),
        ev(Kind.ANSWER, T0 + 5, call_id="o", queue="support", agent="PJSIP/1001", wait=5),
        ev(Kind.ENQUEUE, T0 + 60, call_id="k", queue="billing", target="1001"),
        ev(Kind.TRANSFER, T0 + 70, call_id="o", queue="support", agent="PJSIP/1001", wait=5,
           talk=65, reason="attended", target="b1"),
        ev(Kind.TRANSFER, T0 + 71, call_id="k", queue="support", agent="PJSIP/1001", wait=0,
           talk=11, reason="attended", target="b1"),
        ev(Kind.ANSWER, T0 + 75, call_id="o", queue="billing", agent="PJSIP/2001", wait=15),
        ev(Kind.TRANSFER, T0 + 76, call_id="o", queue="support", agent="PJSIP/1001", wait=5,
           talk=71, reason="attended", target="b1"),
        ev(Kind.COMPLETE, T0 + 200, call_id="o", queue="billing", agent="PJSIP/2001", wait=15,
           talk=125, reason="caller"),
    ]  # fmt: skip
    history: list[Any] = []
    drain(redis_client, keys, events, history)
    assert figures(redis_client, keys) == {
        "support": Figures(1, 1, 1, 1, 5, 65),
        "billing": Figures(1, 1, 1, 0, 15, 125),
    }
    assert_nothing_in_flight(redis_client, keys)


def test_a_transfer_line_for_a_call_nobody_holds_still_counts_as_today(
    redis_client: redis.Redis, keys: Keys
) -> None:
    # No agent connected to another call of the queue, nothing remembered: a transfer of a
    # call whose enqueue and answer came before the reader started.
    events = [ev(Kind.TRANSFER, T0 + 60, call_id="z", queue="support", agent="ann", wait=5,
                 talk=55, reason="blind", target="200@ctx")]  # fmt: skip
    drain(redis_client, keys, events, [])
    t = figures(redis_client, keys)["support"]
    assert (t.handled, t.transferred, t.talk) == (1, 1, 55)


@pytest.mark.parametrize(
    ("caller", "agent", "same"),
    [
        ("1001", "Local/1001@from-queue/n", True),
        ("1001", "PJSIP/1001", True),
        ("1001", "Agent/1001", True),
        ("Alice", "Alice", True),
        ("1001", "Local/10010@from-queue/n", False),
        ("13800138001", "PJSIP/1001", False),
        ("", "PJSIP/1001", False),
    ],
)
def test_the_consultation_caller_is_the_transferring_agent(
    caller: str, agent: str, same: bool
) -> None:
    assert same_agent(caller, agent) is same
    assert extension("Local/1001@from-queue/n") == "1001"


def test_end_lines_of_the_consultation_after_the_pairing_count_nothing(
    redis_client: redis.Redis, keys: Keys
) -> None:
    # The consultation's own end in the queue it entered, and a COMPLETE under it in the queue
    # the call left: both are about a call already accounted for.
    events = [
        ev(Kind.ENQUEUE, T0, call_id="o", queue="support", target="5550100"),
        ev(Kind.ANSWER, T0 + 5, call_id="o", queue="support", agent="PJSIP/1001", wait=5),
        ev(Kind.ENQUEUE, T0 + 60, call_id="k", queue="billing", target="1001"),
        ev(Kind.ANSWER, T0 + 75, call_id="o", queue="billing", agent="PJSIP/2001", wait=15),
        ev(Kind.ABANDON, T0 + 76, call_id="k", queue="billing", wait=16),
        ev(Kind.COMPLETE, T0 + 77, call_id="k", queue="support", agent="PJSIP/1001", wait=0,
           talk=17, reason="agent"),
        ev(Kind.COMPLETE, T0 + 200, call_id="o", queue="billing", agent="PJSIP/2001", wait=15,
           talk=125, reason="caller"),
    ]  # fmt: skip
    history: list[Any] = []
    drain(redis_client, keys, events, history)
    assert figures(redis_client, keys) == {
        "support": Figures(1, 1, 1, 1, 5, 70),
        "billing": Figures(1, 1, 1, 0, 15, 125),
    }
    assert [r["outcome"] for r in history if r["type"] == "call"] == ["transferred", "answered"]
    records = interval_records(
        read_days(redis_client, keys), clock=Aggregator(redis_client, keys=keys).engine.clock,
        interval="day",
    )  # fmt: skip
    assert sum(r["abandoned"] + r["short_abandoned"] for r in records) == 0
    assert_nothing_in_flight(redis_client, keys)
