"""Presence (issue 18): static queue members are not "available around the clock".

Each day is published to a real Redis and drained by the aggregator up to a few instants, as
if it had been live; the figures are the ones worked out by hand in
``tests/data/queue_log/README.md`` ("Presence days").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import redis

from collectors.aggregator.consumer import Aggregator
from collectors.aggregator.counters import decode_fields
from collectors.aggregator.engine import AggregatorConfig, Engine
from collectors.aggregator.metrics import occupancy
from collectors.aggregator.roster import RosterError, parse_roster
from collectors.aggregator.state import CALLS, SESSION, UNKNOWN, LiveAgent
from collectors.ami.mapping import AmiMapper
from collectors.ami.protocol import Message
from collectors.ami.script import Block, load_script
from collectors.events import Event, Kind
from collectors.keys import Keys
from collectors.pipeline.producer import EventProducer
from collectors.queue_log.decoder import parse_file
from dashboard.settings import SettingsError, load_settings

T8 = 1710144000.0  # Monday 2024-03-11 08:00:00 UTC (the fixtures' day)
DAY = "20240311"
NOW_FIELDS = (
    "agents_logged_in",
    "agents_estimated",
    "agents_presence_unknown",
    "occupancy_agents",
    "occupancy",
)


def at(hhmm: str, *, next_day: bool = False) -> float:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return T8 + (hours - 8) * 3600 + minutes * 60 + (86_400 if next_day else 0)


def day_events(data_dir: Path, name: str) -> list[Event]:
    events = list(parse_file(data_dir / "queue_log" / name, source="ql:pbx")[0])
    return sorted(events, key=lambda e: e.ts)


def pictures(
    client: redis.Redis,
    keys: Keys,
    events: Sequence[Event],
    instants: Sequence[float],
    config: AggregatorConfig | None = None,
) -> list[dict[str, Any]]:
    """The snapshot at each instant, the events up to it applied and the aggregator's
    housekeeping run at it (as a live aggregator does when no event comes)."""
    now = [0.0]
    aggregator = Aggregator(client, keys=keys, config=config, clock=lambda: now[0])
    producer = EventProducer(client, keys=keys)
    pending = list(events)
    out = []
    for instant in instants:
        due = [e for e in pending if e.ts <= instant]
        pending = pending[len(due) :]
        if due:
            producer.publish(due)
        now[0] = instant
        aggregator.drain()
        aggregator.expire_stale()
        aggregator.write_snapshot()
        out.append(json.loads(str(client.get(keys.snapshot))))
    return out


def figures(snapshot: dict[str, Any], queue: str = "support") -> tuple[Any, ...]:
    now = snapshot["queues"][queue]["now"]
    return tuple(now[k] for k in NOW_FIELDS)


def rows(snapshot: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {a["agent"]: (a["presence"], a["state"]) for a in snapshot["agents"]}


def day_counters(client: redis.Redis, keys: Keys) -> tuple[Counter[str], Counter[str]]:
    """The day's agent counters summed over agents and intervals, and the fields per counter."""
    fields = decode_fields(client.hgetall(keys.agent_counters(DAY)))
    total: Counter[str] = Counter()
    for (_agent, _idx, counter), value in fields.items():
        total[counter] += value
    return total, Counter(counter for (_a, _i, counter) in fields)


# -- a static-member day: no session lines -----------------------------------------------------


def test_a_static_member_day_is_an_estimate_and_never_availability(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    events = day_events(data_dir, "static_members_day.log")
    instants = [at("10:05"), at("18:45"), at("03:00", next_day=True)]
    ten, evening, night = pictures(redis_client, keys, events, instants)
    # 10:05: 2001-2003 on a call, 2004 and 2005 between calls; nobody said who is on duty.
    assert figures(ten) == (0, 5, 0, 0, None)
    assert figures(ten, "*") == (0, 5, 0, 0, None)
    assert rows(ten) == {
        "Agent/2001": (CALLS, "on_call"),
        "Agent/2002": (CALLS, "on_call"),
        "Agent/2003": (CALLS, "on_call"),
        "Agent/2004": (CALLS, "no_session"),
        "Agent/2005": (CALLS, "no_session"),
    }
    assert ten["queues"]["support"]["now"]["agents"] == {}
    # 18:45: more than 30 minutes after everyone's last call (17:58:10 at the latest).
    assert figures(evening) == (0, 0, 5, 0, None)
    assert set(rows(evening).values()) == {(UNKNOWN, "no_session")}
    # 03:00 the next night: nobody logged in, nobody shown.
    assert figures(night, "*") == (0, 0, 0, 0, None)
    assert night["agents"] == []
    total, fields = day_counters(redis_client, keys)
    # No state time at all: occupancy is unknown, not 0.68 (before issue 18) and not 1.
    assert occupancy(total) is None
    assert (total["answered"], total["handled"], total["talk_ms"]) == (100, 100, 120_000_000)
    assert fields == {"answered": 100, "handled": 100, "talk_ms": 100}


# -- a dynamic-member day: ADDMEMBER / REMOVEMEMBER ------------------------------------------


def test_a_dynamic_member_day_counts_its_sessions(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    events = day_events(data_dir, "dynamic_members_day.log")
    instants = [at("09:15"), at("10:05"), at("13:00"), at("03:00", next_day=True)]
    break_time, busy, after, night = pictures(redis_client, keys, events, instants)
    assert figures(break_time) == (2, 0, 0, 1, 0.0)  # 3001 available, 3002 on a break
    assert break_time["queues"]["support"]["now"]["agents"] == {"available": 1, "paused": 1}
    assert figures(busy) == (2, 0, 0, 2, 1.0)
    assert rows(busy) == {"Agent/3001": (SESSION, "on_call"), "Agent/3002": (SESSION, "on_call")}
    # Removed from their last queue: logged off, not "presence unknown".
    assert figures(after, "*") == (0, 0, 0, 0, None)
    assert set(rows(after).values()) == {(UNKNOWN, "logged_off")}
    assert figures(night, "*") == (0, 0, 0, 0, None)
    total, _ = day_counters(redis_client, keys)
    assert total["t_on_call_ms"] == 4_800_000
    assert total["t_paused_ms"] == 1_800_000
    assert total["t_available_ms"] == 22_200_000
    assert occupancy(total) == pytest.approx(4800 / 27000)


# -- a mixed day: a dynamic member and a static one in one queue ------------------------------


def test_a_mixed_day_computes_occupancy_over_the_session_agent_only(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    events = day_events(data_dir, "mixed_members_day.log")
    instants = [at("09:45"), at("10:05"), at("11:15"), at("12:30")]
    lapsed, busy, lunch, after = pictures(redis_client, keys, events, instants)
    # 09:45: 2001's last call ended 09:00:10, its estimate lapsed at 09:30:10.
    assert figures(lapsed) == (1, 0, 1, 1, 0.0)
    assert rows(lapsed)["Agent/2001"] == (UNKNOWN, "no_session")
    assert figures(busy) == (1, 1, 0, 1, 1.0)
    assert rows(busy) == {"Agent/2001": (CALLS, "on_call"), "Agent/3001": (SESSION, "on_call")}
    # 11:15: the static member paused (queue_log PAUSE): its pause is shown, not counted.
    assert figures(lunch) == (1, 1, 0, 1, 0.0)
    assert rows(lunch)["Agent/2001"] == (CALLS, "paused")
    assert figures(after) == (0, 0, 1, 0, None)
    assert rows(after) == {
        "Agent/2001": (UNKNOWN, "no_session"),
        "Agent/3001": (UNKNOWN, "logged_off"),
    }
    total, _ = day_counters(redis_client, keys)
    assert (total["t_on_call_ms"], total["t_available_ms"]) == (2_400_000, 12_000_000)
    assert total["t_paused_ms"] == 0
    assert occupancy(total) == pytest.approx(1 / 6)
    assert (total["answered"], total["talk_ms"]) == (4, 4_800_000)


# -- an AMI member list: static members stated by QueueStatus ---------------------------------


def ami_events(data_dir: Path, now: float) -> list[Event]:
    mapper = AmiMapper(source="ami:pbx:5038", server="pbx:5038")
    script = load_script(data_dir / "ami" / "static_members_status.txt")
    messages = [i.message for i in script if isinstance(i, Block) and i.message is not None]
    mapper.begin_snapshot()
    out: list[Event] = []
    for message in [*messages, Message((("Event", "QueueStatusComplete"),))]:
        out += mapper.map(message, now=now)
    removed = Message(
        (("Event", "QueueMemberRemoved"), ("Queue", "support"), ("MemberName", "Erin"),
         ("Interface", "PJSIP/202"))
    )  # fmt: skip
    out += mapper.map(removed, now=now + 300)
    return sorted(out, key=lambda e: e.ts)


def test_an_ami_member_list_states_static_members_with_their_pause(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    events = ami_events(data_dir, at("10:05"))
    assert Counter(e.kind for e in events)[Kind.MEMBER_ADD] == 3
    listed, removed = pictures(redis_client, keys, events, [at("10:05"), at("10:15")])
    # Dave (static, paused for lunch), Erin (static), Frank (dynamic): all in session.
    assert figures(listed) == (3, 0, 0, 2, 0.0)
    assert rows(listed) == {
        "Dave": (SESSION, "paused"),
        "Erin": (SESSION, "available"),
        "Frank": (SESSION, "available"),
    }
    assert next(a for a in listed["agents"] if a["agent"] == "Dave")["reason"] == "lunch"
    assert figures(removed) == (2, 0, 0, 1, 0.0)
    assert rows(removed)["Erin"] == (UNKNOWN, "logged_off")


# -- a roster: static members with shift hours ------------------------------------------------

ROSTER = {
    "support": [
        {"agent": f"Agent/200{k}", "shift": "08:00-18:00", "days": "mon-fri"} for k in range(1, 6)
    ]
}


def test_a_roster_puts_static_members_in_session_during_their_shift(
    redis_client: redis.Redis, keys: Keys, data_dir: Path
) -> None:
    config = AggregatorConfig(roster=parse_roster(ROSTER))
    events = day_events(data_dir, "static_members_day.log")
    instants = [at("07:30"), at("10:05"), at("18:45"), at("03:00", next_day=True)]
    before, ten, evening, night = pictures(redis_client, keys, events, instants, config)
    assert before["agents"] == []  # off shift and never seen: nothing to say
    assert figures(ten) == (5, 0, 0, 5, 0.6)
    assert ten["queues"]["support"]["now"]["agents"] == {"on_call": 3, "available": 2}
    assert rows(ten)["Agent/2004"] == (SESSION, "available")
    # The shift ended at 18:00 with no event to tell it; the estimate after it lapsed too.
    assert figures(evening) == (0, 0, 5, 0, None)
    assert figures(night, "*") == (0, 0, 0, 0, None)
    total, _ = day_counters(redis_client, keys)
    # 08:00-18:00 in session each: 24 000 s on calls, 12 000 s available, per agent.
    assert (total["t_on_call_ms"], total["t_available_ms"]) == (120_000_000, 60_000_000)
    assert occupancy(total) == pytest.approx(2 / 3)


def test_a_shift_starts_with_no_event_at_its_hour() -> None:
    config = AggregatorConfig(roster=parse_roster(ROSTER))
    engine = Engine(config)
    engine.tick_presence(at("08:00") + 7, live=True)
    assert {a.agent: (a.presence, a.state) for a in engine.agents.values()} == {
        f"Agent/200{k}": (SESSION, "available") for k in range(1, 6)
    }
    assert {a.since for a in engine.agents.values()} == {at("08:00")}  # dated at the hour
    saturday = at("09:00") + 5 * 86_400
    engine.tick_presence(saturday, live=True)
    assert {a.presence for a in engine.agents.values()} == {UNKNOWN}


def test_a_night_shift_runs_past_midnight() -> None:
    [shift] = parse_roster({"night": [{"agent": 7, "shift": "22:00-06:00", "days": ["fri"]}]})[
        "night"
    ]
    assert (shift.agent, shift.start, shift.end) == ("7", 22 * 60, 6 * 60)
    assert shift.covers(4, 23 * 60) and shift.covers(5, 5 * 60)  # Friday night, Saturday 05:00
    assert not shift.covers(5, 23 * 60) and not shift.covers(4, 5 * 60)


@pytest.mark.parametrize(
    ("roster", "named"),
    [
        ({"support": [{"agent": "1001", "shift": "8-17"}]}, "roster.support[0].shift"),
        ({"support": [{"agent": "1001", "shift": "08:00-17:00", "days": "mo"}]}, ".days"),
        ({"support": [{"shift": "08:00-17:00"}]}, "roster.support[0].agent"),
        ({"support": [{"agent": "1", "shift": "08:00-17:00", "team": "a"}]}, "unknown key"),
        ({"support": {"agent": "1001"}}, "roster.support must be a list"),
    ],
)
def test_a_bad_roster_entry_names_its_key(roster: dict[str, Any], named: str) -> None:
    with pytest.raises(RosterError, match=named.replace("[", r"\[").replace("]", r"\]")):
        parse_roster(roster)


def test_the_roster_comes_from_the_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.yml"
    path.write_text(
        "presence_idle_gap_s: 900\n"
        "roster:\n  support:\n    - {agent: '1001', shift: '08:00-17:00', days: mon-fri}\n"
    )
    settings = load_settings({"FLOORBOARD_CONFIG": str(path)})
    assert settings.presence_idle_gap_s == 900.0
    assert [s.agent for s in settings.roster["support"]] == ["1001"]
    path.write_text("roster:\n  support:\n    - {agent: '1001', shift: '25:00-17:00'}\n")
    with pytest.raises(SettingsError, match=r"settings.yml: roster.support\[0\].shift"):
        load_settings({"FLOORBOARD_CONFIG": str(path)})


# -- persistence ----------------------------------------------------------------------------


def test_presence_survives_a_restart_and_old_records_become_estimates() -> None:
    agent = LiveAgent(agent="a", presence=CALLS, last_activity=5.0, source="ql", logged_in=False)
    assert LiveAgent.from_json(agent.to_json()) == agent
    # Written before issue 18: "logged in" by any activity, for good.
    old = '["b",true,"available",false,"",7.0,"","","","",0.0,["q"]]'
    migrated = LiveAgent.from_json(old)
    assert (migrated.presence, migrated.logged_in, migrated.last_activity) == (CALLS, False, 7.0)
